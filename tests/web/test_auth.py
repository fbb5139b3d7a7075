"""Signing in and out: session hygiene, revocation, lockout, throttling, safe redirects."""

import pytest

from mediation.extensions import db
from mediation.models import AuditEvent, User
from tests import factories
from tests.conftest import csrf_token, login


def test_login_then_home_then_logout(client, org):
    # Given an active coordinator
    factories.make_user("coordinator", org=org, username="aliya")
    db.session.commit()
    # When they sign in
    response = login(client, "aliya")
    # Then they land on the start page and see their name
    assert response.status_code == 302 and response.location == "/"
    assert "Тест Пайдаланушы" in client.get("/").get_data(as_text=True)
    # And logging out is a POST that ends the session
    token = csrf_token(client, "/")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_logout_by_get_is_refused(client, login_as):
    login_as("manager")
    assert client.get("/auth/logout").status_code == 405


def test_username_is_case_insensitive(client, org):
    factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    assert login(client, "  GULNAR ").status_code == 302


def test_wrong_password_is_a_field_error_and_audited(client, org):
    user = factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    response = login(client, "gulnar", "wrong password")
    assert response.status_code == 422
    assert "invalid-feedback" in response.get_data(as_text=True)
    failures = db.session.query(AuditEvent).filter_by(action="auth.login_failed").all()
    assert [f.object_id for f in failures] == [str(user.id)]
    assert db.session.get(User, user.id).failed_login_count == 1


def test_unknown_user_fails_the_same_way_and_logs_no_name(client, org, caplog):
    response = login(client, "nobody-here", "whatever1")
    assert response.status_code == 422
    assert "nobody-here" not in caplog.text
    event = db.session.query(AuditEvent).filter_by(action="auth.login_failed").one()
    assert event.object_id is None and "nobody" not in str(event.summary)


def test_replayed_cookie_is_rejected_after_logout(app, org):
    # Given a signed-in browser whose cookie an attacker copied
    factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    browser = app.test_client()
    login(browser, "gulnar")
    stolen = browser.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    # When the owner signs out
    browser.post("/auth/logout", data={"csrf_token": csrf_token(browser, "/")})
    # Then the copied cookie no longer opens anything
    attacker = app.test_client()
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    response = attacker.get("/")
    assert response.status_code == 302 and "/auth/login" in response.location


@pytest.mark.parametrize("change", ["deactivate", "role", "password_reset"])
def test_admin_changes_revoke_sessions(app, org, change):
    # Given a coordinator signed in on their own browser
    target = factories.make_user("coordinator", org=org, username="erlan")
    factories.make_user("admin", org=org, username="root1")
    db.session.commit()
    theirs = app.test_client()
    login(theirs, "erlan")
    assert theirs.get("/").status_code == 200
    # When an admin deactivates them, changes their role, or resets their password
    admin = app.test_client()
    login(admin, "root1")
    token = csrf_token(admin, f"/admin/users/{target.id}")
    if change == "deactivate":
        response = admin.post(f"/admin/users/{target.id}/active", data={"csrf_token": token, "active": "0"})
    elif change == "role":
        response = admin.post(f"/admin/users/{target.id}", data={
            "csrf_token": token, "full_name": "Ерлан", "role": "mediator",
            "region_id": str(org.almaty.id), "house_id": ""})
    else:
        response = admin.post(f"/admin/users/{target.id}/password",
                              data={"csrf_token": token, "password": "brand new pass 1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    # Then their existing session is over
    assert theirs.get("/").status_code == 302


def test_own_password_change_keeps_this_session_and_ends_others(app, org):
    factories.make_user("mediator", org=org, username="aigerim")
    db.session.commit()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "aigerim")
    login(elsewhere, "aigerim")
    token = csrf_token(here, "/auth/password")
    response = here.post("/auth/password", data={"csrf_token": token, "current": factories.PASSWORD,
                                                 "new": "a much better one", "confirm": "a much better one"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert login(app.test_client(), "aigerim", "a much better one").status_code == 302


def test_password_change_with_wrong_current_is_a_field_error(client, login_as):
    login_as("mediator")
    token = csrf_token(client, "/auth/password")
    response = client.post("/auth/password", data={"csrf_token": token, "current": "not it at all",
                                                   "new": "a much better one", "confirm": "a much better one"})
    assert response.status_code == 422
    assert "is-invalid" in response.get_data(as_text=True)


def test_account_locks_after_five_failures_and_others_are_not_locked(app, org):
    factories.make_user("manager", org=org, username="target")
    factories.make_user("manager", org=org, username="bystander")
    db.session.commit()
    client = app.test_client()
    for _ in range(5):
        assert login(client, "target", "wrong password").status_code == 422
    # The right password no longer works while the lock lasts...
    response = login(client, "target")
    assert response.status_code == 422
    user = db.session.query(User).filter_by(username="target").one()
    db.session.refresh(user)
    assert user.locked_until is not None
    # ...but another account signs in from the same address.
    assert login(app.test_client(), "bystander").status_code == 302


def test_per_address_rate_limit(app, org):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    statuses = [login(client, f"user{i}", "wrong password").status_code for i in range(5)]
    assert statuses[:3] == [422, 422, 422]
    assert statuses[3:] == [429, 429]


def test_overlong_password_is_refused_before_hashing(client, org, monkeypatch):
    factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    calls = []
    import mediation.services.passwords as passwords

    monkeypatch.setattr(passwords, "hasher", lambda fast=False: calls.append(1))
    response = login(client, "gulnar", "x" * 10_000)
    assert response.status_code == 422
    assert calls == []


def test_deactivated_user_cannot_sign_in(client, org):
    factories.make_user("manager", org=org, username="gone", active=False)
    db.session.commit()
    assert login(client, "gone").status_code == 422


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "javascript:alert(1)",
                                    "https://evil.example/", "/\r\nSet-Cookie:x", "\\\\evil.example",
                                    "/\t/evil.example"])
def test_next_refuses_foreign_targets(client, org, target):
    factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    token = csrf_token(client)
    response = client.post("/auth/login", data={"username": "gulnar", "password": factories.PASSWORD,
                                                "csrf_token": token, "next": target})
    assert response.status_code == 302 and response.location == "/"


def test_next_accepts_a_relative_path(client, org):
    factories.make_user("admin", org=org, username="root1")
    db.session.commit()
    token = csrf_token(client)
    response = client.post("/auth/login", data={"username": "root1", "password": factories.PASSWORD,
                                                "csrf_token": token, "next": "/admin/users"})
    assert response.location == "/admin/users"


def test_anonymous_is_sent_to_login_with_next(client, org):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.location == "/auth/login?next=/admin/users"


def test_idle_timeout_ends_the_session(app, client, login_as):
    login_as("manager")
    with client.session_transaction() as session:
        session["seen_at"] -= int(app.config["SESSION_IDLE_TIMEOUT"].total_seconds()) + 5
    assert client.get("/").status_code == 302


def test_absolute_lifetime_ends_the_session(app, client, login_as):
    login_as("manager")
    with client.session_transaction() as session:
        session["login_at"] -= int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()) + 5
    assert client.get("/").status_code == 302


def test_session_cookie_flags(app, client, org):
    factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    response = login(client, "gulnar")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("mediation_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))


def test_login_clears_the_previous_session(client, org):
    factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "gulnar")
    with client.session_transaction() as session:
        assert "planted" not in session
