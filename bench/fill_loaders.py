"""Loading generated rows into each engine at full speed, with one interface: prepare, insert per chunk, finish.

Indexes, triggers and constraints are dropped before the load and rebuilt after it (bench/fill_cases.py).
"""

import sqlite3
import sys
import time

TABLES = ("case", "party", "case_event", "case_assignment")


class SqliteLoader:
    """executemany in one transaction; indexes and FTS triggers dropped before and rebuilt after."""

    def __init__(self, path: str, analyze: bool, verify: bool):
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.analyze, self.verify = analyze, verify
        self.saved_indexes: list[tuple[str, str]] = []
        self.saved_triggers: list[tuple[str, str]] = []

    def prepare(self):
        c = self.conn
        c.execute("PRAGMA journal_mode=OFF")  # a crash mid-fill means: fill again
        c.execute("PRAGMA synchronous=OFF")
        c.execute("PRAGMA foreign_keys=OFF")
        # SQLite re-evaluates each CHECK (... IN (list)) per row at ~5 us each (an ephemeral table per list):
        # skipped during the load; the rows are valid by construction and --verify runs quick_check after.
        c.execute("PRAGMA ignore_check_constraints=ON")
        c.execute("PRAGMA cache_size=-2000000")
        c.execute("PRAGMA temp_store=MEMORY")
        marks = ",".join("?" * len(TABLES))
        self.saved_indexes = c.execute(f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                                       f"AND tbl_name IN ({marks})", TABLES).fetchall()
        self.saved_triggers = c.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger' "
                                        "AND tbl_name='case'").fetchall()
        for name, _ in self.saved_indexes:
            c.execute(f'DROP INDEX "{name}"')
        for name, _ in self.saved_triggers:
            c.execute(f'DROP TRIGGER "{name}"')
        c.execute("BEGIN")

    def insert(self, table: str, columns: tuple, rows: list):
        cols = ", ".join(f'"{c}"' for c in columns)
        self.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(columns))})', rows)

    def finish(self, counters: list, timings: dict):
        c = self.conn
        c.executemany("INSERT INTO case_number_counter (region_id, year, last) VALUES (?, ?, ?)", counters)
        c.execute("COMMIT")
        t = time.perf_counter()
        for _, sql in self.saved_indexes:
            c.execute(sql)
        timings["indexes"] = time.perf_counter() - t
        t = time.perf_counter()
        c.execute("INSERT INTO case_fts(case_fts) VALUES('rebuild')")
        for _, sql in self.saved_triggers:
            c.execute(sql)
        timings["fts_rebuild"] = time.perf_counter() - t
        if self.analyze:
            t = time.perf_counter()
            c.execute("ANALYZE")
            timings["analyze"] = time.perf_counter() - t
        c.execute("PRAGMA ignore_check_constraints=OFF")
        if self.verify:
            t = time.perf_counter()
            result = c.execute("PRAGMA quick_check").fetchall()  # includes CHECK and NOT NULL constraints
            timings["verify"] = time.perf_counter() - t
            print(f"quick_check: {result[:5]}")
            if result != [("ok",)]:
                sys.exit("quick_check failed")
        c.execute("PRAGMA journal_mode=WAL")
        c.close()


class PostgresLoader:
    """COPY per chunk; foreign keys, unique constraints and secondary indexes dropped before, rebuilt after."""

    def __init__(self, url: str, analyze: bool, verify: bool):
        import psycopg

        self.conn = psycopg.connect(url)
        self.analyze = analyze
        self.saved_constraints: list[tuple[str, str, str, str]] = []
        self.saved_indexes: list[tuple[str, str]] = []

    def prepare(self):
        c = self.conn
        c.execute("SET maintenance_work_mem = '1GB'")
        c.execute("SET synchronous_commit = off")
        names = [f'"{t}"' for t in TABLES]
        self.saved_constraints = c.execute(
            "SELECT conname, conrelid::regclass::text, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('f', 'u') AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])) "
            "ORDER BY contype", (names, names)).fetchall()  # 'f' before 'u': drop foreign keys first
        for name, table, _, _ in self.saved_constraints:
            c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        self.saved_indexes = c.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary", (names,)).fetchall()
        for name, _ in self.saved_indexes:
            c.execute(f"DROP INDEX {name}")
        c.commit()

    def insert(self, table: str, columns: tuple, rows: list):
        from psycopg.copy import QueuedLibpqWriter

        cur = self.conn.cursor()
        cols = ", ".join(f'"{c}"' for c in columns)
        with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN', writer=QueuedLibpqWriter(cur)) as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self, counters: list, timings: dict):
        c = self.conn
        with c.cursor() as cur:
            cur.executemany("INSERT INTO case_number_counter (region_id, year, last) VALUES (%s, %s, %s)", counters)
        c.commit()
        t = time.perf_counter()
        for _, sql in self.saved_indexes:
            c.execute(sql)
        c.commit()
        timings["indexes"] = time.perf_counter() - t
        t = time.perf_counter()
        for name, table, _, definition in sorted(self.saved_constraints, key=lambda s: s[2], reverse=True):
            c.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')  # 'u' before 'f'
        c.commit()
        timings["constraints"] = time.perf_counter() - t
        for table in TABLES:
            c.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                      f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))")
        c.commit()
        if self.analyze:
            t = time.perf_counter()
            c.autocommit = True
            c.execute("VACUUM (ANALYZE)")
            timings["vacuum_analyze"] = time.perf_counter() - t
        c.close()
