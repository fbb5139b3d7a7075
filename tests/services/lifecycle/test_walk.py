"""A case's walk through the services: an event and an audit row per step, screening (Art. 1), assignment,
object checks for mediators, the proposal (Art. 19) and optimistic locking."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mediation.domain.case_fields import CaseCategory, Channel, TensionLevel
from mediation.domain.case_states import CaseState, Outcome, TerminationGround, TransitionRefused
from mediation.domain.eligibility import ExclusionQuestion
from mediation.domain.errors import NotAllowed
from mediation.extensions import db
from mediation.models import Case, CaseAssignment
from mediation.services import case_intake, case_lifecycle
from mediation.services.case_access import CaseNotFound, case_for
from mediation.services.case_lifecycle import Closure, DateInvalid, MediatorUnavailable, StaleCase
from tests import case_factories as cf
from tests import factories
from tests.services.lifecycle.support import POLICY, RECEIVED, SIGNED, audit_of, events_of, in_mediation

# --- the full walk ---------------------------------------------------------------------------------------


def test_full_walk_writes_an_event_and_an_audit_row_per_step(org, coordinator, mediator, case):
    mediator_user, entry = mediator
    # Given a registered case, and a moment for each step
    moments = [cf.at(RECEIVED + timedelta(days=n)) for n in (1, 2, 3)] + [cf.at(SIGNED), cf.at(date(2025, 3, 25))]
    # When the coordinator screens (all "no") and assigns, and the mediator accepts, signs the contract and closes
    case_lifecycle.start_screening(cf.step(coordinator, case, moments[0]))
    case_lifecycle.record_screening(cf.step(coordinator, case, moments[1]), cf.ALL_NO, "Барлығы жоқ", None)
    case_lifecycle.assign_mediators(cf.step(coordinator, case, moments[2]), entry.id, None, "Тілі сәйкес")
    cf.accept_as_mediators(case, moments[3])
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
        ("accepted", "assigned", "assigned", mediator_user.id, moments[3]),
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
        ("case.accepted", mediator_user.id, moments[3], "assigned", "assigned"),
        ("case.contract_signed", mediator_user.id, moments[3], "assigned", "in_mediation"),
        ("case.closed", mediator_user.id, moments[4], "in_mediation", "closed"),
    ]
    # And the assignment, accepted before the contract, ended at closure
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
    cf.accept_as_mediators(case, cf.at(SIGNED))
    db.session.commit()
    case_lifecycle.sign_contract(cf.step(mediator_user, case, cf.at(SIGNED)), SIGNED, POLICY)
    assert case.state is CaseState.IN_MEDIATION


@pytest.mark.parametrize("who", ["coordinator", "mediator"])
def test_no_contract_while_a_mediator_with_an_account_has_not_accepted(org, coordinator, mediator, case, who):
    mediator_user, entry = mediator
    cf.advance(case, "assigned", coordinator, lead_id=entry.id)
    db.session.commit()
    actor = coordinator if who == "coordinator" else mediator_user
    # The contract cannot stand in for the mediator's own acceptance with its conflict-of-interest declaration
    with pytest.raises(MediatorUnavailable) as refused:
        case_lifecycle.sign_contract(cf.step(actor, case, cf.at(SIGNED)), SIGNED, POLICY)
    assert refused.value.reason_code == "not_answered"
    db.session.rollback()
    case = db.session.get(Case, case.id)
    assert case.state is CaseState.ASSIGNED and case.contract_signed_on is None
    assert db.session.scalars(select(CaseAssignment.status).where(CaseAssignment.case_id == case.id)).all() == \
        ["proposed"]


def test_a_mediator_whose_account_was_deactivated_accepts_by_signing_the_contract(org, coordinator, mediator, case):
    mediator_user, entry = mediator
    cf.advance(case, "assigned", coordinator, lead_id=entry.id)
    mediator_user.active = False  # they can no longer sign in to answer
    db.session.commit()
    case_lifecycle.sign_contract(cf.step(coordinator, case, cf.at(SIGNED)), SIGNED, POLICY)
    assert case.state is CaseState.IN_MEDIATION


def test_a_mediator_without_an_account_accepts_by_signing_the_contract(org, coordinator, case):
    paper = cf.make_mediator(org.almaty, house=org.republican_house, full_name="Қағаздағы Медиатор")
    assert paper.user_id is None
    cf.advance(case, "assigned", coordinator, lead_id=paper.id)
    case_lifecycle.sign_contract(cf.step(coordinator, case, cf.at(SIGNED)), SIGNED, POLICY)
    assert case.state is CaseState.IN_MEDIATION
    assert db.session.scalars(select(CaseAssignment.status).where(CaseAssignment.case_id == case.id)).all() == \
        ["accepted"]


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
