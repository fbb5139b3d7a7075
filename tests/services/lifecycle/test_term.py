"""A mediation's term: the deadline and the one extension (Art. 20), and closure with the date each Art. 26
ground names."""

from datetime import date, timedelta

import pytest

from mediation.domain.case_states import CaseState, MissingDate, Outcome, TerminationGround, TransitionRefused
from mediation.domain.deadlines import ExtensionRefused
from mediation.extensions import db
from mediation.models import Case
from mediation.services import case_lifecycle
from mediation.services.case_lifecycle import Closure, DateInvalid
from tests import case_factories as cf
from tests.services.lifecycle.support import DEADLINE, POLICY, RECEIVED, SIGNED, audit_of, events_of, in_mediation

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


