"""Open cases' partial index, (state, tension) index, and PostgreSQL's house → region statistics.

- ix_case_open_received (received_on, id, deadline) WHERE the state is open: the republic's "overdue" list
  walked every case's date index past 45,000 closed or not yet due cases (PostgreSQL 39 ms of SQL, SQLite 12 ms
  on 1,000,000 cases, bench/RESULTS.md issue 3).
- ix_case_state_tension_received: "registered critical cases" made PostgreSQL intersect the state's bitmap with
  the 115,000 entries of the tension index (17 ms for the count alone).
- ix_case_region_state_received and ix_case_house_state_received carry tension and category after the order:
  a region's registered critical cases were counted through the region's 76,000 entries on SQLite (9 ms).
- st_case_house_region (PostgreSQL only): the house decides the region, so "house AND region" is no longer
  estimated 14 times too selective. ANALYZE fills the statistics in.
- ix_case_list_rows (PostgreSQL only): the list's columns on the id's entry, so a list reached by ids (a
  mediator's 1,178 cases) reads index entries instead of visiting each row (7.4 → 3.7 ms).

Revision ID: e7a2c9d41f58
Revises: d93b6e0c5a14
Create Date: 2026-11-21 22:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7a2c9d41f58'
down_revision = 'd93b6e0c5a14'
branch_labels = None
depends_on = None

# Frozen here as at this revision (the model builds the same text from CaseState).
OPEN_CASES_SQL = "state IN ('registered', 'screening', 'awaiting_assignment', 'assigned', 'in_mediation')"


# Plain CREATE INDEX (no batch mode): on SQLite a batch would copy the table and lose the FTS triggers.
SCOPE_STATE = {'ix_case_region_state_received': 'region_id', 'ix_case_house_state_received': 'house_id'}


def upgrade():
    for name, scope in SCOPE_STATE.items():
        op.drop_index(name, table_name='case')
        op.create_index(name, 'case', [scope, 'state', 'received_on', 'id', 'tension', 'category'], unique=False)
    op.create_index('ix_case_open_received', 'case', ['received_on', 'id', 'deadline'], unique=False,
                    sqlite_where=sa.text(OPEN_CASES_SQL), postgresql_where=sa.text(OPEN_CASES_SQL))
    op.create_index('ix_case_state_tension_received', 'case', ['state', 'tension', 'received_on', 'id'],
                    unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE STATISTICS IF NOT EXISTS st_case_house_region (dependencies) '
                   'ON house_id, region_id FROM "case"')
        op.execute('CREATE INDEX IF NOT EXISTS ix_case_list_rows ON "case" (id) '
                   'INCLUDE (received_on, deadline, state, category, tension, house_id, number)')
        op.execute('ANALYZE "case"')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_case_list_rows')
        op.execute('DROP STATISTICS IF EXISTS st_case_house_region')
    op.drop_index('ix_case_state_tension_received', table_name='case')
    op.drop_index('ix_case_open_received', table_name='case')
    for name, scope in SCOPE_STATE.items():
        op.drop_index(name, table_name='case')
        op.create_index(name, 'case', [scope, 'state', 'received_on', 'id'], unique=False)
