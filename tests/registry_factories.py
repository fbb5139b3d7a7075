"""Registry and assignment builders for tests: mediators with any trait, waiting cases, workload, import files,
and a query counter.

Like tests/factories.py and tests/case_factories.py these flush but never commit; the caller commits before
any request or thread.
"""

import contextlib
import csv
import io
import itertools
from datetime import date, datetime, time

from openpyxl import Workbook
from sqlalchemy import event, func, select

from mediation.domain.case_fields import CaseCategory
from mediation.domain.case_states import CaseState
from mediation.domain.mediator_eligibility import EligibilityThresholds, MediatorKind
from mediation.domain.text import fold
from mediation.extensions import db
from mediation.models import (
    Case,
    CaseAssignment,
    FriendshipHouse,
    Mediator,
    MediatorAbsence,
    MediatorLanguage,
    MediatorSpecialization,
    MediatorWeeklyHours,
    Region,
    User,
)
from mediation.services.registry import MediatorData
from mediation.services.registry_io import COLUMNS
from tests import case_factories as cf

THRESHOLDS = EligibilityThresholds()
KK_RU = (("kk", "native"), ("ru", "fluent"))
_numbers = itertools.count(1)


def registry_number() -> str:
    """A fresh registry number."""
    return f"R-{next(_numbers):06d}"


def data(region: Region | int, **overrides) -> MediatorData:
    """A valid professional registry record in the region; any field can be overridden."""
    values = dict(registry_number=registry_number(), full_name="Сәрсенбаев Ерлан Маратұлы",
                  kind=MediatorKind.PROFESSIONAL, region_id=region if isinstance(region, int) else region.id,
                  languages=KK_RU, specializations=("family", "interethnic"), birth_date=date(1978, 6, 1),
                  education="Жоғары заң", higher_education=True, certificate_number="MC-12345",
                  certificate_date=date(2021, 2, 1), max_active_cases=5, phone="+77011234567",
                  email="erlan@example.kz")
    values.update(overrides)
    return MediatorData(**values)


def mediator(region: Region, *, full_name: str = "Медиатор Тестов", house: FriendshipHouse | None = None,
             kind: str = "professional", languages: tuple[tuple[str, str], ...] = KK_RU,
             specializations: tuple[str, ...] | None = None, max_active_cases: int = 5, status: str = "active",
             suspended_until: date | None = None, status_reason: str | None = None, user: User | None = None,
             birth_date: date = date(1975, 5, 5), phone: str | None = None, email: str | None = None,
             takes_cases_elsewhere: bool = True, ethnicity: str | None = None,
             ethnicity_consent_on: date | None = None, weekdays: tuple[int, ...] = (0, 1, 2, 3, 4),
             last_assigned_at: datetime | None = None, number: str | None = None) -> Mediator:
    """A mediator who passes every eligibility rule unless told otherwise (every category by default)."""
    entry = Mediator(registry_number=number or registry_number(), full_name=full_name, name_folded=fold(full_name),
                     kind=kind, birth_date=birth_date, higher_education=True, education="Жоғары заң",
                     certificate_number="MC-10001", certificate_date=date(2020, 1, 15), region_id=region.id,
                     house_id=house.id if house else None, status=status, suspended_until=suspended_until,
                     status_reason=status_reason, max_active_cases=max_active_cases, disqualifications=[],
                     user_id=user.id if user else None, phone=phone, email=email,
                     takes_cases_elsewhere=takes_cases_elsewhere, ethnicity=ethnicity,
                     ethnicity_consent_on=ethnicity_consent_on, last_assigned_at=last_assigned_at)
    for language, level in languages:
        entry.languages.append(MediatorLanguage(language=language, level=level))
    for category in specializations if specializations is not None else [c.value for c in CaseCategory]:
        entry.specialization_rows.append(MediatorSpecialization(category=category))
    for weekday in weekdays:
        entry.weekly_hours.append(MediatorWeeklyHours(weekday=weekday, start=time(9), end=time(18)))
    db.session.add(entry)
    db.session.flush()
    return entry


def absence(entry: Mediator, start: date, end: date, kind: str = "leave") -> MediatorAbsence:
    """A leave or illness of the mediator."""
    row = MediatorAbsence(start=start, end=end, kind=kind)
    entry.absences.append(row)
    db.session.flush()
    return row


def waiting_case(actor, house: FriendshipHouse, *, received_on: date, **fields) -> Case:
    """A case screened (all "no") and awaiting assignment."""
    case = cf.register(actor, house, received_on=received_on, **fields)
    return cf.advance(case, "awaiting_assignment", actor)


def give_open_cases(entry: Mediator, count: int, actor, house: FriendshipHouse, *, received_on: date) -> list[Case]:
    """`count` real cases in state assigned with the mediator as lead (their caseload)."""
    cases = []
    for index in range(count):
        case = cf.register(actor, house, received_on=received_on,
                           parties=cf.two_parties(f"Жүктеме {entry.id}-{index}", f"Тарап {entry.id}-{index}"))
        cases.append(cf.advance(case, "assigned", actor, lead_id=entry.id))
    return cases


def open_cases_of(mediator_id: int) -> int:
    """Open cases of a mediator by the state of their cases (the oracle of the capacity count, which reads
    only the assignment)."""
    return db.session.scalar(
        select(func.count()).select_from(CaseAssignment).join(Case, Case.id == CaseAssignment.case_id)
        .where(CaseAssignment.mediator_id == mediator_id, CaseAssignment.ended_at.is_(None),
               CaseAssignment.status.in_(("proposed", "accepted")),
               Case.state.in_((CaseState.ASSIGNED, CaseState.IN_MEDIATION))))


# --- import files --------------------------------------------------------------------------------------------


def row(**values) -> dict:
    """A good import row (Almaty city, kk and ru, two specialisations); any column can be overridden."""
    base = {"registry_number": registry_number(), "full_name": "Ахметова Гүлнар Серікқызы", "kind": "professional",
            "birth_date": "1979-04-12", "education": "Жоғары заң", "higher_education": "yes",
            "certificate_number": "MC-55501", "certificate_date": "2021-05-20", "retired_judge": "no",
            "languages": "kk:native;ru:fluent", "specializations": "family;interethnic", "region": "75",
            "house_id": "", "takes_cases_elsewhere": "yes", "max_active_cases": "5", "phone": "+7 701 555 1234",
            "email": "", "legal_address": "", "disqualifications": ""}
    base.update(values)
    return base


def csv_bytes(rows: list[dict], columns=COLUMNS) -> bytes:
    """A UTF-8 CSV file (with a BOM, as Excel saves it)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for values in rows:
        writer.writerow({k: values.get(k, "") for k in columns})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[dict], columns=COLUMNS) -> bytes:
    """An XLSX workbook with the same columns; every cell is text, as a person types into a sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(columns))
    for line, values in enumerate(rows, start=2):
        for position, name in enumerate(columns, start=1):
            cell = sheet.cell(row=line, column=position)
            cell.value = values.get(name, "")
            cell.data_type = "s"  # text, even for "=…": a typed formula would have no cached value here
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- query counting ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def count_queries():
    """Count the SQL statements sent while the block runs: `with count_queries() as statements: …`."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)
