"""Admin screens: listing, creating, editing, (de)activating and resetting accounts; the audit trail."""

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from mediation.extensions import db
from mediation.models import AuditEvent, User
from mediation.services import audit
from mediation.services.clock import utcnow
from tests import factories
from tests.conftest import csrf_token, login

NEW_PASSWORD = "steppe wind 2024"


# --- helpers ------------------------------------------------------------------------------------------


def snapshot() -> dict[int, tuple]:
    """Every account's security-relevant columns, read fresh from the database."""
    rows = {u.id: (u.username, u.role.value, u.region_id, u.house_id, u.active, u.password_hash,
                   u.session_token, u.full_name, u.email)
            for u in db.session.scalars(select(User))}
    db.session.rollback()
    return rows


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def audit_events(action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def field_errors(page: str, field: str) -> list[str]:
    """The error messages Bootstrap-Flask renders under one field (from its input up to the next field)."""
    start = page.find(f'id="{field}"')
    assert start != -1, f"no field {field!r} on the page"
    end = min(i for i in (page.find('<div class="mb-3', start), page.find("</form>", start)) if i != -1)
    block = page[start:end]
    messages = re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', block, re.S)
    return [html.unescape(m) for m in messages]


def new_user_form(token: str, **changes) -> dict:
    """A valid new-account form (a regional manager), with changes."""
    data = {"csrf_token": token, "username": "aliya.nurova", "password": NEW_PASSWORD,
            "full_name": "Әлия Нұрова", "email": "aliya.nurova@example.kz", "role": "manager",
            "region_id": "None", "house_id": "None"}
    data.update(changes)
    return data


def edit_form(token: str, user: User, **changes) -> dict:
    """The edit form as the browser would send it for the user's current values, with changes."""
    data = {"csrf_token": token, "full_name": user.full_name, "email": user.email or "",
            "role": user.role.value, "region_id": str(user.region_id), "house_id": str(user.house_id)}
    data.update(changes)
    return data


@pytest.fixture
def admin(login_as):
    """A signed-in administrator who reads the interface in English."""
    user = login_as("admin")
    user.locale = "en"
    db.session.commit()
    return user


@pytest.fixture
def target(org):
    """A coordinator at the Republican house (region Almaty), the account the admin works on."""
    user = factories.make_user("coordinator", org=org, username="erlan")
    db.session.commit()
    return user


# --- the list -----------------------------------------------------------------------------------------


def test_list_shows_every_user_with_role_and_scope(client, org, admin):
    # Given accounts at the three scope levels, one of them deactivated
    manager = factories.make_user("manager", org=org, username="gulnar", region=org.abai)
    coordinator = factories.make_user("coordinator", org=org, username="erlan", house=org.semey_house)
    gone = factories.make_user("mediator", org=org, username="gone", active=False)
    db.session.commit()
    # When the admin opens the list
    response = client.get("/admin/users")
    # Then each row names the role and the scope in the admin's language
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    def row(user):
        match = re.search(rf'<a href="/admin/users/{user.id}">{user.username}</a></td>(.*?)</tr>', page, re.S)
        assert match, f"no row for {user.username}"
        return re.sub(r"\s+", " ", html.unescape(match.group(1)))

    assert "Administrator" in row(admin) and "Whole republic" in row(admin)
    assert "Manager" in row(manager) and org.abai.name("en") in row(manager)
    assert "Coordinator" in row(coordinator) and org.semey_house.name("en") in row(coordinator)
    assert "Mediator" in row(gone) and "Deactivated" in row(gone)
    assert "Whole republic" not in row(manager) + row(coordinator)


def test_an_expired_lock_is_not_shown_as_paused(client, org, admin):
    # Given a user whose lock ran out an hour ago (the next sign-in is allowed and clears it)
    user = factories.make_user("manager", org=org, username="gulnar")
    user.failed_login_count, user.locked_until = 5, utcnow() - timedelta(hours=1)
    db.session.commit()
    # When the admin opens the list
    page = client.get("/admin/users").get_data(as_text=True)
    # Then the row says Active, not Sign-in paused
    row = re.search(rf'<a href="/admin/users/{user.id}">gulnar</a></td>(.*?)</tr>', page, re.S).group(1)
    assert "Sign-in paused" not in row and "Active" in row


# --- creating -----------------------------------------------------------------------------------------


def test_create_user(client, org, admin):
    # Given the new-account form
    token = csrf_token(client, "/admin/users/new")
    # When the admin creates a regional manager with a mixed-case, padded username
    response = client.post("/admin/users/new", data=new_user_form(
        token, username="  Aliya.Nurova ", region_id=str(org.abai.id)))
    # Then the browser goes back to the list
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.location == "/admin/users"
    # And the account exists under the casefolded username, with an argon2id hash
    user = db.session.scalar(select(User).where(User.username == "aliya.nurova"))
    assert user is not None
    assert (user.role.value, user.region_id, user.house_id) == ("manager", org.abai.id, None)
    assert user.full_name == "Әлия Нұрова" and user.email == "aliya.nurova@example.kz" and user.active
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash
    # And the trail records the creation without personal data
    (event,) = audit_events("user.create")
    assert (event.actor_id, event.object_type, event.object_id) == (admin.id, "user", str(user.id))
    assert event.summary == {"role": "manager", "region_id": org.abai.id, "house_id": None}
    dumped = json.dumps(event.summary, ensure_ascii=False)
    assert "Нұрова" not in dumped and "example.kz" not in dumped and "aliya" not in dumped
    # And the new account can sign in
    assert login(client.application.test_client(), "aliya.nurova", NEW_PASSWORD).status_code == 302


def test_create_a_house_coordinator(client, org, admin):
    token = csrf_token(client, "/admin/users/new")
    response = client.post("/admin/users/new", data=new_user_form(
        token, username="erlan", role="coordinator", email="", region_id=str(org.abai.id),
        house_id=str(org.semey_house.id)))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "erlan"))
    assert (user.role.value, user.region_id, user.house_id, user.email) == (
        "coordinator", org.abai.id, org.semey_house.id, None)


def test_taken_username_is_a_field_error(client, org, admin):
    # Given an existing account "gulnar"
    factories.make_user("manager", org=org, username="gulnar")
    db.session.commit()
    before, count = snapshot(), user_count()
    token = csrf_token(client, "/admin/users/new")
    # When the admin tries to create "GULNAR"
    response = client.post("/admin/users/new", data=new_user_form(token, username="GULNAR"))
    # Then the username field says it is taken and nothing is written
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "username") == ["This username is taken."]
    assert snapshot() == before and user_count() == count
    assert audit_events("user.create") == []


PATTERN_MESSAGE = "Use 3–64 Latin letters, digits, dots, dashes or underscores."
LENGTH_3_64 = "Field must be between 3 and 64 characters long."
LENGTH_8_128 = "Field must be between 8 and 128 characters long."
SCOPE_MESSAGE = "This role cannot have this scope"


@pytest.mark.parametrize(("field", "changes", "message"), [
    ("username", {"username": "aliya nurova"}, PATTERN_MESSAGE),
    ("username", {"username": "әлия"}, PATTERN_MESSAGE),
    ("username", {"username": "алия.нурова"}, PATTERN_MESSAGE),
    ("username", {"username": "ab"}, LENGTH_3_64),
    ("username", {"username": "a" * 65}, LENGTH_3_64),
    ("username", {"username": ".aliya"}, PATTERN_MESSAGE),
    ("password", {"password": "short12"}, LENGTH_8_128),
    ("password", {"password": "x" * 129}, LENGTH_8_128),
    ("password", {"username": "gulnara-k", "password": "Gulnara-K"},
     "The password must not be the same as the username."),
    ("role", {"role": "coordinator"}, SCOPE_MESSAGE),
    ("role", {"role": "admin", "region_id": "@abai"}, SCOPE_MESSAGE),
    ("house_id", {"role": "coordinator", "region_id": "@almaty", "house_id": "@semey"},
     "The Friendship House must be in the chosen region."),
    ("house_id", {"role": "coordinator", "region_id": "None", "house_id": "@semey"},
     "The Friendship House must be in the chosen region."),
    ("email", {"email": "aliya@"}, "Invalid email address."),
    ("email", {"email": "aliya nurova@example.kz"}, "Invalid email address."),
    ("full_name", {"full_name": "Әлия\x00Нұрова"}, "This field contains characters that are not allowed."),
    ("full_name", {"full_name": "   "}, "This field is required."),
    ("region_id", {"region_id": "999999"}, "Not a valid choice."),
    ("region_id", {"region_id": "abc"}, "Invalid Choice: could not coerce."),
    ("house_id", {"role": "coordinator", "region_id": "@abai", "house_id": "-1"}, "Invalid Choice: could not coerce."),
    ("role", {"role": "superuser"}, "Not a valid choice."),
], ids=["space", "kazakh", "cyrillic", "2-chars", "65-chars", "leading-dot", "short-password",
        "129-char-password", "password-is-username", "coordinator-of-republic", "admin-of-region",
        "house-outside-region", "house-without-region", "email-no-domain", "email-with-space", "nul-in-name",
        "blank-name", "unknown-region", "non-integer-region", "negative-house", "unknown-role"])
def test_invalid_new_user_is_a_field_error_and_writes_nothing(client, org, admin, field, changes, message):
    # Given the new-account form and the state of every account
    ids = {"@abai": str(org.abai.id), "@almaty": str(org.almaty.id), "@semey": str(org.semey_house.id)}
    changes = {k: ids.get(v, v) for k, v in changes.items()}
    before, count = snapshot(), user_count()
    token = csrf_token(client, "/admin/users/new")
    # When the admin submits it with one bad field
    response = client.post("/admin/users/new", data=new_user_form(token, **changes))
    # Then the page comes back with the message on that field
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True), field)
    assert errors and any(message in error for error in errors), errors
    # And nothing was written
    assert snapshot() == before and user_count() == count
    assert audit_events("user.create") == []


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


# --- who may --------------------------------------------------------------------------------------------


ADMIN_REQUESTS = [
    ("GET", "/admin/users", None),
    ("GET", "/admin/users/new", None),
    ("POST", "/admin/users/new", "create"),
    ("GET", "/admin/users/{id}", None),
    ("POST", "/admin/users/{id}", "edit"),
    ("POST", "/admin/users/{id}/active", "deactivate"),
    ("POST", "/admin/users/{id}/password", "reset"),
    ("GET", "/admin/audit", None),
]


@pytest.mark.parametrize("role", ["manager", "coordinator", "mediator"])
@pytest.mark.parametrize(("method", "url", "body"), ADMIN_REQUESTS,
                         ids=[f"{m} {u} {b or ''}".strip() for m, u, b in ADMIN_REQUESTS])
def test_non_admin_gets_403_and_changes_nothing(client, org, login_as, target, role, method, url, body):
    # Given a signed-in non-admin and a well-formed request that would succeed for an admin
    actor = login_as(role)
    token = csrf_token(client, "/")
    data = {
        "create": new_user_form(token, username="intruder"),
        "edit": {"csrf_token": token, "full_name": "Hacked", "email": "", "role": "admin",
                 "region_id": "None", "house_id": "None"},
        "deactivate": {"csrf_token": token, "active": "0"},
        "reset": {"csrf_token": token, "password": "taken over 123"},
    }.get(body)
    before, count = snapshot(), user_count()
    # When they send it
    response = client.open(url.format(id=target.id), method=method, data=data)
    # Then it is refused and audited as a denial, and no account changed
    assert response.status_code == 403
    assert snapshot() == before and user_count() == count
    denial = audit_events("access.denied")[-1]
    assert denial.actor_id == actor.id
    assert not [e for e in db.session.scalars(select(AuditEvent)) if e.action.startswith("user.")]


@pytest.mark.parametrize(("method", "suffix", "data"), [
    ("GET", "", {}),
    ("POST", "", {"full_name": "X", "role": "manager", "region_id": "None", "house_id": "None"}),
    ("POST", "/active", {"active": "0"}), ("POST", "/password", {"password": NEW_PASSWORD}),
])
def test_unknown_user_is_404(client, org, admin, method, suffix, data):
    token = csrf_token(client, "/admin/users")
    missing = db.session.scalar(select(func.max(User.id))) + 1000
    response = client.open(f"/admin/users/{missing}{suffix}", method=method,
                           data={"csrf_token": token, **data} if method == "POST" else None)
    assert response.status_code == 404


@pytest.mark.parametrize("user_id", [
    2**31,
    2**63,
])
@pytest.mark.parametrize("suffix", ["", "/active", "/password"])
def test_out_of_range_user_id_is_404(client, org, admin, user_id, suffix):
    token = csrf_token(client, "/admin/users")
    if suffix:
        response = client.post(f"/admin/users/{user_id}{suffix}", data={"csrf_token": token, "active": "0",
                                                                          "password": NEW_PASSWORD})
    else:
        response = client.get(f"/admin/users/{user_id}")
    assert response.status_code == 404


# --- the audit trail ---------------------------------------------------------------------------------


def test_audit_lists_newest_first_and_pages_with_before(client, org, admin):
    # Given 130 events after the admin's own sign-in
    for n in range(1, 131):
        audit.record("probe.event", actor_id=admin.id, ip="198.51.100.7", object_type="probe", object_id=n)
    db.session.commit()
    pattern = re.compile(r"<td><code>([^<]+)</code></td>\s*<td>([^<]*)</td>")
    # When the admin opens the audit page
    first = client.get("/admin/audit")
    assert first.status_code == 200
    rows = pattern.findall(first.get_data(as_text=True))
    # Then it shows the newest hundred, newest first, with a link to older ones
    assert rows == [("probe.event", f"probe #{n}") for n in range(130, 30, -1)]
    link = re.search(r'href="/admin/audit\?before=(\d+)"', first.get_data(as_text=True))
    oldest_shown = db.session.scalar(select(AuditEvent.id).where(AuditEvent.object_type == "probe",
                                                                 AuditEvent.object_id == "31"))
    assert link and int(link.group(1)) == oldest_shown
    # When they follow it
    second = client.get(f"/admin/audit?before={link.group(1)}")
    rows = pattern.findall(second.get_data(as_text=True))
    # Then the rest follow without overlap, ending with the sign-in, and there is no further page
    older = [("probe.event", f"probe #{n}") for n in range(30, 0, -1)]
    assert rows == [*older, ("auth.login", f"user #{admin.id}")]
    assert 'href="/admin/audit?before=' not in second.get_data(as_text=True)


@pytest.mark.parametrize("before", ["0", "-5", "abc", ""])
def test_audit_ignores_or_empties_odd_before_values(client, org, admin, before):
    response = client.get(f"/admin/audit?before={before}")
    assert response.status_code == 200


@pytest.mark.parametrize("before", [
    2**31,
    2**63,
])
def test_audit_with_out_of_range_before_is_not_a_500(client, org, admin, before):
    response = client.get(f"/admin/audit?before={before}")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"])
def test_audit_rows_cannot_be_changed_in_the_database(app, org, statement):
    # Given a committed audit event
    audit.record("probe.event", actor_id=None, ip=None, object_type="probe", object_id=1)
    db.session.commit()
    # When anyone tries to update or delete audit rows with SQL, the trigger refuses
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    # And the row is as it was
    assert [(e.action, e.object_id) for e in db.session.scalars(select(AuditEvent))] == [("probe.event", "1")]
