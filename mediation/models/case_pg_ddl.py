"""PostgreSQL-only objects that help the planner with the case list, outside the ORM metadata.

The migration creates the same (revision e7a2c9d41f58); these listeners serve databases built by create_all.
"""

from sqlalchemy import DDL, event

from .case import Case

# PostgreSQL assumes filters independent: a house's cases AND its own region came out 14 times too few, and the
# planner intersected two bitmaps of 53,000 and 76,000 entries instead of reading the house's index. Declared
# dependency statistics tell it that the house decides the region (ANALYZE fills them in).
HOUSE_REGION_STATISTICS = ('CREATE STATISTICS IF NOT EXISTS st_case_house_region (dependencies) '
                           'ON house_id, region_id FROM "case"')
# A list reached by ids (a mediator's own cases, the mediator filter) reads each case once to sort them:
# 1,178 heap visits for the busiest mediator of 1,000,000 cases (7.4 ms). With the list's columns on the
# id's index entry, those are index-only reads (3.7 ms). SQLite reads a row by its rowid in one step already.
LIST_ROWS_INDEX = ('CREATE INDEX IF NOT EXISTS ix_case_list_rows ON "case" (id) '
                   'INCLUDE (received_on, deadline, state, category, tension, house_id, number)')
POSTGRES_ONLY = ("st_case_house_region", "ix_case_list_rows")

for _statement in (HOUSE_REGION_STATISTICS, LIST_ROWS_INDEX):
    event.listen(Case.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
