"""Case search on PostgreSQL: a stored tsvector column with its GIN index (SQLite keeps FTS5: no change there).

The expression index over to_tsvector('simple', search_text) made every row the planner looked at
recompute the vector: walking the date index for a rare pair of names took 1.3-4.8 s on 1,000,000 cases,
and a lossy bitmap scan of a common name rechecked 80,000 rows the same way (bench/RESULTS.md, issue 3).
The column is generated, so no code writes it; search_ddl.py creates the same objects for create_all.

Revision ID: b5e0c3a91d27
Revises: 71f7fa87ad81
Create Date: 2026-11-21 17:25:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5e0c3a91d27'
down_revision = '71f7fa87ad81'
branch_labels = None
depends_on = None

# Copied from mediation/models/search_ddl.py as it stands with this revision: a revision must not change
# when the models do.
CREATE = [
    """ALTER TABLE "case" ADD COLUMN search_vector tsvector
         GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED""",
    """CREATE INDEX ix_case_search_vector ON "case" USING gin (search_vector)""",
]
DROP = ["DROP INDEX IF EXISTS ix_case_search_vector", 'ALTER TABLE "case" DROP COLUMN IF EXISTS search_vector']
OLD_INDEX = """CREATE INDEX ix_case_search_text_fts ON "case" USING gin (to_tsvector('simple', search_text))"""


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP INDEX IF EXISTS ix_case_search_text_fts')
    for statement in CREATE:
        op.execute(statement)
    op.execute('ANALYZE "case"')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for statement in DROP:
        op.execute(statement)
    op.execute(OLD_INDEX)
