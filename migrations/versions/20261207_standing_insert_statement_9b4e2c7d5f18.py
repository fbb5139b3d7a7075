"""Standing marks on PostgreSQL: inserts into case_assignment mark their mediators once per statement.

The batch writes its 5,600 assignments with one COPY, and the row trigger of 3e9c5d7a1b20 fired for each of them:
the COPY took 194-225 ms with it and 149-204 ms with the statement trigger (bench/RESULTS.md, thirteenth pass). A statement trigger reads the inserted rows as a transition table and
updates each of their mediators once, skipping those this transaction already marked, as the row trigger does
(models/standing_ddl.py). Updates and deletes keep the row trigger; so do the other source tables. SQLite has no
statement triggers, and its triggers stay as they are.

Revision ID: 9b4e2c7d5f18
Revises: 3e9c5d7a1b20
Create Date: 2026-12-07 18:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '9b4e2c7d5f18'
down_revision = '3e9c5d7a1b20'
branch_labels = None
depends_on = None

# Frozen here as at this revision.
XACT = "pg_current_xact_id()::text::bigint"
INSERTED_FUNCTION = f"""CREATE OR REPLACE FUNCTION mediator_standing_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE mediator SET standing_revision = standing_revision
   WHERE id IN (SELECT mediator_id FROM inserted) AND standing_xact IS DISTINCT FROM {XACT};
  RETURN NULL;
END $$"""
ROW_TRIGGER = ("CREATE TRIGGER case_assignment_standing AFTER {events} ON case_assignment "
               "FOR EACH ROW EXECUTE FUNCTION mediator_standing_moved()")


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.execute(INSERTED_FUNCTION)
    op.execute("DROP TRIGGER case_assignment_standing ON case_assignment")
    op.execute(ROW_TRIGGER.format(events="UPDATE OR DELETE"))
    op.execute("CREATE TRIGGER case_assignment_standing_insert AFTER INSERT ON case_assignment "
               "REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION mediator_standing_inserted()")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        return
    op.execute("DROP TRIGGER case_assignment_standing_insert ON case_assignment")
    op.execute("DROP TRIGGER case_assignment_standing ON case_assignment")
    op.execute(ROW_TRIGGER.format(events="INSERT OR UPDATE OR DELETE"))
    op.execute("DROP FUNCTION mediator_standing_inserted()")
