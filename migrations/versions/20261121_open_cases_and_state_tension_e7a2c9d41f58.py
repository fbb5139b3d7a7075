"""Open cases' partial index, (state, tension) index, and PostgreSQL's house → region statistics.

- ix_case_open_received (received_on, id, deadline) WHERE the state is open: the republic's "overdue" list
  walked every case's date index past 45,000 closed or not yet due cases (PostgreSQL 39 ms of SQL, SQLite 12 ms
  on 1,000,000 cases, bench/RESULTS.md issue 3).
- ix_case_state_tension_received: "registered critical cases" made PostgreSQL intersect the state's bitmap with
  the 115,000 entries of the tension index (17 ms for the count alone).
- ix_case_region_state_filters and ix_case_house_state_filters replace the scope's state indexes and carry tension
  and category after the order: a region's registered critical cases were counted through the region's 76,000
  entries on SQLite (9 ms).
- On PostgreSQL every index is built and dropped CONCURRENTLY (writes to "case" go on meanwhile).
- st_case_house_region (PostgreSQL only): the house decides the region, so "house AND region" is no longer
  estimated 14 times too selective. ANALYZE fills the statistics in.
- ix_case_list_rows (PostgreSQL only): the list's columns on the id's entry, so a list reached by ids (a
  mediator's 1,178 cases) reads index entries instead of visiting each row (7.4 → 3.7 ms).

Revision ID: e7a2c9d41f58
Revises: d93b6e0c5a14
Create Date: 2026-11-21 22:40:00.000000

"""
from contextlib import nullcontext

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7a2c9d41f58'
down_revision = 'd93b6e0c5a14'
branch_labels = None
depends_on = None

# Frozen here as at this revision (the model builds the same text from CaseState).
OPEN_CASES_SQL = "state IN ('registered', 'screening', 'awaiting_assignment', 'assigned', 'in_mediation')"
# The scope's state indexes, replaced by ones that carry tension and category as well (new names, so the new
# one is built before the old one goes and no list is ever without an index).
SCOPE_STATE = {  # old name -> (new name, scope column)
    'ix_case_region_state_received': ('ix_case_region_state_filters', 'region_id'),
    'ix_case_house_state_received': ('ix_case_house_state_filters', 'house_id'),
}
NEW = [
    ('ix_case_open_received', ['received_on', 'id', 'deadline'], OPEN_CASES_SQL),
    ('ix_case_state_tension_received', ['state', 'tension', 'received_on', 'id'], None),
]
LIST_ROWS = ('CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_case_list_rows ON "case" (id) '
             'INCLUDE (received_on, deadline, state, category, tension, house_id, number)')


# Plain CREATE INDEX on SQLite (no batch mode: a batch would copy the table and lose the FTS triggers). On
# PostgreSQL every index is built CONCURRENTLY, outside the migration's transaction: a plain build locks out
# writes to "case" for its length (about a second per index on 1,000,000 cases), and intake must not wait.
def _create(name: str, columns: list[str], where: str | None, concurrently: bool) -> None:
    predicate = {'sqlite_where': sa.text(where), 'postgresql_where': sa.text(where)} if where else {}
    op.create_index(name, 'case', columns, unique=False, postgresql_concurrently=concurrently, **predicate)


def _drop(name: str, concurrently: bool) -> None:
    op.drop_index(name, table_name='case', postgresql_concurrently=concurrently)


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.get_context().autocommit_block() if postgresql else nullcontext():
        for old, (new, scope) in SCOPE_STATE.items():
            _create(new, [scope, 'state', 'received_on', 'id', 'tension', 'category'], None, postgresql)
            _drop(old, postgresql)
        for name, columns, where in NEW:
            _create(name, columns, where, postgresql)
        if postgresql:
            op.execute(LIST_ROWS)
            op.execute('CREATE STATISTICS IF NOT EXISTS st_case_house_region (dependencies) '
                       'ON house_id, region_id FROM "case"')
            op.execute('ANALYZE "case"')


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    with op.get_context().autocommit_block() if postgresql else nullcontext():
        if postgresql:
            op.execute('DROP INDEX CONCURRENTLY IF EXISTS ix_case_list_rows')
            op.execute('DROP STATISTICS IF EXISTS st_case_house_region')
        for name, _, _ in reversed(NEW):
            _drop(name, postgresql)
        for old, (new, scope) in SCOPE_STATE.items():
            _create(old, [scope, 'state', 'received_on', 'id'], None, postgresql)
            _drop(new, postgresql)

