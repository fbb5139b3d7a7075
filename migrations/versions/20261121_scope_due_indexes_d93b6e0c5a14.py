"""Due-date filters inside a scope: (region_id | house_id, state, deadline, id).

A region coordinator's "overdue" list read the region's deadline index, whose entries before today are
mostly closed cases (60,328 of them for 198 open overdue cases in one region on 1,000,000 cases: 62 ms p95
on SQLite, bench/RESULTS.md issue 3). With the state ahead of the deadline only open cases are read.

Revision ID: d93b6e0c5a14
Revises: c4e8a1f2d7b3
Create Date: 2026-11-21 19:50:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd93b6e0c5a14'
down_revision = 'c4e8a1f2d7b3'
branch_labels = None
depends_on = None

NEW = {
    'ix_case_region_state_deadline': ['region_id', 'state', 'deadline', 'id'],
    'ix_case_house_state_deadline': ['house_id', 'state', 'deadline', 'id'],
}


# Plain CREATE INDEX (no batch mode): on SQLite a batch would copy the table and lose the FTS triggers.
def upgrade():
    for name, columns in NEW.items():
        op.create_index(name, 'case', columns, unique=False)


def downgrade():
    for name in reversed(NEW):
        op.drop_index(name, table_name='case')
