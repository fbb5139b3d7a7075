"""Mediator revision, and the track record by category.

The revision: a random mark replaced by every change to a registry row or its languages,
specialisations or weekly hours, so a worker keeps the registry's slow-changing part of each candidate and
reloads only the mediators whose mark moved (services/registry_snapshot.py).

Also ix_mediator_category_stats_category (category, mediator_id), covering on PostgreSQL: suggestions read one
category's track record for a region's few hundred mediators, which the primary key (mediator, category) served
with one descent per mediator (PostgreSQL 3.2 -> 0.8 ms for 396 mediators, bench/RESULTS.md).

Existing rows get distinct random marks. SQLite adds the column NOT NULL with a placeholder default of 0 that
every row then replaces: making it NOT NULL later would rebuild the table, and dropping the old mediator table
with foreign keys on deletes its languages, hours and assignments (ON DELETE CASCADE).

Revision ID: a8d4f1c07e52
Revises: f3b81d6c20a9
Create Date: 2026-11-22 00:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a8d4f1c07e52'
down_revision = 'f3b81d6c20a9'
branch_labels = None
depends_on = None

# 62 random bits, as models/types.random_revision (SQLite's random() is 64 bits; PostgreSQL's a double).
RANDOM_MARK = {
    'sqlite': "random() & 4611686018427387903",
    'postgresql': "floor(random() * 4611686018427387903)::bigint",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("ALTER TABLE mediator ADD COLUMN revision BIGINT NOT NULL DEFAULT 0")
    else:
        op.add_column('mediator', sa.Column('revision', sa.BigInteger(), nullable=True))
    op.execute(f"UPDATE mediator SET revision = {RANDOM_MARK[dialect]}")
    if dialect != 'sqlite':
        op.alter_column('mediator', 'revision', existing_type=sa.BigInteger(), nullable=False)
    # A small table (about nine rows per mediator): a plain build is over in well under a second.
    op.create_index('ix_mediator_category_stats_category', 'mediator_category_stats', ['category', 'mediator_id'],
                    unique=False, postgresql_include=['closed', 'agreements'])


def downgrade():
    op.drop_index('ix_mediator_category_stats_category', table_name='mediator_category_stats')
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): no table rebuild, so nothing cascades.
    op.execute("ALTER TABLE mediator DROP COLUMN revision")
