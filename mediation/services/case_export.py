"""Exports of the case list as CSV and XLSX: no confidential description, no IIN, no contacts.

Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are prefixed with an apostrophe.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain.roles import Actor
from ..extensions import db
from ..models import Case, FriendshipHouse, Party, Region
from .case_queries import CaseFilter, filter_conditions

COLUMNS = ("number", "received_on", "region", "house", "category", "channel", "state", "tension", "deadline",
           "outcome", "termination_ground", "terminated_on", "parties")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportRow:
    """One exported case, as plain values."""

    values: tuple


def neutralise(value):
    """Make a text cell inert in spreadsheets (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_rows(actor: Actor, flt: CaseFilter, *, today: date, limit: int) -> list[ExportRow]:
    """The filtered, scoped cases, newest first, in three queries."""
    conditions = filter_conditions(actor, flt, today)
    cases = db.session.execute(
        select(Case.id, Case.number, Case.received_on, Region.kato2, FriendshipHouse.name_ru, Case.category,
               Case.channel, Case.state, Case.tension, Case.deadline, Case.outcome, Case.termination_ground,
               Case.terminated_on)
        .join(Region, Region.id == Case.region_id).join(FriendshipHouse, FriendshipHouse.id == Case.house_id)
        .where(*conditions).order_by(Case.received_on.desc(), Case.id.desc()).limit(limit)).all()
    names: dict[int, list[str]] = {}
    ids = [row.id for row in cases]
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start:chunk_start + 5000]
        for case_id, name in db.session.execute(select(Party.case_id, Party.full_name)
                                                .where(Party.case_id.in_(chunk)).order_by(Party.position)):
            names.setdefault(case_id, []).append(name)
    return [ExportRow((row.number, row.received_on, row.kato2, row.name_ru, row.category.value, row.channel.value,
                       row.state.value, row.tension.value, row.deadline,
                       row.outcome.value if row.outcome else None,
                       row.termination_ground.value if row.termination_ground else None, row.terminated_on,
                       "; ".join(names.get(row.id, []))))
            for row in cases]


def to_csv(rows: list[ExportRow]) -> bytes:
    """UTF-8 CSV with a BOM, so spreadsheet programs read Cyrillic and Kazakh letters right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v.isoformat() if isinstance(v, date) else v)
                         for v in row.values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[ExportRow]) -> bytes:
    """An XLSX workbook with real dates."""
    from openpyxl import Workbook  # here, not at import: openpyxl adds 0.18 s to every process start

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("cases")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([neutralise(v) for v in row.values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
