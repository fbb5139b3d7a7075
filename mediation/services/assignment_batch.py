"""Batch auto-assign: every case awaiting assignment in a scope, planned at once, fairly, with reasons.

The planner spends each mediator's capacity once across the batch; applying writes the assignments,
events and state changes with set-based statements, so ten thousand cases take seconds, not minutes.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import CursorResult, Row, select, update

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


def _plan(region_id: int, cases: list[Row], policy: AssignmentPolicy, today: date,
          thresholds: EligibilityThresholds) -> BatchPlan:
    """Plan the scope's cases against the region's (or the republic's) candidates."""
    case_list = case_inputs([row.id for row in cases], [row[:-1] for row in cases])  # without the number
    candidates = candidate_inputs(None if policy.allow_republic_pool else [region_id], today=today)
    planned = plan_batch(case_list, candidates, policy, today, thresholds)
    used = {m for p in planned for m in p.mediator_ids}
    names = dict(db.session.execute(select(Mediator.id, Mediator.full_name).where(Mediator.id.in_(used))).all()) \
        if used else {}
    return BatchPlan(region_id=region_id, planned=planned, numbers={row.id: row.number for row in cases}, names=names)


# Fetching, planning and writing build hundreds of thousands of objects and no garbage cycles: the collector is paused
# for them (services/collector.py), in one pause, and only once every lock is held, so no wait for another transaction
# keeps it off. A collection outside the pause (two pauses, or the fetch outside) scanned what had been built:
# 55 collections, 30-230 ms a batch, against one.


def plan_scope(actor: Actor, region_id: int, *, today: date, thresholds: EligibilityThresholds) -> BatchPlan:
    """Plan the batch for the actor's part of a region (nothing is written)."""
    found, policy = _scope(actor, region_id, lock=False)
    with collector.paused():
        return _plan(region_id, found.all(), policy, today, thresholds)


def apply_scope(actor: Actor, region_id: int, *, now: datetime, today: date, thresholds: EligibilityThresholds,
                ip: str | None) -> BatchPlan:
    """Plan again under lock and write every assignment with its explanation (set-based)."""
    found, policy = _scope(actor, region_id, lock=True)
    with collector.paused():
        plan = _plan(region_id, found.all(), policy, today, thresholds)
        staffed = [p for p in plan.planned if p.mediator_ids]
        if not staffed:
            return plan
        _write(actor, staffed, now)
    kato = db.session.scalar(select(Region.kato2).where(Region.id == region_id))
    audit.record("assignment.batch", actor_id=actor.id, ip=ip, object_type="region", object_id=kato,
                 summary={"cases": len(plan.planned), "assigned": len(staffed),
                          "ethnicity_used": sum(1 for p in staffed if p.ethnicity_used)}, now=now)
    db.session.flush()
    return plan


def _write(actor: Actor, staffed: list[PlannedAssignment], now: datetime) -> None:
    """The staffed cases' assignments with their explanations, their timeline events and states, and the mediators'
    last assignment, in set-based statements."""
    # Core statements, each with its ids as one parameter (bulk_reads.id_in): no ORM bookkeeping for rows that no
    # object of the session holds, and no thousands of bound parameters to compile.
    cases, mediators = Case.__table__, Mediator.__table__
    used = sorted({m for p in staffed for m in p.mediator_ids})
    # The mediators first: this renews their standing marks (models/standing_ddl.py), so on PostgreSQL the
    # assignments' row trigger finds each already marked by this transaction and does not write the row again.
    db.session.execute(update(mediators).where(id_in(mediators.c.id, used)).values(last_assigned_at=now))
    # The cases' new state goes into each of their 18 indexes (and on PostgreSQL their GIN search terms): the
    # database does that while Python builds the assignments and events to insert next.
    with bulk_writes.executing(
            update(cases).where(id_in(cases.c.id, [p.case_id for p in staffed]),
                                cases.c.state == CaseState.AWAITING_ASSIGNMENT)
            .values(state=CaseState.ASSIGNED, version=cases.c.version + 1, updated_at=now,
                    updated_by_id=actor.id or None)):
        assignments, events = _rows(actor, staffed, now)
        assignments = bulk_writes.prepare_rows(CaseAssignment.__table__, assignments)
        events = bulk_writes.prepare_rows(CaseEvent.__table__, events)
    bulk_writes.insert_prepared(assignments)
    bulk_writes.insert_prepared(events)


def _rows(actor: Actor, staffed: list[PlannedAssignment], now: datetime) -> tuple[list[dict], list[dict]]:
    """The assignment rows, each with its explanation, and the timeline event rows of the staffed cases."""
    assignment_rows, event_rows = [], []
    for planned in staffed:
        for position, (mediator_id, scored) in enumerate(zip(planned.mediator_ids, planned.explanations,
                                                             strict=True)):
            assignment_rows.append({
                "case_id": planned.case_id, "mediator_id": mediator_id, "role": "lead" if position == 0 else "co",
                "status": "proposed", "assigned_at": now, "assigned_by_id": actor.id or None,
                "explanation": explanation_of(scored, batch=True), "ethnicity_used": planned.ethnicity_used})
        event_rows.append({"case_id": planned.case_id, "at": now, "actor_id": actor.id or None, "kind": "assigned",
                           "from_state": CaseState.AWAITING_ASSIGNMENT.value, "to_state": CaseState.ASSIGNED.value,
                           "reason": None, "data": {"batch": True, "mediators": list(planned.mediator_ids)}})
    return assignment_rows, event_rows
