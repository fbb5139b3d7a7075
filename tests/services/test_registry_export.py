"""Registry export: the round trip through import, formula neutralisation, and the CLI's import and export."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from mediation.extensions import db
from mediation.models import Mediator, Region
from mediation.services import registry_io
from mediation.services.registry_io import COLUMNS
from tests import case_factories as cf
from tests import registry_factories as rf
from tests.services.registry_import_support import (
    BAD,
    FILES,
    FORMULA,
    count,
    mixed_rows,
    numbers_on_file,
    run_import,
)

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
