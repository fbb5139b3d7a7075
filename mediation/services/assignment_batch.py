"""Batch auto-assign: every case awaiting assignment in a scope, planned at once, fairly, with reasons.

The planner spends each mediator's capacity once across the batch; applying writes the assignments,
events and state changes with set-based statements, so ten thousand cases take seconds, not minutes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import CursorResult, Executable, Row, select, update

from ..domain.assignment import PlannedAssignment, plan_batch
from ..domain.assignment_filters import AssignmentPolicy
from ..domain.case_states import CaseState
from ..domain.errors import NotAllowed
from ..domain.mediator_eligibility import EligibilityThresholds
from ..domain.roles import Actor, Role, ScopeLevel
from ..extensions import db
from ..models import Case, CaseAssignment, CaseEvent, Mediator, Region
from . import audit, bulk_writes, collector
from .assignment import explanation_of
from .assignment_inputs import CASE_INPUT_COLUMNS, candidate_inputs, case_inputs, policy_for
from .bulk_reads import id_in

MAX_BATCH = 20_000
STATE_CHUNK = 400  # staffed cases per state update sent to the background while planning goes on


@dataclass
class BatchPlan:
    """The planner's proposal for a scope: one entry per case, with numbers and names to show."""

    region_id: int
    planned: list[PlannedAssignment]
    numbers: dict[int, str] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    @property
    def staffed(self) -> int:
        """Cases that get at least one mediator."""
        return sum(1 for p in self.planned if p.mediator_ids)


def _scope_cases(actor: Actor, region_id: int, *, lock: bool) -> CursorResult:
    """The cases awaiting assignment in the actor's part of the region (locked when about to write).

    Rows of CASE_INPUT_COLUMNS and then the number: the rows it finds (and locks) are read once, not again by id. The
    statement has run (and waited for its locks) when this returns; the caller fetches the rows.
    """
    if actor.role not in (Role.COORDINATOR, Role.MANAGER):
        raise NotAllowed(actor_id=actor.id, action="batch_assign")
    if actor.scope_level is not ScopeLevel.REPUBLIC and actor.region_id != region_id:
        raise NotAllowed(actor_id=actor.id, action="batch_assign")
    conditions = [Case.region_id == region_id, Case.state == CaseState.AWAITING_ASSIGNMENT]
    if actor.scope_level is ScopeLevel.HOUSE:
        conditions.append(Case.house_id == actor.house_id)
    query = (select(*CASE_INPUT_COLUMNS, Case.number).where(*conditions).order_by(Case.received_on, Case.id)
             .limit(MAX_BATCH))
    if lock:
        query = query.with_for_update()
    db.session.flush()  # a Core statement skips the autoflush: pending changes must be visible
    return db.session.connection().execute(query)


def _scope(actor: Actor, region_id: int, *, lock: bool) -> tuple[CursorResult, AssignmentPolicy]:
    """The scope's waiting cases (still to fetch) and the region's policy; with `lock`, the cases and every candidate
    locked."""
    cases = _scope_cases(actor, region_id, lock=lock)
    policy = policy_for(region_id)
    if lock:
        # The capacities the plan spends must not change before it is written: every candidate is locked (the
        # republic's when its pool is open), in id order as every writer locks mediators, which also covers the
        # standing triggers' row locks of the insert (models/standing_ddl.py).
        scope = [] if policy.allow_republic_pool else [Mediator.region_id == region_id]
        db.session.execute(select(Mediator.id).where(*scope).order_by(Mediator.id).with_for_update())
    return cases, policy


def _inputs(region_id: int, cases: list[Row], policy: AssignmentPolicy, today: date):
    """The scope's cases and the region's (or the republic's) candidates as the planner takes them."""
    case_list = case_inputs([row.id for row in cases], [row[:-1] for row in cases])  # without the number
    candidates = candidate_inputs(None if policy.allow_republic_pool else [region_id], today=today)
    return case_list, candidates


def _batch_plan(region_id: int, cases: list[Row], planned: list[PlannedAssignment]) -> BatchPlan:
    """The plan with the numbers of its cases and the names of its mediators."""
    used = {m for p in planned for m in p.mediator_ids}
    names = dict(db.session.execute(select(Mediator.id, Mediator.full_name).where(Mediator.id.in_(used))).all()) \
        if used else {}
    return BatchPlan(region_id=region_id, planned=planned, numbers={row.id: row.number for row in cases}, names=names)


# Fetching, planning and writing build hundreds of thousands of objects and no garbage cycles: the collector is paused
# for them (services/collector.py), in one pause, and only once every lock is held, so no wait for another transaction
# keeps it off (the `assign auto` command, a process of its own, pauses around the whole batch). A collection outside
# the pause (two pauses, or the fetch outside) scanned what had been built: 55 collections, 30-230 ms a batch, against
# one.


def plan_scope(actor: Actor, region_id: int, *, today: date, thresholds: EligibilityThresholds) -> BatchPlan:
    """Plan the batch for the actor's part of a region (nothing is written)."""
    found, policy = _scope(actor, region_id, lock=False)
    with collector.paused():
        cases = found.all()
        planned = plan_batch(*_inputs(region_id, cases, policy, today), policy, today, thresholds)
        return _batch_plan(region_id, cases, planned)


def apply_scope(actor: Actor, region_id: int, *, now: datetime, today: date, thresholds: EligibilityThresholds,
                ip: str | None) -> BatchPlan:
    """Plan again under lock and write every assignment with its explanation (set-based)."""
    found, policy = _scope(actor, region_id, lock=True)
    with collector.paused():
        # In a function of its own, so the rows built for the writes (the inputs, about two assignments per staffed
        # case with their explanations, their COPY values) are freed before the collector comes back: its first
        # collection scans what is still alive, and then finds only the plan.
        plan, staffed = _plan_and_write(actor, region_id, found, policy, now=now, today=today, thresholds=thresholds)
    if not staffed:
        return plan
    kato = db.session.scalar(select(Region.kato2).where(Region.id == region_id))
    audit.record("assignment.batch", actor_id=actor.id, ip=ip, object_type="region", object_id=kato,
                 summary={"cases": len(plan.planned), "assigned": len(staffed),
                          "ethnicity_used": sum(1 for p in staffed if p.ethnicity_used)}, now=now)
    db.session.flush()
    return plan


def _plan_and_write(actor: Actor, region_id: int, found: CursorResult, policy: AssignmentPolicy, *, now: datetime,
                    today: date, thresholds: EligibilityThresholds) -> tuple[BatchPlan, list[PlannedAssignment]]:
    """Plan the locked scope and write its assignments, events and states: the plan, and its staffed cases."""
    cases = found.all()
    case_list, candidates = _inputs(region_id, cases, policy, today)
    # Each staffed case's new state goes into every index of the case table (21 on PostgreSQL, the GIN search
    # terms among them), the largest write of the batch: the database does it in the background, a chunk of
    # cases at a time as the planner settles them, while Python plans the rest and builds the assignments and
    # events.
    with bulk_writes.in_background() as run:
        writes = _Writes(actor, now, run)
        planned = plan_batch(case_list, candidates, policy, today, thresholds, decided=writes.add)
        assignments, events = writes.finish()
    plan = _batch_plan(region_id, cases, planned)
    if not writes.staffed:
        return plan, []
    mediators = Mediator.__table__
    # The mediators before the assignments: this renews their standing marks (models/standing_ddl.py), so on
    # PostgreSQL the assignments' insert trigger finds each already marked by this transaction and does not write
    # the row again.
    db.session.execute(update(mediators).where(id_in(mediators.c.id, sorted(writes.used)))
                       .values(last_assigned_at=now))
    bulk_writes.insert_prepared(assignments)
    bulk_writes.insert_prepared(events)
    return plan, writes.staffed


class _Writes:
    """What applying a plan writes, gathered as the planner settles each case (in its order of work, so the rows'
    ids follow that order, not the list's).

    The staffed cases' state changes go to the background as soon as STATE_CHUNK of them are settled, one Core
    statement per chunk (no ORM bookkeeping for rows no object of the session holds; 400 ids stay a plain IN list,
    under bulk_reads.id_in's threshold for one array parameter); the assignments with their explanations and the
    timeline events are built meanwhile, for one insert each.
    """

    def __init__(self, actor: Actor, now: datetime, run: Callable[[Executable], None]) -> None:
        self.actor_id, self.now, self.run = actor.id or None, now, run
        self.staffed: list[PlannedAssignment] = []
        self.used: set[int] = set()
        self.assignments: list[dict] = []
        self.events: list[dict] = []
        self.unsent: list[int] = []

    def add(self, planned: PlannedAssignment) -> None:
        """Take one case's final plan (the planner's `decided`)."""
        if not planned.mediator_ids:
            return
        self.staffed.append(planned)
        self.used.update(planned.mediator_ids)
        for position, (mediator_id, scored) in enumerate(zip(planned.mediator_ids, planned.explanations,
                                                             strict=True)):
            self.assignments.append({
                "case_id": planned.case_id, "mediator_id": mediator_id, "role": "lead" if position == 0 else "co",
                "status": "proposed", "assigned_at": self.now, "assigned_by_id": self.actor_id,
                "explanation": explanation_of(scored, batch=True), "ethnicity_used": planned.ethnicity_used})
        self.events.append({"case_id": planned.case_id, "at": self.now, "actor_id": self.actor_id,
                            "kind": "assigned", "from_state": CaseState.AWAITING_ASSIGNMENT.value,
                            "to_state": CaseState.ASSIGNED.value, "reason": None,
                            "data": {"batch": True, "mediators": list(planned.mediator_ids)}})
        self.unsent.append(planned.case_id)
        if len(self.unsent) >= STATE_CHUNK:
            self._send_states()

    def finish(self) -> tuple[bulk_writes.PreparedRows, bulk_writes.PreparedRows]:
        """Send the last state changes; the assignments and events prepared for their inserts."""
        self._send_states()
        return (bulk_writes.prepare_rows(CaseAssignment.__table__, self.assignments),
                bulk_writes.prepare_rows(CaseEvent.__table__, self.events))

    def _send_states(self) -> None:
        if not self.unsent:
            return
        cases = Case.__table__
        self.run(update(cases).where(id_in(cases.c.id, self.unsent), cases.c.state == CaseState.AWAITING_ASSIGNMENT)
                 .values(state=CaseState.ASSIGNED, version=cases.c.version + 1, updated_at=self.now,
                         updated_by_id=self.actor_id))
        self.unsent = []
