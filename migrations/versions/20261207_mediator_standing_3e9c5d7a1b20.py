"""Mediator standing revision: a random mark the database replaces whenever a mediator's standing changes.

The standing is what assignment scores beyond the registry row: running assignments, the last assignment, the
track record by category and absences. Triggers on case_assignment, mediator_category_stats and
mediator_absence (and on mediator.last_assigned_at) give each mediator they touch a new mark in the same
transaction, so a worker keeps every suggestion pool's standings and re-reads only the mediators whose mark moved
(services/suggestion_pools.py; models/standing_ddl.py creates the same objects for create_all).

On PostgreSQL every update of a mediator row renews its mark and records the transaction in standing_xact, and
the source triggers skip a mediator this transaction already marked (models/standing_ddl.py says why).
PostgreSQL 13 or later (pg_current_xact_id). On SQLite, a later batch migration of mediator, case_assignment,
mediator_category_stats or mediator_absence copies the table and drops its triggers: it must create them again
(tests/test_migrations.py checks that they exist at head).

The column is added as mediator.revision was (a8d4f1c07e52): NOT NULL with a placeholder default that every row
then replaces, so SQLite does not rebuild the table.

Revision ID: 3e9c5d7a1b20
Revises: b7c3e5a1f904
Create Date: 2026-12-07 05:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3e9c5d7a1b20'
down_revision = 'b7c3e5a1f904'
branch_labels = None
depends_on = None

# Frozen here as at this revision.
SOURCES = ('case_assignment', 'mediator_category_stats', 'mediator_absence')
MARK = {
    'sqlite': "random() & 4611686018427387903",
    'postgresql': "((floor(random() * 2147483648)::bigint << 31) | floor(random() * 2147483648)::bigint)",
}
XACT = "pg_current_xact_id()::text::bigint"
SQLITE_WHO = {'INSERT': 'NEW.mediator_id', 'UPDATE': 'OLD.mediator_id, NEW.mediator_id', 'DELETE': 'OLD.mediator_id'}
POSTGRES_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION mediator_standing_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    UPDATE mediator SET standing_revision = standing_revision
     WHERE id = NEW.mediator_id AND standing_xact IS DISTINCT FROM {XACT};
  END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.mediator_id IS DISTINCT FROM NEW.mediator_id) THEN
    UPDATE mediator SET standing_revision = standing_revision
     WHERE id = OLD.mediator_id AND standing_xact IS DISTINCT FROM {XACT};
  END IF;
  RETURN NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION mediator_standing_renewed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.standing_revision := {MARK['postgresql']};
  NEW.standing_xact := {XACT};
  RETURN NEW;
END $$""",
]


def _triggers(dialect: str) -> list[str]:
    statements = []
    for table in SOURCES:
        if dialect == 'sqlite':
            for operation, who in SQLITE_WHO.items():
                statements.append(f"CREATE TRIGGER {table}_standing_{operation.lower()} AFTER {operation} ON {table} "
                                  f"BEGIN UPDATE mediator SET standing_revision = {MARK['sqlite']} WHERE id IN ({who}); END")
        else:
            statements.append(f"CREATE TRIGGER {table}_standing AFTER INSERT OR UPDATE OR DELETE ON {table} "
                              "FOR EACH ROW EXECUTE FUNCTION mediator_standing_moved()")
    if dialect == 'sqlite':
        statements.append(f"""CREATE TRIGGER mediator_standing_last_assigned AFTER UPDATE OF last_assigned_at
    ON mediator WHEN NEW.last_assigned_at IS NOT OLD.last_assigned_at
    BEGIN UPDATE mediator SET standing_revision = {MARK['sqlite']} WHERE id = NEW.id; END""")
    else:
        statements.append("""CREATE TRIGGER mediator_standing_renewed BEFORE UPDATE ON mediator
    FOR EACH ROW EXECUTE FUNCTION mediator_standing_renewed()""")
    return statements


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("ALTER TABLE mediator ADD COLUMN standing_revision BIGINT NOT NULL DEFAULT 0")
    else:
        op.add_column('mediator', sa.Column('standing_revision', sa.BigInteger(), nullable=True))
    op.add_column('mediator', sa.Column('standing_xact', sa.BigInteger(), nullable=True))
    op.execute(f"UPDATE mediator SET standing_revision = {MARK[dialect]}")
    if dialect != 'sqlite':
        op.alter_column('mediator', 'standing_revision', existing_type=sa.BigInteger(), nullable=False)
        for statement in POSTGRES_FUNCTIONS:
            op.execute(statement)
    for statement in _triggers(dialect):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in SOURCES:
        if dialect == 'sqlite':
            for operation in SQLITE_WHO:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_standing_{operation.lower()}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_standing ON {table}")
    if dialect == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS mediator_standing_last_assigned")
    else:
        op.execute("DROP TRIGGER IF EXISTS mediator_standing_renewed ON mediator")
        op.execute("DROP FUNCTION IF EXISTS mediator_standing_moved()")
        op.execute("DROP FUNCTION IF EXISTS mediator_standing_renewed()")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): no table rebuild, so nothing cascades.
    op.execute("ALTER TABLE mediator DROP COLUMN standing_xact")
    op.execute("ALTER TABLE mediator DROP COLUMN standing_revision")
