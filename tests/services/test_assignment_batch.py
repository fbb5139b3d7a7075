"""Batch auto-assign through the services and the CLI: preview, capacity across the batch, fairness, scope."""

import gc
import threading
import weakref
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event as sql_event
from sqlalchemy import func, select

from mediation.domain.case_states import CaseState
from mediation.domain.errors import NotAllowed
from mediation.extensions import db
from mediation.models import (
    AuditEvent,
    Case,
    CaseAssignment,
    CaseEvent,
    Mediator,
)
from mediation.services import assignment, assignment_batch, collector
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf
from tests.assignment_support import NOW, RECEIVED, TODAY, assign

# --- batch auto-assign ------------------------------------------------------------------------------------------


@pytest.fixture
def backlog(org, people):
    """Ten waiting cases in Almaty and three mediators with room for two cases each."""
    mediators = [rf.mediator(org.almaty, full_name=f"Медиатор {n}", max_active_cases=2) for n in range(3)]
    cases = [rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED - timedelta(days=n),
                             parties=cf.two_parties(f"Өтініш беруші {n}", f"Жауапкер {n}")) for n in range(10)]
    # a case in another region is out of scope
    abai_coordinator = factories.make_user("coordinator", org=org, house=org.semey_house)
    other = rf.waiting_case(abai_coordinator, org.semey_house, received_on=RECEIVED)
    db.session.commit()
    return SimpleNamespace(mediators=[m.id for m in mediators], cases=[c.id for c in cases], other=other.id)


def states(case_ids) -> list[CaseState]:
    return [db.session.get(Case, case_id).state for case_id in case_ids]


def test_the_batch_preview_writes_nothing(org, people, backlog):
    plan = assignment_batch.plan_scope(people.almaty_manager.actor, org.almaty.id, today=TODAY,
                                       thresholds=rf.THRESHOLDS)
    assert sorted(p.case_id for p in plan.planned) == sorted(backlog.cases)
    assert plan.staffed == 6
    assert set(plan.names) == set(backlog.mediators)
    assert set(plan.numbers) == set(backlog.cases)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CaseAssignment)) == 0
    assert states(backlog.cases) == [CaseState.AWAITING_ASSIGNMENT] * 10


@pytest.mark.parametrize("chunk", [None, 4], ids=["one-state-update", "state-updates-in-chunks"])
def test_the_batch_assigns_within_capacity_across_the_batch_with_explanations(org, people, backlog, chunk,
                                                                              monkeypatch):
    if chunk:  # six staffed cases: their states go to the background as four and then two
        monkeypatch.setattr(assignment_batch, "STATE_CHUNK", chunk)
    before = db.session.scalar(select(func.count()).select_from(CaseEvent))
    versions = {c: db.session.get(Case, c).version for c in backlog.cases}
    state_updates: list[int] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith('UPDATE "case" SET state'):
            state_updates.append(threading.get_ident())

    sql_event.listen(db.engine, "before_cursor_execute", record)
    try:
        plan = assignment_batch.apply_scope(people.almaty_manager.actor, org.almaty.id, now=NOW, today=TODAY,
                                            thresholds=rf.THRESHOLDS, ip="10.0.0.2")
    finally:
        sql_event.remove(db.engine, "before_cursor_execute", record)
    # one statement per chunk, each in the background writer's thread
    assert len(state_updates) == (2 if chunk else 1) and threading.get_ident() not in state_updates
    db.session.commit()
    db.session.expire_all()
    # Six cases staffed, four left with the reason
    assert plan.staffed == 6
    gaps = [p.gap.value for p in plan.planned if not p.mediator_ids]
    assert len(gaps) == 4 and set(gaps) <= {"capacity_exhausted", "no_candidate"}
    rows = db.session.scalars(select(CaseAssignment)).all()
    assert len(rows) == 6
    assert sorted(r.case_id for r in rows) == sorted(p.case_id for p in plan.planned if p.mediator_ids)
    for row in rows:
        assert (row.role, row.status, row.assigned_at, row.assigned_by_id, row.ended_at) == (
            "lead", "proposed", NOW, people.almaty_manager.id, None)
        assert row.explanation["batch"] is True and row.explanation["factors"]
        assert row.explanation["total"] > 0
    # Nobody is over capacity: each mediator got exactly two
    assert sorted(rf.open_cases_of(m) for m in backlog.mediators) == [2, 2, 2]
    # Staffed cases moved to "assigned" with one event each; the rest still wait; Abai was not touched
    staffed = {r.case_id for r in rows}
    assert sorted(s.value for s in states(backlog.cases)) == ["assigned"] * 6 + ["awaiting_assignment"] * 4
    assert all(db.session.get(Case, c).state is CaseState.ASSIGNED for c in staffed)
    assert db.session.get(Case, backlog.other).state is CaseState.AWAITING_ASSIGNMENT
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.id > 0, CaseEvent.kind == "assigned")).all()
    assert sorted(e.case_id for e in events) == sorted(staffed)
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == before + 6
    for event in events:
        assert (event.from_state, event.to_state, event.actor_id) == (
            "awaiting_assignment", "assigned", people.almaty_manager.id)
        assert event.data["batch"] is True
    assert all(db.session.get(Case, c).version == versions[c] + (c in staffed) for c in backlog.cases)
    assert all(db.session.get(Mediator, m).last_assigned_at == NOW for m in backlog.mediators)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.batch"))
    assert audit.summary == {"cases": 10, "assigned": 6, "ethnicity_used": 0}
    # A second run staffs nobody more: the mediators are full
    again = assignment_batch.apply_scope(people.almaty_manager.actor, org.almaty.id, now=NOW, today=TODAY,
                                         thresholds=rf.THRESHOLDS, ip=None)
    assert again.staffed == 0 and len(again.planned) == 4


def test_the_batch_counts_existing_workload_and_spreads_fairly(org, people, backlog):
    # One mediator already has one open case: the batch can give them only one more
    busy = db.session.get(Mediator, backlog.mediators[0])
    rf.give_open_cases(busy, 1, people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    plan = assignment_batch.apply_scope(people.almaty_manager.actor, org.almaty.id, now=NOW, today=TODAY,
                                        thresholds=rf.THRESHOLDS, ip=None)
    db.session.commit()
    assert plan.staffed == 5
    assert sorted(rf.open_cases_of(m) for m in backlog.mediators) == [2, 2, 2]


@pytest.fixture
def collector_return(monkeypatch):
    """Watch objects; when the collector's pause ends, record whether each is freed (services/collector.py).

    Only the collector module's view of `gc` is replaced: the collector comes back through its `enable`.
    """
    watched: dict[str, weakref.ref] = {}
    freed: dict[str, bool] = {}

    def enable():
        freed.update({name: ref() is None for name, ref in watched.items()})
        gc.enable()

    monkeypatch.setattr(collector, "gc", SimpleNamespace(isenabled=gc.isenabled, disable=gc.disable, enable=enable))
    assert gc.isenabled()
    return SimpleNamespace(watch=lambda name, obj: watched.__setitem__(name, weakref.ref(obj)), freed=freed)


def test_applying_frees_the_rows_it_wrote_before_the_collector_comes_back(org, people, backlog, monkeypatch,
                                                                          collector_return):
    """Only the plan is left for the first collection after the batch's pause (assignment_batch.apply_scope)."""
    real_init = assignment_batch._Writes.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        collector_return.watch("writes", self)

    monkeypatch.setattr(assignment_batch._Writes, "__init__", init)
    plan = assignment_batch.apply_scope(people.almaty_manager.actor, org.almaty.id, now=NOW, today=TODAY,
                                        thresholds=rf.THRESHOLDS, ip=None)
    db.session.commit()
    assert plan.staffed == 6
    assert collector_return.freed == {"writes": True}
    assert gc.isenabled()


@pytest.mark.parametrize("ties", [
    pytest.param(["kinship"], id="with-ties"),
    pytest.param([], id="without-ties")])
def test_the_batch_never_returns_a_case_to_a_mediator_who_declined_it(org, people, ties):
    user, entry = cf.make_mediator_user(org)
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    assign(people.coordinator, case, entry.id)
    db.session.commit()
    assignment.decline(cf.step(user, case, NOW + timedelta(hours=1)), "Туысым", ties, recusal=False)
    db.session.commit()
    plan = assignment_batch.apply_scope(people.coordinator.actor, org.almaty.id, now=NOW + timedelta(hours=2),
                                        today=TODAY, thresholds=rf.THRESHOLDS, ip=None)
    db.session.commit()
    (planned,) = plan.planned
    assert planned.mediator_ids == ()
    assert planned.gap.value in ("all_conflicted", "no_candidate")
    assert db.session.get(Case, case.id).state is CaseState.AWAITING_ASSIGNMENT


def test_a_house_coordinator_batches_only_their_houses_cases(org, people, backlog):
    other_house = factories.make_house(org.almaty, name="Басқа үй")
    elsewhere = rf.waiting_case(people.almaty_manager, other_house, received_on=RECEIVED)
    db.session.commit()
    plan = assignment_batch.plan_scope(people.coordinator.actor, org.almaty.id, today=TODAY,
                                       thresholds=rf.THRESHOLDS)
    assert elsewhere.id not in {p.case_id for p in plan.planned}
    manager_plan = assignment_batch.plan_scope(people.almaty_manager.actor, org.almaty.id, today=TODAY,
                                               thresholds=rf.THRESHOLDS)
    assert elsewhere.id in {p.case_id for p in manager_plan.planned}


@pytest.mark.parametrize(("who", "region"), [("coordinator", "abai"), ("almaty_manager", "abai"),
                                             ("mediator", "almaty")])
def test_the_batch_stays_in_the_actors_scope(org, people, who, region):
    actor = (factories.make_user("mediator", org=org) if who == "mediator" else getattr(people, who)).actor
    with pytest.raises(NotAllowed):
        assignment_batch.plan_scope(actor, getattr(org, region).id, today=TODAY, thresholds=rf.THRESHOLDS)


def test_cli_assign_auto_previews_then_commits(org, people, backlog, runner):
    preview = runner.invoke(args=["assign", "auto", "--region", "75"])
    assert preview.exit_code == 0, preview.output
    lines = preview.output.splitlines()
    assert lines[-1] == "6 of 10 cases can be assigned"
    assert sum(1 for line in lines if line.startswith("75-")) == 10
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CaseAssignment)) == 0
    committed = runner.invoke(args=["assign", "auto", "--region", "75", "--commit"])
    assert committed.exit_code == 0, committed.output
    assert committed.output.splitlines()[-1] == "6 of 10 cases assigned"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CaseAssignment)) == 6
    unknown = runner.invoke(args=["assign", "auto", "--region", "99"])
    assert unknown.exit_code == 2 and "no region with KATO code 99" in unknown.output


def test_cli_assign_auto_brings_the_collector_back_only_once_its_plan_is_freed(org, people, backlog, runner,
                                                                               monkeypatch, collector_return):
    """The first collection after the pause would scan a live plan for nothing (cli_registry.assign_auto)."""
    real_apply = assignment_batch.apply_scope

    def apply_scope(*args, **kwargs):
        plan = real_apply(*args, **kwargs)
        collector_return.watch("plan", plan)
        return plan

    monkeypatch.setattr(assignment_batch, "apply_scope", apply_scope)
    committed = runner.invoke(args=["assign", "auto", "--region", "75", "--commit"])
    assert committed.exit_code == 0, committed.output
    assert committed.output.splitlines()[-1] == "6 of 10 cases assigned"
    assert collector_return.freed == {"plan": True}
    assert gc.isenabled()
