"""Registry import and export: a CSV and an XLSX with good and bad rows, strict and lenient mode, re-import
without duplicates, the round trip, formula neutralisation, the scope of a regional manager, and the CLI."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from mediation.domain.roles import Actor, Role
from mediation.extensions import db
from mediation.models import AuditEvent, Mediator, MediatorLanguage, MediatorSpecialization, Region
from mediation.services import registry_io
from mediation.services.registry_io import COLUMNS, ImportFileInvalid
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf

TODAY = date(2025, 3, 12)
NOW = cf.at(TODAY)
ADMIN = Actor(id=0, role=Role.ADMIN)  # the operator, as the CLI acts
FORMULA = '=HYPERLINK("http://x","y")'

# The file: good rows at lines 2, 6 and 11, each bad row with the reasons it must be rejected for.
GOOD_LINES = (2, 6, 11)
BAD = {
    3: ("birth_date:date_format",),
    4: ("languages:language_unknown",),
    5: ("kind:kind_unknown",),
    7: ("registry_number:duplicate_in_file",),
    8: ("full_name:name_invalid",),
    9: ("region:region_unknown",),
    10: ("phone:phone_invalid",),
}


def mixed_rows() -> list[dict]:
    """Three good rows and seven bad ones, in file order (line = index + 2)."""
    return [
        rf.row(registry_number="75-10001", full_name="Ахметова Гүлнар Серікқызы"),            # 2 good
        rf.row(registry_number="75-10002", birth_date="1985-13-45"),                          # 3 wrong date
        rf.row(registry_number="75-10003", languages="kk:native;xx:fluent"),                  # 4 unknown language
        rf.row(registry_number="75-10004", kind="expert"),                                    # 5 unknown kind
        rf.row(registry_number="10-10001", full_name="Петров Иван Сергеевич", region="10",    # 6 good
               kind="public", birth_date="1960-01-01", certificate_number="", certificate_date="",
               languages="ru:native", specializations="interethnic", phone=""),
        rf.row(registry_number="75-10001", full_name="Тағы Бір Адам"),                        # 7 duplicate number
        rf.row(registry_number="75-10005", full_name="Ә" * 201),                              # 8 name too long
        rf.row(registry_number="99-10001", region="99"),                                      # 9 unknown region
        rf.row(registry_number="75-10006", phone="12345"),                                    # 10 bad phone
        rf.row(registry_number="75-10007", full_name=FORMULA),                                # 11 formula-like
    ]


FILES = {"csv": rf.csv_bytes, "xlsx": rf.xlsx_bytes}


def run_import(content: bytes, filename: str, *, strict: bool = False, actor: Actor = ADMIN):
    return registry_io.import_registry(actor, content, filename, strict=strict, ip="127.0.0.1", now=NOW,
                                       today=TODAY)


def numbers_on_file() -> list[str]:
    return sorted(db.session.scalars(select(Mediator.registry_number)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def assert_bad_rows_reported(report) -> None:
    rejected = {row.line: row for row in report.rejected}
    assert sorted(rejected) == sorted(BAD)
    for line, reasons in BAD.items():
        assert set(reasons) <= set(rejected[line].reasons), (line, rejected[line])
    # Each row has exactly its reasons: the unknown region once, under the file's column (not again as region_id)
    for line in BAD:
        assert rejected[line].reasons == BAD[line], (line, rejected[line])
    assert rejected[7].registry_number == "75-10001"


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


# --- export, the round trip, formula neutralisation ---------------------------------------------------------------


def snapshot() -> list[tuple]:
    """Everything the export carries, per mediator."""
    db.session.expire_all()
    return [(m.registry_number, m.full_name, m.kind, m.birth_date, m.education, m.higher_education,
             m.certificate_number, m.certificate_date, m.retired_judge,
             sorted((lang.language, lang.level) for lang in m.languages), sorted(m.specializations), m.region_id,
             m.house_id, m.takes_cases_elsewhere, m.max_active_cases, m.phone, m.email, m.legal_address,
             sorted(m.disqualifications or []))
            for m in db.session.scalars(select(Mediator).order_by(Mediator.registry_number))]


def export(fmt: str) -> bytes:
    mediators = list(db.session.scalars(select(Mediator).order_by(Mediator.registry_number)))
    kato = dict(db.session.execute(select(Region.id, Region.kato2)).all())
    rows = registry_io.export_rows(mediators, kato)
    return registry_io.to_csv(rows) if fmt == "csv" else registry_io.to_xlsx(rows)


@pytest.fixture
def varied_registry(org):
    """Mediators with every kind of value an export must carry, including formula-looking text."""
    rf.mediator(org.almaty, full_name=FORMULA, number="75-00001", house=org.republican_house, phone="+77011234567",
                email="a@example.kz", specializations=("family",), max_active_cases=7)
    rf.mediator(org.abai, full_name="Петров Иван", number="10-00001", kind="public",
                languages=(("ru", "native"), ("uz", "working")), specializations=(), takes_cases_elsewhere=False)
    entry = rf.mediator(org.almaty, full_name="Сейтқали Ержан", number="75-00002")
    entry.education, entry.legal_address, entry.certificate_date = "-1+2 курс", "@SUM(A1) көшесі", None
    entry.disqualifications, entry.retired_judge, entry.higher_education = ["state_office"], True, False
    db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(org, varied_registry, fmt):
    before = snapshot()
    content = export(fmt)
    # When the registry is changed by hand and the export is imported back
    for entry in db.session.scalars(select(Mediator)):
        entry.full_name, entry.max_active_cases, entry.phone = "Өзгертілген", 1, None
        entry.languages.clear()
        entry.specialization_rows.clear()
    db.session.commit()
    report = run_import(content, f"export.{fmt}", strict=True)
    db.session.commit()
    # Then every record is as it was, nobody was added, and no row was refused
    assert (report.created, report.updated, report.rejected) == (0, 3, [])
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_registry_recreates_it(org, varied_registry, fmt):
    before = snapshot()
    content = export(fmt)
    for entry in db.session.scalars(select(Mediator)):
        db.session.delete(entry)
    db.session.commit()
    report = run_import(content, f"export.{fmt}", strict=True)
    db.session.commit()
    assert (report.created, report.rejected) == (3, [])
    assert snapshot() == before


def test_the_csv_export_neutralises_formula_cells(org, varied_registry):
    content = export("csv")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert list(rows[0]) == list(COLUMNS)
    by_number = {row["registry_number"]: row for row in rows}
    assert by_number["75-00001"]["full_name"] == "'" + FORMULA
    assert by_number["75-00001"]["phone"] == "'+77011234567"
    assert by_number["75-00002"]["education"] == "'-1+2 курс"
    assert by_number["75-00002"]["legal_address"] == "'@SUM(A1) көшесі"
    # No cell of the file starts with a character a spreadsheet would evaluate
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_the_xlsx_export_neutralises_formula_cells(org, varied_registry):
    sheet = openpyxl.load_workbook(io.BytesIO(export("xlsx"))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == list(COLUMNS)
    cells = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    name = cells["75-00001"]["full_name"]
    assert (name.value, name.data_type) == ("'" + FORMULA, "s")
    assert cells["75-00001"]["phone"].value == "'+77011234567"
    for row in cells.values():
        for cell in row.values():
            assert cell.data_type != "f", cell.value


def test_the_import_takes_the_neutralising_apostrophe_off_only_before_formula_characters(org):
    report = run_import(rf.csv_bytes([
        rf.row(registry_number="75-30001", full_name="'" + FORMULA, phone="'+77015551234"),
        rf.row(registry_number="75-30002", full_name="'Ақжол' Бекұлы"),
    ]), "quoted.csv")
    db.session.commit()
    assert report.rejected == []
    names = dict(db.session.execute(select(Mediator.registry_number, Mediator.full_name)).all())
    assert names == {"75-30001": FORMULA, "75-30002": "'Ақжол' Бекұлы"}
    assert db.session.scalar(select(Mediator.phone).where(Mediator.registry_number == "75-30001")) == "+77015551234"


def test_re_importing_the_export_keeps_the_link_to_the_mediators_account(org):
    user, entry = cf.make_mediator_user(org)
    db.session.commit()
    run_import(export("csv"), "export.csv", strict=True)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Mediator, entry.id).user_id == user.id


def test_re_importing_the_export_keeps_the_declared_ethnicity(org):
    entry = rf.mediator(org.almaty, ethnicity="кәріс", ethnicity_consent_on=date(2025, 1, 10))
    db.session.commit()
    run_import(export("csv"), "export.csv", strict=True)
    db.session.commit()
    db.session.expire_all()
    assert (entry.ethnicity, entry.ethnicity_consent_on) == ("кәріс", date(2025, 1, 10))


# --- the command line ----------------------------------------------------------------------------------------


def test_cli_strict_import_lists_each_rejected_row_and_writes_nothing(org, runner, tmp_path):
    path = tmp_path / "registry.csv"
    path.write_bytes(rf.csv_bytes(mixed_rows()))
    result = runner.invoke(args=["mediators", "import", str(path), "--strict"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for line, reasons in BAD.items():
        matching = [text for text in lines if text.startswith(f"line {line} (")]
        assert len(matching) == 1, (line, result.output)
        assert all(reason in matching[0] for reason in reasons)
    assert "nothing written: 7 rows rejected (--strict)" in result.output
    db.session.rollback()
    assert count(Mediator) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_lenient_import_writes_the_good_rows(org, runner, tmp_path, fmt):
    path = tmp_path / f"registry.{fmt}"
    path.write_bytes(FILES[fmt](mixed_rows()))
    result = runner.invoke(args=["mediators", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "created 3, updated 0, rejected 7" in result.output
    assert "line 10 (75-10006): phone:phone_invalid" in result.output
    db.session.rollback()
    assert numbers_on_file() == ["10-10001", "75-10001", "75-10007"]
    again = runner.invoke(args=["mediators", "import", str(path)])
    assert "created 0, updated 3, rejected 7" in again.output


def test_cli_refuses_an_unreadable_file_with_a_message(org, runner, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("registry_number,full_name\n75-1,Аты\n", encoding="utf-8")
    result = runner.invoke(args=["mediators", "import", str(path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "file refused: missing_columns:kind,languages,region" in result.output


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_export_writes_an_importable_neutralised_file(org, runner, tmp_path, varied_registry, fmt):
    path = tmp_path / f"registry.{fmt}"
    result = runner.invoke(args=["mediators", "export", str(path)])
    assert result.exit_code == 0, result.output
    assert f"3 mediators written to {path}" in result.output
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(path).worksheets[0]
        values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert [cell.value for cell in sheet[1]] == list(COLUMNS)
        assert values["75-00001"][1] == "'" + FORMULA
    else:
        assert ("'" + FORMULA).replace('"', '""') in path.read_text(encoding="utf-8-sig")
    before = snapshot()
    assert run_import(path.read_bytes(), path.name, strict=True).updated == 3
    assert snapshot() == before
