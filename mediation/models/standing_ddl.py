"""Triggers that give a mediator a new `standing_revision` whenever a figure of their standing changes.

A mediator's standing, as assignment scores it, is their running assignments, their last assignment, their track
record by category and their absences. Every write to case_assignment, mediator_category_stats or
mediator_absence, and every change of mediator.last_assigned_at, gives the mediators it touches a new random mark,
in the same transaction, whichever code wrote it. A worker keeps each suggestion pool's standings and re-reads
only the mediators whose mark moved (services/suggestion_pools.py): on the republic pool, counting 5,000
mediators' workload on every view was a third of the page (bench/RESULTS.md, issue 4).

Marks are random (62 bits, as models/types.random_revision), not counters: a rolled-back transaction's mark can
never come back as a committed one, so a pool that read uncommitted figures reloads them.
The migrations (revisions 3e9c5d7a1b20 and 9b4e2c7d5f18) create the same objects; these listeners serve databases
built by create_all.
A later SQLite batch migration of mediator or of a source table copies the table and drops its triggers: it must
create them again (tests/test_migrations.py checks that they exist at head).
"""

from sqlalchemy import DDL, event

from .assignment import CaseAssignment
from .mediator import Mediator, MediatorAbsence, MediatorCategoryStats

SQLITE_MARK = "random() & 4611686018427387903"
# Two draws of 31 bits: PostgreSQL's random() carries 52 random bits, fewer than a 62-bit mark.
POSTGRES_MARK = "((floor(random() * 2147483648)::bigint << 31) | floor(random() * 2147483648)::bigint)"
POSTGRES_XACT = "pg_current_xact_id()::text::bigint"  # 64 bits with the epoch: never comes back, unlike xmin


# The statements below are assembled from this module's constants only (S608: no outside input reaches them).
def _sqlite_trigger(table: str, operation: str, who: str) -> str:
    update = f"UPDATE mediator SET standing_revision = {SQLITE_MARK} WHERE id IN ({who})"  # noqa: S608
    return f"CREATE TRIGGER {table}_standing_{operation.lower()} AFTER {operation} ON {table} BEGIN {update}; END"


def sqlite_source_triggers(table: str) -> list[str]:
    """The three row triggers of one source table."""
    return [_sqlite_trigger(table, "INSERT", "NEW.mediator_id"),
            _sqlite_trigger(table, "UPDATE", "OLD.mediator_id, NEW.mediator_id"),
            _sqlite_trigger(table, "DELETE", "OLD.mediator_id")]


# SQLite leaves recursive triggers off: this trigger's own update does not fire it again.
SQLITE_MEDIATOR_TRIGGER = f"""CREATE TRIGGER mediator_standing_last_assigned AFTER UPDATE OF last_assigned_at
    ON mediator WHEN NEW.last_assigned_at IS NOT OLD.last_assigned_at
    BEGIN UPDATE mediator SET standing_revision = {SQLITE_MARK} WHERE id = NEW.id; END"""  # noqa: S608

# Row triggers, as on SQLite, except for inserts into case_assignment. Each touches the mediator's row, and the
# mediator's own trigger (mediator_standing_renewed, below) gives the mark; a row this transaction already marked
# (standing_xact is ours) is left alone: each of a transaction's marks is new to every other transaction, and the
# wide mediator row rewritten 5,600 times cost 370 ms. Only a view inside the writing transaction could see the mark
# before a later change of the same transaction, so services/suggestion_pools.py keeps nothing such a view reads.
# Writers that touch several mediators lock them in id order first (assign, the batch,
# services/case_lifecycle.lock_mediators_on), so these row locks are never taken in opposite orders.
# case_assignment's inserts fire once per statement, over the inserted rows (a transition table): the batch COPYs
# 5,600 assignments in one statement, where a row trigger fired 5,600 times: the COPY took 194-225 ms with the row
# trigger and 149-204 ms with this one (bench/RESULTS.md, thirteenth pass). An executemany that psycopg runs as a
# statement per row fires it per row, at 160 us a firing; the batch uses COPY and the ORM one multi-row INSERT.
POSTGRES_STANDING_FUNCTION = f"""
CREATE OR REPLACE FUNCTION mediator_standing_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    UPDATE mediator SET standing_revision = standing_revision
     WHERE id = NEW.mediator_id AND standing_xact IS DISTINCT FROM {POSTGRES_XACT};
  END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.mediator_id IS DISTINCT FROM NEW.mediator_id) THEN
    UPDATE mediator SET standing_revision = standing_revision
     WHERE id = OLD.mediator_id AND standing_xact IS DISTINCT FROM {POSTGRES_XACT};
  END IF;
  RETURN NULL;
END $$"""  # noqa: S608
POSTGRES_INSERTED_FUNCTION = f"""
CREATE OR REPLACE FUNCTION mediator_standing_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE mediator SET standing_revision = standing_revision
   WHERE id IN (SELECT mediator_id FROM inserted) AND standing_xact IS DISTINCT FROM {POSTGRES_XACT};
  RETURN NULL;
END $$"""  # noqa: S608
# Every update of a mediator's row renews its mark and records the transaction, so a row this transaction wrote
# always carries a mark of this transaction's own (the last assignment is one such update).
POSTGRES_RENEW_FUNCTION = f"""
CREATE OR REPLACE FUNCTION mediator_standing_renewed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.standing_revision := {POSTGRES_MARK};
  NEW.standing_xact := {POSTGRES_XACT};
  RETURN NEW;
END $$"""


STATEMENT_INSERTS = ("case_assignment",)  # the source tables whose inserts fire once per statement


def postgres_source_triggers(table: str) -> list[str]:
    """The triggers of one source table: one per row, and for STATEMENT_INSERTS one per insert statement."""
    if table not in STATEMENT_INSERTS:
        return [f"CREATE TRIGGER {table}_standing AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION mediator_standing_moved()"]
    return [f"CREATE TRIGGER {table}_standing AFTER UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION mediator_standing_moved()",
            f"CREATE TRIGGER {table}_standing_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS inserted "
            "FOR EACH STATEMENT EXECUTE FUNCTION mediator_standing_inserted()"]


POSTGRES_STANDING_FUNCTIONS = [POSTGRES_STANDING_FUNCTION, POSTGRES_INSERTED_FUNCTION, POSTGRES_RENEW_FUNCTION]
POSTGRES_MEDIATOR_TRIGGER = """CREATE TRIGGER mediator_standing_renewed BEFORE UPDATE ON mediator
    FOR EACH ROW EXECUTE FUNCTION mediator_standing_renewed()"""

# Each source's triggers follow its own table's creation; the mediator table is created before its children.
for _statement in (*POSTGRES_STANDING_FUNCTIONS, POSTGRES_MEDIATOR_TRIGGER):
    event.listen(Mediator.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
event.listen(Mediator.__table__, "after_create", DDL(SQLITE_MEDIATOR_TRIGGER).execute_if(dialect="sqlite"))
for _model in (CaseAssignment, MediatorCategoryStats, MediatorAbsence):
    for _statement in postgres_source_triggers(_model.__tablename__):
        event.listen(_model.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
    for _statement in sqlite_source_triggers(_model.__tablename__):
        event.listen(_model.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
