"""Admin screens: editing, deactivating and resetting an account (audited, sessions ended)."""


import pytest

from mediation.extensions import db
from mediation.models import User
from tests import factories
from tests.conftest import csrf_token, login
from tests.web.admin_pages import (
    LENGTH_8_128,
    NEW_PASSWORD,
    SCOPE_MESSAGE,
    audit_events,
    edit_form,
    field_errors,
    snapshot,
)

# --- editing ------------------------------------------------------------------------------------------


def test_role_change_is_saved_audited_and_ends_sessions(client, org, admin, target):
    # Given a coordinator
    old_token = target.session_token
    token = csrf_token(client, f"/admin/users/{target.id}")
    # When the admin makes them a mediator in the same house
    response = client.post(f"/admin/users/{target.id}", data=edit_form(token, target, role="mediator"))
    # Then the change is saved
    assert response.status_code == 302 and response.location == "/admin/users"
    user = db.session.get(User, target.id)
    assert user.role.value == "mediator" and user.house_id == org.republican_house.id
    assert user.session_token != old_token
    # And the trail holds the role diff and nothing else
    (event,) = audit_events("user.update")
    assert (event.actor_id, event.object_id) == (admin.id, str(target.id))
    assert event.summary == {"role": ["coordinator", "mediator"]}


def test_name_change_is_audited_without_the_new_name(client, org, admin, target):
    old_token = target.session_token
    token = csrf_token(client, f"/admin/users/{target.id}")
    response = client.post(f"/admin/users/{target.id}", data=edit_form(
        token, target, full_name="Ерлан Сәрсенов", email="erlan@example.kz"))
    assert response.status_code == 302
    user = db.session.get(User, target.id)
    assert (user.full_name, user.email) == ("Ерлан Сәрсенов", "erlan@example.kz")
    assert user.session_token == old_token  # a name is not a reason to sign someone out
    (event,) = audit_events("user.update")
    assert event.summary == {"full_name": "changed", "email": "changed"}


def test_unchanged_edit_writes_no_audit_event(client, org, admin, target):
    token = csrf_token(client, f"/admin/users/{target.id}")
    assert client.post(f"/admin/users/{target.id}", data=edit_form(token, target)).status_code == 302
    assert audit_events("user.update") == []


def test_edit_with_scope_mismatch_is_a_field_error(client, org, admin, target):
    before = snapshot()
    token = csrf_token(client, f"/admin/users/{target.id}")
    response = client.post(f"/admin/users/{target.id}", data=edit_form(
        token, target, role="manager"))  # a manager of one house
    assert response.status_code == 422
    assert any(SCOPE_MESSAGE in e for e in field_errors(response.get_data(as_text=True), "role"))
    assert snapshot() == before and audit_events("user.update") == []


def test_admin_cannot_demote_themselves(client, org, admin):
    # Given the signed-in admin on their own edit page
    before = snapshot()
    token = csrf_token(client, f"/admin/users/{admin.id}")
    # When they try to make themselves a manager of the republic
    response = client.post(f"/admin/users/{admin.id}", data=edit_form(
        token, admin, role="manager", region_id="None", house_id="None"))
    # Then the role field explains why not, and nothing changed
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "role") == [
        "You cannot take the administrator role from yourself."]
    assert snapshot() == before and audit_events("user.update") == []
    # And they are still an admin with a working session
    assert client.get("/admin/users").status_code == 200


def test_admin_cannot_deactivate_themselves(client, org, admin):
    before = snapshot()
    token = csrf_token(client, "/admin/users")
    response = client.post(f"/admin/users/{admin.id}/active", data={"csrf_token": token, "active": "0"})
    assert response.status_code == 302
    assert "You cannot deactivate your own account." in client.get("/admin/users").get_data(as_text=True)
    assert snapshot() == before
    assert audit_events("user.deactivate") == []


# --- deactivating and resetting ----------------------------------------------------------------------


def test_deactivate_then_reactivate(app, client, org, admin, target):
    # Given a coordinator signed in on their own browser
    theirs = app.test_client()
    assert login(theirs, "erlan").status_code == 302
    token = csrf_token(client, "/admin/users")
    # When the admin deactivates them
    response = client.post(f"/admin/users/{target.id}/active", data={"csrf_token": token, "active": "0"})
    # Then the account is inactive, its session is over and it cannot sign in
    assert response.status_code == 302
    assert db.session.get(User, target.id).active is False
    assert theirs.get("/").status_code == 302
    assert login(app.test_client(), "erlan").status_code == 422
    assert [e.object_id for e in audit_events("user.deactivate")] == [str(target.id)]
    # When the admin reactivates them
    response = client.post(f"/admin/users/{target.id}/active", data={"csrf_token": token, "active": "1"})
    # Then they can sign in again
    assert response.status_code == 302
    assert db.session.get(User, target.id).active is True
    assert [e.object_id for e in audit_events("user.activate")] == [str(target.id)]
    assert login(app.test_client(), "erlan").status_code == 302


def test_reset_password_lifts_the_lock_and_the_new_password_works(app, client, org, admin, target):
    # Given a coordinator locked out after five failures
    for _ in range(5):
        assert login(app.test_client(), "erlan", "wrong password").status_code == 422
    locked = db.session.get(User, target.id)
    assert locked.locked_until is not None and locked.failed_login_count == 5
    assert login(app.test_client(), "erlan").status_code == 422  # even the right password
    token = csrf_token(client, f"/admin/users/{target.id}")
    # When the admin sets a new password
    response = client.post(f"/admin/users/{target.id}/password",
                           data={"csrf_token": token, "password": NEW_PASSWORD})
    # Then the lock is lifted and the trail says so
    assert response.status_code == 302 and response.location == "/admin/users"
    user = db.session.get(User, target.id)
    assert (user.failed_login_count, user.first_failed_login_at, user.locked_until) == (0, None, None)
    assert user.password_hash.startswith("$argon2id$")
    assert [e.object_id for e in audit_events("user.reset_password")] == [str(target.id)]
    # And the old password no longer works, the new one does
    assert login(app.test_client(), "erlan").status_code == 422
    assert login(app.test_client(), "erlan", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(("password", "message"), [
    ("short12", LENGTH_8_128), ("y" * 129, LENGTH_8_128), ("", "This field is required."),
])
def test_reset_password_refuses_bad_passwords(client, org, admin, target, password, message):
    before = snapshot()
    token = csrf_token(client, f"/admin/users/{target.id}")
    response = client.post(f"/admin/users/{target.id}/password",
                           data={"csrf_token": token, "password": password})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot() == before and audit_events("user.reset_password") == []


def test_reset_password_refuses_the_username(client, org, admin):
    user = factories.make_user("manager", org=org, username="gulnara-k")
    db.session.commit()
    before = snapshot()
    token = csrf_token(client, f"/admin/users/{user.id}")
    response = client.post(f"/admin/users/{user.id}/password",
                           data={"csrf_token": token, "password": "GULNARA-K"})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "password") == [
        "The password must not be the same as the username."]
    assert snapshot() == before
