"""Case numbers KATO2-YYYY-NNNNN: one atomic upsert per number, safe under concurrent intake."""

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import CaseNumberCounter


def next_sequence(region_id: int, year: int) -> int:
    """Take the next sequence number for the region and year (the row stays locked until commit)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = CaseNumberCounter.__table__
    statement = (
        dialect.insert(table)
        .values(region_id=region_id, year=year, last=1)
        .on_conflict_do_update(index_elements=[table.c.region_id, table.c.year], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return db.session.execute(statement).scalar_one()


def format_number(kato2: str, year: int, sequence: int) -> str:
    """The printed case number."""
    return f"{kato2}-{year}-{sequence:05d}"
