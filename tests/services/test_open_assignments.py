"""A running assignment always belongs to an assigned or in-mediation case: capacity counts rely on it."""

from datetime import date

from sqlalchemy import func, select

from mediation.domain.case_states import CaseState, Outcome, TerminationGround
from mediation.extensions import db
from mediation.models import Case, CaseAssignment
from mediation.services import case_lifecycle, registry_queries
from mediation.services.case_lifecycle import Closure
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf

RECEIVED = date(2025, 3, 3)


def test_every_way_out_of_a_case_ends_its_running_assignments(org):
    # Given one mediator on five cases, each of which leaves the active states differently or stays
    coordinator = factories.make_user("coordinator", org=org)
    mediator = cf.make_mediator(org.almaty)
    db.session.commit()

    def new_case(stage: str) -> Case:
        case = cf.register(coordinator, org.republican_house, received_on=RECEIVED)
        return cf.advance(case, stage, coordinator, lead_id=mediator.id, signed_on=RECEIVED)

    withdrawn, recused, settled = new_case("assigned"), new_case("assigned"), new_case("closed")
    still_assigned, still_mediating = new_case("assigned"), new_case("in_mediation")
    # When one is withdrawn before the contract and the mediator recuses from another
    case_lifecycle.close_case(cf.step(coordinator, withdrawn, cf.at(RECEIVED)),
                              Closure(outcome=Outcome.WITHDRAWN, reason="Өтініш қайтарылды"))
    case_lifecycle.release_mediators(cf.step(coordinator, recused, cf.at(RECEIVED)), "recused", "Туыстық")
    db.session.commit()
    # Then no running assignment is left on a case outside "assigned" and "in mediation"
    stray = db.session.scalars(select(CaseAssignment.case_id).join(Case, Case.id == CaseAssignment.case_id).where(
        *registry_queries.takes_capacity(), Case.state.not_in((CaseState.ASSIGNED, CaseState.IN_MEDIATION)))).all()
    assert stray == []
    assert {withdrawn.state, recused.state, settled.state} == {CaseState.CLOSED, CaseState.AWAITING_ASSIGNMENT}
    # And the registry's count (no join with the case) is the count by case state: the two still open
    counted = db.session.scalar(select(func.count()).select_from(CaseAssignment).where(
        CaseAssignment.mediator_id == mediator.id, *registry_queries.takes_capacity()))
    assert counted == rf.open_cases_of(mediator.id) == 2
    assert {still_assigned.state, still_mediating.state} == {CaseState.ASSIGNED, CaseState.IN_MEDIATION}


def test_a_release_leaves_the_co_mediator_running_and_closing_ends_it(org):
    # Given a case in mediation with a lead and a co-mediator
    coordinator = factories.make_user("coordinator", org=org)
    lead, co = cf.make_mediator(org.almaty), cf.make_mediator(org.almaty)
    db.session.commit()
    case = cf.advance(cf.register(coordinator, org.republican_house, received_on=RECEIVED), "awaiting_assignment",
                      coordinator)
    case_lifecycle.assign_mediators(cf.step(coordinator, case, cf.at(RECEIVED)), lead.id, co.id, None)
    case_lifecycle.sign_contract(cf.step(coordinator, case, cf.at(RECEIVED)), RECEIVED, cf.POLICY)
    # When the parties object to the lead
    case_lifecycle.release_mediators(cf.step(coordinator, case, cf.at(RECEIVED)), "objected", "Тараптар қарсы",
                                     mediator_id=lead.id)
    db.session.commit()
    # Then the case stays in mediation with the co-mediator counted, the lead no longer
    assert case.state is CaseState.IN_MEDIATION

    def counted(mediator_id: int) -> int:
        return db.session.scalar(select(func.count()).select_from(CaseAssignment).where(
            CaseAssignment.mediator_id == mediator_id, *registry_queries.takes_capacity()))

    assert (counted(lead.id), counted(co.id)) == (0, 1) == (rf.open_cases_of(lead.id), rf.open_cases_of(co.id))
    # And closing ends the co-mediator's place too
    effective = RECEIVED
    case_lifecycle.close_case(cf.step(coordinator, case, cf.at(RECEIVED)), Closure(
        outcome=Outcome.WITHDRAWN, ground=TerminationGround.JOINT_REFUSAL, effective_on=effective))
    db.session.commit()
    assert counted(co.id) == 0 == rf.open_cases_of(co.id)
