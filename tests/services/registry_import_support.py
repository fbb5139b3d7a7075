"""Shared by the registry import and export tests: the mixed file of good and bad rows, and running an import."""

from datetime import date

from sqlalchemy import func, select

from mediation.domain.roles import Actor, Role
from mediation.extensions import db
from mediation.models import Mediator
from mediation.services import registry_io
from tests import case_factories as cf
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
