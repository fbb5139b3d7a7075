"""services/bulk_writes.py: what goes in comes back, on both engines (COPY on PostgreSQL), and `in_background` runs
statements beside the block, in order, in the same transaction."""

import threading

import pytest
from sqlalchemy import JSON, event, null, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.exc import IntegrityError

from mediation.extensions import db
from mediation.models import CaseAssignment, CaseEvent, Mediator
from mediation.services.bulk_writes import _copy_processor, in_background, insert_prepared, prepare_rows
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
    original = mediator.max_active_cases
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
    assert db.session.scalar(select(Mediator.max_active_cases).where(Mediator.id == mediator.id)) == original


def test_after_a_failed_statement_nothing_more_runs_and_its_error_is_raised(org):
    mediator = rf.mediator(org.almaty)
    db.session.commit()
    name, table = mediator.full_name, Mediator.__table__
    ran = []
    with pytest.raises(IntegrityError) as raised, in_background() as run:  # noqa: PT012  (the block must run)
        run(update(table).where(table.c.id == mediator.id).values(full_name=None))
        ran.append(True)
        run(update(table).where(table.c.id == mediator.id).values(max_active_cases=23))  # refused or skipped
    assert ran == [True]
    assert "full_name" in str(raised.value)
    if db.engine.dialect.name == "sqlite":  # SQLite would have run it (PostgreSQL refuses anything after an error)
        assert db.session.scalar(select(Mediator.max_active_cases).where(Mediator.id == mediator.id)) != 23
    db.session.rollback()
    assert db.session.scalar(select(Mediator.full_name).where(Mediator.id == mediator.id)) == name


def test_a_failing_block_cancels_what_has_not_started_and_leaves_the_connection_usable(org):
    mediator = rf.mediator(org.almaty)
    db.session.commit()
    table = Mediator.__table__
    started, release = threading.Event(), threading.Event()

    def hold_the_first(conn, cursor, statement, parameters, context, executemany):
        if "UPDATE mediator" in statement and not started.is_set():
            started.set()
            release.wait(5)  # the first statement waits while the block hands over the second and fails

    event.listen(db.engine, "before_cursor_execute", hold_the_first)
    try:
        with pytest.raises(ZeroDivisionError), in_background() as run:  # noqa: PT012
            run(update(table).where(table.c.id == mediator.id).values(max_active_cases=19))
            assert started.wait(5)
            run(update(table).where(table.c.id == mediator.id).values(max_active_cases=29))
            threading.Timer(0.2, release.set).start()
            1 / 0  # noqa: B018
    finally:
        event.remove(db.engine, "before_cursor_execute", hold_the_first)
    # The first statement finished before the error left the block; the second never ran; the connection is free.
    assert db.session.scalar(select(Mediator.max_active_cases).where(Mediator.id == mediator.id)) == 19
    db.session.rollback()


@pytest.mark.parametrize("none_as_null", [False, True])
@pytest.mark.parametrize("value", [{"a": [1, None, 2.5], "text": "«Достық» \\N\t"}, [], "x", 0, None, JSON.NULL,
                                   null()], ids=["document", "empty-list", "string", "zero", "none", "json-null",
                                                 "sql-null"])
def test_documents_for_copy_are_serialised_as_sqlalchemy_binds_them(value, none_as_null):
    # SQLAlchemy's own JSON bind processing where it serialises (SQLite's dialect) is the reference
    column_type = JSON(none_as_null=none_as_null)
    reference = column_type.dialect_impl(sqlite.dialect()).bind_processor(sqlite.dialect())
    assert _copy_processor(column_type, psycopg.dialect())(value) == reference(value)
