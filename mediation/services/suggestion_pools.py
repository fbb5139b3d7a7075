"""The worker's suggestion pools: a region's (or the republic's) candidates and their standings, kept per worker.

A view reads its pool's ids with two marks per mediator: `revision`, replaced by every change to the registry row
(models/mediator.py), and `standing_revision`, replaced by the database's triggers whenever the mediator's
running assignments, last assignment, track record or absences change (models/standing_ddl.py). The pool
(domain/assignment_pool.py) is rebuilt when the set of mediators changes and patched for each mediator whose
revision moved; the standings are re-read only for the mediators whose standing mark moved. On the republic pool
that replaces counting 5,000 mediators' workload on every view (bench/RESULTS.md, issue 4). Pools are keyed by
day, horizon and thresholds, which the eligibility and availability filters depend on.

Before the marks, a view reads one row of sums over them (`_fingerprint`): while it is the one the pool was last
brought up to date with, nothing the pool holds has changed, and the view reads nothing else of the registry.
Each of these is read before the rows it vouches for, so a pool is never behind its marks: a change committed in
between makes the next view read that mediator again. Marks are random, so a mark read inside a transaction that
later rolls back never matches a committed one; and a view inside a transaction that has itself changed one of the
pool's mediators reads a pool of its own and keeps nothing (PostgreSQL; `_fingerprint`).
"""

import threading
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import String, func, literal_column, select, type_coerce

from ..domain.assignment_filters import AssignmentPolicy, CaseInput
from ..domain.assignment_pool import Standing, SuggestionPool
from ..domain.assignment_scoring import Suggestions
from ..domain.mediator_eligibility import Absence, EligibilityThresholds
from ..extensions import db
from ..models import AssignmentPolicyRecord, CaseAssignment, Mediator, MediatorAbsence, MediatorCategoryStats
from .assignment_inputs import candidate_of
from .bulk_reads import id_in
from .registry_queries import takes_capacity
from .registry_snapshot import entries_for

_NO_RECORD = (0, 0)


@dataclass
class Figures:
    """Standing figures read for some mediators: open cases, day of the last assignment, closed cases and
    agreements by category code, absences not over before the pool's day."""

    open_cases: dict[int, int]
    last_assigned: dict[int, date | None]
    records: dict[int, dict[str, tuple[int, int]]]
    absences: dict[int, tuple[Absence, ...]]


@dataclass
class _Standings:
    """Each pool position's figures as of `marks`, and the standings built from them per category."""

    marks: list[int]
    figures: list[tuple[int, date | None]]
    records: list[dict[str, tuple[int, int]]]
    absences: dict[int, tuple[Absence, ...]]
    by_category: dict[str, list[Standing]] = field(default_factory=dict)

    def of_category(self, category: str) -> list[Standing]:
        """The standings of every position for a case of `category` (built once, then patched)."""
        built = self.by_category.get(category)
        if built is None:
            built = self.by_category[category] = [
                (open_now, last_on, *records.get(category, _NO_RECORD))
                for (open_now, last_on), records in zip(self.figures, self.records, strict=True)]
        return built


@dataclass
class _Cached:
    """A pool with the revisions it was built from, its mediators' names and their standings; the lock covers all."""

    pool: SuggestionPool
    revisions: list[int]
    names: dict[int, str]
    standings: _Standings | None = None
    fingerprint: dict | None = None  # as read before the marks that the pool and its standings are brought to
    lock: threading.Lock = field(default_factory=threading.Lock)


# (region id or None for the republic, day, horizon, thresholds) -> pool. Yesterday's pools are dropped when
# today's first one is stored, so the map holds at most one pool per region and horizon in use.
_POOLS: dict[tuple, _Cached] = {}
_STORING = threading.Lock()


def forget() -> None:
    """Drop every pool (with registry_snapshot.forget: a new worker's state)."""
    _POOLS.clear()


# The low and the high 40 bits of a 62-bit mark: 5,000 of either sum below 2**53, so SQLite's integer sum never
# overflows, and between them they cover every bit of the mark.
_LOW_BITS = 2**40 - 1
_HIGH_SHIFT = 22


# Mediator ids per bucket of the fingerprint: a mark that moved costs a read of its bucket's marks only.
_BUCKET = 128
_BUCKET_OF = literal_column(f"mediator.id / {_BUCKET}")  # integer division on both engines (ids are integers)
# PostgreSQL: how many of the pool's rows this transaction wrote (none unless it wrote; no xid is taken for it).
_WRITTEN_HERE = literal_column(
    "count(*) FILTER (WHERE mediator.standing_xact = pg_current_xact_id_if_assigned()::text::bigint)")

Fingerprint = dict[int, tuple]  # bucket -> (count, sum of ids, sums of the marks' low and high bits)


def _fingerprint(region_id: int | None) -> tuple[Fingerprint, bool]:
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


def _fingerprints_by_region() -> dict[int | None, Fingerprint]:
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


def _marks(region_id: int | None, buckets: list[int] | None = None) -> tuple[list[int], list[int], list[int]]:
    """The pool's mediator ids in order (those of `buckets`, if given), with each one's revision and mark."""
    in_scope = [Mediator.region_id == region_id] if region_id is not None else []
    if buckets is not None:
        in_scope.append(_BUCKET_OF.in_(buckets))
    rows = db.session.connection().execute(
        select(Mediator.id, Mediator.revision, Mediator.standing_revision)
        .where(Mediator.status != "excluded", *in_scope).order_by(Mediator.id)).all()
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _with_moved_buckets(cached: _Cached, fingerprint: Fingerprint,
                        region_id: int | None) -> tuple[list[int], list[int]] | None:
    """The pool's revisions and marks (its lock held) with the buckets whose sums moved read again; None if the
    pool was never brought to a fingerprint or its mediators changed."""
    held = cached.fingerprint
    if held is None or cached.standings is None:
        return None
    moved = sorted(b for b in held.keys() | fingerprint.keys() if held.get(b) != fingerprint.get(b))
    ids, revisions, marks = _marks(region_id, moved)
    pool_ids = cached.pool.ids
    positions = [i for b in moved for i in range(bisect_left(pool_ids, b * _BUCKET),
                                                 bisect_left(pool_ids, (b + 1) * _BUCKET))]
    if [pool_ids[i] for i in positions] != ids:  # someone joined or left: the pool is rebuilt
        return None
    all_revisions, all_marks = list(cached.revisions), list(cached.standings.marks)
    for i, revision, mark in zip(positions, revisions, marks, strict=True):
        all_revisions[i], all_marks[i] = revision, mark
    return all_revisions, all_marks


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


def _new(key: tuple, ids: list[int], revisions: list[int]) -> _Cached:
    """A new pool for `key` from the registry rows of `ids` (not stored)."""
    _, today, horizon, thresholds = key
    entries = entries_for(zip(ids, revisions, strict=True))
    # Each row's own revision is kept, not the one asked for: a concurrent load may have stored an older row
    # just after ours, and a mismatch makes the next view reload it rather than trust it for good.
    return _Cached(SuggestionPool([candidate_of(m, e) for m, e in entries.items()], today=today,
                                  horizon_days=horizon, thresholds=thresholds),
                   [e.revision for e in entries.values()], {m: e.full_name for m, e in entries.items()})


def _built(key: tuple, ids: list[int], revisions: list[int]) -> _Cached:
    """A new pool for `key` from the registry rows of `ids`, stored in place of any older one."""
    cached = _new(key, ids, revisions)
    today = key[1]
    with _STORING:
        for stale in [k for k in _POOLS if k[1] < today]:  # yesterday's; a late view of yesterday keeps today's
            del _POOLS[stale]
        _POOLS[key] = cached
    return cached


def _patched(cached: _Cached, ids: list[int], revisions: list[int]) -> bool:
    """Bring a pool (its lock held) to the revisions read; False if a mediator left the registry since the read."""
    if cached.revisions == revisions:
        return True
    moved = [(m, r) for m, r, held in zip(ids, revisions, cached.revisions, strict=True) if r != held]
    entries = entries_for(moved)
    if len(entries) != len(moved):
        return False
    for mediator_id, entry in entries.items():
        cached.pool.replace(candidate_of(mediator_id, entry))
        cached.names[mediator_id] = entry.full_name
        cached.revisions[cached.pool.position(mediator_id)] = entry.revision  # as in _built
    return True


def _first_standings(cached: _Cached, marks: list[int], figures: Figures) -> _Standings:
    """A pool's standings (its lock held) from figures read after `marks`, which may cover more mediators."""
    ids = cached.pool.ids
    cached.standings = _Standings(
        list(marks), [(figures.open_cases.get(m, 0), figures.last_assigned.get(m)) for m in ids],
        [figures.records.get(m, {}) for m in ids],
        {m: figures.absences[m] for m in ids if m in figures.absences})
    return cached.standings


def _standings(cached: _Cached, marks: list[int], *, everyone: bool) -> _Standings:
    """The pool's standings (its lock held) brought to `marks`: read whole the first time, then for the
    mediators whose mark moved. `everyone`: the pool is the republic's, read without a list of ids."""
    ids, kept = cached.pool.ids, cached.standings
    if kept is None:
        return _first_standings(cached, marks, read_figures(None if everyone else ids, cached.pool.today))
    if kept.marks == marks:
        return kept
    moved = [i for i, (mark, held) in enumerate(zip(marks, kept.marks, strict=True)) if mark != held]
    figures = read_figures([ids[i] for i in moved], cached.pool.today)
    for i in moved:
        mediator_id = ids[i]
        kept.figures[i] = (figures.open_cases.get(mediator_id, 0), figures.last_assigned.get(mediator_id))
        kept.records[i] = figures.records.get(mediator_id, {})
        away = figures.absences.get(mediator_id)
        if away:
            kept.absences[mediator_id] = away
        else:
            kept.absences.pop(mediator_id, None)
        kept.marks[i] = marks[i]
        for category, built in kept.by_category.items():
            built[i] = (*kept.figures[i], *kept.records[i].get(category, _NO_RECORD))
    return kept


def _suggest(cached: _Cached, marks: list[int] | None, case: CaseInput, policy: AssignmentPolicy,
             conflicts: dict[int, frozenset[int]], everyone: bool) -> tuple[Suggestions, dict[int, str]]:
    """Score `case` on the pool (its lock held), its standings first brought to `marks` (None: they are)."""
    standings = _standings(cached, marks, everyone=everyone) if marks is not None else cached.standings
    return (cached.pool.suggest(case, policy, standings.of_category(case.category.value), standings.absences,
                                conflicts), cached.names.copy())


def suggestions(region_id: int | None, case: CaseInput, policy: AssignmentPolicy,
                conflicts: dict[int, frozenset[int]], *, today: date,
                thresholds: EligibilityThresholds) -> tuple[Suggestions, dict[int, str]]:
    """Suggestions for `case` from the pool of a region (None: the republic), and the pool's names by id."""
    db.session.flush()  # Core statements skip the session's autoflush: pending changes must be visible
    key = (region_id, today, policy.horizon_days, thresholds)
    everyone = region_id is None
    fingerprint, written_here = _fingerprint(region_id)
    if written_here:  # a pool of its own for this view, read whole and dropped after (see _fingerprint)
        ids, revisions, marks = _marks(region_id)
        own, mark_of = _new(key, ids, revisions), dict(zip(ids, marks, strict=True))
        return _suggest(own, [mark_of[m] for m in own.pool.ids], case, policy, conflicts,
                        everyone and own.pool.ids == ids)
    cached = _POOLS.get(key)
    if cached is not None:
        with cached.lock:
            if cached.fingerprint == fingerprint:
                return _suggest(cached, None, case, policy, conflicts, everyone)
            read = _with_moved_buckets(cached, fingerprint, region_id)
            if read is not None and _patched(cached, cached.pool.ids, read[0]):
                found = _suggest(cached, read[1], case, policy, conflicts, everyone)
                cached.fingerprint = fingerprint if cached.revisions == read[0] else None  # as below
                return found
    ids, revisions, marks = _marks(region_id)
    # Patched and used under one hold of the lock: another thread's view, of an older or a newer snapshot, may
    # patch the same pool to its own revisions in between.
    if cached is not None:
        with cached.lock:
            if cached.pool.ids == ids and _patched(cached, ids, revisions):
                found = _suggest(cached, marks, case, policy, conflicts, everyone)
                # Read before the marks: if anything moved since, the next view's sums differ and it reads again.
                cached.fingerprint = fingerprint if cached.revisions == revisions else None
                return found
    # New, or the pool's mediators changed (one may have left the registry between our reads: the pool then
    # holds fewer than we read).
    cached = _built(key, ids, revisions)
    with cached.lock:
        held = cached.pool.ids
        whole = held == ids
        if not whole:
            by_id = dict(zip(ids, zip(revisions, marks, strict=True), strict=True))
            revisions, marks = [by_id[m][0] for m in held], [by_id[m][1] for m in held]
            everyone = False  # read by ids: the pool holds fewer than the whole republic
        _patched(cached, held, revisions)
        found = _suggest(cached, marks, case, policy, conflicts, everyone)
        cached.fingerprint = fingerprint if whole and cached.revisions == revisions else None
        return found


def warm(*, today: date, thresholds: EligibilityThresholds) -> int:
    """Load the registry snapshot and build today's pool, with its standings, of every region and republic pool
    in use; the count built.

    A new worker runs this once (web/warmup.py) so that no coordinator's first view of a region pays for it.
    """
    db.session.flush()
    run = db.session.connection().execute
    policies = {region_id: (horizon, republic) for region_id, horizon, republic in run(select(
        AssignmentPolicyRecord.region_id, AssignmentPolicyRecord.horizon_days,
        AssignmentPolicyRecord.allow_republic_pool)).all()}
    default = AssignmentPolicy()
    fingerprints = _fingerprints_by_region()  # before the marks they vouch for, as in a view
    rows = run(select(Mediator.id, Mediator.revision, Mediator.standing_revision, Mediator.region_id)
               .where(Mediator.status != "excluded").order_by(Mediator.id)).all()
    entries_for((m, r) for m, r, _, _ in rows)  # the whole registry in one pass, rather than region by region
    by_scope: dict[int | None, list] = defaultdict(list)
    for row in rows:
        by_scope[row[3]].append(row)
        by_scope[None].append(row)
    wanted = set()
    for region_id in {r[3] for r in rows} | set(policies):
        horizon, republic = policies.get(region_id, (default.horizon_days, default.allow_republic_pool))
        wanted.add((None if republic else region_id, horizon))
    figures = read_figures(None, today)  # everyone's, once, after the marks: each pool takes its own
    marks = {r[0]: r[2] for r in rows}
    built = 0
    for scope, horizon in sorted(wanted, key=lambda w: (w[0] is None, w[0] or 0, w[1])):
        key = (scope, today, horizon, thresholds)
        if key not in _POOLS:
            cached = _built(key, [r[0] for r in by_scope[scope]], [r[1] for r in by_scope[scope]])
            with cached.lock:
                # A view may have taken the stored pool first and brought it to newer marks than these reads
                if cached.standings is None:
                    _first_standings(cached, [marks[m] for m in cached.pool.ids], figures)
                    if cached.pool.ids == [r[0] for r in by_scope[scope]] and \
                            cached.revisions == [r[1] for r in by_scope[scope]]:
                        cached.fingerprint = fingerprints.get(scope, {})
            built += 1
    return built
