"""Engine settings per dialect: SQLite gets WAL, foreign keys and a busy timeout on every connection."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db


def configure_engines(app: Flask) -> None:
    """Attach the SQLite pragmas to the app's engine (no-op on PostgreSQL)."""
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine, busy_ms, in_memory=engine.url.database in (None, "", ":memory:"))


def _sqlite_pragmas(engine: Engine, busy_ms: int, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()
