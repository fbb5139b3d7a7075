"""SQLite: the case search's FTS5 table keeps prefix indexes of 2 and 3 characters.

A short prefix ("ас") matched hundreds of distinct words whose lists FTS5 merged on every query (127,000
cases of 1,000,000: 43 ms of SQL, bench/RESULTS.md issue 3); a prefix index holds them as one list. The table is
rebuilt from case.search_text (about 10 s on 1,000,000 cases); its triggers name it and stay as they are.
PostgreSQL is untouched.

Revision ID: f3b81d6c20a9
Revises: e7a2c9d41f58
Create Date: 2026-11-21 22:45:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3b81d6c20a9'
down_revision = 'e7a2c9d41f58'
branch_labels = None
depends_on = None

CREATE = """CREATE VIRTUAL TABLE case_fts USING fts5(
    search_text, content='case', content_rowid='id', tokenize='unicode61 remove_diacritics 0'{prefix})"""


def _rebuild(prefix: str) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute("DROP TABLE case_fts")
    op.execute(CREATE.format(prefix=prefix))
    op.execute("INSERT INTO case_fts(case_fts) VALUES ('rebuild')")


def upgrade():
    _rebuild(", prefix='2 3'")


def downgrade():
    _rebuild("")
