"""The running assignments' partial index: everyone's workload counted from 4 % of case_assignment.

ix_case_assignment_open (mediator_id) WHERE ended_at IS NULL AND status IN ('proposed', 'accepted'): the
suggestions of a case open to the republic pool count the running assignments of all 5,000 mediators, which
PostgreSQL did by a parallel scan of the 1.1 million assignments (73 ms on 1,000,000 cases, bench/RESULTS.md
issue 4); the partial index holds the 43,000 running ones. Built CONCURRENTLY on PostgreSQL, so assigning
goes on meanwhile.

Revision ID: b7c3e5a1f904
Revises: 5d2f8a3c9e17
Create Date: 2026-11-22 10:00:00.000000

"""
from contextlib import nullcontext

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c3e5a1f904'
down_revision = '5d2f8a3c9e17'
branch_labels = None
depends_on = None

# Frozen here as at this revision (the model writes the same text: models/assignment.py TAKES_CAPACITY_SQL).
TAKES_CAPACITY_SQL = "ended_at IS NULL AND status IN ('proposed', 'accepted')"


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.get_context().autocommit_block() if postgresql else nullcontext():
        op.create_index('ix_case_assignment_open', 'case_assignment', ['mediator_id'], unique=False,
                        postgresql_concurrently=postgresql, sqlite_where=sa.text(TAKES_CAPACITY_SQL),
                        postgresql_where=sa.text(TAKES_CAPACITY_SQL))


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.get_context().autocommit_block() if postgresql else nullcontext():
        op.drop_index('ix_case_assignment_open', table_name='case_assignment', postgresql_concurrently=postgresql)
