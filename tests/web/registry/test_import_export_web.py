"""Registry import upload with the rejected lines, strict mode, and the neutralised exports."""

import csv
import html
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from mediation.extensions import db
from mediation.models import AuditEvent, Mediator
from tests import registry_factories as rf
from tests.conftest import csrf_token
from tests.web.pages import invalid_fields, sign_in, text_of
from tests.web.registry_pages import FORMULA, PHONE, mediator_count

# --- import and export ----------------------------------------------------------------------------------------


def upload(client, content: bytes, filename: str, *, strict: bool = False, content_type: str = "text/csv"):
    token = csrf_token(client, "/mediators/import")
    data = {"csrf_token": token, "file": FileStorage(stream=io.BytesIO(content), filename=filename,
                                                      content_type=content_type)}
    if strict:
        data["strict"] = "y"
    return client.post("/mediators/import", data=data, content_type="multipart/form-data")


def import_rows() -> list[dict]:
    return [rf.row(registry_number="75-50001"),
            rf.row(registry_number="75-50002", birth_date="1985-13-45"),
            rf.row(registry_number="75-50003", languages="kk:native;xx:fluent"),
            rf.row(registry_number="75-50001", full_name="Қайталанған Нөмір"),
            rf.row(registry_number="75-50004", full_name="Ә" * 201),
            rf.row(registry_number="75-50005", phone="12345"),
            rf.row(registry_number="75-50006", full_name=FORMULA)]


def rejected_table(response) -> list[tuple[str, str, str]]:
    page = response.get_data(as_text=True)
    return [(html.unescape(line), html.unescape(number), html.unescape(problems)) for line, number, problems in
            re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>\s*<td>(.*?)</td></tr>", page, re.S)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_upload_lists_each_rejected_line_and_writes_the_good_rows(client, staff, fmt):
    sign_in(client, staff.almaty_manager)
    content = rf.csv_bytes(import_rows()) if fmt == "csv" else rf.xlsx_bytes(import_rows())
    response = upload(client, content, f"registry.{fmt}")
    assert response.status_code == 200
    page = text_of(response)
    assert "Created: 2, updated: 0, rejected: 5." in page
    rows = rejected_table(response)
    assert [(line, number) for line, number, _ in rows] == [
        ("3", "75-50002"), ("4", "75-50003"), ("5", "75-50001"), ("6", "75-50004"), ("7", "75-50005")]
    problems = dict((line, text) for line, _, text in rows)
    assert problems["3"] == "Date of birth (birth_date): Write the date as YYYY-MM-DD, for example 1979-04-12."
    assert problems["4"] == "Languages of mediation (languages): Unknown language."
    assert problems["5"] == "Registry number (registry_number): The same registry number appears earlier in the file."
    assert problems["6"] == "Full name (full_name): Give the full name (at most 200 characters)."
    assert problems["7"] == "Phone (phone): This is not a valid phone number."
    db.session.rollback()
    assert sorted(db.session.scalars(select(Mediator.registry_number).where(
        Mediator.registry_number.like("75-5%")))) == ["75-50001", "75-50006"]


def test_a_strict_upload_writes_nothing(client, staff):
    sign_in(client, staff.almaty_manager)
    before = mediator_count()
    response = upload(client, rf.csv_bytes(import_rows()), "registry.csv", strict=True)
    assert response.status_code == 200
    assert "Nothing was written: 5 rows are wrong (all-or-nothing import)." in text_of(response)
    assert len(rejected_table(response)) == 5
    assert mediator_count() == before
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "mediator.import")) == 0


@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"registry_number,full_name\n75-1,X\n", "short.csv", "Columns missing: kind, languages, region"),
    ("registry_number,full_name,kind,languages,region\n".encode("utf-16"), "utf16.csv",
     "The CSV file must be saved in UTF-8."),
    (b"PK\x03\x04not a workbook", "broken.xlsx", "The XLSX file cannot be read."),
])
def test_an_unreadable_upload_is_refused_with_the_reason(client, staff, content, filename, message):
    sign_in(client, staff.almaty_manager)
    response = upload(client, content, filename)
    assert response.status_code == 422
    assert message in text_of(response)


def test_an_upload_of_another_type_or_none_is_a_field_error(client, staff):
    sign_in(client, staff.almaty_manager)
    response = upload(client, b"hello", "registry.txt", content_type="text/plain")
    assert response.status_code == 422 and "file" in invalid_fields(response)
    token = csrf_token(client, "/mediators/import")
    response = client.post("/mediators/import", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 422


def test_a_regional_manager_cannot_import_into_another_region(client, staff):
    sign_in(client, staff.almaty_manager)
    response = upload(client, rf.csv_bytes([rf.row(registry_number="10-60001", region="10")]), "abai.csv")
    assert response.status_code == 200
    assert rejected_table(response) == [("2", "10-60001", "Region (region): Outside the regions you keep.")]
    assert db.session.scalar(select(Mediator.id).where(Mediator.registry_number == "10-60001")) is None


def test_the_csv_export_is_scoped_neutralised_and_importable(client, staff):
    staff.ivanov.full_name = FORMULA
    db.session.commit()
    sign_in(client, staff.almaty_manager)
    response = client.get("/mediators/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="registry-')
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert sorted(row["registry_number"] for row in rows) == ["75-00001", "75-00002", "75-00003"]
    by_number = {row["registry_number"]: row for row in rows}
    assert by_number["75-00002"]["full_name"] == "'" + FORMULA
    assert by_number["75-00001"]["phone"] == "'" + PHONE
    assert "ethnicity" not in rows[0] and "кәріс" not in response.get_data(as_text=True)
    # The list's filters apply to the export
    filtered = client.get("/mediators/export.csv?language=ru&kind=public").get_data().decode("utf-8-sig")
    assert [row["registry_number"] for row in csv.DictReader(io.StringIO(filtered))] == ["75-00002"]
    # And the file goes back in without changing anyone
    response = upload(client, response.get_data(), "export.csv", strict=True)
    assert "Created: 0, updated: 3, rejected: 0." in text_of(response)
    db.session.expire_all()
    assert db.session.get(Mediator, staff.ivanov.id).full_name == FORMULA


def test_the_xlsx_export(client, staff):
    sign_in(client, staff.republic_manager)
    response = client.get("/mediators/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    numbers = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert numbers == ["10-00001", "75-00001", "75-00002", "75-00003"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
