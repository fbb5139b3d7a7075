"""services/bulk_writes.py: what goes in comes back, on both engines (COPY on PostgreSQL), and `in_background` runs
statements beside the block, in order, in the same transaction."""

import threading

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import IntegrityError

from mediation.extensions import db
from mediation.models import CaseAssignment, CaseEvent, Mediator
from mediation.services.bulk_writes import in_background, insert_prepared, prepare_rows
from tests import registry_factories as rf
from tests.assignment_support import NOW, RECEIVED


def insert_rows(table, rows):
    """Prepare and insert, as the batch does."""
    insert_prepared(prepare_rows(table, rows))


# COPY's text format gives tab, newline, backslash and \N meanings of their own: each must arrive as written.
AWKWARD = "tab\there\nnew line \\N back\\slash «Достық» 'quote' \"double\" ;,|"


def test_rows_arrive_as_written_with_json_nulls_and_awkward_text(org, people):
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    mediator = rf.mediator(org.almaty)
    db.session.commit()
    explanation = {"total": 1.25, "factors": [{"factor": "language_fit", "raw": None, "note": AWKWARD}],
                   "batch": True}
    insert_rows(CaseAssignment.__table__, [
        {"case_id": case.id, "mediator_id": mediator.id, "role": "lead", "status": "proposed", "assigned_at": NOW,
         "assigned_by_id": None, "explanation": explanation, "ethnicity_used": False}])
    insert_rows(CaseEvent.__table__, [
        {"case_id": case.id, "at": NOW, "actor_id": None, "kind": "assigned", "from_state": None,
         "to_state": "assigned", "reason": AWKWARD, "data": {"mediators": [mediator.id], "text": AWKWARD}},
        # the same keys in another order: values go by name, as executemany binds them
        {"data": {}, "reason": None, "to_state": None, "from_state": None, "kind": "note",
         "actor_id": people.coordinator.id, "at": NOW, "case_id": case.id},
        # a document of None is stored as JSON null, as an INSERT stores it, not as SQL NULL
        {"case_id": case.id, "at": NOW, "actor_id": None, "kind": "note", "from_state": None, "to_state": None,
         "reason": None, "data": None}])
    insert_rows(CaseEvent.__table__, [])  # nothing to write is no error
    db.session.commit()
    db.session.expire_all()

    written = db.session.scalars(select(CaseAssignment).where(CaseAssignment.case_id == case.id)).one()
    assert (written.mediator_id, written.role, written.status) == (mediator.id, "lead", "proposed")
    assert written.assigned_at == NOW and written.assigned_by_id is None and written.ethnicity_used is False
    assert written.explanation == explanation
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.at == NOW)
                                .order_by(CaseEvent.id)).all()
    assert [(e.kind, e.reason, e.actor_id) for e in events] == [("assigned", AWKWARD, None),
                                                               ("note", None, people.coordinator.id),
                                                               ("note", None, None)]
    assert events[0].data == {"mediators": [mediator.id], "text": AWKWARD} and events[1].data == {}
    assert events[2].data is None
    assert not db.session.scalar(text("SELECT data IS NULL FROM case_event WHERE id = :id"), {"id": events[2].id})


def _threads_of_statements(statements: list) -> object:
    """A listener that records the thread of every update of the mediator table."""
    def listener(conn, cursor, statement, parameters, context, executemany):
        if "UPDATE mediator" in statement:
            statements.append(threading.get_ident())
    return listener


def test_in_background_runs_statements_in_order_in_another_thread_within_the_transaction(org):
    mediator = rf.mediator(org.almaty)
    db.session.commit()
    threads: list[int] = []
    listener = _threads_of_statements(threads)
    table = Mediator.__table__
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with in_background() as run:
            run(update(table).where(table.c.id == mediator.id).values(max_active_cases=17))
            built = [n * n for n in range(1000)]  # the block computes; it does not use the session
            run(update(table).where(table.c.id == mediator.id).values(max_active_cases=table.c.max_active_cases + 1))
        assert db.session.scalar(select(Mediator.max_active_cases).where(Mediator.id == mediator.id)) == 18
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert built[-1] == 999 * 999
    assert len(threads) == 2 and threading.get_ident() not in threads
    db.session.rollback()  # the updates were the transaction's: they go with it
    db.session.expire_all()
    assert db.session.get(Mediator, mediator.id).max_active_cases not in (17, 18)


def test_in_background_raises_the_first_statements_error_after_the_block(org):
    mediator = rf.mediator(org.almaty)
    db.session.commit()
    ran = []
    with pytest.raises(IntegrityError), in_background() as run:  # noqa: PT012  (the block runs before the error)
        run(update(Mediator.__table__).where(Mediator.id == mediator.id).values(full_name=None))
        ran.append(True)
    assert ran == [True]
    db.session.rollback()
    assert db.session.get(Mediator, mediator.id).full_name == mediator.full_name


def test_a_failing_block_waits_for_its_statements_and_leaves_the_connection_usable(org):
    mediator = rf.mediator(org.almaty)
    db.session.commit()
    with pytest.raises(ZeroDivisionError), in_background() as run:  # noqa: PT012
        run(update(Mediator.__table__).where(Mediator.id == mediator.id).values(max_active_cases=19))
        1 / 0  # noqa: B018
    # The statement finished before the error left the block: the connection is free, and its update is there.
    assert db.session.scalar(select(Mediator.max_active_cases).where(Mediator.id == mediator.id)) == 19
    db.session.rollback()
