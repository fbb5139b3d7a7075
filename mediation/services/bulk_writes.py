"""Writing many rows in one go (the batch's assignments, timeline events and state changes), the fastest way each
engine has."""

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import JSON, Executable, Table
from sqlalchemy.sql.expression import Null

from ..extensions import db


@dataclass(frozen=True)
class PreparedRows:
    """Rows to insert into a table, their values already through their columns' bind processing where COPY sends
    them (PostgreSQL); `values` is None where executemany binds the rows itself."""

    table: Table
    names: list[str]
    rows: list[dict]
    values: list[list] | None


def prepare_rows(table: Table, rows: list[dict]) -> PreparedRows:
    """The rows made ready to send, without touching the connection (so it may run beside `in_background`)."""
    dialect = db.session.get_bind().dialect
    names = list(rows[0]) if rows else []
    if dialect.name != "postgresql" or not rows:
        return PreparedRows(table, names, rows, None)
    processors = [_copy_processor(table.c[name].type, dialect) for name in names]
    # By name, as executemany binds them: a row whose keys come in another order is right too.
    values = [[row[name] if process is None else process(row[name])
               for name, process in zip(names, processors, strict=True)] for row in rows]
    return PreparedRows(table, names, rows, values)


def _copy_processor(column_type, dialect):
    """The column type's bind processing for COPY, with JSON documents serialised here.

    psycopg's JSON bind processing only wraps the document, to be serialised as the row is sent; serialised here it
    is done beside `in_background`, and COPY's text format takes the text as the document. The rules are
    SQLAlchemy's for JSON: the engine's serializer (json.dumps by default), SQL NULL for null() and, where the type
    says none_as_null, for None; JSON null for None otherwise and for JSON.NULL.
    """
    if not isinstance(column_type, JSON):
        return column_type.dialect_impl(dialect).bind_processor(dialect)
    serialize = getattr(dialect, "_json_serializer", None) or json.dumps
    none_as_null = column_type.none_as_null

    def process(value):
        if isinstance(value, Null) or (value is None and none_as_null):
            return None
        return serialize(None if value is JSON.NULL else value)
    return process


def insert_prepared(prepared: PreparedRows) -> None:
    """Insert prepared rows inside the session's transaction.

    PostgreSQL: one COPY. For the batch's 5,600 assignments with their explanations, psycopg's executemany (a
    statement per row) took 540 ms and one statement over a JSON document 306-414 ms, where the server parsed 3.4 MB
    of JSON; COPY takes 207-275 ms (bench/RESULTS.md). Each value went through its column type's bind processing in
    prepare_rows (JSON documents through _copy_processor's, which follows SQLAlchemy's rules), as an INSERT's would,
    and triggers and foreign keys apply as to any insert. Datetimes must be naive, as every column here stores
    them: COPY would drop an offset where an INSERT converts it. Elsewhere: executemany, which SQLite runs in-process.
    """
    if not prepared.rows:
        return
    db.session.flush()  # a Core statement skips the autoflush: rows the session holds must be there to refer to
    connection = db.session.connection()
    if prepared.values is None:
        connection.execute(prepared.table.insert(), prepared.rows)
        return
    quote = connection.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in prepared.names)
    statement = f"COPY {quote.format_table(prepared.table)} ({columns}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for values in prepared.values:
            copy.write_row(values)


@contextmanager
def in_background() -> Iterator[Callable[[Executable], None]]:
    """Run statements one after another on the session's connection in a worker thread while the block runs.

    The block hands them to the function it is given. Meanwhile it must not execute anything on the session (no
    query, flush, or load of a lazy or expired attribute); building statements and Session.get_bind() are fine.
    The database (PostgreSQL's server, or SQLite's C code, which lets go of Python's lock while it steps) works on
    one core while Python goes on computing on the other. The connection is the block's again once the block has
    ended and every statement is done.

    After a failed statement nothing more runs (SQLite would go on where PostgreSQL refuses): the next hand-over,
    or the end of the block, raises its error. An error of the block cancels what has not started. Either way some
    statements may have run: the transaction must then be rolled back, never committed.
    """
    db.session.flush()  # Core statements skip the autoflush
    connection = db.session.connection()
    failed: list[BaseException] = []

    def execute(statement: Executable) -> None:
        if failed:
            return
        try:
            connection.execute(statement)
        except BaseException as error:
            failed.append(error)
            raise

    def hand_over(statement: Executable) -> None:
        if failed:
            raise failed[0]
        worker.submit(execute, statement)

    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-write")
    try:
        yield hand_over
    except BaseException:
        worker.shutdown(wait=True, cancel_futures=True)  # the connection must be idle before anything else uses it
        raise
    worker.shutdown(wait=True)
    if failed:
        raise failed[0]
