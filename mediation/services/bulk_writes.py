"""Inserting many rows in one go (the batch's assignments and timeline events), the fastest way each engine has."""

from sqlalchemy import Table

from ..extensions import db


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` inside the session's transaction.

    PostgreSQL: one COPY. For the batch's 5,600 assignments with their explanations, psycopg's executemany (a
    statement per row) took 540 ms and one statement over a JSON document 306-414 ms, where the server parsed 3.4 MB
    of JSON; COPY takes 207-275 ms (bench/RESULTS.md). Each value goes through its column type's bind processing
    first, as an INSERT would (JSON documents, for one), and row triggers and foreign keys apply as to any insert.
    Datetimes must be naive, as every column here stores them: COPY would drop an offset where an INSERT converts it.
    Elsewhere: executemany, which SQLite runs in-process.
    """
    if not rows:
        return
    db.session.flush()  # a Core statement skips the autoflush: rows the session holds must be there to refer to
    connection = db.session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    names = list(rows[0])
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    quote = dialect.identifier_preparer
    statement = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:  # by name, as executemany binds them: a row whose keys come in another order is right too
            copy.write_row([row[name] if process is None else process(row[name])
                            for name, process in zip(names, processors, strict=True)])
