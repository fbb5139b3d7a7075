"""A running assignment always belongs to an assigned or in-mediation case: capacity counts rely on it."""

from datetime import date

from sqlalchemy import event, func, select

from mediation.domain.case_states import CaseState, Outcome, TerminationGround
from mediation.extensions import db
from mediation.models import Case, CaseAssignment
from mediation.services import case_lifecycle, pool_reads, registry_queries
from mediation.services.assignment_inputs import candidate_inputs
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


def test_everyones_workload_is_read_from_the_running_assignments_index(org):
    # Given mediators in two regions: one on two open cases and a closed one, one declined, one on nothing
    coordinator = factories.make_user("coordinator", org=org)
    busy, declined = cf.make_mediator(org.almaty), cf.make_mediator(org.almaty)
    idle = cf.make_mediator(org.abai)
    db.session.commit()
    for stage in ("assigned", "in_mediation", "closed"):
        cf.advance(cf.register(coordinator, org.republican_house, received_on=RECEIVED), stage, coordinator,
                   lead_id=busy.id, signed_on=RECEIVED)
    turned_down = cf.advance(cf.register(coordinator, org.republican_house, received_on=RECEIVED), "assigned",
                             coordinator, lead_id=declined.id)
    case_lifecycle.release_mediators(cf.step(coordinator, turned_down, cf.at(RECEIVED)), "declined", "Бос емес")
    db.session.commit()
    # When the whole republic's candidates are read, and one region's
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        republic = {c.id: c.open_cases for c in candidate_inputs(None, today=RECEIVED)}
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    region = {c.id: c.open_cases for c in candidate_inputs([org.almaty.id], today=RECEIVED)}
    # Then both count the running assignments only, as the count by case state does
    expected = {m.id: rf.open_cases_of(m.id) for m in (busy, declined, idle)}
    assert expected == {busy.id: 2, declined.id: 0, idle.id: 0}
    assert {i: republic[i] for i in expected} == expected
    assert {i: region[i] for i in (busy.id, declined.id)} == {busy.id: 2, declined.id: 0}
    # The suggestions' pools read the same counts (republic and region)
    for scope, names in ((None, expected), ([busy.id, declined.id], (busy.id, declined.id))):
        live = pool_reads.read_figures(scope, RECEIVED).open_cases
        assert {i: live.get(i, 0) for i in names} == {i: expected[i] for i in names}
    # And the republic's count names the statuses in its SQL, the partial index's own term (a bound parameter
    # would keep SQLite, and a prepared PostgreSQL statement, off the index)
    count, parameters = next((s, p) for s, p in statements if "count(*)" in s and "case_assignment" in s)
    assert "status IN ('proposed', 'accepted')" in count
    if db.engine.dialect.name == "sqlite":
        plan = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {count}", parameters).all()
        assert any("ix_case_assignment_open" in row[-1] for row in plan), plan
