"""What a suggestion pool reads of the database: the sums over its marks, the marks, the standing figures.

services/suggestion_pools.py decides what to read; these are the statements. The sums are kept per bucket of
BUCKET mediator ids, so a mark that moved costs a read of its bucket's marks, not of all 5,000.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, func, literal_column, select, type_coerce

from ..domain.mediator_eligibility import Absence
from ..extensions import db
from ..models import CaseAssignment, Mediator, MediatorAbsence, MediatorCategoryStats
from .bulk_reads import id_in
from .registry_queries import takes_capacity


@dataclass
class Figures:
    """Standing figures read for some mediators: open cases, day of the last assignment, closed cases and
    agreements by category code, absences not over before the pool's day."""

    open_cases: dict[int, int]
    last_assigned: dict[int, date | None]
    records: dict[int, dict[str, tuple[int, int]]]
    absences: dict[int, tuple[Absence, ...]]


# The low and the high 40 bits of a 62-bit mark: 5,000 of either sum below 2**53, so SQLite's integer sum never
# overflows, and between them they cover every bit of the mark.
_LOW_BITS = 2**40 - 1
_HIGH_SHIFT = 22


# Mediator ids per bucket of the fingerprint: a mark that moved costs a read of its bucket's marks only.
BUCKET = 128
_BUCKET_OF = literal_column(f"mediator.id / {BUCKET}")  # integer division on both engines (ids are integers)
# PostgreSQL: how many of the pool's rows this transaction wrote (none unless it wrote; no xid is taken for it).
_WRITTEN_HERE = literal_column(
    "count(*) FILTER (WHERE mediator.standing_xact = pg_current_xact_id_if_assigned()::text::bigint)")

Fingerprint = dict[int, tuple]  # bucket -> (count, sum of ids, sums of the marks' low and high bits)


def fingerprint(region_id: int | None) -> tuple[Fingerprint, bool]:
    """Per bucket of ids, sums over the pool's mediators that change whenever one joins or leaves it or any mark
    of theirs moves; and whether this transaction wrote any of their rows.

    A mediator's new mark leaves both sums of its bits unchanged only if it equals the old one (one chance in
    2**62, as two revisions of one row agreeing). About 40 rows in place of 5,000 marks (7 ms a view), and a mark
    that moved costs a read of its bucket's 128.
    A view inside a transaction that changed a pool mediator must keep nothing it reads: on PostgreSQL a second
    change to that mediator in the same transaction keeps the mark (models/standing_ddl.py).
    """
    in_scope = [Mediator.region_id == region_id] if region_id is not None else []
    connection = db.session.connection()
    written = [_WRITTEN_HERE] if connection.dialect.name == "postgresql" else []
    bucket = _BUCKET_OF.label("bucket")
    rows = connection.execute(select(bucket, *_sums(), *written)
                              .where(Mediator.status != "excluded", *in_scope).group_by(bucket)).all()
    return {row[0]: tuple(row[1:7]) for row in rows}, bool(written) and any(row[7] for row in rows)


def _sums() -> list:
    """A fingerprint's six figures: count, sum of ids, sums of the two marks' low and of their high bits."""
    marks = (Mediator.revision, Mediator.standing_revision)
    # Constants written into the SQL: PostgreSQL has no bigint >> bigint, which a bound parameter would ask for.
    return [func.count(), func.sum(Mediator.id),
            *(func.sum(mark.op("&")(literal_column(str(_LOW_BITS)))) for mark in marks),
            *(func.sum(mark.op(">>")(literal_column(str(_HIGH_SHIFT)))) for mark in marks)]


def fingerprints_by_region() -> dict[int | None, Fingerprint]:
    """Every region's fingerprint, and the republic's (None) as their sum, in one statement (the warm-up's)."""
    bucket = _BUCKET_OF.label("bucket")
    found: dict[int | None, Fingerprint] = defaultdict(dict)
    for region_id, b, *figures in db.session.connection().execute(
            select(Mediator.region_id, bucket, *_sums()).where(Mediator.status != "excluded")
            .group_by(Mediator.region_id, bucket)).all():
        found[region_id][b] = tuple(figures)
        held = found[None].get(b)
        found[None][b] = tuple(figures) if held is None else tuple(x + y for x, y in zip(held, figures, strict=True))
    return found


def marks(region_id: int | None, buckets: list[int] | None = None) -> tuple[list[int], list[int], list[int]]:
    """The pool's mediator ids in order (those of `buckets`, if given), with each one's revision and mark."""
    in_scope = [Mediator.region_id == region_id] if region_id is not None else []
    if buckets is not None:
        in_scope.append(_BUCKET_OF.in_(buckets))
    rows = db.session.connection().execute(
        select(Mediator.id, Mediator.revision, Mediator.standing_revision)
        .where(Mediator.status != "excluded", *in_scope).order_by(Mediator.id)).all()
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def read_figures(ids: list[int] | None, today: date) -> Figures:
    """The standing figures of the mediators `ids` (None: everyone's, for the republic's pool).

    Four plain statements: on 1,000,000 cases and 5,000 mediators they take about 13 ms together on either
    engine, which is why a view reads only the mediators whose standing mark moved.
    """
    run = db.session.connection().execute

    def of(column) -> list:
        # A region's few hundred ids read through each table's mediator_id index; the republic reads them all.
        return [id_in(column, ids, long_from=50)] if ids is not None else []

    workload = select(CaseAssignment.mediator_id, func.count()).where(*takes_capacity(),
                                                                      *of(CaseAssignment.mediator_id))
    if ids is None:  # everyone's workload from the partial index of running assignments alone
        workload = workload.with_hint(CaseAssignment, "INDEXED BY ix_case_assignment_open", "sqlite")
    open_cases = dict(run(workload.group_by(CaseAssignment.mediator_id)).all())
    # The timestamp as the driver gives it (a string on SQLite): only its day is used, parsed once per day seen.
    day_of = _day_reader()
    last_assigned = {m: day_of(at) for m, at in run(select(
        Mediator.id, type_coerce(Mediator.last_assigned_at, String)).where(*of(Mediator.id))).all()}
    stats = MediatorCategoryStats
    records: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for mediator_id, category, closed, agreements in run(select(
            stats.mediator_id, stats.category, stats.closed, stats.agreements).where(*of(stats.mediator_id))).all():
        records[mediator_id][category] = (closed, agreements)
    absences: dict[int, list[Absence]] = defaultdict(list)
    for mediator_id, start, end in run(select(MediatorAbsence.mediator_id, MediatorAbsence.start, MediatorAbsence.end)
                                       .where(MediatorAbsence.end >= today, *of(MediatorAbsence.mediator_id))).all():
        absences[mediator_id].append(Absence(start, end))
    return Figures(open_cases, last_assigned, dict(records), {m: tuple(away) for m, away in absences.items()})


def _day_reader():
    """A parser of last_assigned_at values that parses each day once."""
    days: dict[str, date] = {}

    def day_of(value) -> date | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        text = value[:10]
        day = days.get(text)
        if day is None:
            day = days[text] = date.fromisoformat(text)
        return day
    return day_of
