"""The "my work" start page: what each role should look at today, within its scope."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, select

from ..domain.case_fields import TensionLevel
from ..domain.case_states import CaseState
from ..domain.deadlines import DeadlinePolicy
from ..domain.roles import Actor, Role
from ..extensions import db
from ..models import Case, CaseAssignment, Mediator
from .case_queries import is_open, scope_conditions

LIMIT = 10


@dataclass(frozen=True)
class WorkItem:
    """A case to look at, with the date that makes it urgent."""

    id: int
    number: str
    state: CaseState
    tension: TensionLevel
    received_on: date
    deadline: date | None
    proposal_sent_on: date | None = None


@dataclass
class MyWork:
    """Lists shown on the start page; which ones depends on the role."""

    intake: list[WorkItem] = field(default_factory=list)  # awaiting screening or assignment
    due_soon: list[WorkItem] = field(default_factory=list)  # deadline within a week
    overdue: list[WorkItem] = field(default_factory=list)
    critical: list[WorkItem] = field(default_factory=list)  # high or critical tension, still open
    active: list[WorkItem] = field(default_factory=list)  # a mediator's own open cases
    to_answer: list[WorkItem] = field(default_factory=list)  # assignments waiting for the mediator's answer
    lapsed_proposals: list[WorkItem] = field(default_factory=list)


def _items(*conditions, order) -> list[WorkItem]:
    query = (select(Case.id, Case.number, Case.state, Case.tension, Case.received_on, Case.deadline,
                    Case.proposal_sent_on).where(*conditions).order_by(*order).limit(LIMIT))
    return [WorkItem(*row) for row in db.session.execute(query)]


def my_work(actor: Actor, today: date, policy: DeadlinePolicy) -> MyWork:
    """Gather the start-page lists for the actor (at most a handful of small queries)."""
    work = MyWork()
    scope = scope_conditions(actor)
    if actor.role is Role.ADMIN:
        return work
    week_end = today + timedelta(days=policy.due_soon_days)
    # Started mediations: the term keeps running between mediators too, so any open case with a deadline.
    in_mediation = [*scope, Case.state != CaseState.CLOSED, Case.deadline.is_not(None)]
    if actor.role is Role.MEDIATOR:
        work.active = _items(*scope, Case.state.in_((CaseState.ASSIGNED, CaseState.IN_MEDIATION)),
                             order=(Case.deadline.is_(None), Case.deadline, Case.id))
        pending = (select(CaseAssignment.case_id).join(Mediator, Mediator.id == CaseAssignment.mediator_id)
                   .where(Mediator.user_id == actor.id, CaseAssignment.status == "proposed",
                          CaseAssignment.ended_at.is_(None)))
        work.to_answer = _items(Case.id.in_(pending), Case.state == CaseState.ASSIGNED, order=(Case.id,))
        return work
    if actor.role is Role.COORDINATOR:
        work.intake = _items(*scope, Case.state.in_((CaseState.REGISTERED, CaseState.SCREENING,
                                                     CaseState.AWAITING_ASSIGNMENT)),
                             order=(Case.received_on, Case.id))
        work.lapsed_proposals = _items(
            *scope, Case.state.in_((CaseState.AWAITING_ASSIGNMENT, CaseState.ASSIGNED)),
            Case.proposal_sent_on <= today - timedelta(days=policy.proposal_lapse_days),
            Case.proposal_accepted_on.is_(None), order=(Case.proposal_sent_on, Case.id))
    work.due_soon = _items(*in_mediation, Case.deadline >= today, Case.deadline <= week_end,
                           order=(Case.deadline, Case.id))
    work.overdue = _items(*in_mediation, Case.deadline < today, order=(Case.deadline, Case.id))
    if actor.role is Role.MANAGER:
        work.critical = _items(*scope, is_open(Case.state),
                               Case.tension.in_((TensionLevel.HIGH, TensionLevel.CRITICAL)),
                               order=(case((Case.tension == TensionLevel.CRITICAL, 0), else_=1),
                                      Case.received_on.desc(), Case.id))
    return work
