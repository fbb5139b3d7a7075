"""Triggers that give a mediator a new `standing_revision` whenever a figure of their standing changes.

A mediator's standing, as assignment scores it, is their running assignments, their last assignment, their track
record by category and their absences. Every write to case_assignment, mediator_category_stats or
mediator_absence, and every change of mediator.last_assigned_at, gives the mediators it touches a new random mark,
in the same transaction, whichever code wrote it. A worker keeps each suggestion pool's standings and re-reads
only the mediators whose mark moved (services/suggestion_pools.py): on the republic pool, counting 5,000
mediators' workload on every view was a third of the page (bench/RESULTS.md, issue 4).

Marks are random (62 bits, as models/types.random_revision), not counters: a rolled-back transaction's mark can
never come back as a committed one, so a pool that read uncommitted figures reloads them.
The migration (revision 3e9c5d7a1b20) creates the same objects; these listeners serve databases built by create_all.
"""

from sqlalchemy import DDL, event

from .assignment import CaseAssignment
from .mediator import Mediator, MediatorAbsence, MediatorCategoryStats

# The tables whose rows name a mediator and feed their standing.
STANDING_SOURCES = ("case_assignment", "mediator_category_stats", "mediator_absence")
SQLITE_MARK = "random() & 4611686018427387903"
POSTGRES_MARK = "floor(random() * 4611686018427387903)::bigint"


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

# One statement-level trigger per write: a batch of 5,000 assignments updates each mediator once, not per row.
# The rows are locked in id order first, so two transactions that touch the same mediators cannot deadlock on
# them in between.
POSTGRES_STANDING_FUNCTION = f"""
CREATE OR REPLACE FUNCTION mediator_standing_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched integer[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT mediator_id) INTO touched FROM standing_new;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT mediator_id) INTO touched FROM standing_old;
  ELSE
    SELECT array_agg(DISTINCT mediator_id) INTO touched
      FROM (SELECT mediator_id FROM standing_new UNION SELECT mediator_id FROM standing_old) AS both_sides;
  END IF;
  IF touched IS NOT NULL THEN
    PERFORM 1 FROM mediator WHERE id = ANY(touched) ORDER BY id FOR UPDATE;
    UPDATE mediator SET standing_revision = {POSTGRES_MARK} WHERE id = ANY(touched);
  END IF;
  RETURN NULL;
END $$"""  # noqa: S608
POSTGRES_LAST_ASSIGNED_FUNCTION = f"""
CREATE OR REPLACE FUNCTION mediator_standing_last_assigned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.last_assigned_at IS DISTINCT FROM OLD.last_assigned_at THEN
    NEW.standing_revision := {POSTGRES_MARK};
  END IF;
  RETURN NEW;
END $$"""
_REFERENCING = {"INSERT": "NEW TABLE AS standing_new", "UPDATE": "OLD TABLE AS standing_old NEW TABLE AS standing_new",
                "DELETE": "OLD TABLE AS standing_old"}


def _postgres_trigger(table: str, operation: str) -> str:
    return (f"CREATE TRIGGER {table}_standing_{operation.lower()} AFTER {operation} ON {table} "
            f"REFERENCING {_REFERENCING[operation]} FOR EACH STATEMENT EXECUTE FUNCTION mediator_standing_moved()")


POSTGRES_STANDING_FUNCTIONS = [POSTGRES_STANDING_FUNCTION, POSTGRES_LAST_ASSIGNED_FUNCTION]
POSTGRES_MEDIATOR_TRIGGER = """CREATE TRIGGER mediator_standing_last_assigned BEFORE UPDATE OF last_assigned_at
    ON mediator FOR EACH ROW EXECUTE FUNCTION mediator_standing_last_assigned()"""


def postgres_source_triggers(table: str) -> list[str]:
    """The three statement-level triggers of one source table."""
    return [_postgres_trigger(table, operation) for operation in _REFERENCING]


# Each source's triggers follow its own table's creation; the mediator table is created before its children.
for _statement in (*POSTGRES_STANDING_FUNCTIONS, POSTGRES_MEDIATOR_TRIGGER):
    event.listen(Mediator.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
event.listen(Mediator.__table__, "after_create", DDL(SQLITE_MEDIATOR_TRIGGER).execute_if(dialect="sqlite"))
for _model in (CaseAssignment, MediatorCategoryStats, MediatorAbsence):
    for _statement in postgres_source_triggers(_model.__tablename__):
        event.listen(_model.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
    for _statement in sqlite_source_triggers(_model.__tablename__):
        event.listen(_model.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
