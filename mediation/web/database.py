"""Engine settings per dialect.

SQLite gets WAL, foreign keys and a busy timeout on every connection, and requests that write (POST, PUT,
PATCH, DELETE) open their transaction with BEGIN IMMEDIATE: the write lock is taken before the first read,
so a check-then-insert (case numbers, room bookings, a mediator's last free slot) cannot interleave with
another writer, and a deferred transaction never fails on upgrading a stale snapshot.
"""

from contextvars import ContextVar

from flask import Flask, current_app, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db

# True while the current request (or CLI command) intends to write.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def configure_engines(app: Flask) -> None:
    """Attach the SQLite pragmas and transaction mode to the app's engine (no-op on PostgreSQL)."""
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine, busy_ms, in_memory=engine.url.database in (None, "", ":memory:"))
        app.before_request(_mark_write_intent)


def _mark_write_intent() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    write_intent.set(request.method in WRITE_METHODS or bool(getattr(view, "writes", False)))


def writes(view):
    """Mark a GET view that writes (e.g. records a view in the audit trail) so SQLite begins IMMEDIATE."""
    view.writes = True
    return view


def _sqlite_pragmas(engine: Engine, busy_ms: int, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself (below) instead of the driver's implicit, deferred one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
