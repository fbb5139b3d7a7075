"""Standing marks (models/standing_ddl.py): the database gives a mediator a new mark whenever their running
assignments, last assignment, track record or absences change, whoever writes; the suggestion pools re-read only
the mediators whose mark moved, and a view with nothing changed reads no figures at all."""

import contextlib
import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, insert, literal_column, select, update

from mediation.extensions import db
from mediation.models import CaseAssignment, Mediator, MediatorAbsence, MediatorCategoryStats
from mediation.services import assignment, bulk_writes, case_lifecycle, pool_reads, suggestion_pools
from mediation.web.database import write_intent
from tests import case_factories as cf
from tests import registry_factories as rf
from tests.assignment_support import NOW, RECEIVED, TODAY, suggest
from tests.concurrency import run_concurrently

ON_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
FIGURE_TABLES = ("mediator_category_stats", "mediator_absence")


def marks() -> dict[int, tuple[int, int]]:
    """Every mediator's (registry revision, standing mark), as committed or flushed in this transaction."""
    db.session.flush()
    return {m: (r, s) for m, r, s in db.session.execute(
        select(Mediator.id, Mediator.revision, Mediator.standing_revision)).all()}


def moved(before: dict, after: dict) -> set[int]:
    """The mediators whose standing mark differs; no trigger touches a registry revision."""
    assert {m: r for m, (r, _) in before.items()} == {m: r for m, (r, _) in after.items()}
    return {m for m in before if before[m][1] != after[m][1]}


def test_every_write_to_a_standing_gives_only_its_mediator_a_new_mark(org, people, almaty):
    first, second, _case = almaty
    a, b = first.id, second.id
    run = db.session.execute
    spare = [cf.register(people.coordinator, org.republican_house, received_on=RECEIVED) for _ in range(2)]
    copied = [cf.register(people.coordinator, org.republican_house, received_on=RECEIVED) for _ in range(3)]
    writes = [
        # running assignments: an ORM assignment, a Core insert of many rows (as the batch writes), an end, a delete
        ({a}, lambda: rf.give_open_cases(first, 1, people.coordinator, org.republican_house, received_on=RECEIVED)),
        ({b}, lambda: run(insert(CaseAssignment), [
            {"case_id": c.id, "mediator_id": b, "status": "proposed", "assigned_at": NOW} for c in spare])),
        # the batch's own insert (COPY on PostgreSQL, one statement for both mediators' rows)
        ({a, b}, lambda: bulk_writes.insert_prepared(bulk_writes.prepare_rows(CaseAssignment.__table__, [
            {"case_id": c.id, "mediator_id": m, "role": "lead", "status": "proposed", "assigned_at": NOW,
             "explanation": {}, "ethnicity_used": False}
            for c, m in zip(copied, (a, b, a), strict=True)]))),
        ({b}, lambda: run(update(CaseAssignment).where(CaseAssignment.mediator_id == b).values(ended_at=NOW))),
        ({b}, lambda: run(delete(CaseAssignment).where(CaseAssignment.mediator_id == b))),
        # a reassignment from one mediator to the other moves both
        ({a, b}, lambda: run(update(CaseAssignment).where(CaseAssignment.mediator_id == a).values(mediator_id=b))),
        # track record
        ({a}, lambda: run(insert(MediatorCategoryStats).values(mediator_id=a, category="family", closed=1,
                                                                agreements=1))),
        ({a}, lambda: run(update(MediatorCategoryStats).values(closed=MediatorCategoryStats.closed + 1))),
        ({a}, lambda: run(delete(MediatorCategoryStats))),
        # absences
        ({b}, lambda: run(insert(MediatorAbsence).values(mediator_id=b, start=TODAY, end=TODAY + timedelta(days=3)))),
        ({b}, lambda: run(update(MediatorAbsence).values(end=TODAY + timedelta(days=9)))),
        ({b}, lambda: run(delete(MediatorAbsence))),
        # the last assignment, as the batch stamps it
        ({a}, lambda: run(update(Mediator).where(Mediator.id == a).values(last_assigned_at=NOW))),
        # the same value again: SQLite's trigger watches the column, PostgreSQL renews the mark on every update
        ({a} if ON_POSTGRESQL else set(),
         lambda: run(update(Mediator).where(Mediator.id == a).values(last_assigned_at=NOW))),
    ]
    for expected, write in writes:
        before = marks()
        write()
        assert moved(before, marks()) & {a, b} == expected
        db.session.commit()  # each write its own transaction: PostgreSQL marks a mediator once per transaction


@pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL marks a mediator once per transaction")
def test_a_transaction_marks_each_mediator_once_and_a_later_change_of_theirs_keeps_it_new(org, people, almaty):
    first, second, _case = almaty
    before = marks()
    rf.give_open_cases(first, 1, people.coordinator, org.republican_house, received_on=RECEIVED)
    once = marks()
    db.session.execute(insert(MediatorAbsence).values(mediator_id=first.id, start=TODAY, end=TODAY))
    db.session.execute(update(Mediator).where(Mediator.id == second.id).values(max_active_cases=9))
    twice = marks()
    # the first change gave a new mark; the second, in the same transaction, kept it (new to everyone else)
    assert once[first.id][1] != before[first.id][1] and twice[first.id][1] == once[first.id][1]
    # any update of a mediator's row renews the mark, so a row this transaction wrote always has one of its own
    assert twice[second.id][1] != before[second.id][1]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL marks a mediator once per transaction")
def test_a_view_inside_a_transaction_that_changed_a_mediator_keeps_nothing(org, people, almaty):
    first, _second, case = almaty
    assert suggest(people.coordinator, case).scored(first.id).open_cases == 0
    rf.give_open_cases(first, 2, people.coordinator, org.republican_house, received_on=RECEIVED)
    # A view inside the writing transaction sees its writes...
    assert suggest(people.coordinator, case).scored(first.id).open_cases == 2
    # ...and a later change of the same mediator in that transaction keeps the mark the view saw
    rf.give_open_cases(first, 3, people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    # The next view must not trust anything that view read
    assert [r.value for r in suggest(people.coordinator, case).exclusion_of(first.id).reasons] == ["at_capacity"]


def test_a_view_with_nothing_changed_reads_no_figures_and_a_change_reads_only_its_mediator(org, people, almaty):
    first, second, case = almaty
    suggest(people.coordinator, case)
    statements: list[str] = []

    def seen(conn, cursor, statement, *_):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        suggest(people.coordinator, case)
        unchanged = list(statements)
        statements.clear()
        rf.give_open_cases(second, 5, people.coordinator, org.republican_house, received_on=RECEIVED)
        db.session.commit()
        statements.clear()
        view = suggest(people.coordinator, case)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert not [s for s in unchanged if any(table in s for table in FIGURE_TABLES)]
    assert not [s for s in unchanged if s.startswith("SELECT mediator.id, mediator.revision, mediator.standing")]
    figures = [s for s in statements if any(table in s for table in FIGURE_TABLES)]
    assert len(figures) == 2  # the track record and the absences, of the one mediator who moved
    assert [r.value for r in view.exclusion_of(second.id).reasons] == ["at_capacity"]
    assert view.scored(first.id) is not None


def test_figures_read_in_a_transaction_that_rolls_back_are_not_kept(org, people, almaty):
    first, _second, case = almaty
    assert suggest(people.coordinator, case).scored(first.id).open_cases == 0
    rf.give_open_cases(first, 5, people.coordinator, org.republican_house, received_on=RECEIVED)
    # Seen inside the transaction that wrote them, and kept by the worker's pool...
    assert [r.value for r in suggest(people.coordinator, case).exclusion_of(first.id).reasons] == ["at_capacity"]
    db.session.rollback()
    # ...but their mark never commits, so the next view reads the figures again
    assert suggest(people.coordinator, case).scored(first.id).open_cases == 0


def test_a_release_locks_the_cases_running_mediators_first(org, people, almaty, monkeypatch):
    first, second, _case = almaty
    locked: list[list[int]] = []
    lock = case_lifecycle.lock_mediators_on

    def recorded(case_id):
        locked.append(sorted(a.mediator_id for a in db.session.scalars(select(CaseAssignment).where(
            CaseAssignment.case_id == case_id, CaseAssignment.ended_at.is_(None)))))
        lock(case_id)

    monkeypatch.setattr(case_lifecycle, "lock_mediators_on", recorded)
    (busy,) = rf.give_open_cases(second, 1, people.coordinator, org.republican_house, received_on=RECEIVED)
    case_lifecycle.release_mediators(cf.step(people.coordinator, busy, NOW), "objected", "Тараптар қарсы")
    assert locked == [[second.id]]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks: PostgreSQL (SQLite writes one transaction at a time)")
@pytest.mark.parametrize("change", ["release the lead", "sign the contract"])
def test_two_cases_sharing_two_mediators_in_opposite_roles_change_at_once_without_deadlock(app, org, people, almaty,
                                                                                           change):
    first, second, _case = almaty
    cases = []
    for lead, co in ((first, second), (second, first)):
        case = cf.advance(cf.register(people.coordinator, org.republican_house, received_on=RECEIVED,
                                      parties=cf.two_parties(f"Тарап {lead.id}", f"Екінші {co.id}")),
                          "awaiting_assignment", people.coordinator)
        case_lifecycle.assign_mediators(cf.step(people.coordinator, case, NOW), lead.id, co.id, None)
        cases.append((case.id, case.version, lead.id))
    db.session.commit()
    actor = people.coordinator.actor
    # Each change updates both assignments of its case in id order (a release ends the lead's and makes the
    # co-mediator lead; signing accepts both), which without the ordered lock would lock the pair in opposite
    # orders. Both threads are held after their first update.
    after_first_update = threading.Barrier(2)
    held = threading.local()

    def hold(conn, cursor, statement, *_):
        if statement.startswith("UPDATE case_assignment") and not getattr(held, "done", False):
            held.done = True
            # A broken wait: the other thread waits on the lock this one holds, so this one goes on
            with contextlib.suppress(threading.BrokenBarrierError):
                after_first_update.wait(timeout=3)

    def work(index: int) -> None:
        case_id, version, lead_id = cases[index]
        step = case_lifecycle.Step(actor=actor, case_id=case_id, version=version, now=NOW)
        with app.app_context():
            write_intent.set(True)
            if change == "release the lead":
                case_lifecycle.release_mediators(step, "declined", "Бос емес", mediator_id=lead_id)
            else:
                case_lifecycle.sign_contract(step, RECEIVED, cf.POLICY)
            db.session.commit()
            db.session.remove()

    event.listen(db.engine, "after_cursor_execute", hold)
    try:
        assert run_concurrently(2, work) == []
    finally:
        event.remove(db.engine, "after_cursor_execute", hold)
    db.session.rollback()
    for case_id, _version, lead_id in cases:
        running = db.session.scalars(select(CaseAssignment).where(CaseAssignment.case_id == case_id,
                                                                  CaseAssignment.ended_at.is_(None))).all()
        if change == "release the lead":
            assert [(a.mediator_id, a.role) for a in running] == [(({first.id, second.id} - {lead_id}).pop(), "lead")]
        else:
            assert sorted(a.status for a in running) == ["accepted", "accepted"]


def test_the_suggestions_follow_every_kind_of_change_over_many_views(org, people, almaty):
    first, second, case = almaty
    view = suggest(people.coordinator, case)
    assert view.scored(first.id).open_cases == 0 and view.scored(second.id) is not None
    rf.give_open_cases(first, 2, people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    assert suggest(people.coordinator, case).scored(first.id).open_cases == 2
    rf.absence(second, TODAY, TODAY + timedelta(days=30))
    db.session.commit()
    assert "suspended_or_absent" in [r.value for r in suggest(people.coordinator, case).exclusion_of(second.id).reasons]
    db.session.execute(delete(MediatorAbsence))
    db.session.execute(update(Mediator).where(Mediator.id == second.id).values(last_assigned_at=NOW))
    db.session.commit()
    view = suggest(people.coordinator, case)
    rotation = {f.factor.value: f.raw for f in view.scored(second.id).factors}["rotation"]
    assert view.scored(second.id) is not None and rotation == 0.0
    # and the answer equals a pool built from nothing
    suggestion_pools.forget()
    fresh = suggest(people.coordinator, case)
    assert fresh.suggestions == view.suggestions
    assignment.suggestions_for(people.coordinator.actor, case.id, today=TODAY, thresholds=rf.THRESHOLDS)


def test_a_moved_mark_rereads_only_its_bucket_of_marks(org, people, almaty, monkeypatch):
    # One mediator per bucket, so the bucket read shows whom it covers
    monkeypatch.setattr(pool_reads, "BUCKET", 1)
    monkeypatch.setattr(pool_reads, "_BUCKET_OF", literal_column("mediator.id / 1"))
    first, second, case = almaty
    third = rf.mediator(org.almaty, full_name="Үшінші Медиатор", house=org.republican_house)
    db.session.commit()
    suggest(people.coordinator, case)
    rf.give_open_cases(second, 5, people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    marks_read: list[list[int]] = []
    marks_of = pool_reads.marks

    def recorded(region_id, buckets=None):
        found = marks_of(region_id, buckets)
        marks_read.append(found[0])
        return found

    monkeypatch.setattr(pool_reads, "marks", recorded)
    view = suggest(people.coordinator, case)
    assert marks_read == [[second.id]]
    assert [r.value for r in view.exclusion_of(second.id).reasons] == ["at_capacity"]
    assert {s.mediator_id for s in view.suggestions.ranked} == {first.id, third.id}
    # and the pool, kept, answers as one built from nothing
    suggestion_pools.forget()
    assert suggest(people.coordinator, case).suggestions == view.suggestions
