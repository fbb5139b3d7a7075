"""Releasing a mediator: recusal, a decline or the parties' objection return the case to assignment, and the
term continues with the next mediator."""

from datetime import date

import pytest
from sqlalchemy import select

from mediation.domain.case_states import CaseState
from mediation.extensions import db
from mediation.models import Case, CaseAssignment
from mediation.services import case_lifecycle
from mediation.services.case_access import CaseNotFound, case_for
from mediation.services.case_lifecycle import DateInvalid, MediatorUnavailable
from tests import case_factories as cf
from tests.services.lifecycle.support import DEADLINE, POLICY, RECEIVED, SIGNED, events_of, in_mediation

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

