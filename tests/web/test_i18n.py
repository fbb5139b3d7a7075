"""Three interface languages, remembered per user; times shown in Asia/Almaty."""

from datetime import datetime

import pytest

from mediation.extensions import db
from mediation.models import User
from tests import factories
from tests.conftest import csrf_token, login


def test_kazakh_is_the_default(client, org):
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="kk">' in html and "Кіру" in html


@pytest.mark.parametrize(("header", "lang"), [("ru-RU,ru;q=0.9", "ru"), ("en-GB", "en"), ("de-DE", "kk")])
def test_browser_language_before_sign_in(client, org, header, lang):
    html = client.get("/auth/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html


def test_switch_is_remembered_per_user(app, org):
    user = factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    client = app.test_client()
    login(client, "gulnar")
    token = csrf_token(client, "/")
    response = client.post("/language", data={"csrf_token": token, "lang": "ru", "next": "/"})
    assert response.status_code == 302 and response.location == "/"
    assert db.session.get(User, user.id).locale == "ru"
    # A new browser picks up the saved choice after signing in.
    other = app.test_client()
    login(other, "gulnar")
    assert "Главная" in other.get("/").get_data(as_text=True)


def test_switch_before_sign_in_is_kept_in_the_browser(client, org):
    token = csrf_token(client)
    client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/auth/login"})
    assert "Sign in" in client.get("/auth/login").get_data(as_text=True)


def test_unknown_language_and_foreign_next_are_ignored(client, org):
    token = csrf_token(client)
    response = client.post("/language", data={"csrf_token": token, "lang": "xx", "next": "//evil.example"})
    assert response.location == "/"
    assert '<html lang="kk">' in client.get("/auth/login").get_data(as_text=True)


def test_times_are_shown_in_almaty_time(app, client, org):
    # Given a user whose last sign-in is stored as 04:30 UTC
    user = factories.make_user("manager", org=org, username="gulnar")
    factories.make_user("admin", org=org, username="root1")
    db.session.commit()
    login(client, "root1")
    db.session.get(User, user.id).last_login_at = datetime(2026, 3, 8, 4, 30)
    db.session.commit()
    # Then the admin list shows 09:30, Astana time (UTC+5, no daylight saving)
    assert "09:30" in client.get("/admin/users").get_data(as_text=True)


def test_numbers_follow_the_locale(app):
    from flask_babel import force_locale

    from mediation.web.filters import number

    with app.test_request_context():
        with force_locale("ru"):
            assert number(1234567) == "1\xa0234\xa0567"
        with force_locale("en"):
            assert number(1234567) == "1,234,567"


def test_every_catalog_is_complete():
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2] / "mediation" / "translations"
    with (root / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    for lang in ("kk", "ru"):
        with (root / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle)
        missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
        assert missing == [], f"{lang}: untranslated {missing[:5]}"
        assert template <= {m.id for m in catalog if m.id}, f"{lang}: run make update-messages"


def test_templates_follow_a_locale_changed_inside_the_request(app):
    # Templates keep the request's catalogue (web/i18n.catalogue) only while the locale stays the same
    from flask_babel import force_locale, refresh

    template = app.jinja_env.from_string("{{ _('Sign in') }}")
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        assert template.render() == "Войти"
        with force_locale("en"):
            assert template.render() == "Sign in"
        assert template.render() == "Войти"
        refresh()
        assert template.render() == "Войти"
