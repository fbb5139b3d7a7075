"""Full-text search structures for case search, one per engine, outside the ORM metadata.

SQLite: an FTS5 table over case.search_text (unicode61 folds Cyrillic and Kazakh case; LIKE does not) and the
virtual column search_scope, which holds the tokens 'r<region id>' and 'h<house id>': a coordinator's search ANDs
its region inside FTS5 (9,775 of 127,000 'ас' matches in a region, counted to the cap in 0.4 ms) instead of
gathering every match and probing the region's 76,000 cases against them (20 ms). Searches name the column
(`search_text : …`), so user words never meet the scope tokens.
PostgreSQL: a stored generated tsvector column, search_terms, with a GIN index on it. It holds every prefix of
every word of search_text as parsed by the 'simple' configuration (the Russian stemmer would mangle names), so
a search asks for exact lexemes: a prefix query ('ольга:*') made GIN merge the lists of every word that starts
so, 26 ms for one pair of names on 1M cases, where exact lexemes take 4 ms (bench/RESULTS.md). It also holds
two scope lexemes, '~r<region id>' and '~h<house id>', which user words can never be ('~' is no word character):
a coordinator's search ANDs its region inside the GIN index (which skips through the longer list) instead of
intersecting a 127,000-entry bitmap with the region's (52 -> 10 ms). The column is computed once per write,
not per row the planner looks at (an expression index made a walk of the date index recompute it per row).
The migrations create the same objects (revisions 4c1e7b9d2a63 and 5d2f8a3c9e17); these listeners serve
databases built by create_all.
"""

from sqlalchemy import DDL, column, event
from sqlalchemy.dialects.postgresql import TSVECTOR

from .case import Case

# Names of objects that live outside the metadata, so the migration comparison can leave them alone.
SEARCH_OBJECT_PREFIXES = ("case_fts", "ix_case_search_text_fts", "ix_case_search_vector", "search_vector",
                          "ix_case_search_terms", "search_terms", "search_scope")

# A batch migration of "case" on SQLite (render_as_batch) copies the table: it would drop these triggers and the
# generated column, so such a migration must create them again as revision 5d2f8a3c9e17 does.
SQLITE_SEARCH_DDL = [
    # The scope tokens 'r<region id>' and 'h<house id>' of each case, as a virtual column (computed when read,
    # nothing stored) that case_fts indexes beside the names: a scoped search ANDs them inside FTS5.
    """ALTER TABLE "case" ADD COLUMN search_scope TEXT
         GENERATED ALWAYS AS ('r' || region_id || ' h' || house_id) VIRTUAL""",
    # Prefix indexes of 2 and 3 characters: a short prefix ("ас") otherwise merges the lists of hundreds of words.
    """CREATE VIRTUAL TABLE case_fts USING fts5(
         search_text, search_scope, content='case', content_rowid='id',
         tokenize='unicode61 remove_diacritics 0', prefix='2 3')""",
    """CREATE TRIGGER case_fts_insert AFTER INSERT ON "case" BEGIN
         INSERT INTO case_fts(rowid, search_text, search_scope) VALUES (new.id, new.search_text, new.search_scope);
         END""",
    """CREATE TRIGGER case_fts_delete AFTER DELETE ON "case" BEGIN
         INSERT INTO case_fts(case_fts, rowid, search_text, search_scope)
         VALUES ('delete', old.id, old.search_text, old.search_scope); END""",
    """CREATE TRIGGER case_fts_update AFTER UPDATE OF search_text, region_id, house_id ON "case" BEGIN
         INSERT INTO case_fts(case_fts, rowid, search_text, search_scope)
         VALUES ('delete', old.id, old.search_text, old.search_scope);
         INSERT INTO case_fts(rowid, search_text, search_scope) VALUES (new.id, new.search_text, new.search_scope);
         END""",
]
SQLITE_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS case_fts_insert",
    "DROP TRIGGER IF EXISTS case_fts_delete",
    "DROP TRIGGER IF EXISTS case_fts_update",
    "DROP TABLE IF EXISTS case_fts",
]
# The column is not mapped (nothing writes it; create_all must not make it a plain column): search reads it
# as SEARCH_TERMS, a column expression of the case table (case_search.py).
SEARCH_TERMS = column("search_terms", TSVECTOR, _selectable=Case.__table__)
# Words longer than this keep the prefixes of their first 64 characters only (the 64 in the function below;
# case_search cuts query words the same); names are far shorter, and the cap bounds what one token adds.
PREFIX_CAP = 64
POSTGRES_SEARCH_DDL = [
    """CREATE OR REPLACE FUNCTION case_search_terms(words text, region integer, house integer) RETURNS tsvector
         LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT array_to_tsvector(array_agg(DISTINCT left(w, n)) || ARRAY['~r' || region, '~h' || house])
         FROM unnest(tsvector_to_array(to_tsvector('simple', coalesce(words, '')))) AS w,
              generate_series(1, least(length(w), 64)) AS n $$""",
    """ALTER TABLE "case" ADD COLUMN search_terms tsvector
         GENERATED ALWAYS AS (case_search_terms(search_text, region_id, house_id)) STORED""",
    """CREATE INDEX ix_case_search_terms ON "case" USING gin (search_terms)""",
]
POSTGRES_SEARCH_DROP = ["DROP INDEX IF EXISTS ix_case_search_terms",
                        'ALTER TABLE "case" DROP COLUMN IF EXISTS search_terms',
                        "DROP FUNCTION IF EXISTS case_search_terms(text, integer, integer)"]

for _statement in SQLITE_SEARCH_DDL:
    event.listen(Case.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_SEARCH_DROP:
    event.listen(Case.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_SEARCH_DDL:
    event.listen(Case.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))


def is_search_object(name: str | None) -> bool:
    """True for the engine-specific search objects the ORM metadata does not describe."""
    return bool(name) and name.startswith(SEARCH_OBJECT_PREFIXES)
