"""Full-text search structures for case search, one per engine, outside the ORM metadata.

SQLite: an FTS5 table over case.search_text (unicode61 folds Cyrillic and Kazakh case; LIKE does not).
PostgreSQL: a stored generated tsvector column, to_tsvector('simple', search_text) (the Russian stemmer would
mangle names), with a GIN index on it: the vector is computed once per write, not per row the planner looks
at (an expression index made a walk of the date index recompute it per row: 1.3 s and more on 1M cases).
The migrations create the same objects (revision b5e0c3a91d27); these listeners serve databases built by
create_all.
"""

from sqlalchemy import DDL, column, event
from sqlalchemy.dialects.postgresql import TSVECTOR

from .case import Case

# Names of objects that live outside the metadata, so the migration comparison can leave them alone.
SEARCH_OBJECT_PREFIXES = ("case_fts", "ix_case_search_text_fts", "ix_case_search_vector", "search_vector")

SQLITE_SEARCH_DDL = [
    # Prefix indexes of 2 and 3 characters: a short prefix ("ас") otherwise merges the lists of hundreds of words.
    """CREATE VIRTUAL TABLE case_fts USING fts5(
         search_text, content='case', content_rowid='id', tokenize='unicode61 remove_diacritics 0',
         prefix='2 3')""",
    """CREATE TRIGGER case_fts_insert AFTER INSERT ON "case" BEGIN
         INSERT INTO case_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
    """CREATE TRIGGER case_fts_delete AFTER DELETE ON "case" BEGIN
         INSERT INTO case_fts(case_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END""",
    """CREATE TRIGGER case_fts_update AFTER UPDATE OF search_text ON "case" BEGIN
         INSERT INTO case_fts(case_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
         INSERT INTO case_fts(rowid, search_text) VALUES (new.id, new.search_text); END""",
]
SQLITE_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS case_fts_insert",
    "DROP TRIGGER IF EXISTS case_fts_delete",
    "DROP TRIGGER IF EXISTS case_fts_update",
    "DROP TABLE IF EXISTS case_fts",
]
# The column is not mapped (nothing writes it; create_all must not make it a plain column): search reads it
# as SEARCH_VECTOR, a column expression of the case table (case_queries.py).
SEARCH_VECTOR = column("search_vector", TSVECTOR, _selectable=Case.__table__)
POSTGRES_SEARCH_DDL = [
    """ALTER TABLE "case" ADD COLUMN search_vector tsvector
         GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED""",
    """CREATE INDEX ix_case_search_vector ON "case" USING gin (search_vector)""",
]
POSTGRES_SEARCH_DROP = ["DROP INDEX IF EXISTS ix_case_search_vector",
                        'ALTER TABLE "case" DROP COLUMN IF EXISTS search_vector']

for _statement in SQLITE_SEARCH_DDL:
    event.listen(Case.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_SEARCH_DROP:
    event.listen(Case.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_SEARCH_DDL:
    event.listen(Case.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))


def is_search_object(name: str | None) -> bool:
    """True for the engine-specific search objects the ORM metadata does not describe."""
    return bool(name) and name.startswith(SEARCH_OBJECT_PREFIXES)
