"""Moving a case through its life: screening, assignment, contract, extension, closure.

Every step checks the transition table, writes a CaseEvent and an audit event, and refuses a stale
version of the case (optimistic locking), so two people never silently overwrite each other.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..domain.case_states import (
    TERMINATION_DATE_FIELD,
    CaseState,
    Outcome,
    TerminationGround,
    check_transition,
    termination_effective_date,
)
from ..domain.deadlines import DeadlinePolicy, check_extension, mediation_deadline
from ..domain.eligibility import ExclusionQuestion, screen_case
from ..domain.errors import DomainError
from ..domain.roles import Actor
from ..extensions import db
from ..models import Case, CaseAssignment, CaseEvent, Mediator, User
from . import audit
from .case_access import case_for
from .clock import local_date
from .schedule_context import unlogged_count

SCREENING_COLUMNS = {
    ExclusionQuestion.THIRD_PARTY_INTERESTS: "excl_third_party",
    ExclusionQuestion.PARTY_INCAPABLE: "excl_party_incapable",
    ExclusionQuestion.STATE_BODY_PARTY: "excl_state_body",
    ExclusionQuestion.CORRUPTION_OR_STATE_SERVICE_CRIME: "excl_corruption",
}


class StaleCase(DomainError):
    """Someone else saved the case since this form was loaded (changed_by, changed_at)."""

    code = "stale_case"


class DateInvalid(DomainError):
    """A date is outside what the rule allows (field, reason_code)."""

    code = "date_invalid"


class SessionsUnlogged(DomainError):
    """An agreement cannot be recorded while a session that has ended is left without its log (count)."""

    code = "sessions_unlogged"


class MediatorUnavailable(DomainError):
    """The chosen mediator cannot take this case (reason_code)."""

    code = "mediator_unavailable"


@dataclass(frozen=True)
class Step:
    """Who acts, on which version of which case, when and from where."""

    actor: Actor
    case_id: int
    version: int
    now: datetime
    ip: str | None = None

    @property
    def today(self) -> date:
        """The calendar day in Kazakhstan."""
        return local_date(self.now)


def load_for_change(step: Step) -> Case:
    """Load the case for editing and refuse it when the caller's version is not the current one."""
    case = case_for(step.actor, step.case_id, edit=True)
    if case.version != step.version:
        raise _stale(case)
    return case


def _stale(case: Case) -> StaleCase:
    editor = db.session.get(User, case.updated_by_id) if case.updated_by_id else None
    return StaleCase(case_id=case.id, changed_by=editor.full_name if editor else "—", changed_at=case.updated_at)


def save(case: Case, step: Step) -> None:
    """Stamp and flush; a concurrent save that slipped past the version check is refused here."""
    case.updated_at, case.updated_by_id = step.now, step.actor.id
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise _stale(db.session.get(Case, step.case_id)) from None


def record_event(case: Case, step: Step, kind: str, *, to_state: CaseState | None = None, reason: str | None = None,
           data: dict | None = None) -> None:
    """Write the timeline event and the audit event of a step, and move the state if it changes."""
    from_state = case.state.value
    # Added by id, not through case.events: appending would load the whole timeline for nothing.
    db.session.add(CaseEvent(case_id=case.id, at=step.now, actor_id=step.actor.id, kind=kind, from_state=from_state,
                             to_state=(to_state or case.state).value, reason=reason, data=data or {}))
    if to_state is not None:
        case.state = to_state
    audit.record(f"case.{kind}", actor_id=step.actor.id, ip=step.ip, object_type="case", object_id=case.id,
                 summary={"from": from_state, "to": case.state.value, **(data or {})}, now=step.now)


def start_screening(step: Step) -> Case:
    """Registered → screening."""
    case = load_for_change(step)
    check_transition(case.state, CaseState.SCREENING, step.actor.role)
    record_event(case, step, "screening_started", to_state=CaseState.SCREENING)
    save(case, step)
    return case


def record_screening(step: Step, answers: dict[ExclusionQuestion, bool | None], note: str | None,
                     referred_to: str | None) -> Case:
    """Save the four Art. 1 answers; any "yes" closes the case as not eligible, all "no" sends it on."""
    case = load_for_change(step)
    if case.state is CaseState.REGISTERED:
        check_transition(case.state, CaseState.SCREENING, step.actor.role)
        record_event(case, step, "screening_started", to_state=CaseState.SCREENING)
    if case.state is not CaseState.SCREENING:
        check_transition(case.state, CaseState.SCREENING, step.actor.role)  # raises not_in_table
    for question, column in SCREENING_COLUMNS.items():
        setattr(case, column, answers.get(question))
    case.screening_note = note
    result = screen_case(answers)
    data = {"blocking": [q.value for q in result.blocking]}
    if result.eligible is False:
        check_transition(case.state, CaseState.CLOSED, step.actor.role, outcome=Outcome.NOT_ELIGIBLE, eligible=False)
        case.outcome, case.referred_to, case.closing_reason = Outcome.NOT_ELIGIBLE, referred_to, note
        record_event(case, step, "closed_not_eligible", to_state=CaseState.CLOSED, reason=note,
               data={**data, "referred_to": bool(referred_to)})
    elif result.eligible is True:
        check_transition(case.state, CaseState.AWAITING_ASSIGNMENT, step.actor.role, eligible=True)
        record_event(case, step, "screening_passed", to_state=CaseState.AWAITING_ASSIGNMENT)
    else:
        record_event(case, step, "screening_saved", data={"missing": [q.value for q in result.missing]})
    save(case, step)
    return case


def assign_mediators(step: Step, lead_id: int, co_id: int | None, reason: str | None, *,
                     any_region: bool = False) -> Case:
    """Awaiting assignment → assigned, with a lead and an optional co-mediator (from the case's region
    unless the caller has already applied a policy that opens the republic pool)."""
    case = load_for_change(step)
    check_transition(case.state, CaseState.ASSIGNED, step.actor.role)
    if co_id is not None and co_id == lead_id:
        raise MediatorUnavailable(mediator_id=co_id, reason_code="same_as_lead")
    for mediator_id, role in ((lead_id, "lead"), (co_id, "co")):
        if mediator_id is None:
            continue
        mediator = db.session.get(Mediator, mediator_id)
        if mediator is None or (mediator.region_id != case.region_id and not any_region):
            raise MediatorUnavailable(mediator_id=mediator_id, reason_code="not_in_region")
        if mediator.status != "active":
            raise MediatorUnavailable(mediator_id=mediator_id, reason_code="not_active")
        if _excluded_from_case(case.id, mediator_id):
            raise MediatorUnavailable(mediator_id=mediator_id, reason_code="recused_from_case")
        db.session.add(CaseAssignment(case_id=case.id, mediator_id=mediator_id, role=role, status="proposed",
                                      assigned_at=step.now, assigned_by_id=step.actor.id))
    record_event(case, step, "assigned", to_state=CaseState.ASSIGNED, reason=reason,
           data={"lead": lead_id, "co": co_id})
    save(case, step)
    return case


def lock_mediators_on(case_id: int) -> None:
    """Lock, in id order, the rows of the mediators running on the case, before their assignments change.

    Each change to an assignment or a track record gives its mediator a new standing mark (models/standing_ddl.py),
    which on PostgreSQL locks the mediator's row. Two cases sharing two mediators in opposite roles would
    otherwise lock them in opposite orders and deadlock; assign() locks its choice in id order for the same reason.
    """
    running = select(CaseAssignment.mediator_id).where(CaseAssignment.case_id == case_id,
                                                       CaseAssignment.ended_at.is_(None))
    db.session.execute(select(Mediator.id).where(Mediator.id.in_(running)).order_by(Mediator.id).with_for_update())


def _excluded_from_case(case_id: int, mediator_id: int) -> bool:
    """A mediator who recused, declined or was objected to never returns to the same case."""
    return db.session.scalar(select(CaseAssignment.id).where(
        CaseAssignment.case_id == case_id, CaseAssignment.mediator_id == mediator_id,
        CaseAssignment.status.in_(("declined", "recused", "objected"))).limit(1)) is not None


def release_mediators(step: Step, status: str, reason: str, *, mediator_id: int | None = None) -> Case:
    """A decline, self-recusal or the parties' objection ends one mediator's place on the case.

    Only the mediator concerned is barred from the case (mediator_id, or the lead when none is named);
    a co-mediator who stays keeps the case (and becomes its lead); with nobody left the case returns to
    "awaiting assignment", and a started mediation keeps its start date and deadline.
    """
    case = load_for_change(step)
    if not reason.strip():
        raise DateInvalid(field="reason", reason_code="reason_required")
    lock_mediators_on(case.id)
    working = list(db.session.scalars(select(CaseAssignment).where(
        CaseAssignment.case_id == case.id, CaseAssignment.ended_at.is_(None),
        CaseAssignment.status.in_(("proposed", "accepted"))).order_by(CaseAssignment.role.desc())))
    leaving = [a for a in working if a.mediator_id == mediator_id] if mediator_id else working[:1]
    if not leaving:
        raise MediatorUnavailable(mediator_id=mediator_id, reason_code="not_on_case")
    staying = [a for a in working if a not in leaving]
    if not staying:
        check_transition(case.state, CaseState.AWAITING_ASSIGNMENT, step.actor.role)
    for assignment in leaving:
        assignment.ended_at, assignment.status, assignment.reason = step.now, status, reason
    if staying and all(a.role != "lead" for a in staying):
        staying[0].role = "lead"
    record_event(case, step, status, to_state=None if staying else CaseState.AWAITING_ASSIGNMENT, reason=reason,
                 data={"mediators": [a.mediator_id for a in leaving]})
    save(case, step)
    return case


def sign_contract(step: Step, signed_on: date, policy: DeadlinePolicy) -> Case:
    """Assigned → in mediation: the contract is signed, the term starts that day (Art. 18, 20)."""
    case = load_for_change(step)
    if signed_on > step.today:
        raise DateInvalid(field="signed_on", reason_code="in_future")
    if signed_on < case.received_on:
        raise DateInvalid(field="signed_on", reason_code="before_received")
    check_transition(case.state, CaseState.IN_MEDIATION, step.actor.role, contract_signed=True)
    # A mediator with an account answers in the system, where accepting takes their conflict-of-interest
    # declaration: the contract cannot stand in for it. (A mediator without an active account answers on paper,
    # and signing the contract is their acceptance.)
    if db.session.scalar(select(CaseAssignment.id).join(Mediator, Mediator.id == CaseAssignment.mediator_id)
                         .join(User, User.id == Mediator.user_id).where(
            CaseAssignment.case_id == case.id, CaseAssignment.ended_at.is_(None),
            CaseAssignment.status == "proposed", User.active.is_(True)).limit(1)) is not None:
        raise MediatorUnavailable(reason_code="not_answered")
    if case.contract_signed_on is None:
        case.contract_signed_on = signed_on
        case.deadline = mediation_deadline(signed_on, policy, [case.extension_days] if case.extension_days else [])
    # else: a replacement mediator joins a mediation that already started; its term runs on unchanged.
    lock_mediators_on(case.id)
    for assignment in db.session.scalars(select(CaseAssignment).where(
            CaseAssignment.case_id == case.id, CaseAssignment.ended_at.is_(None))):
        assignment.status = "accepted"
    record_event(case, step, "contract_signed", to_state=CaseState.IN_MEDIATION,
           data={"signed_on": signed_on.isoformat(), "deadline": case.deadline.isoformat()})
    save(case, step)
    return case


def extend_term(step: Step, days: int, reason: str, parties_consent: bool, agreed_on: date,
                policy: DeadlinePolicy) -> Case:
    """Extend the term once, by at most 30 days, with a reason and the parties' consent (Art. 20)."""
    case = load_for_change(step)
    if case.state is not CaseState.IN_MEDIATION or case.contract_signed_on is None:
        raise DateInvalid(field="days", reason_code="not_in_mediation")
    if agreed_on > step.today:
        raise DateInvalid(field="agreed_on", reason_code="in_future")
    previous = [case.extension_days] if case.extension_days else []
    check_extension(days, previous, policy, reason, parties_consent, agreed_on=agreed_on, deadline=case.deadline)
    case.extension_days, case.extension_reason = case.extension_days + days, reason
    case.deadline = mediation_deadline(case.contract_signed_on, policy, [case.extension_days])
    record_event(case, step, "extended", reason=reason, data={"days": days, "deadline": case.deadline.isoformat()})
    save(case, step)
    return case


@dataclass(frozen=True)
class Closure:
    """How a case ends: outcome, Art. 26 ground and the dates that fix the effective day."""

    outcome: Outcome
    ground: TerminationGround | None = None
    effective_on: date | None = None  # the date the ground's rule asks for
    reason: str | None = None
    referred_to: str | None = None


def close_case(step: Step, closure: Closure) -> Case:
    """Close the case; a started mediation needs one of the five grounds and its effective date."""
    case = load_for_change(step)
    started = case.contract_signed_on is not None
    if closure.outcome in (Outcome.FULL_AGREEMENT, Outcome.PARTIAL_AGREEMENT):
        unlogged = unlogged_count(case.id, step.now)
        if unlogged:
            raise SessionsUnlogged(field="outcome", count=unlogged)
    check_transition(case.state, CaseState.CLOSED, step.actor.role, outcome=closure.outcome,
                     ground=closure.ground, started=started, eligible=None)
    if closure.ground is not None:
        # The term's expiry is known from the case; every other ground takes the date the user gives.
        given = case.deadline if closure.ground is TerminationGround.TERM_EXPIRED else closure.effective_on
        effective = termination_effective_date(closure.ground, **{TERMINATION_DATE_FIELD[closure.ground]: given})
        if effective > step.today and closure.ground is not TerminationGround.TERM_EXPIRED:
            raise DateInvalid(field="effective_on", reason_code="in_future")
        if effective < case.contract_signed_on:
            raise DateInvalid(field="effective_on", reason_code="before_contract")
        if closure.ground is TerminationGround.TERM_EXPIRED and effective >= step.today:
            raise DateInvalid(field="ground", reason_code="term_not_expired")
        case.terminated_on = effective
    case.outcome, case.termination_ground = closure.outcome, closure.ground
    case.closing_reason, case.referred_to = closure.reason, closure.referred_to
    lock_mediators_on(case.id)
    for assignment in db.session.scalars(select(CaseAssignment).where(
            CaseAssignment.case_id == case.id, CaseAssignment.ended_at.is_(None))):
        assignment.ended_at = step.now
    _count_in_statistics(case)
    record_event(case, step, "closed", to_state=CaseState.CLOSED, reason=closure.reason,
           data={"outcome": closure.outcome.value, "ground": closure.ground.value if closure.ground else None,
                 "terminated_on": case.terminated_on.isoformat() if case.terminated_on else None})
    save(case, step)
    return case


def _count_in_statistics(case: Case) -> None:
    """A closed mediation counts in its mediators' per-category record (read by assignment scoring)."""
    from ..models import MediatorCategoryStats

    if case.contract_signed_on is None:
        return
    agreed = case.outcome in (Outcome.FULL_AGREEMENT, Outcome.PARTIAL_AGREEMENT)
    for mediator_id in db.session.scalars(select(CaseAssignment.mediator_id).where(
            CaseAssignment.case_id == case.id, CaseAssignment.status == "accepted")):
        stats = db.session.get(MediatorCategoryStats, (mediator_id, case.category.value))
        if stats is None:
            stats = MediatorCategoryStats(mediator_id=mediator_id, category=case.category.value, closed=0,
                                          agreements=0)
            db.session.add(stats)
        stats.closed += 1
        stats.agreements += 1 if agreed else 0


def record_proposal(step: Step, sent_on: date | None, accepted_on: date | None) -> Case:
    """Record the written proposal to mediate and, if given, the parties' acceptance (Art. 19)."""
    case = load_for_change(step)
    for name, value in (("sent_on", sent_on), ("accepted_on", accepted_on)):
        if value is not None and value > step.today:
            raise DateInvalid(field=name, reason_code="in_future")
    if sent_on and accepted_on and accepted_on < sent_on:
        raise DateInvalid(field="accepted_on", reason_code="before_sent")
    case.proposal_sent_on, case.proposal_accepted_on = sent_on, accepted_on
    record_event(case, step, "proposal", data={"sent_on": sent_on.isoformat() if sent_on else None,
                                         "accepted_on": accepted_on.isoformat() if accepted_on else None})
    save(case, step)
    return case
