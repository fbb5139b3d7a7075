"""Registry import: a CSV and an XLSX with good and bad rows, strict and lenient mode, re-import without duplicates,
columns a file leaves out, and the scope of a regional manager."""

from datetime import date

import pytest
from sqlalchemy import select

from mediation.extensions import db
from mediation.models import AuditEvent, Mediator, MediatorLanguage, MediatorSpecialization
from mediation.services.registry_io import ImportFileInvalid
from tests import factories
from tests import registry_factories as rf
from tests.services.registry_import_support import (
    FILES,
    FORMULA,
    GOOD_LINES,
    assert_bad_rows_reported,
    count,
    mixed_rows,
    numbers_on_file,
    run_import,
)

# --- lenient and strict --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_lenient_import_writes_the_good_rows_and_reports_every_bad_one(org, fmt):
    report = run_import(FILES[fmt](mixed_rows()), f"registry.{fmt}")
    db.session.commit()
    assert_bad_rows_reported(report)
    assert (report.created, report.updated, report.written) == (3, 0, True)
    assert numbers_on_file() == ["10-10001", "75-10001", "75-10007"]
    first = db.session.scalar(select(Mediator).where(Mediator.registry_number == "75-10001"))
    # The first occurrence of the duplicated number is the one kept
    assert first.full_name == "Ахметова Гүлнар Серікқызы"
    assert (first.kind, first.birth_date, first.region_id, first.phone, first.max_active_cases) == (
        "professional", date(1979, 4, 12), org.almaty.id, "+77015551234", 5)
    assert [(lang.language, lang.level) for lang in first.languages] == [("kk", "native"), ("ru", "fluent")]
    assert first.specializations == ["family", "interethnic"]
    # A formula-looking name is plain text to the registry: kept verbatim (exports neutralise it)
    assert db.session.scalar(select(Mediator.full_name).where(Mediator.registry_number == "75-10007")) == FORMULA
    summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "mediator.import"))
    assert summary == {"created": 3, "updated": 0, "rejected": 7, "strict": False}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_strict_import_writes_nothing_when_any_row_is_bad(org, fmt):
    report = run_import(FILES[fmt](mixed_rows()), f"registry.{fmt}", strict=True)
    db.session.commit()
    assert_bad_rows_reported(report)
    assert (report.created, report.updated, report.written) == (0, 0, False)
    assert count(Mediator) == count(MediatorLanguage) == count(MediatorSpecialization) == 0
    assert count(AuditEvent) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_strict_import_of_a_clean_file_writes_everything(org, fmt):
    good = [row for line, row in enumerate(mixed_rows(), start=2) if line in GOOD_LINES]
    report = run_import(FILES[fmt](good), f"registry.{fmt}", strict=True)
    db.session.commit()
    assert (report.created, report.updated, report.rejected, report.written) == (3, 0, [], True)
    assert numbers_on_file() == ["10-10001", "75-10001", "75-10007"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_the_same_file_again_duplicates_nobody(org, fmt):
    content = FILES[fmt](mixed_rows())
    run_import(content, f"registry.{fmt}")
    db.session.commit()
    again = run_import(content, f"registry.{fmt}")
    db.session.commit()
    assert (again.created, again.updated, len(again.rejected)) == (0, 3, 7)
    assert numbers_on_file() == ["10-10001", "75-10001", "75-10007"]
    assert count(MediatorLanguage) == 5  # kk+ru, ru, kk+ru: not doubled


def test_a_re_import_updates_the_record_in_place(org):
    run_import(rf.csv_bytes([rf.row(registry_number="75-10001", max_active_cases="5")]), "a.csv")
    db.session.commit()
    original_id = db.session.scalar(select(Mediator.id))
    report = run_import(rf.csv_bytes([rf.row(registry_number="75-10001", full_name="Жаңа Есім",
                                             max_active_cases="8", languages="ru:native",
                                             specializations="labour")]), "a.csv")
    db.session.commit()
    assert (report.created, report.updated) == (0, 1)
    entry = db.session.scalar(select(Mediator))
    assert (entry.id, entry.full_name, entry.name_folded, entry.max_active_cases) == (
        original_id, "Жаңа Есім", "жаңа есім", 8)
    assert [(lang.language, lang.level) for lang in entry.languages] == [("ru", "native")]
    assert entry.specializations == ["labour"]


KEPT_FIELDS = ("birth_date", "education", "higher_education", "certificate_number", "certificate_date", "house_id",
               "takes_cases_elsewhere", "max_active_cases", "email", "legal_address", "specializations")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_columns_a_file_leaves_out_keep_the_registrys_values(org, fmt):
    entry = rf.mediator(org.almaty, full_name="Ахметова Гүлнар", number="75-00001", house=org.republican_house,
                        phone="+77011234567", email="a@example.kz", specializations=("family", "labour"),
                        max_active_cases=7, takes_cases_elsewhere=False)
    entry.legal_address = "Алматы, Абай к-сі 1"
    db.session.commit()
    before = {name: getattr(entry, name) for name in KEPT_FIELDS}
    # A file of phone numbers: the required columns and the phone only
    columns = ("registry_number", "full_name", "kind", "languages", "region", "phone")
    row = {"registry_number": "75-00001", "full_name": "Ахметова Гүлнар", "kind": "professional",
           "languages": "kk:native;ru:fluent", "region": "75", "phone": "+7 702 000 1122"}
    report = run_import(FILES[fmt]([row], columns=columns), f"phones.{fmt}")
    db.session.commit()
    assert (report.created, report.updated, report.rejected) == (0, 1, [])
    db.session.expire_all()
    entry = db.session.scalar(select(Mediator).where(Mediator.registry_number == "75-00001"))
    assert entry.phone == "+77020001122"
    assert {name: getattr(entry, name) for name in KEPT_FIELDS} == before
    # A column the file has but leaves empty still clears the value
    report = run_import(FILES[fmt]([{**row, "email": ""}], columns=(*columns, "email")), f"emails.{fmt}")
    db.session.commit()
    db.session.expire_all()
    assert report.updated == 1 and db.session.get(Mediator, entry.id).email is None


def test_a_linked_mediator_does_not_move_to_another_region_by_import(org):
    account = factories.make_user("mediator", org=org)  # of Almaty, the Republican house's region
    rf.mediator(org.almaty, full_name="Ахметова Гүлнар", number="75-00001", user=account)
    db.session.commit()
    moved = rf.row(registry_number="75-00001", full_name="Ахметова Гүлнар", region="10")
    report = run_import(rf.csv_bytes([moved]), "move.csv")
    assert [row.reasons for row in report.rejected] == [("region:linked_account_elsewhere",)]
    db.session.rollback()
    entry = db.session.scalar(select(Mediator).where(Mediator.registry_number == "75-00001"))
    assert (entry.region_id, entry.user_id) == (org.almaty.id, account.id)


def test_a_new_mediator_from_a_file_without_some_columns_gets_the_defaults(org):
    columns = ("registry_number", "full_name", "kind", "languages", "region", "birth_date")
    report = run_import(rf.csv_bytes([rf.row(registry_number="75-20001", kind="public", birth_date="1960-01-01")],
                                     columns=columns), "few.csv")
    db.session.commit()
    entry = db.session.scalar(select(Mediator).where(Mediator.registry_number == "75-20001"))
    assert report.created == 1 and (entry.max_active_cases, entry.house_id, entry.certificate_number) == (5, None, None)


@pytest.mark.parametrize(("values", "reason"), [
    ({"max_active_cases": "many"}, "max_active_cases:capacity_invalid"),
    ({"max_active_cases": "150"}, "max_active_cases:capacity_invalid"),
    ({"higher_education": "maybe"}, "higher_education:not_yes_no"),
    ({"email": "not-an-email"}, "email:email_invalid"),
    ({"house_id": "12x"}, "house_id:house_unknown"),
    ({"specializations": "family;astrology"}, "specializations:specialization_unknown"),
    ({"languages": "kk:expert"}, "languages:level_unknown"),
    ({"languages": ""}, "languages:language_required"),
    ({"birth_date": ""}, "birth_date:date_required"),
    ({"registry_number": "75 10001"}, "registry_number:registry_number_invalid"),
    ({"disqualifications": "bad_mood"}, "disqualifications:disqualification_unknown"),
    ({"certificate_date": "2030-01-01"}, "certificate_date:date_in_future"),
    ({"certificate_date": "20.05.2021"}, "certificate_date:date_format"),
])
def test_other_bad_cells_are_reported_with_their_column(org, values, reason):
    report = run_import(rf.csv_bytes([rf.row(**values)]), "one.csv")
    assert [(row.line, reason in row.reasons) for row in report.rejected] == [(2, True)]
    assert report.created == 0


def test_a_house_of_another_region_is_refused(org):
    report = run_import(rf.csv_bytes([rf.row(house_id=str(org.semey_house.id))]), "one.csv")
    assert report.rejected[0].reasons == ("house_id:house_outside_region",)
    ok = run_import(rf.csv_bytes([rf.row(house_id=str(org.republican_house.id))]), "two.csv")
    assert (ok.created, ok.rejected) == (1, [])


def test_a_regional_manager_imports_only_into_their_region(org):
    manager = factories.make_user("manager", org=org, region=org.almaty).actor
    abai = rf.mediator(org.abai, number="10-00001")
    db.session.commit()
    report = run_import(rf.csv_bytes([
        rf.row(registry_number="75-20001"),                                # own region: fine
        rf.row(registry_number="10-20001", region="10"),                   # another region
        rf.row(registry_number=abai.registry_number, region="75"),         # pulling Abai's mediator over
    ]), "scope.csv", actor=manager)
    db.session.commit()
    assert report.created == 1
    assert [(row.line, row.reasons) for row in report.rejected] == [
        (3, ("region:outside_scope",)), (4, ("registry_number:outside_scope",))]
    assert db.session.get(Mediator, abai.id).region_id == org.abai.id


@pytest.mark.parametrize(("content", "filename", "reason"), [
    ("registry_number,full_name\n75-1,Аты\n".encode(), "short.csv", "missing_columns:kind,languages,region"),
    ("registry_number,full_name,kind,languages,region\n".encode("utf-16"), "utf16.csv", "not_utf8"),
    (b"PK\x03\x04 this is not a workbook", "broken.xlsx", "xlsx_unreadable"),
])
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(org, content, filename, reason):
    with pytest.raises(ImportFileInvalid) as refused:
        run_import(content, filename)
    assert refused.value.reason == reason


def test_csv_line_numbers_count_physical_lines(org):
    # A quoted address over two lines: the next row starts on line 4 of the file
    rows = [rf.row(legal_address="Алматы,\nАбай даңғылы 1"), rf.row(birth_date="not a date")]
    report = run_import(rf.csv_bytes(rows), "lines.csv")
    assert [row.line for row in report.rejected] == [4]
