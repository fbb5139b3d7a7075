"""The registry pages for each role, and the public register in three languages with no personal data."""

import re

from babel.dates import format_date

from mediation.extensions import db
from mediation.models import Mediator
from tests import case_factories as cf
from tests import registry_factories as rf
from tests.conftest import csrf_token
from tests.web.pages import sign_in, text_of
from tests.web.registry_pages import BIRTH, PHONE

# --- the registry pages per role ---------------------------------------------------------------------------------


LIST_SEES = {
    "admin": {"КИМ", "Иванов", "Петрова", "Шығарылған"},
    "republic_manager": {"КИМ", "Иванов", "Петрова", "Шығарылған"},
    "almaty_manager": {"КИМ", "Иванов", "Шығарылған"},
    "coordinator": {"КИМ", "Иванов", "Шығарылған"},
    "semey_coordinator": {"Петрова"},
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
                 "semey_coordinator": 404, "mediator": 403}


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
