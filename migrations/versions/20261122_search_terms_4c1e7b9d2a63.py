"""Case search on PostgreSQL: a stored tsvector of every word prefix and the case's scope (SQLite: no change).

search_terms replaces search_vector. It holds every prefix of every word of search_text, so a search asks for
exact lexemes instead of prefix queries, which made GIN merge the lists of every word with that start (one
pair of names: 26 -> 4 ms of index scan on 1,000,000 cases), and the lexemes '~r<region id>' and '~h<house
id>', so a coordinator's search is ANDed with the region inside the index (the name 'ас' in a region:
52 -> 10 ms). bench/RESULTS.md, issue 3.

Adding a stored generated column rewrites the case table under an exclusive lock: about 2.5 minutes on
1,000,000 cases on the benchmark machine (4.4 minutes for the whole upgrade on a busy machine), in which intake
waits, so this upgrade belongs in a maintenance window. The GIN index is then built CONCURRENTLY (about 45
seconds, writes go on meanwhile; until it is ready a search reads the table sequentially: slow, still right).

Revision ID: 4c1e7b9d2a63
Revises: a8d4f1c07e52
Create Date: 2026-11-22 01:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '4c1e7b9d2a63'
down_revision = 'a8d4f1c07e52'
branch_labels = None
depends_on = None

# Copied from mediation/models/search_ddl.py as it stands with this revision: a revision must not change
# when the models do.
FUNCTION = """CREATE OR REPLACE FUNCTION case_search_terms(words text, region integer, house integer) RETURNS tsvector
     LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     SELECT array_to_tsvector(array_agg(DISTINCT left(w, n)) || ARRAY['~r' || region, '~h' || house])
     FROM unnest(tsvector_to_array(to_tsvector('simple', coalesce(words, '')))) AS w,
          generate_series(1, least(length(w), 64)) AS n $$"""
TERMS = """ALTER TABLE "case" ADD COLUMN search_terms tsvector
     GENERATED ALWAYS AS (case_search_terms(search_text, region_id, house_id)) STORED"""
TERMS_INDEX = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_case_search_terms ON "case" USING gin (search_terms)'
VECTOR = """ALTER TABLE "case" ADD COLUMN search_vector tsvector
     GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED"""
VECTOR_INDEX = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_case_search_vector ON "case" USING gin (search_vector)'


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(FUNCTION)
    op.execute('ALTER TABLE "case" DROP COLUMN IF EXISTS search_vector')  # its index goes with it
    op.execute(TERMS)
    with op.get_context().autocommit_block():
        op.execute(TERMS_INDEX)
        op.execute('ANALYZE "case"')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('ALTER TABLE "case" DROP COLUMN IF EXISTS search_terms')
    op.execute('DROP FUNCTION IF EXISTS case_search_terms(text, integer, integer)')
    op.execute(VECTOR)
    with op.get_context().autocommit_block():
        op.execute(VECTOR_INDEX)
        op.execute('ANALYZE "case"')
