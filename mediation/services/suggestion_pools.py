"""The worker's suggestion pools: a region's (or the republic's) candidates and their standings, kept per worker.

A view reads its pool's ids with two marks per mediator: `revision`, replaced by every change to the registry row
(models/mediator.py), and `standing_revision`, replaced by the database's triggers whenever the mediator's
running assignments, last assignment, track record or absences change (models/standing_ddl.py). The pool
(domain/assignment_pool.py) is rebuilt when the set of mediators changes and patched for each mediator whose
revision moved; the standings are re-read only for the mediators whose standing mark moved. On the republic pool
that replaces counting 5,000 mediators' workload on every view (bench/RESULTS.md, issue 4). Pools are keyed by
day, horizon and thresholds, which the eligibility and availability filters depend on.

Before the marks, a view reads sums over them per bucket of ids (services/pool_reads.py): while they are the ones
the pool was last brought up to date with, nothing the pool holds has changed, and the view reads nothing else of
the registry; otherwise it reads the marks of the buckets whose sums moved.
Each of these is read before the rows it vouches for, so a pool is never behind its marks: a change committed in
between makes the next view read that mediator again. Marks are random, so a mark read inside a transaction that
later rolls back never matches a committed one; and a view inside a transaction that has itself changed one of the
pool's mediators reads a pool of its own and keeps nothing (PostgreSQL; pool_reads.fingerprint).
"""

import threading
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..domain.assignment_filters import AssignmentPolicy, CaseInput
from ..domain.assignment_pool import Standing, SuggestionPool
from ..domain.assignment_scoring import Suggestions
from ..domain.mediator_eligibility import Absence, EligibilityThresholds
from ..extensions import db
from ..models import AssignmentPolicyRecord, Mediator
from . import pool_reads
from .assignment_inputs import candidate_of
from .registry_snapshot import entries_for

_NO_RECORD = (0, 0)


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
    # The sums read before the marks that the pool and its standings are brought to; None: read the marks again
    fingerprint: pool_reads.Fingerprint | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


# (region id or None for the republic, day, horizon, thresholds) -> pool. Yesterday's pools are dropped when
# today's first one is stored, so the map holds at most one pool per region and horizon in use.
_POOLS: dict[tuple, _Cached] = {}
_STORING = threading.Lock()


def forget() -> None:
    """Drop every pool (with registry_snapshot.forget: a new worker's state)."""
    _POOLS.clear()


def _with_moved_buckets(cached: _Cached, fingerprint: pool_reads.Fingerprint,
                        region_id: int | None) -> tuple[list[int], list[int]] | None:
    """The pool's revisions and marks (its lock held) with the buckets whose sums moved read again; None if the
    pool was never brought to a fingerprint or its mediators changed."""
    held = cached.fingerprint
    if held is None or cached.standings is None:
        return None
    moved = sorted(b for b in held.keys() | fingerprint.keys() if held.get(b) != fingerprint.get(b))
    ids, revisions, marks = pool_reads.marks(region_id, moved)
    pool_ids = cached.pool.ids
    positions = [i for b in moved for i in range(bisect_left(pool_ids, b * pool_reads.BUCKET),
                                                 bisect_left(pool_ids, (b + 1) * pool_reads.BUCKET))]
    if [pool_ids[i] for i in positions] != ids:  # someone joined or left: the pool is rebuilt
        return None
    all_revisions, all_marks = list(cached.revisions), list(cached.standings.marks)
    for i, revision, mark in zip(positions, revisions, marks, strict=True):
        all_revisions[i], all_marks[i] = revision, mark
    return all_revisions, all_marks


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


def _first_standings(cached: _Cached, marks: list[int], figures: pool_reads.Figures) -> _Standings:
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
        return _first_standings(cached, marks, pool_reads.read_figures(None if everyone else ids, cached.pool.today))
    if kept.marks == marks:
        return kept
    moved = [i for i, (mark, held) in enumerate(zip(marks, kept.marks, strict=True)) if mark != held]
    figures = pool_reads.read_figures([ids[i] for i in moved], cached.pool.today)
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
    fingerprint, written_here = pool_reads.fingerprint(region_id)
    if written_here:  # a pool of its own for this view, read whole and dropped after (see _fingerprint)
        ids, revisions, marks = pool_reads.marks(region_id)
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
    ids, revisions, marks = pool_reads.marks(region_id)
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
    fingerprints = pool_reads.fingerprints_by_region()  # before the marks they vouch for, as in a view
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
    figures = pool_reads.read_figures(None, today)  # everyone's, once, after the marks: each pool takes its own
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
