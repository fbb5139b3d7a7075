"""SQLite: case_fts indexes each case's region and house beside its names, so a scoped search ANDs them inside FTS5.

A virtual generated column, case.search_scope ('r<region id> h<house id>', computed when read, nothing stored),
is the FTS5 table's second column; its triggers now also follow a change of region or house. A region
coordinator's 'ас' (127,000 matches, 9,775 in the region) was counted by gathering every match and probing the
region's 76,000 cases against them (20 ms of SQL on 1,000,000 cases); FTS5 now counts to the cap in 0.4 ms
(bench/RESULTS.md, issue 3). The table is rebuilt from the case table: 12 s on 1,000,000 cases on the benchmark
machine, during which writes to "case" wait. PostgreSQL is untouched (its search_terms carry the same scope,
4c1e7b9d2a63).

Revision ID: 5d2f8a3c9e17
Revises: 4c1e7b9d2a63
Create Date: 2026-11-22 04:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d2f8a3c9e17'
down_revision = '4c1e7b9d2a63'
branch_labels = None
depends_on = None

# Copied from mediation/models/search_ddl.py as it stands with this revision: a revision must not change
# when the models do.
SCOPE_COLUMN = """ALTER TABLE "case" ADD COLUMN search_scope TEXT
     GENERATED ALWAYS AS ('r' || region_id || ' h' || house_id) VIRTUAL"""
TABLE = """CREATE VIRTUAL TABLE case_fts USING fts5(
     {columns}, content='case', content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3')"""
TRIGGERS = [
    """CREATE TRIGGER case_fts_insert AFTER INSERT ON "case" BEGIN
         INSERT INTO case_fts(rowid, {columns}) VALUES (new.id, {new}); END""",
    """CREATE TRIGGER case_fts_delete AFTER DELETE ON "case" BEGIN
         INSERT INTO case_fts(case_fts, rowid, {columns}) VALUES ('delete', old.id, {old}); END""",
    """CREATE TRIGGER case_fts_update AFTER UPDATE OF {watched} ON "case" BEGIN
         INSERT INTO case_fts(case_fts, rowid, {columns}) VALUES ('delete', old.id, {old});
         INSERT INTO case_fts(rowid, {columns}) VALUES (new.id, {new}); END""",
]


def _rebuild(columns: list[str], watched: str) -> None:
    """Drop the search table and its triggers, and build them again over these columns of "case"."""
    for name in ("case_fts_insert", "case_fts_delete", "case_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS case_fts")
    names = ", ".join(columns)
    op.execute(TABLE.format(columns=names))
    for trigger in TRIGGERS:
        op.execute(trigger.format(columns=names, watched=watched, new=", ".join(f"new.{c}" for c in columns),
                                  old=", ".join(f"old.{c}" for c in columns)))
    op.execute("INSERT INTO case_fts(case_fts) VALUES ('rebuild')")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    # SQLite runs each DDL statement on its own: after an upgrade cut short, the column may already be there.
    if 'search_scope' not in set(bind.exec_driver_sql("SELECT name FROM pragma_table_xinfo('case')").scalars()):
        op.execute(SCOPE_COLUMN)
    _rebuild(["search_text", "search_scope"], "search_text, region_id, house_id")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    _rebuild(["search_text"], "search_text")
    op.execute('ALTER TABLE "case" DROP COLUMN search_scope')
