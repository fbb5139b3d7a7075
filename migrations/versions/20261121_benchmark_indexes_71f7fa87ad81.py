"""Benchmark indexes: the case list's filters (state within a region or house, category, tension, due dates).

On 1,000,000 cases the capped count of a filtered list read up to the whole scope index and looked up
each row (SQLite 100-600 ms, bench/RESULTS.md, issue 3); with these it reads only matching entries.

Revision ID: 71f7fa87ad81
Revises: e60185a63650
Create Date: 2026-11-21 16:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '71f7fa87ad81'
down_revision = 'e60185a63650'
branch_labels = None
depends_on = None

NEW = {
    'ix_case_region_state_received': ['region_id', 'state', 'received_on', 'id'],
    'ix_case_house_state_received': ['house_id', 'state', 'received_on', 'id'],
    'ix_case_category_received': ['category', 'received_on', 'id'],
    'ix_case_tension_received': ['tension', 'received_on', 'id'],
    'ix_case_state_deadline': ['state', 'deadline', 'id'],
}
# Scope indexes widened with the filtered columns: (before, after).
WIDENED = {
    'ix_case_region_received': (['region_id', 'received_on', 'id'],
                                ['region_id', 'received_on', 'id', 'state', 'category', 'tension']),
    'ix_case_house_received': (['house_id', 'received_on', 'id'],
                               ['house_id', 'received_on', 'id', 'state', 'category', 'tension']),
    'ix_case_region_deadline': (['region_id', 'deadline', 'id'], ['region_id', 'deadline', 'id', 'state']),
    'ix_case_house_deadline': (['house_id', 'deadline', 'id'], ['house_id', 'deadline', 'id', 'state']),
}


# Plain CREATE INDEX (no batch mode): on SQLite a batch would copy the table and lose the FTS triggers.
def upgrade():
    for name, (_, columns) in WIDENED.items():
        op.drop_index(name, table_name='case')
        op.create_index(name, 'case', columns, unique=False)
    for name, columns in NEW.items():
        op.create_index(name, 'case', columns, unique=False)


def downgrade():
    for name in reversed(NEW):
        op.drop_index(name, table_name='case')
    for name, (columns, _) in WIDENED.items():
        op.drop_index(name, table_name='case')
        op.create_index(name, 'case', columns, unique=False)
