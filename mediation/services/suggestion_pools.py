"""The worker's suggestion pools: a region's (or the republic's) candidates indexed once, live figures read per view.

Four statements per view read the pool's ids and revisions, each mediator's workload and track record in the
case's category, and absences not yet over. The pool (domain/assignment_pool.py) is rebuilt when the set of
mediators changes and patched for each mediator whose revision moved (every registry edit, and every assignment made
one at a time, which stamps last_assigned_at through the ORM; the batch stamps it without a new revision, and the
pool reads it fresh anyway), so a view is scored on the registry rows it read. Pools are keyed
by day, horizon and thresholds, which the eligibility and availability filters depend on."""

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import String, func, select, type_coerce

from ..domain.assignment_filters import AssignmentPolicy, CaseInput
from ..domain.assignment_pool import SuggestionPool
from ..domain.assignment_scoring import Suggestions
from ..domain.case_fields import CaseCategory
from ..domain.mediator_eligibility import Absence, EligibilityThresholds
from ..extensions import db
from ..models import AssignmentPolicyRecord, CaseAssignment, Mediator, MediatorAbsence, MediatorCategoryStats
from .assignment_inputs import candidate_of
from .bulk_reads import id_in
from .registry_queries import takes_capacity
from .registry_snapshot import entries_for


@dataclass
class _Cached:
    """A pool with the revisions it was built from and its mediators' names; the lock covers all three."""

    pool: SuggestionPool
    revisions: list[int]
    names: dict[int, str]
    lock: threading.Lock = field(default_factory=threading.Lock)


# (region id or None for the republic, day, horizon, thresholds) -> pool. Yesterday's pools are dropped when
# today's first one is stored, so the map holds at most one pool per region and horizon in use.
_POOLS: dict[tuple, _Cached] = {}
_STORING = threading.Lock()


def forget() -> None:
    """Drop every pool (with registry_snapshot.forget: a new worker's state)."""
    _POOLS.clear()


def _live_figures(region_id: int | None, category: CaseCategory, today: date) -> tuple[list, list, list, dict]:
    """The pool's ids and revisions by id, each one's standing (domain/assignment_pool.Standing), and absences.

    Four plain statements: on 1,000,000 cases and 5,000 mediators the three big ones take 13 ms together on
    either engine, where one statement joining them took 14-27 ms.
    """
    run = db.session.connection().execute
    in_scope = [Mediator.region_id == region_id] if region_id is not None else []
    # The timestamp as the driver gives it (a string on SQLite): only its day is used, parsed once per day seen.
    rows = run(select(Mediator.id, Mediator.revision, type_coerce(Mediator.last_assigned_at, String))
               .where(Mediator.status != "excluded", *in_scope).order_by(Mediator.id)).all()
    ids = [r[0] for r in rows]

    def of_pool(column) -> list:
        # A region's few hundred ids read through each table's mediator_id index; the republic reads them all.
        return [id_in(column, ids, long_from=50)] if region_id is not None else []

    workload = select(CaseAssignment.mediator_id, func.count()).where(*takes_capacity(),
                                                                      *of_pool(CaseAssignment.mediator_id))
    if region_id is None:  # everyone's workload from the partial index of running assignments alone
        workload = workload.with_hint(CaseAssignment, "INDEXED BY ix_case_assignment_open", "sqlite")
    open_cases = dict(run(workload.group_by(CaseAssignment.mediator_id)).all())
    stats = MediatorCategoryStats
    records = {m: (closed, agreements) for m, closed, agreements in run(
        select(stats.mediator_id, stats.closed, stats.agreements)
        .where(stats.category == category.value, *of_pool(stats.mediator_id))).all()}
    absences: dict[int, list[Absence]] = defaultdict(list)
    for mediator_id, start, end in run(select(MediatorAbsence.mediator_id, MediatorAbsence.start, MediatorAbsence.end)
                                       .where(MediatorAbsence.end >= today,
                                              *of_pool(MediatorAbsence.mediator_id))).all():
        absences[mediator_id].append(Absence(start, end))
    day_of, nothing = _day_reader(), (0, 0)
    standings = [(open_cases.get(m, 0), day_of(last)) + records.get(m, nothing) for m, _, last in rows]
    return ids, [r[1] for r in rows], standings, {m: tuple(away) for m, away in absences.items()}


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


def _built(key: tuple, ids: list[int], revisions: list[int]) -> _Cached:
    """A new pool for `key` from the registry rows of `ids`, stored in place of any older one."""
    _, today, horizon, thresholds = key
    entries = entries_for(zip(ids, revisions, strict=True))
    # Each row's own revision is kept, not the one asked for: a concurrent load may have stored an older row
    # just after ours, and a mismatch makes the next view reload it rather than trust it for good.
    cached = _Cached(SuggestionPool([candidate_of(m, e) for m, e in entries.items()], today=today,
                                    horizon_days=horizon, thresholds=thresholds),
                     [e.revision for e in entries.values()], {m: e.full_name for m, e in entries.items()})
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


def suggestions(region_id: int | None, case: CaseInput, policy: AssignmentPolicy,
                conflicts: dict[int, frozenset[int]], *, today: date,
                thresholds: EligibilityThresholds) -> tuple[Suggestions, dict[int, str]]:
    """Suggestions for `case` from the pool of a region (None: the republic), and the pool's names by id."""
    db.session.flush()  # Core statements skip the session's autoflush: pending changes must be visible
    ids, revisions, standings, absences = _live_figures(region_id, case.category, today)
    key = (region_id, today, policy.horizon_days, thresholds)
    # Patched and used under one hold of the lock: another thread's view, of an older or a newer snapshot, may
    # patch the same pool to its own revisions in between.
    cached = _POOLS.get(key)
    if cached is not None:
        with cached.lock:
            if cached.pool.ids == ids and _patched(cached, ids, revisions):
                return cached.pool.suggest(case, policy, standings, absences, conflicts), cached.names.copy()
    # New, or the pool's mediators changed (one may have left the registry between our reads: the pool then
    # holds fewer than we read).
    cached = _built(key, ids, revisions)
    with cached.lock:
        held = cached.pool.ids
        if held != ids:
            by_id = dict(zip(ids, zip(revisions, standings, strict=True), strict=True))
            revisions, standings = [by_id[m][0] for m in held], [by_id[m][1] for m in held]
        _patched(cached, held, revisions)
        return cached.pool.suggest(case, policy, standings, absences, conflicts), cached.names.copy()


def warm(*, today: date, thresholds: EligibilityThresholds) -> int:
    """Load the registry snapshot and build today's pool of every region and republic pool in use; the count built.

    A new worker runs this once (web/warmup.py) so that no coordinator's first view of a region pays for it.
    """
    db.session.flush()
    run = db.session.connection().execute
    policies = {region_id: (horizon, republic) for region_id, horizon, republic in run(select(
        AssignmentPolicyRecord.region_id, AssignmentPolicyRecord.horizon_days,
        AssignmentPolicyRecord.allow_republic_pool)).all()}
    default = AssignmentPolicy()
    rows = run(select(Mediator.id, Mediator.revision, Mediator.region_id)
               .where(Mediator.status != "excluded").order_by(Mediator.id)).all()
    entries_for((m, r) for m, r, _ in rows)  # the whole registry in one pass, rather than region by region
    by_scope: dict[int | None, list] = defaultdict(list)
    for row in rows:
        by_scope[row[2]].append(row)
        by_scope[None].append(row)
    wanted = set()
    for region_id in {r[2] for r in rows} | set(policies):
        horizon, republic = policies.get(region_id, (default.horizon_days, default.allow_republic_pool))
        wanted.add((None if republic else region_id, horizon))
    built = 0
    for scope, horizon in sorted(wanted, key=lambda w: (w[0] is None, w[0] or 0, w[1])):
        key = (scope, today, horizon, thresholds)
        if key not in _POOLS:
            _built(key, [r[0] for r in by_scope[scope]], [r[1] for r in by_scope[scope]])
            built += 1
    return built
