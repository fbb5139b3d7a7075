"""Admin screens: the list of accounts, and creating one (field errors write nothing)."""

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mediation.extensions import db
from mediation.models import User
from mediation.services.clock import utcnow
from tests import factories
from tests.conftest import csrf_token, login
from tests.web.admin_pages import (
    LENGTH_3_64,
    LENGTH_8_128,
    NEW_PASSWORD,
    PATTERN_MESSAGE,
    SCOPE_MESSAGE,
    audit_events,
    field_errors,
    new_user_form,
    snapshot,
    user_count,
)

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
