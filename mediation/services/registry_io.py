"""Registry import and export (CSV and XLSX) that round-trip: the same columns both ways.

Import checks every row and reports each bad one with its line and reasons. By default the good rows are
written and the bad ones listed; in strict mode nothing is written if any row is bad. A registry number
already on file updates that mediator, so importing the same file twice never duplicates anyone.
"""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select

from ..domain.mediator_eligibility import MediatorKind
from ..domain.roles import Actor
from ..extensions import db
from ..models import FriendshipHouse, Mediator, Region, User
from . import audit
from .case_export import FORMULA_PREFIXES, neutralise
from .contacts import PhoneInvalid, normalise_phone
from .registry import MediatorData, apply_data, can_keep_registry, validate

COLUMNS = ("registry_number", "full_name", "kind", "birth_date", "education", "higher_education",
           "certificate_number", "certificate_date", "retired_judge", "languages", "specializations", "region",
           "house_id", "takes_cases_elsewhere", "max_active_cases", "phone", "email", "legal_address",
           "disqualifications")
REQUIRED_COLUMNS = frozenset({"registry_number", "full_name", "kind", "languages", "region"})
# The other columns are the MediatorData fields of the same names. A file may leave any of them out; for a mediator
# already in the registry, a column the file does not have keeps the registry's value (a file of phone numbers must
# not blank everyone's certificate), while a column it has but leaves empty clears the value.
OPTIONAL_COLUMNS = tuple(c for c in COLUMNS if c not in REQUIRED_COLUMNS)
COLUMN_OF_FIELD = {"region_id": "region"}  # the record's fields whose column has another name
MAX_ROWS = 20_000
TRUE, FALSE = {"1", "yes", "true", "да", "иә", "y"}, {"", "0", "no", "false", "нет", "жоқ", "n"}


@dataclass(frozen=True)
class RowError:
    """A rejected row: its line in the file and every reason code."""

    line: int
    registry_number: str
    reasons: tuple[str, ...]


@dataclass
class ImportReport:
    """What an import did (or, in strict mode with errors, would have done)."""

    created: int = 0
    updated: int = 0
    rejected: list[RowError] = field(default_factory=list)
    written: bool = False


class ImportFileInvalid(Exception):
    """The file itself cannot be read (not CSV/XLSX, missing columns, too many rows)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def read_rows(content: bytes, filename: str) -> Iterator[tuple[int, dict]]:
    """Yield (line number, row dict) from a CSV or XLSX file."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook  # here, not at import: openpyxl adds 0.18 s to every process start

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - openpyxl raises many types for a broken file
            raise ImportFileInvalid("xlsx_unreadable") from error
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        _check_header(header)
        for line, values in enumerate(rows, start=2):
            # Every column of the header, as for a CSV: a read-only sheet's row stops at its last filled cell.
            yield line, {h: ("" if position >= len(values) or values[position] is None else values[position])
                         for position, h in enumerate(header) if h}
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileInvalid("not_utf8") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    _check_header(reader.fieldnames or [])
    for row in reader:
        yield reader.line_num, {k: (v or "") for k, v in row.items() if k}


def _check_header(header) -> None:
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        raise ImportFileInvalid("missing_columns:" + ",".join(sorted(missing)))


def _text(value) -> str:
    """A cell as text; the apostrophe our export puts before formula-like cells is taken off again."""
    text = str(value).strip() if value is not None else ""
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES:
        return text[1:]
    return text


def _date(value, reasons: list[str], name: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        reasons.append(f"{name}:date_format")
        return None


def _bool(value, reasons: list[str], name: str, default: bool) -> bool:
    text = _text(value).casefold()
    if text == "":
        return default
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    reasons.append(f"{name}:not_yes_no")
    return default


def parse_row(row: dict, regions: dict[str, int]) -> tuple[MediatorData | None, list[str]]:
    """Turn one file row into MediatorData, collecting every problem found on the way."""
    reasons: list[str] = []
    languages = []
    for item in filter(None, (p.strip() for p in _text(row.get("languages")).split(";"))):
        code, _, level = item.partition(":")
        languages.append((code.strip().casefold(), (level.strip() or "fluent").casefold()))
    kind = _text(row.get("kind")).casefold()
    if kind not in {k.value for k in MediatorKind}:
        reasons.append("kind:kind_unknown")
        kind = MediatorKind.PUBLIC.value
    region_id = regions.get(_text(row.get("region")))
    if region_id is None:
        reasons.append("region:region_unknown")
    phone = _text(row.get("phone")) or None
    if phone:
        try:
            phone = normalise_phone(phone)
        except PhoneInvalid:
            reasons.append("phone:phone_invalid")
    email = _text(row.get("email")) or None
    if email:
        # Imported here, as WTForms' Email validator does: only an import reads it, and at start-up it cost every
        # process (a CLI command included) 15-20 ms (bench/RESULTS.md, thirteenth pass).
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            reasons.append("email:email_invalid")
    house = _text(row.get("house_id"))
    capacity = _text(row.get("max_active_cases")) or "5"
    if not capacity.isdigit():
        reasons.append("max_active_cases:capacity_invalid")
        capacity = "5"
    data = MediatorData(
        registry_number=_text(row.get("registry_number")), full_name=_text(row.get("full_name")),
        kind=MediatorKind(kind), region_id=region_id or 0, languages=tuple(languages),
        specializations=tuple(filter(None, (s.strip() for s in _text(row.get("specializations")).split(";")))),
        birth_date=_date(row.get("birth_date"), reasons, "birth_date"), education=_text(row.get("education")) or None,
        higher_education=_bool(row.get("higher_education"), reasons, "higher_education", False),
        certificate_number=_text(row.get("certificate_number")) or None,
        certificate_date=_date(row.get("certificate_date"), reasons, "certificate_date"),
        retired_judge=_bool(row.get("retired_judge"), reasons, "retired_judge", False),
        house_id=int(house) if house.isdigit() and len(house) < 10 else None,
        takes_cases_elsewhere=_bool(row.get("takes_cases_elsewhere"), reasons, "takes_cases_elsewhere", True),
        max_active_cases=int(capacity[:3]), phone=phone, email=email,
        legal_address=_text(row.get("legal_address")) or None,
        disqualifications=tuple(filter(None, (d.strip() for d in _text(row.get("disqualifications")).split(";")))))
    if house and data.house_id is None:
        reasons.append("house_id:house_unknown")
    return data, reasons


def _with_absent_columns_kept(data: MediatorData, mediator: Mediator, columns) -> MediatorData:
    """The row's data with the registry's values in the fields whose columns the file does not have."""
    kept = {}
    for name in OPTIONAL_COLUMNS:
        if name in columns:
            continue
        if name == "specializations":
            kept[name] = tuple(sorted(mediator.specializations))
        elif name == "disqualifications":
            kept[name] = tuple(mediator.disqualifications or ())
        else:
            kept[name] = getattr(mediator, name)
    return replace(data, **kept)


def import_registry(actor: Actor, content: bytes, filename: str, *, strict: bool, ip: str | None, now: datetime,
                    today: date, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Validate every row, then write the good ones (or, in strict mode, all or nothing)."""
    regions = {kato: rid for kato, rid in db.session.execute(select(Region.kato2, Region.id))}
    houses = dict(db.session.execute(select(FriendshipHouse.id, FriendshipHouse.region_id)).all())
    existing = {m.registry_number: m for m in db.session.scalars(select(Mediator))}
    # The region of each linked account: a linked mediator moves region only with their account (the account sees
    # its own region's cases).
    account_regions = dict(db.session.execute(select(User.id, User.region_id).join(
        Mediator, Mediator.user_id == User.id)).all())
    report, good, seen = ImportReport(), [], set()
    for count, (line, row) in enumerate(read_rows(content, filename), start=1):
        if count > MAX_ROWS:
            raise ImportFileInvalid("too_many_rows")
        data, reasons = parse_row(row, regions)
        known = existing.get(data.registry_number)
        if known is not None:
            data = _with_absent_columns_kept(data, known, row.keys())
        errors = validate(data, today=today, known_regions=set(regions.values()), houses=houses)
        # The record's field names as the file's columns, each problem once (a column's own reason comes first).
        columns = {COLUMN_OF_FIELD.get(name, name): code for name, code in errors.items()}
        reasons += [f"{name}:{code}" for name, code in columns.items()
                    if not any(r.startswith(f"{name}:") for r in reasons)]
        if data.registry_number in seen:
            reasons.append("registry_number:duplicate_in_file")
        if data.region_id and not can_keep_registry(actor, data.region_id):
            reasons.append("region:outside_scope")
        if known is not None and known.user_id is not None and data.region_id \
                and account_regions.get(known.user_id) != data.region_id:
            reasons.append("region:linked_account_elsewhere")
        if known is not None and not can_keep_registry(actor, known.region_id):
            reasons.append("registry_number:outside_scope")
        seen.add(data.registry_number)
        if reasons:
            report.rejected.append(RowError(line, data.registry_number[:32], tuple(sorted(set(reasons)))))
        else:
            good.append(data)
        if progress:
            progress(1)
    if strict and report.rejected:
        return report
    for data in good:
        mediator = existing.get(data.registry_number)
        if mediator is not None:
            # The file has no account link and no ethnicity: keep what the registry already holds.
            data = replace(data, user_id=mediator.user_id, ethnicity=mediator.ethnicity,
                           ethnicity_consent_on=mediator.ethnicity_consent_on)
        if mediator is None:
            mediator = Mediator(created_at=now, status="active")
            db.session.add(mediator)
            report.created += 1
        else:
            report.updated += 1
        apply_data(mediator, data, now)
    db.session.flush()
    report.written = True
    audit.record("mediator.import", actor_id=actor.id, ip=ip, object_type="registry", object_id=filename[:40],
                 summary={"created": report.created, "updated": report.updated,
                          "rejected": len(report.rejected), "strict": strict}, now=now)
    return report


def export_rows(mediators: list[Mediator], kato_by_region: dict[int, str]) -> list[list]:
    """Registry rows in import order of columns, formula-safe."""
    rows = []
    for m in mediators:
        values = [m.registry_number, m.full_name, m.kind, m.birth_date, m.education,
                  "yes" if m.higher_education else "no", m.certificate_number, m.certificate_date,
                  "yes" if m.retired_judge else "no", ";".join(f"{lang.language}:{lang.level}" for lang in m.languages),
                  ";".join(m.specializations), kato_by_region.get(m.region_id, ""), m.house_id,
                  "yes" if m.takes_cases_elsewhere else "no", m.max_active_cases, m.phone, m.email, m.legal_address,
                  ";".join(m.disqualifications or [])]
        rows.append([neutralise(v) for v in values])
    return rows


def to_csv(rows: list[list]) -> bytes:
    """UTF-8 CSV with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, date) else v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list]) -> bytes:
    """An XLSX workbook with the same columns."""
    from openpyxl import Workbook  # here, not at import: openpyxl adds 0.18 s to every process start

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("registry")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
