"""The registry screens for each role, the public register in three languages (no personal data), the
mediator form with its field errors, status and absences, import upload with the rejected lines, export."""

import csv
import html
import io
import re
from datetime import date, timedelta
from types import SimpleNamespace

import openpyxl
import pytest
from babel.dates import format_date
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from mediation.domain.mediator_eligibility import add_months
from mediation.extensions import db
from mediation.models import AuditEvent, Mediator, MediatorAbsence
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf
from tests.conftest import csrf_token, login

PHONE = "+77017654321"
BIRTH = date(1968, 11, 23)
FORMULA = '=HYPERLINK("http://x","y")'
FORM_CONTROL = re.compile(r"<(?:input|select|textarea)\b[^>]*>")


def person(role: str, org, **scope):
    """A user who reads the interface in English (messages are asserted in English)."""
    user = factories.make_user(role, org=org, **scope)
    user.locale = "en"
    db.session.commit()
    return user


def sign_in(client, user) -> None:
    assert login(client, user.username).status_code == 302


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def invalid_fields(response) -> set[str]:
    """Names of the form controls marked invalid."""
    names = set()
    for tag in FORM_CONTROL.findall(response.get_data(as_text=True)):
        if "is-invalid" in tag:
            names.add(re.search(r'name="([^"]+)"', tag).group(1))
    return names


def mediator_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Mediator))


@pytest.fixture
def staff(org):
    """One user per role (Almaty and Abai managers too) and a registry of four in two regions."""
    staff = SimpleNamespace(
        admin=person("admin", org), republic_manager=person("manager", org),
        almaty_manager=person("manager", org, region=org.almaty), abai_manager=person("manager", org, region=org.abai),
        coordinator=person("coordinator", org, house=org.republican_house),
        abai_coordinator=person("coordinator", org, house=org.semey_house),
        mediator=person("mediator", org, house=org.republican_house))
    staff.kim = rf.mediator(org.almaty, full_name="КИМ Светлана Германовна", phone=PHONE, birth_date=BIRTH,
                            email="kim.s@example.kz", number="75-00001", house=org.republican_house,
                            specializations=("family", "interethnic"),
                            ethnicity="кәріс", ethnicity_consent_on=date(2024, 12, 1))
    staff.kim.legal_address = "Алматы, Сейфуллин даңғылы 404"
    staff.kim.certificate_number = "MC-40404"
    staff.ivanov = rf.mediator(org.almaty, full_name="Иванов Пётр", number="75-00002", kind="public",
                               languages=(("ru", "native"),), specializations=("labour",))
    staff.petrova = rf.mediator(org.abai, full_name="Петрова Анна", number="10-00001",
                                status="suspended", suspended_until=date(2099, 1, 1), status_reason="Тексеру")
    staff.gone = rf.mediator(org.almaty, full_name="Шығарылған Адам", number="75-00003", status="excluded",
                             status_reason="Үкім")
    db.session.commit()
    return staff


# --- the registry pages per role ---------------------------------------------------------------------------------


LIST_SEES = {
    "admin": {"КИМ", "Иванов", "Петрова", "Шығарылған"},
    "republic_manager": {"КИМ", "Иванов", "Петрова", "Шығарылған"},
    "almaty_manager": {"КИМ", "Иванов", "Шығарылған"},
    "coordinator": {"КИМ", "Иванов", "Шығарылған"},
    "abai_coordinator": {"Петрова"},
}


def test_the_registry_list_per_role(app, staff):
    for role, sees in LIST_SEES.items():
        client = app.test_client()
        sign_in(client, getattr(staff, role))
        response = client.get("/mediators/")
        assert response.status_code == 200, role
        page = text_of(response)
        assert {name for name in ("КИМ", "Иванов", "Петрова", "Шығарылған") if name in page} == sees, role
        # Only keepers of the registry get the add, import and export buttons
        keeper = role in ("admin", "republic_manager", "almaty_manager")
        assert ('href="/mediators/new"' in page) is keeper, role
        assert ('href="/mediators/export.csv' in page) is keeper, role


DETAIL_STATUS = {"admin": 200, "almaty_manager": 200, "coordinator": 200, "abai_manager": 404,
                 "abai_coordinator": 404, "mediator": 403}


def test_the_mediators_page_per_role(app, staff):
    for role, status in DETAIL_STATUS.items():
        client = app.test_client()
        sign_in(client, getattr(staff, role))
        response = client.get(f"/mediators/{staff.kim.id}")
        assert response.status_code == status, role
        if status == 200:
            page = text_of(response)
            assert "КИМ Светлана Германовна" in page and "75-00001" in page
            # Staff see the contacts and the workload
            assert PHONE in page and "0 / 5" in page
            can_keep = role != "coordinator"
            assert (f'action="/mediators/{staff.kim.id}/status"' in page) is can_keep, role
            assert (f'href="/mediators/{staff.kim.id}/edit"' in page) is can_keep, role


def test_a_mediator_user_and_a_stranger_get_no_registry_pages(client, staff, app):
    for path in ("/mediators/", f"/mediators/{staff.kim.id}", "/mediators/new", "/mediators/import",
                 "/mediators/export.csv"):
        assert app.test_client().get(path).status_code == 302  # to the sign-in page
    sign_in(client, staff.mediator)
    for path in ("/mediators/", f"/mediators/{staff.kim.id}", "/mediators/new", "/mediators/import",
                 "/mediators/export.csv", f"/mediators/{staff.kim.id}/edit"):
        assert client.get(path).status_code == 403, path


def test_a_coordinator_reads_but_does_not_keep_the_registry(client, staff):
    sign_in(client, staff.coordinator)
    token = csrf_token(client, "/mediators/")
    for path in ("/mediators/new", f"/mediators/{staff.kim.id}/edit", "/mediators/import", "/mediators/export.xlsx"):
        assert client.get(path).status_code == 403, path
    response = client.post(f"/mediators/{staff.kim.id}/status", data={"csrf_token": token, "status": "excluded",
                                                                      "reason": "Бұзушылық"})
    assert response.status_code == 403
    assert db.session.get(Mediator, staff.kim.id).status == "active"


FILTERS = {
    "q=ким": {"КИМ"}, "q=ПЁТР": {"Иванов"}, "q=75-00002": {"Иванов"}, "language=ru&kind=public": {"Иванов"},
    "specialization=labour": {"Иванов", "Шығарылған"}, "status=excluded": {"Шығарылған"},
    "free=1": {"КИМ", "Иванов"}, "region=abai": set(),  # a filter never widens the scope
}


def test_the_list_filters_and_search(client, org, staff):
    sign_in(client, staff.almaty_manager)
    for query, expected in FILTERS.items():
        page = text_of(client.get(f"/mediators/?{query.replace('abai', str(org.abai.id))}"))
        assert {name for name in ("КИМ", "Иванов", "Шығарылған", "Петрова") if name in page} == expected, query


def test_the_list_shows_who_is_full(client, org, staff):
    rf.give_open_cases(staff.ivanov, 1, staff.coordinator, org.republican_house, received_on=cf.today())
    staff.ivanov.max_active_cases = 1
    db.session.commit()
    sign_in(client, staff.almaty_manager)
    assert "Иванов" not in text_of(client.get("/mediators/?free=1"))
    page = client.get("/mediators/").get_data(as_text=True)
    assert re.search(r'text-danger fw-semibold">1 / 1<', page)


def test_the_list_page_runs_the_same_queries_for_10_or_50_mediators(client, org, staff):
    sign_in(client, staff.republic_manager)

    def queries() -> int:
        with rf.count_queries() as statements:
            assert client.get("/mediators/").status_code == 200
        return len(statements)

    for index in range(6):
        rf.mediator(org.almaty if index % 2 else org.abai, full_name=f"Медиатор {index:03d}")
    db.session.commit()
    few = queries()
    for index in range(6, 46):
        rf.mediator(org.almaty if index % 2 else org.abai, full_name=f"Медиатор {index:03d}")
    db.session.commit()
    assert queries() == few


# --- the public register --------------------------------------------------------------------------------------------


def birth_date_spellings() -> set[str]:
    spellings = {BIRTH.isoformat(), BIRTH.strftime("%d.%m.%Y"), BIRTH.strftime("%d/%m/%Y")}
    for locale in ("kk", "ru", "en"):
        for form in ("short", "medium", "long", "full"):
            spellings.add(format_date(BIRTH, form, locale=locale))
    return spellings


PUBLIC_LANGUAGES = [(None, "kk", "Медиаторлар тізілімі"), ("ru-RU,ru;q=0.9", "ru", "Реестр медиаторов"),
                    ("en-GB", "en", "Register of mediators")]


def test_the_public_register_needs_no_login_and_shows_no_personal_data(app, staff):
    for accept, lang, heading in PUBLIC_LANGUAGES:
        anonymous = app.test_client()
        response = anonymous.get("/registry/", headers={"Accept-Language": accept} if accept else {})
        assert response.status_code == 200
        page = text_of(response)
        assert f'<html lang="{lang}">' in page
        assert heading in page
        # Published: names of active and suspended mediators
        for name in ("КИМ Светлана Германовна", "Иванов Пётр", "Петрова Анна"):
            assert name in page, (lang, name)
        # Excluded mediators leave the register
        assert "Шығарылған" not in page
        # No contacts, birth date, address, certificate number, ethnicity or status reasons
        table = page[page.index('data-testid="public-registry"'):]
        for private in (PHONE, PHONE[2:], "7654321", "kim.s@example.kz", "Сейфуллин", "MC-40404", "кәріс",
                        "Тексеру", "Үкім"):
            assert private not in page, (lang, private)
        for spelling in birth_date_spellings():
            assert spelling not in table, (lang, spelling)
    english = text_of(app.test_client().get("/registry/", headers={"Accept-Language": "en"}))
    assert re.search(r"Петрова Анна</td>.*?<td>Suspended</td>", english, re.S)


def test_the_public_register_filters_without_login(app, org, staff):
    anonymous = app.test_client()
    page = text_of(anonymous.get(f"/registry/?region={org.abai.id}", headers={"Accept-Language": "en"}))
    assert "Петрова Анна" in page and "КИМ" not in page
    page = text_of(anonymous.get("/registry/?q=ким&kind=professional", headers={"Accept-Language": "en"}))
    assert "КИМ Светлана Германовна" in page and "Иванов" not in page
    # junk in the query string is ignored, not an error
    assert anonymous.get("/registry/?region=abc&language=xx&kind=zz&cursor=%%%").status_code == 200


# --- the mediator form ---------------------------------------------------------------------------------------------


def form_body(token: str, org, **fields) -> dict:
    body = {"csrf_token": token, "registry_number": "75-77777", "full_name": "Жаңа Медиатор Серікұлы",
            "kind": "professional", "birth_date": "1980-01-15", "education": "Жоғары заң", "higher_education": "y",
            "certificate_number": "MC-7777", "certificate_date": "2021-01-01", "specializations": ["family", "labour"],
            "region_id": str(org.almaty.id), "house_id": str(org.republican_house.id),
            "takes_cases_elsewhere": "y", "max_active_cases": "6", "phone": "+7 701 111 2233",
            "email": "jana@example.kz", "lang_kk": "native", "lang_ru": "fluent", "user_id": ""}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def test_a_manager_adds_a_mediator(client, org, staff):
    sign_in(client, staff.almaty_manager)
    token = csrf_token(client, "/mediators/new")
    response = client.post("/mediators/new", data=form_body(token, org, user_id=str(staff.mediator.id)))
    assert response.status_code == 302
    entry = db.session.scalar(select(Mediator).where(Mediator.registry_number == "75-77777"))
    assert response.location == f"/mediators/{entry.id}"
    assert (entry.full_name, entry.kind, entry.region_id, entry.house_id, entry.max_active_cases, entry.phone) == (
        "Жаңа Медиатор Серікұлы", "professional", org.almaty.id, org.republican_house.id, 6, "+77011112233")
    assert sorted((lang.language, lang.level) for lang in entry.languages) == [("kk", "native"), ("ru", "fluent")]
    assert entry.specializations == ["family", "labour"]
    assert entry.user_id == staff.mediator.id
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "mediator.create")) == \
        staff.almaty_manager.id


FORM_ERRORS = [
    ({"registry_number": "75-00001"}, "registry_number"),                 # taken (by Kim)
    ({"birth_date": ""}, "birth_date"),                                   # needed for Art. 9
    ({"birth_date": "2999-01-01"}, "birth_date"),
    ({"lang_kk": "", "lang_ru": ""}, "lang_kk"),                          # no language
    ({"full_name": "Ә" * 201}, "full_name"),
    ({"full_name": ""}, "full_name"),
    ({"phone": "12345"}, "phone"),
    ({"max_active_cases": "101"}, "max_active_cases"),
    ({"ethnicity": "орыс"}, "ethnicity_consent_on"),
    ({"registry_number": "75 bad number"}, "registry_number"),
    ({"house_id": "semey"}, "house_id"),                                  # a house of another region
    ({"region_id": "abai"}, "region_id"),                                 # not the manager's region
    ({"user_id": "coordinator"}, "user_id"),                              # not a mediator account
    ({"lang_kk": "expert"}, "lang_kk"),
    ({"specializations": ["astrology"]}, None),                           # a checkbox group: message only
]


def test_the_form_shows_field_errors_and_writes_nothing(client, org, staff):
    replacements = {"semey": str(org.semey_house.id), "abai": str(org.abai.id),
                    "coordinator": str(staff.coordinator.id)}
    sign_in(client, staff.almaty_manager)
    token = csrf_token(client, "/mediators/new")
    before = mediator_count()
    for fields, invalid in FORM_ERRORS:
        fields = {k: replacements.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
        response = client.post("/mediators/new", data=form_body(token, org, **fields))
        assert response.status_code == 422, fields
        if invalid:
            assert invalid in invalid_fields(response), (fields, invalid_fields(response))
        else:
            assert "'astrology' is not a valid choice" in text_of(response)
    assert mediator_count() == before
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "mediator.create")) == 0


def test_the_edit_form_is_filled_and_saves(client, org, staff):
    sign_in(client, staff.almaty_manager)
    response = client.get(f"/mediators/{staff.ivanov.id}/edit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="75-00002"' in page and 'value="Иванов Пётр"' in page
    assert re.search(r'<option selected value="native">|<option value="native" selected>', page)
    token = csrf_token(client, f"/mediators/{staff.ivanov.id}/edit")
    body = form_body(token, org, registry_number="75-00002", full_name="Иванов Пётр Ильич", kind="public",
                     birth_date="1960-02-02", lang_kk="", lang_ru="native", max_active_cases="3")
    response = client.post(f"/mediators/{staff.ivanov.id}/edit", data=body)
    assert response.status_code == 302 and response.location == f"/mediators/{staff.ivanov.id}"
    db.session.expire_all()
    entry = db.session.get(Mediator, staff.ivanov.id)
    assert (entry.full_name, entry.name_folded, entry.max_active_cases) == ("Иванов Пётр Ильич",
                                                                            "иванов пётр ильич", 3)
    assert [(lang.language, lang.level) for lang in entry.languages] == [("ru", "native")]
    # Taking another mediator's number is refused on the field
    response = client.post(f"/mediators/{staff.ivanov.id}/edit", data={**body, "registry_number": "75-00001"})
    assert response.status_code == 422 and "registry_number" in invalid_fields(response)
    db.session.expire_all()
    assert db.session.get(Mediator, staff.ivanov.id).registry_number == "75-00002"


def test_a_manager_of_another_region_cannot_edit(client, staff):
    sign_in(client, staff.abai_manager)
    assert client.get(f"/mediators/{staff.kim.id}/edit").status_code == 404


# --- status and absences ----------------------------------------------------------------------------------------


def test_status_changes_suspend_for_six_months_exclude_and_reinstate(client, staff):
    sign_in(client, staff.almaty_manager)
    path = f"/mediators/{staff.kim.id}"
    token = csrf_token(client, path)
    # A suspension without a reason is refused
    response = client.post(f"{path}/status", data={"csrf_token": token, "status": "suspended", "reason": ""})
    assert response.status_code == 302
    assert "Give the reason." in text_of(client.get(path))
    assert db.session.get(Mediator, staff.kim.id).status == "active"
    # With a reason it lasts six calendar months by default
    client.post(f"{path}/status", data={"csrf_token": token, "status": "suspended", "reason": "Бұзушылық расталды"})
    db.session.expire_all()
    entry = db.session.get(Mediator, staff.kim.id)
    assert (entry.status, entry.suspended_until, entry.status_reason) == (
        "suspended", add_months(cf.today(), 6), "Бұзушылық расталды")
    page = text_of(client.get(path))
    assert 'data-testid="ineligible"' in page and "Бұзушылық расталды" in page
    # Excluded, then reinstated
    client.post(f"{path}/status", data={"csrf_token": token, "status": "excluded", "reason": "Сот үкімі"})
    db.session.expire_all()
    assert db.session.get(Mediator, staff.kim.id).status == "excluded"
    client.post(f"{path}/status", data={"csrf_token": token, "status": "active", "reason": ""})
    db.session.expire_all()
    entry = db.session.get(Mediator, staff.kim.id)
    assert (entry.status, entry.suspended_until, entry.status_reason) == ("active", None, None)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "mediator")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["mediator.suspended", "mediator.excluded", "mediator.active"]


def test_absences_are_added_on_the_mediators_page(client, staff):
    sign_in(client, staff.almaty_manager)
    path = f"/mediators/{staff.kim.id}"
    token = csrf_token(client, path)
    start = cf.today() + timedelta(days=3)
    response = client.post(f"{path}/absences", data={"csrf_token": token, "kind": "illness",
                                                     "start": start.isoformat(),
                                                     "end": (start + timedelta(days=4)).isoformat()})
    assert response.status_code == 302
    response = client.post(f"{path}/absences", data={"csrf_token": token, "kind": "leave",
                                                     "start": start.isoformat(),
                                                     "end": (start - timedelta(days=1)).isoformat()})
    assert response.status_code == 302
    assert "The end must not be before the start." in text_of(client.get(path))
    assert db.session.scalar(select(func.count()).select_from(MediatorAbsence)) == 1


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
    assert problems["3"] == "birth_date: This date is not possible."
    assert problems["4"] == "languages: Unknown language."
    assert problems["5"] == "registry_number: The same registry number appears earlier in the file."
    assert problems["6"] == "full_name: Give the full name (at most 200 characters)."
    assert problems["7"] == "phone: This is not a valid phone number."
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
    (b"registry_number,full_name\n75-1,X\n", "short.csv", "Columns missing: kind,languages,region"),
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
    assert rejected_table(response) == [("2", "10-60001", "region: Outside the regions you keep.")]
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
