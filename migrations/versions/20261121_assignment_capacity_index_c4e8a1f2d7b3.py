"""The capacity count reads the assignment index alone: status joins (mediator_id, ended_at, status, case_id).

Counting a mediator's open cases needs the running assignments that are proposed or accepted; with status
outside the index every one of them was a table lookup, and the count joined each case row as well (32 ms for
the 207 mediators of Almaty city on 1,000,000 cases, bench/RESULTS.md issue 4). The join is gone
(services/registry_queries.takes_capacity) and this index covers the rest.

Revision ID: c4e8a1f2d7b3
Revises: b5e0c3a91d27
Create Date: 2026-11-21 19:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e8a1f2d7b3'
down_revision = 'b5e0c3a91d27'
branch_labels = None
depends_on = None

NAME = 'ix_case_assignment_mediator'


# Plain DROP/CREATE INDEX (no batch mode): on SQLite a batch would copy the table.
def upgrade():
    op.drop_index(NAME, table_name='case_assignment')
    op.create_index(NAME, 'case_assignment', ['mediator_id', 'ended_at', 'status', 'case_id'], unique=False)


def downgrade():
    op.drop_index(NAME, table_name='case_assignment')
    op.create_index(NAME, 'case_assignment', ['mediator_id', 'ended_at', 'case_id'], unique=False)
