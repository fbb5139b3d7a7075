"""Plan tests: the SQL statements a piece of code runs, and SQLite's query plan for one of them."""

import contextlib

from sqlalchemy import event

from mediation.extensions import db


@contextlib.contextmanager
def statements_containing(marker: str):
    """Collect (statement, parameters) of each statement run inside the block whose text contains `marker`."""
    found: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if marker in statement:
            found.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def sqlite_plan(statement: str, parameters) -> str:
    """SQLite's EXPLAIN QUERY PLAN of a recorded statement, one step per " / "."""
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, tuple(parameters))
    return " / ".join(row[-1] for row in rows)
