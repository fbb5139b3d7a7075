"""Security defaults: headers, CSRF, request size, no 500s, errors in three languages."""

import pytest

from mediation.extensions import db
from tests import factories
from tests.conftest import csrf_token, login


@pytest.mark.parametrize("path", ["/auth/login", "/", "/nope", "/healthz"])
def test_security_headers_on_every_response(client, org, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client, login_as):
    login_as("admin")
    for path in ("/", "/admin/users", "/admin/users/new", "/admin/audit", "/auth/password"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "onclick=" not in html and "javascript:" not in html


def test_signed_in_pages_are_not_cached(client, login_as):
    login_as("manager")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_post_without_csrf_token_is_400(client, org):
    factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    response = client.post("/auth/login", data={"username": "gulnar", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # and nobody got signed in


def test_post_with_a_token_from_another_session_is_400(app, org):
    factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    other = app.test_client()
    token = csrf_token(other)
    client = app.test_client()
    client.get("/auth/login")
    response = client.post("/auth/login", data={"username": "gulnar", "password": factories.PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 400


def test_oversized_request_is_413(app, client, org):
    body = {"username": "x", "password": "y" * (app.config["MAX_CONTENT_LENGTH"] + 10),
            "csrf_token": csrf_token(client)}
    assert client.post("/auth/login", data=body).status_code == 413


@pytest.mark.parametrize(("lang", "text"), [("kk", "Бет табылмады"), ("ru", "Страница не найдена"),
                                            ("en", "Page not found")])
def test_error_pages_in_three_languages(client, org, lang, text):
    response = client.get("/no/such/page", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_unexpected_error_is_a_calm_500_and_rolls_back(app, client, login_as, monkeypatch):
    login_as("manager")
    import mediation.services.org as org_service

    def boom(actor):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(org_service, "scope_overview", boom)
    response = client.get("/")
    assert response.status_code == 500
    assert "simulated failure" not in response.get_data(as_text=True)


def test_debug_is_off_outside_development(app):
    assert app.debug is False


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    from config import ProductionConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.check()


def test_production_uses_secure_cookies():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True


def test_development_key_is_generated_once(tmp_path, monkeypatch):
    import config

    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config._development_secret_key()
    assert len(first) == 64 and config._development_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_healthz_is_public_and_says_ok(client, org):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_login_form_keeps_username_but_not_password(client, org):
    token = csrf_token(client)
    response = client.post("/auth/login", data={"username": "someone", "password": "secret-value-1",
                                                "csrf_token": token})
    html = response.get_data(as_text=True)
    assert 'value="someone"' in html and "secret-value-1" not in html


def test_login_page_shows_the_sign_in_form(client, org):
    assert login(client, "nobody").status_code == 422
