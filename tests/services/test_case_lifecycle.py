"""A case's life through the services: events and audit per step, screening, deadlines and the one
extension, Art. 26 closure dates, recusal, object checks for mediators, optimistic locking."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mediation.domain.case_fields import CaseCategory, Channel, TensionLevel
from mediation.domain.case_states import CaseState, MissingDate, Outcome, TerminationGround, TransitionRefused
from mediation.domain.deadlines import ExtensionRefused
from mediation.domain.eligibility import ExclusionQuestion
from mediation.domain.errors import NotAllowed
from mediation.extensions import db
from mediation.models import AuditEvent, Case, CaseAssignment, CaseEvent
from mediation.services import case_intake, case_lifecycle
from mediation.services.case_access import CaseNotFound, case_for
from mediation.services.case_lifecycle import Closure, DateInvalid, MediatorUnavailable, StaleCase
from tests import case_factories as cf
from tests import factories

RECEIVED = date(2025, 3, 3)
SIGNED = date(2025, 3, 10)
DEADLINE = date(2025, 4, 9)  # signed + 30 calendar days
POLICY = cf.POLICY


@pytest.fixture
def coordinator(org):
    user = factories.make_user("coordinator", org=org, full_name="Айгерім Сәрсенова")
    db.session.commit()
    return user


@pytest.fixture
def mediator(org):
    """A mediator account of the Republican house with its registry entry."""
    user, entry = cf.make_mediator_user(org, full_name="Ержан Мұқанов")
    db.session.commit()
    return user, entry


@pytest.fixture
def case(org, coordinator):
    case = cf.register(coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    return case


def in_mediation(case, coordinator, mediator_entry):
    """Walk the case to a mediation that started on SIGNED."""
    cf.advance(case, "in_mediation", coordinator, lead_id=mediator_entry.id, signed_on=SIGNED)
    db.session.commit()
    return case


def events_of(case) -> list[CaseEvent]:
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))


def audit_of(case) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "case",
                                                            AuditEvent.object_id == str(case.id))
                                   .order_by(AuditEvent.id)))


# --- the full walk ---------------------------------------------------------------------------------------


def test_full_walk_writes_an_event_and_an_audit_row_per_step(org, coordinator, mediator, case):
    mediator_user, entry = mediator
    # Given a registered case, and a moment for each step
    moments = [cf.at(RECEIVED + timedelta(days=n)) for n in (1, 2, 3)] + [cf.at(SIGNED), cf.at(date(2025, 3, 25))]
    # When the coordinator screens (all "no"), assigns, and the mediator signs the contract and closes
    case_lifecycle.start_screening(cf.step(coordinator, case, moments[0]))
    case_lifecycle.record_screening(cf.step(coordinator, case, moments[1]), cf.ALL_NO, "Барлығы жоқ", None)
    case_lifecycle.assign_mediators(cf.step(coordinator, case, moments[2]), entry.id, None, "Тілі сәйкес")
    case_lifecycle.sign_contract(cf.step(mediator_user, case, moments[3]), SIGNED, POLICY)
    case_lifecycle.close_case(cf.step(mediator_user, case, moments[4]), Closure(
        outcome=Outcome.FULL_AGREEMENT, ground=TerminationGround.AGREEMENT_SIGNED, effective_on=date(2025, 3, 24)))
    db.session.commit()
    # Then the case is closed with the outcome, ground and the day of signing
    case = db.session.get(Case, case.id)
    assert case.state is CaseState.CLOSED and case.outcome is Outcome.FULL_AGREEMENT
    assert (case.termination_ground, case.terminated_on) == (TerminationGround.AGREEMENT_SIGNED, date(2025, 3, 24))
    assert case.version > 5  # at least one new version per step
    # And the timeline holds every transition with from, to, actor and time
    registered_at = cf.at(RECEIVED)
    assert [(e.kind, e.from_state, e.to_state, e.actor_id, e.at) for e in events_of(case)] == [
        ("registered", None, "registered", coordinator.id, registered_at),
        ("screening_started", "registered", "screening", coordinator.id, moments[0]),
        ("screening_passed", "screening", "awaiting_assignment", coordinator.id, moments[1]),
        ("assigned", "awaiting_assignment", "assigned", coordinator.id, moments[2]),
        ("contract_signed", "assigned", "in_mediation", mediator_user.id, moments[3]),
        ("closed", "in_mediation", "closed", mediator_user.id, moments[4]),
    ]
    assert events_of(case)[3].reason == "Тілі сәйкес"
    # And the audit trail has one row per step, by the same actors at the same moments
    assert [(a.action, a.actor_id, a.at, a.summary.get("from"), a.summary.get("to")) for a in audit_of(case)] == [
        ("case.create", coordinator.id, registered_at, None, None),
        ("case.screening_started", coordinator.id, moments[0], "registered", "screening"),
        ("case.screening_passed", coordinator.id, moments[1], "screening", "awaiting_assignment"),
        ("case.assigned", coordinator.id, moments[2], "awaiting_assignment", "assigned"),
        ("case.contract_signed", mediator_user.id, moments[3], "assigned", "in_mediation"),
        ("case.closed", mediator_user.id, moments[4], "in_mediation", "closed"),
    ]
    # And the assignment was accepted when the contract was signed, and ended at closure
    assignment = db.session.scalars(select(CaseAssignment).where(CaseAssignment.case_id == case.id)).one()
    assert (assignment.status, assignment.role, assignment.ended_at) == ("accepted", "lead", moments[4])


def test_each_step_is_stamped_with_who_and_when(org, coordinator, case):
    now = cf.at(RECEIVED + timedelta(days=2))
    case_lifecycle.start_screening(cf.step(coordinator, case, now))
    db.session.commit()
    case = db.session.get(Case, case.id)
    assert (case.updated_at, case.updated_by_id, case.version) == (now, coordinator.id, 2)


# --- screening (Art. 1) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", list(ExclusionQuestion))
def test_one_yes_closes_as_not_eligible_and_the_case_never_reaches_assignment(org, coordinator, mediator, case,
                                                                             question):
    _, entry = mediator
    # When screening finds one Art. 1 exclusion (straight from "registered")
    answers = {question: True}
    case_lifecycle.record_screening(cf.step(coordinator, case, cf.at(RECEIVED)), answers, "Үшінші тұлғалар",
                                    "Сот / суд")
    db.session.commit()
    # Then the case is closed as not eligible, with the reason and where it was referred
    assert case.state is CaseState.CLOSED and case.outcome is Outcome.NOT_ELIGIBLE
    assert (case.closing_reason, case.referred_to) == ("Үшінші тұлғалар", "Сот / суд")
    assert getattr(case, case_lifecycle.SCREENING_COLUMNS[question]) is True
    assert [(e.kind, e.to_state) for e in events_of(case)][1:] == [
        ("screening_started", "screening"), ("closed_not_eligible", "closed")]
    assert events_of(case)[-1].data["blocking"] == [question.value]
    # And it can never be assigned
    with pytest.raises(TransitionRefused) as refused:
        case_lifecycle.assign_mediators(cf.step(coordinator, case, cf.at(RECEIVED)), entry.id, None, None)
    assert refused.value.reason_code == "not_in_table"
    assert db.session.scalars(select(CaseAssignment)).all() == []


def test_a_yes_decides_even_when_other_answers_are_missing_or_no(org, coordinator, case):
    answers = {ExclusionQuestion.THIRD_PARTY_INTERESTS: False, ExclusionQuestion.STATE_BODY_PARTY: True}
    case_lifecycle.record_screening(cf.step(coordinator, case, cf.at(RECEIVED)), answers, None, None)
    assert case.state is CaseState.CLOSED and case.outcome is Outcome.NOT_ELIGIBLE
    assert (case.excl_third_party, case.excl_state_body, case.excl_party_incapable) == (False, True, None)


def test_partial_answers_keep_the_case_in_screening(org, coordinator, case):
    # Given two answers "no" and two not yet asked
    answers = {ExclusionQuestion.THIRD_PARTY_INTERESTS: False, ExclusionQuestion.PARTY_INCAPABLE: False}
    case_lifecycle.record_screening(cf.step(coordinator, case, cf.at(RECEIVED)), answers, "Жартылай", None)
    db.session.commit()
    # Then the case waits in screening, the answers saved, and the event names what is missing
    assert case.state is CaseState.SCREENING and case.outcome is None
    assert (case.excl_third_party, case.excl_party_incapable, case.excl_state_body, case.excl_corruption) == \
        (False, False, None, None)
    last = events_of(case)[-1]
    assert (last.kind, last.from_state, last.to_state) == ("screening_saved", "screening", "screening")
    assert last.data["missing"] == ["state_body_party", "corruption_or_state_service_crime"]
    # And completing them later sends it on
    case_lifecycle.record_screening(cf.step(coordinator, case, cf.at(RECEIVED)), cf.ALL_NO, None, None)
    assert case.state is CaseState.AWAITING_ASSIGNMENT


def test_screening_a_case_past_screening_is_refused(org, coordinator, case):
    cf.advance(case, "awaiting_assignment", coordinator)
    with pytest.raises(TransitionRefused) as refused:
        case_lifecycle.record_screening(cf.step(coordinator, case, cf.at(RECEIVED)),
                                        {ExclusionQuestion.PARTY_INCAPABLE: True}, None, None)
    assert refused.value.reason_code == "not_in_table"


# --- assignment ------------------------------------------------------------------------------------------


def test_assignment_checks_the_mediators(org, coordinator, mediator, case):
    _, entry = mediator
    cf.advance(case, "awaiting_assignment", coordinator)
    other_region = cf.make_mediator(org.abai, full_name="Семей Медиаторы")
    suspended = cf.make_mediator(org.almaty, status="suspended")
    db.session.commit()
    now = cf.at(RECEIVED)
    cases = [((entry.id, entry.id), "same_as_lead"), ((other_region.id, None), "not_in_region"),
             ((suspended.id, None), "not_active"), ((999_999, None), "not_in_region")]
    for (lead, co), reason in cases:
        with pytest.raises(MediatorUnavailable) as refused:
            case_lifecycle.assign_mediators(cf.step(coordinator, case, now), lead, co, None)
        assert refused.value.reason_code == reason
        db.session.rollback()
    assert case.state is CaseState.AWAITING_ASSIGNMENT


def test_a_lead_and_a_co_mediator(org, coordinator, mediator, case):
    _, entry = mediator
    co = cf.make_mediator(org.almaty, full_name="Екінші Медиатор")
    cf.advance(case, "awaiting_assignment", coordinator)
    case_lifecycle.assign_mediators(cf.step(coordinator, case, cf.at(RECEIVED)), entry.id, co.id, None)
    rows = db.session.scalars(select(CaseAssignment).order_by(CaseAssignment.id)).all()
    assert [(r.mediator_id, r.role, r.status) for r in rows] == [(entry.id, "lead", "proposed"),
                                                                 (co.id, "co", "proposed")]


# --- deadlines and the one extension (Art. 20) ---------------------------------------------------------------


def test_deadline_is_contract_plus_thirty_days(org, coordinator, mediator, case):
    in_mediation(case, coordinator, mediator[1])
    assert (case.contract_signed_on, case.deadline, case.extension_days) == (SIGNED, DEADLINE, 0)
    assert events_of(case)[-1].data == {"signed_on": "2025-03-10", "deadline": "2025-04-09"}


def test_contract_dates_are_checked(org, coordinator, mediator, case):
    cf.advance(case, "assigned", coordinator, lead_id=mediator[1].id)
    db.session.commit()
    now = cf.at(SIGNED)
    for signed_on, reason in ((SIGNED + timedelta(days=1), "in_future"),
                              (RECEIVED - timedelta(days=1), "before_received")):
        with pytest.raises(DateInvalid) as refused:
            case_lifecycle.sign_contract(cf.step(coordinator, case, now), signed_on, POLICY)
        assert (refused.value.field, refused.value.reason_code) == ("signed_on", reason)
    assert case.state is CaseState.ASSIGNED and case.contract_signed_on is None


def test_one_extension_of_at_most_thirty_days_with_consent_and_reason(org, coordinator, mediator, case):
    mediator_user, entry = mediator
    in_mediation(case, coordinator, entry)
    agreed = date(2025, 4, 1)
    # When the parties agree to 30 more days
    case_lifecycle.extend_term(cf.step(mediator_user, case, cf.at(agreed)), 30, "Тараптар келісті", True, agreed,
                               POLICY)
    db.session.commit()
    # Then the deadline moves by 30 days (60 in all) and the reason is kept
    assert case.deadline == DEADLINE + timedelta(days=30) == SIGNED + timedelta(days=60)
    assert (case.extension_days, case.extension_reason) == (30, "Тараптар келісті")
    last = events_of(case)[-1]
    assert (last.kind, last.actor_id, last.reason, last.data) == (
        "extended", mediator_user.id, "Тараптар келісті", {"days": 30, "deadline": "2025-05-09"})
    assert audit_of(case)[-1].action == "case.extended"


@pytest.mark.parametrize(("days", "reason", "consent", "agreed", "code"), [
    (31, "Себеп", True, date(2025, 4, 1), "too_long"),
    (0, "Себеп", True, date(2025, 4, 1), "not_positive"),
    (-5, "Себеп", True, date(2025, 4, 1), "not_positive"),
    (10, "   ", True, date(2025, 4, 1), "reason_required"),
    (10, "Себеп", False, date(2025, 4, 1), "consent_required"),
    (10, "Себеп", True, DEADLINE + timedelta(days=1), "after_deadline"),
])
def test_extension_refusals(org, coordinator, mediator, case, days, reason, consent, agreed, code):
    in_mediation(case, coordinator, mediator[1])
    version = case.version
    with pytest.raises(ExtensionRefused) as refused:
        case_lifecycle.extend_term(cf.step(coordinator, case, cf.at(agreed)), days, reason, consent, agreed, POLICY)
    assert refused.value.reason_code == code
    db.session.rollback()
    case = db.session.get(Case, case.id)
    assert (case.deadline, case.extension_days, case.version) == (DEADLINE, 0, version)


def test_an_extension_agreed_in_the_future_is_refused(org, coordinator, mediator, case):
    # (found by this test: an extension "agreed" on a future date used to be granted)
    in_mediation(case, coordinator, mediator[1])
    today = date(2025, 3, 20)
    with pytest.raises(DateInvalid) as refused:
        case_lifecycle.extend_term(cf.step(coordinator, case, cf.at(today)), 10, "Себеп", True,
                                   today + timedelta(days=5), POLICY)
    assert (refused.value.field, refused.value.reason_code) == ("agreed_on", "in_future")


def test_a_second_extension_is_refused(org, coordinator, mediator, case):
    in_mediation(case, coordinator, mediator[1])
    agreed = date(2025, 4, 1)
    # Given one extension of 10 days (20 more would still fit under the 30-day cap)
    case_lifecycle.extend_term(cf.step(coordinator, case, cf.at(agreed)), 10, "Бірінші", True, agreed, POLICY)
    db.session.commit()
    # When a second one is asked for
    with pytest.raises(ExtensionRefused) as refused:
        case_lifecycle.extend_term(cf.step(coordinator, case, cf.at(agreed)), 5, "Екінші", True, agreed, POLICY)
    # Then it is refused as a second extension, and the first stands
    assert refused.value.reason_code == "second_extension"
    db.session.rollback()
    case = db.session.get(Case, case.id)
    assert (case.deadline, case.extension_days, case.extension_reason) == \
        (DEADLINE + timedelta(days=10), 10, "Бірінші")


def test_only_a_mediation_in_progress_is_extended(org, coordinator, case):
    with pytest.raises(DateInvalid) as refused:
        case_lifecycle.extend_term(cf.step(coordinator, case, cf.at(RECEIVED)), 10, "Себеп", True, RECEIVED, POLICY)
    assert refused.value.reason_code == "not_in_mediation"


# --- closing (Art. 26) ---------------------------------------------------------------------------------------


def test_closing_a_started_mediation_needs_a_ground(org, coordinator, mediator, case):
    in_mediation(case, coordinator, mediator[1])
    with pytest.raises(TransitionRefused) as refused:
        case_lifecycle.close_case(cf.step(coordinator, case, cf.at(date(2025, 3, 20))),
                                  Closure(outcome=Outcome.NO_AGREEMENT))
    assert refused.value.reason_code == "ground_required"
    db.session.rollback()
    assert db.session.get(Case, case.id).state is CaseState.IN_MEDIATION


def test_closing_before_any_contract_takes_no_ground(org, coordinator, case):
    with pytest.raises(TransitionRefused) as refused:
        case_lifecycle.close_case(cf.step(coordinator, case, cf.at(RECEIVED)), Closure(
            outcome=Outcome.WITHDRAWN, ground=TerminationGround.JOINT_REFUSAL, effective_on=RECEIVED))
    assert refused.value.reason_code == "ground_not_applicable"
    db.session.rollback()
    case_lifecycle.close_case(cf.step(coordinator, case, cf.at(RECEIVED)),
                              Closure(outcome=Outcome.WITHDRAWN, reason="Өтініш қайтарылды"))
    assert (case.state, case.outcome, case.termination_ground, case.terminated_on) == \
        (CaseState.CLOSED, Outcome.WITHDRAWN, None, None)


@pytest.mark.parametrize(("ground", "outcome"), [
    (TerminationGround.AGREEMENT_SIGNED, Outcome.FULL_AGREEMENT),
    (TerminationGround.AGREEMENT_SIGNED, Outcome.PARTIAL_AGREEMENT),
    (TerminationGround.SETTLEMENT_IMPOSSIBLE, Outcome.NO_AGREEMENT),
    (TerminationGround.JOINT_REFUSAL, Outcome.WITHDRAWN),
    (TerminationGround.UNILATERAL_REFUSAL, Outcome.NO_AGREEMENT),
])
def test_each_ground_takes_the_date_its_rule_names(org, coordinator, mediator, case, ground, outcome):
    # Given a mediation in progress, closed on 25 March about an act dated 20 March
    in_mediation(case, coordinator, mediator[1])
    act = date(2025, 3, 20)
    case_lifecycle.close_case(cf.step(coordinator, case, cf.at(date(2025, 3, 25))),
                              Closure(outcome=outcome, ground=ground, effective_on=act))
    db.session.commit()
    # Then the mediation ended on the date of that act, not on the day it was entered
    assert (case.state, case.termination_ground, case.terminated_on, case.outcome) == \
        (CaseState.CLOSED, ground, act, outcome)
    assert events_of(case)[-1].data == {"outcome": outcome.value, "ground": ground.value,
                                        "terminated_on": "2025-03-20"}


def test_a_ground_without_its_date_is_refused(org, coordinator, mediator, case):
    in_mediation(case, coordinator, mediator[1])
    with pytest.raises(MissingDate) as refused:
        case_lifecycle.close_case(cf.step(coordinator, case, cf.at(date(2025, 3, 25))), Closure(
            outcome=Outcome.NO_AGREEMENT, ground=TerminationGround.SETTLEMENT_IMPOSSIBLE))
    assert refused.value.field == "finding_on"


@pytest.mark.parametrize(("effective", "code"), [(date(2025, 3, 26), "in_future"),
                                                 (SIGNED - timedelta(days=1), "before_contract")])
def test_a_ground_date_must_lie_between_contract_and_today(org, coordinator, mediator, case, effective, code):
    in_mediation(case, coordinator, mediator[1])
    with pytest.raises(DateInvalid) as refused:
        case_lifecycle.close_case(cf.step(coordinator, case, cf.at(date(2025, 3, 25))), Closure(
            outcome=Outcome.WITHDRAWN, ground=TerminationGround.JOINT_REFUSAL, effective_on=effective))
    assert refused.value.reason_code == code


def test_outcome_must_fit_the_ground(org, coordinator, mediator, case):
    in_mediation(case, coordinator, mediator[1])
    with pytest.raises(TransitionRefused) as refused:
        case_lifecycle.close_case(cf.step(coordinator, case, cf.at(date(2025, 3, 25))), Closure(
            outcome=Outcome.FULL_AGREEMENT, ground=TerminationGround.UNILATERAL_REFUSAL,
            effective_on=date(2025, 3, 20)))
    assert refused.value.reason_code == "outcome_ground_mismatch"


def test_term_expired_uses_the_deadline_and_only_after_it_passed(org, coordinator, mediator, case):
    in_mediation(case, coordinator, mediator[1])
    closure = Closure(outcome=Outcome.NO_AGREEMENT, ground=TerminationGround.TERM_EXPIRED,
                      effective_on=date(2025, 3, 12))  # ignored: the deadline fixes the date
    # On the deadline day the term is still running
    for day in (date(2025, 3, 20), DEADLINE):
        with pytest.raises(DateInvalid) as refused:
            case_lifecycle.close_case(cf.step(coordinator, case, cf.at(day)), closure)
        assert (refused.value.field, refused.value.reason_code) == ("ground", "term_not_expired")
        db.session.rollback()
    # The day after it, the mediation ends on the deadline
    case = db.session.get(Case, case.id)
    case_lifecycle.close_case(cf.step(coordinator, case, cf.at(DEADLINE + timedelta(days=1))), closure)
    assert (case.state, case.terminated_on) == (CaseState.CLOSED, DEADLINE)


def test_term_expired_after_an_extension_uses_the_extended_deadline(org, coordinator, mediator, case):
    in_mediation(case, coordinator, mediator[1])
    case_lifecycle.extend_term(cf.step(coordinator, case, cf.at(DEADLINE)), 15, "Себеп", True, DEADLINE, POLICY)
    db.session.commit()
    closure = Closure(outcome=Outcome.NO_AGREEMENT, ground=TerminationGround.TERM_EXPIRED)
    with pytest.raises(DateInvalid):
        case_lifecycle.close_case(cf.step(coordinator, case, cf.at(DEADLINE + timedelta(days=1))), closure)
    db.session.rollback()
    case = db.session.get(Case, case.id)
    case_lifecycle.close_case(cf.step(coordinator, case, cf.at(DEADLINE + timedelta(days=16))), closure)
    assert case.terminated_on == DEADLINE + timedelta(days=15)


def test_a_closed_case_is_terminal(org, coordinator, case):
    case_lifecycle.close_case(cf.step(coordinator, case, cf.at(RECEIVED)), Closure(outcome=Outcome.REFERRED))
    for attempt in (lambda s: case_lifecycle.start_screening(s),
                    lambda s: case_lifecycle.close_case(s, Closure(outcome=Outcome.WITHDRAWN))):
        with pytest.raises(TransitionRefused) as refused:
            attempt(cf.step(coordinator, case, cf.at(RECEIVED)))
        assert refused.value.reason_code == "not_in_table"


def test_a_mediator_cannot_close_before_the_contract(org, coordinator, mediator, case):
    mediator_user, entry = mediator
    cf.advance(case, "assigned", coordinator, lead_id=entry.id)
    db.session.commit()
    with pytest.raises(TransitionRefused) as refused:
        case_lifecycle.close_case(cf.step(mediator_user, case, cf.at(RECEIVED)), Closure(outcome=Outcome.WITHDRAWN))
    assert refused.value.reason_code == "role_not_allowed"


# --- recusal --------------------------------------------------------------------------------------------------


def test_recusal_returns_the_case_and_keeps_its_dates(org, coordinator, mediator, case):
    mediator_user, entry = mediator
    in_mediation(case, coordinator, entry)
    now = cf.at(date(2025, 3, 15))
    # When the mediator recuses themselves in the middle of the mediation
    case_lifecycle.release_mediators(cf.step(mediator_user, case, now), "recused", "Туысқандық байланыс")
    db.session.commit()
    # Then the case waits for a new mediator and keeps its start date and deadline
    case = db.session.get(Case, case.id)
    assert (case.state, case.contract_signed_on, case.deadline) == (CaseState.AWAITING_ASSIGNMENT, SIGNED, DEADLINE)
    last = events_of(case)[-1]
    assert (last.kind, last.from_state, last.to_state, last.actor_id, last.reason) == (
        "recused", "in_mediation", "awaiting_assignment", mediator_user.id, "Туысқандық байланыс")
    assignment = db.session.scalars(select(CaseAssignment)).one()
    assert (assignment.status, assignment.ended_at, assignment.reason) == ("recused", now,
                                                                           "Туысқандық байланыс")
    # And the mediator no longer sees the case
    with pytest.raises(CaseNotFound):
        case_for(mediator_user.actor, case.id)
    # And cannot be assigned to it again
    with pytest.raises(MediatorUnavailable) as refused:
        case_lifecycle.assign_mediators(cf.step(coordinator, case, now), entry.id, None, None)
    assert refused.value.reason_code == "recused_from_case"
    db.session.rollback()
    # while another mediator can, and the start date and deadline still stand
    case = db.session.get(Case, case.id)
    other = cf.make_mediator(org.almaty, full_name="Жаңа Медиатор")
    case_lifecycle.assign_mediators(cf.step(coordinator, case, now), other.id, None, None)
    assert (case.state, case.contract_signed_on, case.deadline) == (CaseState.ASSIGNED, SIGNED, DEADLINE)


@pytest.mark.parametrize("status", ["declined", "objected"])
def test_declined_or_objected_mediators_do_not_return(org, coordinator, mediator, case, status):
    _, entry = mediator
    cf.advance(case, "assigned", coordinator, lead_id=entry.id)
    now = cf.at(RECEIVED)
    case_lifecycle.release_mediators(cf.step(coordinator, case, now), status, "Себеп")
    with pytest.raises(MediatorUnavailable) as refused:
        case_lifecycle.assign_mediators(cf.step(coordinator, case, now), entry.id, None, None)
    assert refused.value.reason_code == "recused_from_case"


def test_a_release_needs_a_reason(org, coordinator, mediator, case):
    cf.advance(case, "assigned", coordinator, lead_id=mediator[1].id)
    with pytest.raises(DateInvalid) as refused:
        case_lifecycle.release_mediators(cf.step(coordinator, case, cf.at(RECEIVED)), "declined", "  ")
    assert refused.value.reason_code == "reason_required"


def test_a_replacement_mediator_continues_the_same_term(org, coordinator, mediator, case):
    # (found by this test: recording the replacement's contract used to restart the term)
    # Given a mediation started on 10 March (deadline 9 April) whose mediator recused on 15 March
    _, entry = mediator
    in_mediation(case, coordinator, entry)
    now = cf.at(date(2025, 3, 15))
    case_lifecycle.release_mediators(cf.step(coordinator, case, now), "recused", "Мүдделер қақтығысы")
    other = cf.make_mediator(org.almaty, full_name="Жаңа Медиатор")
    case_lifecycle.assign_mediators(cf.step(coordinator, case, now), other.id, None, None)
    # When the replacement mediator's contract is recorded on 20 March
    later = cf.at(date(2025, 3, 20))
    case_lifecycle.sign_contract(cf.step(coordinator, case, later), date(2025, 3, 20), POLICY)
    # Then "the same mediation goes on": it started on 10 March and must end by 9 April
    assert (case.contract_signed_on, case.deadline) == (SIGNED, DEADLINE)


def test_a_lead_recusal_leaves_the_co_mediator_on_the_case(org, coordinator, mediator, case):
    # (found by this test: the co-mediator used to be recorded as "recused" too, and barred from the case)
    mediator_user, entry = mediator
    co = cf.make_mediator(org.almaty, full_name="Екінші Медиатор")
    cf.advance(case, "awaiting_assignment", coordinator)
    now = cf.at(RECEIVED)
    case_lifecycle.assign_mediators(cf.step(coordinator, case, now), entry.id, co.id, None)
    # When the lead mediator recuses themselves
    case_lifecycle.release_mediators(cf.step(mediator_user, case, now), "recused", "Туысы",
                                     mediator_id=entry.id)
    # Then only they leave: the co-mediator stays on the case, now as its lead
    assert case.state is CaseState.ASSIGNED
    rows = {a.mediator_id: (a.status, a.role, a.ended_at) for a in db.session.scalars(select(CaseAssignment))}
    assert rows == {entry.id: ("recused", "lead", now), co.id: ("proposed", "lead", None)}
    with pytest.raises(CaseNotFound):
        case_for(mediator_user.actor, case.id)
    # And when the last mediator declines too, the case returns for reassignment
    case_lifecycle.release_mediators(cf.step(coordinator, case, now), "declined", "Бос емес", mediator_id=co.id)
    assert case.state is CaseState.AWAITING_ASSIGNMENT


def test_releasing_a_mediator_who_is_not_on_the_case_is_refused(org, coordinator, mediator, case):
    cf.advance(case, "assigned", coordinator, lead_id=mediator[1].id)
    stranger = cf.make_mediator(org.almaty, full_name="Бөгде")
    with pytest.raises(MediatorUnavailable) as refused:
        case_lifecycle.release_mediators(cf.step(coordinator, case, cf.at(RECEIVED)), "objected", "Себеп",
                                         mediator_id=stranger.id)
    assert refused.value.reason_code == "not_on_case"


# --- object checks ----------------------------------------------------------------------------------------------


def test_a_mediator_not_on_the_case_cannot_act(org, coordinator, mediator, case):
    _, entry = mediator
    cf.advance(case, "assigned", coordinator, lead_id=entry.id)
    db.session.commit()
    stranger, _ = cf.make_mediator_user(org, full_name="Бөгде Медиатор")
    db.session.commit()
    now = cf.at(SIGNED)
    attempts = [lambda s: case_lifecycle.sign_contract(s, SIGNED, POLICY),
                lambda s: case_lifecycle.release_mediators(s, "declined", "Себеп"),
                lambda s: case_lifecycle.record_proposal(s, RECEIVED, None)]
    for attempt in attempts:
        with pytest.raises(CaseNotFound):
            attempt(cf.step(stranger, case, now))
    with pytest.raises(CaseNotFound):
        case_for(stranger.actor, case.id)
    assert db.session.get(Case, case.id).state is CaseState.ASSIGNED


def test_the_assigned_mediator_can_act(org, coordinator, mediator, case):
    mediator_user, entry = mediator
    cf.advance(case, "assigned", coordinator, lead_id=entry.id)
    db.session.commit()
    case_lifecycle.sign_contract(cf.step(mediator_user, case, cf.at(SIGNED)), SIGNED, POLICY)
    assert case.state is CaseState.IN_MEDIATION


def test_a_coordinator_of_another_house_cannot_act(org, case):
    other = factories.make_user("coordinator", org=org, house=org.semey_house)
    db.session.commit()
    with pytest.raises(CaseNotFound):
        case_lifecycle.start_screening(cf.step(other, case, cf.at(RECEIVED)))


# --- proposal (Art. 19) ------------------------------------------------------------------------------------------


def test_proposal_dates_are_checked(org, coordinator, case):
    now = cf.at(date(2025, 3, 5))
    with pytest.raises(DateInvalid) as refused:
        case_lifecycle.record_proposal(cf.step(coordinator, case, now), date(2025, 3, 6), None)
    assert refused.value.reason_code == "in_future"
    with pytest.raises(DateInvalid) as refused:
        case_lifecycle.record_proposal(cf.step(coordinator, case, now), date(2025, 3, 4), date(2025, 3, 3))
    assert (refused.value.field, refused.value.reason_code) == ("accepted_on", "before_sent")
    case_lifecycle.record_proposal(cf.step(coordinator, case, now), date(2025, 3, 4), date(2025, 3, 5))
    assert (case.proposal_sent_on, case.proposal_accepted_on) == (date(2025, 3, 4), date(2025, 3, 5))


# --- optimistic locking ------------------------------------------------------------------------------------------


def test_an_old_version_is_refused_naming_who_changed_it_and_when(org, coordinator, case):
    # Given two people opened the case at version 1, and a manager saved first
    manager = factories.make_user("manager", org=org, full_name="Гүлнар Әбенова")
    db.session.commit()
    old = cf.step(coordinator, case, cf.at(RECEIVED))
    saved_at = cf.at(RECEIVED, hour=7)
    case_lifecycle.start_screening(cf.step(manager, case, saved_at))
    db.session.commit()
    # When the coordinator saves with the version they loaded
    with pytest.raises(StaleCase) as refused:
        case_lifecycle.record_screening(old, cf.ALL_NO, None, None)
    # Then the refusal names the manager and the moment of their save
    assert (refused.value.changed_by, refused.value.changed_at, refused.value.case_id) == \
        ("Гүлнар Әбенова", saved_at, case.id)
    db.session.rollback()
    case = db.session.get(Case, case.id)
    assert (case.state, case.version, case.excl_third_party) == (CaseState.SCREENING, 2, None)


def test_every_step_checks_the_version(org, coordinator, mediator, case):
    in_mediation(case, coordinator, mediator[1])
    stale = case_lifecycle.Step(actor=coordinator.actor, case_id=case.id, version=case.version - 1,
                                now=cf.at(date(2025, 3, 20)))
    attempts = [
        lambda: case_lifecycle.extend_term(stale, 5, "Себеп", True, date(2025, 3, 20), POLICY),
        lambda: case_lifecycle.release_mediators(stale, "recused", "Себеп"),
        lambda: case_lifecycle.record_proposal(stale, RECEIVED, None),
        lambda: case_lifecycle.close_case(stale, Closure(outcome=Outcome.WITHDRAWN,
                                                         ground=TerminationGround.JOINT_REFUSAL,
                                                         effective_on=date(2025, 3, 20))),
        lambda: case_intake.update_case(stale, case_intake.CaseEdit(
            category=CaseCategory.OTHER, channel=Channel.PHONE, subject="x", description="", languages=(),
            interpreter_needed=False, tension=TensionLevel.LOW, signals=())),
    ]
    for attempt in attempts:
        with pytest.raises(StaleCase):
            attempt()
    assert db.session.get(Case, case.id).state is CaseState.IN_MEDIATION


def test_update_case_records_only_the_names_of_changed_fields(org, coordinator, case):
    edit = case_intake.CaseEdit(category=case.category, channel=case.channel, subject="Жаңа тақырып",
                                description="Жаңа құпия мәтін", languages=tuple(case.languages),
                                interpreter_needed=False, tension=TensionLevel.LOW,
                                signals=("violence",))
    case_intake.update_case(cf.step(coordinator, case, cf.at(RECEIVED)), edit)
    db.session.commit()
    assert (case.subject, case.tension, case.version) == ("Жаңа тақырып", TensionLevel.HIGH, 2)
    last = events_of(case)[-1]
    assert (last.kind, last.data) == ("edited", {"fields": ["description", "subject", "tension",
                                                            "tension_signals"]})
    assert "құпия" not in str(audit_of(case)[-1].summary).lower()
    # An edit that changes nothing is not a new version
    case_intake.update_case(cf.step(coordinator, case, cf.at(RECEIVED)), edit)
    assert case.version == 2


def test_a_closed_case_cannot_be_edited(org, coordinator, case):
    # (found by this test: the details of a closed case used to stay editable)
    case_lifecycle.close_case(cf.step(coordinator, case, cf.at(RECEIVED)), Closure(outcome=Outcome.WITHDRAWN))
    db.session.commit()
    edit = case_intake.CaseEdit(category=CaseCategory.RELIGIOUS, channel=case.channel, subject=case.subject,
                                description=case.description, languages=tuple(case.languages),
                                interpreter_needed=False, tension=case.tension, signals=())
    with pytest.raises(NotAllowed) as refused:
        case_intake.update_case(cf.step(coordinator, case, cf.at(RECEIVED)), edit)
    assert refused.value.reason_code == "case_closed"
    db.session.rollback()
    assert db.session.get(Case, case.id).category is CaseCategory.NEIGHBOURS_LAND
