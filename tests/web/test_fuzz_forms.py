"""Random input to the sign-in and account forms: never a 500, never a change to another account."""

import io
import re
import unicodedata
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mediation.extensions import db
from mediation.models import FriendshipHouse, User
from tests import factories
from tests.conftest import csrf_token

# The app fixture is per test, so every example of a test shares one database: that is the point
# (state builds up), and the reason for the suppressed health check. No example database on disk.
FUZZ = settings(max_examples=80, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- strategies ---------------------------------------------------------------------------------------

# NUL and other control characters, bidi controls, zero-width and odd spaces, case-folding traps, emoji.
NASTY_CHARS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u200b", "\u200d", "\u200e",
               "\u200f", "\u202e", "\u2066", "\u2028", "\ufeff", "\ufffd", "\U000e0001", "\U0010ffff", "\t",
               "\n", "\r", " ", "\xa0", "\u3000", "ß", "İ", "ı", "\u212a", "ﬃ", "ǅ", "\u0301", "😀", "<", ">",
               "&", '"', "'", "%", "\\", "/", ";"]
NASTY = [*NASTY_CHARS, "\r\n", "👩\u200d👩\u200d👧", "🇰🇿", "--", "%00", "{{", "}}"]
RTL = ["שלום", "مرحبا بالعالم", "قازاقستان", "ئۇيغۇر", "\u202egnp.exe", "עברית ו-English"]
WORDS = ["admin", "target", "bystander", "root1", "None", "null", "true", "0", "-1", "[]", "{}",
         "<script>alert(1)</script>", "' OR '1'='1' --", "../../etc/passwd", "{{7*7}}", "Әлия Нұрова",
         "aliya@example.kz", "a@b", "@", "a" * 64, "a" * 65]

any_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.text(st.one_of(st.sampled_from(NASTY_CHARS), st.characters(codec="utf-8")), max_size=40),
    st.lists(st.sampled_from(NASTY + RTL + WORDS), max_size=8).map("".join),
    # Very long values: a short chunk repeated up to ~5,000 characters.
    st.builds(lambda chunk, n: (chunk * n)[:5000],
              st.one_of(st.sampled_from(["a", "Ә", "😀", "\x00", "ab ", "ש", "1"]),
                        st.text(st.characters(codec="utf-8"), min_size=1, max_size=4)),
              st.integers(60, 5000)),
)
# Wrong types for ids: real ones, missing ones, negative, huge, fractional, not numbers at all.
numbers = st.one_of(
    st.integers(0, 25).map(str),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["999999", "-1", "0", "00", "1.5", "1e3", "0x10", " 2 ", "+3", "1_0", "٣", "९", "²",
                     "NaN", "Infinity", "9" * 5000, "None", "", "null", "true"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
scalar = st.one_of(any_text, numbers)
# A list means the key is sent several times (name=a&name=b).
value = st.one_of(scalar, st.lists(scalar, min_size=2, max_size=3))

MISSING = object()


def field(*valid: st.SearchStrategy) -> st.SearchStrategy:
    """A field's value: often a plausible one, often junk, sometimes absent."""
    return st.one_of(*valid, value, st.just(MISSING))


extra_fields = st.dictionaries(
    st.one_of(st.sampled_from(["id", "user_id", "active", "is_admin", "role", "username", "password_hash",
                               "session_token", "locale", "failed_login_count", "next", "submit",
                               "remember"]),
              st.text(st.characters(codec="utf-8"), min_size=1, max_size=15)),
    value, max_size=3)


def body_of(fields: dict) -> st.SearchStrategy:
    """A form body: the fields (absent ones dropped) over some extra fields the form does not have."""

    def build(drawn, extra):
        present = {k: v for k, v in drawn.items() if v is not MISSING}
        return {**{k: v for k, v in extra.items() if k != "csrf_token"}, **present}

    return st.builds(build, st.fixed_dictionaries(fields), extra_fields)


USERNAMES = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9._-]{2,20}", fullmatch=True)
PASSWORDS = st.text(st.characters(codec="utf-8"), min_size=8, max_size=40)
NAMES = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cf", "Cs", "Co", "Cn"]), min_size=1,
            max_size=60).filter(str.strip),
    st.sampled_from(RTL + ["Әлия Нұрова 😀", "Ерлан Сәрсенов"]),
)
# A role with a scope that fits it. Ids only known at run time are placeholders: @almaty and @abai are
# regions, @republican (in Almaty) and @semey (in Abai) are houses; resolve() swaps in the real ids.
SCOPED_ROLES = st.one_of(
    st.tuples(st.just("admin"), st.just("None"), st.just("None")),
    st.tuples(st.just("manager"), st.one_of(st.just("None"), st.sampled_from(["@almaty", "@abai"])),
              st.just("None")),
    st.tuples(st.sampled_from(["coordinator", "mediator"]), st.sampled_from(["@almaty", "@abai"]),
              st.just("None")),
    st.tuples(st.sampled_from(["coordinator", "mediator"]),
              st.sampled_from([("@almaty", "@republican"), ("@abai", "@semey")]))
    .map(lambda t: (t[0], *t[1])),
)
# Plausible but possibly mismatched: any role with any scope.
ROLES = st.sampled_from(["admin", "manager", "coordinator", "mediator"])
REGION_IDS = st.sampled_from(["None", "@almaty", "@abai"])
HOUSE_IDS = st.sampled_from(["None", "@republican", "@semey"])


@st.composite
def valid_then_broken(draw, valid: st.SearchStrategy, names: list[str]):
    """A valid body with up to three fields replaced by junk or left out, over some extra fields."""
    body = draw(valid)
    for name in draw(st.sets(st.sampled_from(names), max_size=3)):
        junk = draw(st.one_of(value, st.just(MISSING)))
        if junk is MISSING:
            body.pop(name, None)
        else:
            body[name] = junk
    extra = draw(extra_fields)
    return {**{k: v for k, v in extra.items() if k not in body and k != "csrf_token"}, **body}


valid_account = st.builds(
    lambda scope, name, email: {**dict(zip(("role", "region_id", "house_id"), scope, strict=True)),
                                "full_name": name, "email": email},
    SCOPED_ROLES, NAMES, st.one_of(st.emails(), st.just("")))
valid_new_user = st.builds(lambda account, username, password: {**account, "username": username,
                                                                 "password": password},
                           valid_account, USERNAMES, PASSWORDS)
ACCOUNT_FIELDS = ["full_name", "email", "role", "region_id", "house_id"]

login_bodies = body_of({
    "username": field(st.sampled_from(["target", " TARGET ", "bystander", "root1", "nobody"])),
    "password": field(PASSWORDS),
    "next": field(st.sampled_from(["/", "/admin/users", "//evil.example"])),
})
new_user_bodies = st.one_of(
    valid_then_broken(valid_new_user, ["username", "password", *ACCOUNT_FIELDS]),
    body_of({"username": field(USERNAMES), "password": field(PASSWORDS), "full_name": field(NAMES),
             "email": field(st.emails(), st.just("")), "role": field(ROLES), "region_id": field(REGION_IDS),
             "house_id": field(HOUSE_IDS)}),
)
edit_bodies = st.one_of(
    valid_then_broken(valid_account, ACCOUNT_FIELDS),
    body_of({"full_name": field(NAMES), "email": field(st.emails(), st.just("")), "role": field(ROLES),
             "region_id": field(REGION_IDS), "house_id": field(HOUSE_IDS)}),
)
next_targets = st.one_of(
    st.sampled_from(["/", "/admin/users", "//evil.example", "/\\evil.example", "https://evil.example/",
                     "javascript:alert(1)", "/\t/evil.example", "\\\\evil.example", "/%2F%2Fevil.example",
                     "/\x7f", "/\x85evil", "/\u3002evil", "http:/evil.example", "/..//evil.example", ""]),
    any_text.map(lambda s: "/" + s),
    any_text,
)

# --- invariants, written independently of the app's code ----------------------------------------------

USERNAME_RULE = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
SCOPES = {"admin": {"republic"}, "manager": {"republic", "region"},
          "coordinator": {"region", "house"}, "mediator": {"region", "house"}}


def accounts() -> dict[int, tuple]:
    """Every account's username, role, scope, state and secrets, read fresh."""
    rows = {u.id: (u.username, u.role.value, u.region_id, u.house_id, u.active, u.password_hash,
                   u.session_token, u.failed_login_count, u.locked_until)
            for u in db.session.scalars(select(User))}
    db.session.rollback()
    return rows


def scope_is_valid(role: str, region_id: int | None, house_id: int | None) -> bool:
    level = "house" if house_id is not None else "region" if region_id is not None else "republic"
    if level not in SCOPES[role]:
        return False
    return house_id is None or db.session.get(FriendshipHouse, house_id).region_id == region_id


def others(rows: dict[int, tuple], user_id: int) -> dict[int, tuple]:
    return {k: v for k, v in rows.items() if k != user_id}


def first(value):
    return value[0] if isinstance(value, list) else value


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(ch)[0] == "C" and ch not in "\t\r\n" for ch in value)


# --- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture
def people(org):
    """An admin, a manager "target" and a coordinator "bystander" (all with the factory password)."""
    users = {
        "admin": factories.make_user("admin", org=org, username="root1"),
        "target": factories.make_user("manager", org=org, username="target"),
        "bystander": factories.make_user("coordinator", org=org, username="bystander"),
    }
    db.session.commit()
    return users


@pytest.fixture
def login_token(app, client, people):
    """One CSRF token for every sign-in example: a failed attempt keeps the session and its token."""
    app.config["LOGIN_RATE_LIMIT"] = "100000 per minute"
    return csrf_token(client)


@pytest.fixture
def resolve(org):
    """Swap the id placeholders in a drawn body for the real ids (lists too)."""
    ids = {"@almaty": org.almaty.id, "@abai": org.abai.id, "@republican": org.republican_house.id,
           "@semey": org.semey_house.id}

    def _resolve(body: dict) -> dict:
        def one(v):
            return str(ids[v]) if isinstance(v, str) and v in ids else v

        return {k: [one(x) for x in v] if isinstance(v, list) else one(v) for k, v in body.items()}

    return _resolve


@pytest.fixture
def admin_token(client, login_as, people):
    """Sign the client in as an admin; one CSRF token serves every example (it lives with the session)."""
    login_as("admin")
    return csrf_token(client, "/admin/users/new")


# --- sign-in ------------------------------------------------------------------------------------------


@settings(FUZZ, max_examples=100)
@given(body=login_bodies)
def test_login_form_never_fails_and_leaves_other_accounts_alone(app, client, login_token, body):
    app.config["LOGIN_RATE_LIMIT"] = "100000 per minute"
    # Given every account as it is
    before = accounts()
    # When anything at all is posted to the sign-in form
    response = client.post("/auth/login", data={**body, "csrf_token": login_token})
    # Then the answer is a form error, never a crash or a sign-in (nobody's password was guessed)
    assert response.status_code == 422, response.status_code
    with client.session_transaction() as session:
        assert "_user_id" not in session
    # And only the account named (if any) may have counted a failure
    named = first(body.get("username"))
    named = named.strip().casefold() if isinstance(named, str) else None
    after = accounts()
    assert after.keys() == before.keys()
    for user_id, row in before.items():
        if row[0] != named:
            assert after[user_id] == row, f"account {row[0]} changed"


@settings(FUZZ, max_examples=40)
@given(target=next_targets, extra=extra_fields)
def test_successful_login_only_redirects_within_the_site(app, people, target, extra):
    app.config["LOGIN_RATE_LIMIT"] = "100000 per minute"
    client = app.test_client()  # each success starts a new session, so each example needs its own
    before = accounts()
    body = {**extra, "username": "bystander", "password": factories.PASSWORD,
            "csrf_token": csrf_token(client), "next": target}
    response = client.post("/auth/login", data=body)
    assert response.status_code == 302, response.status_code
    event("kept next" if response.location != "/" else "went home")
    location = urlsplit(response.location)
    assert not location.scheme and not location.netloc and response.location.startswith("/")
    assert not response.location.startswith(("//", "/\\"))
    after = accounts()
    for user_id, row in before.items():
        if row[0] != "bystander":
            assert after[user_id] == row, f"account {row[0]} changed"


# --- account administration ---------------------------------------------------------------------------


@FUZZ
@given(body=new_user_bodies)
def test_new_user_form_never_fails_and_leaves_other_accounts_alone(client, admin_token, resolve, body):
    before = accounts()
    response = client.post("/admin/users/new", data={**resolve(body), "csrf_token": admin_token})
    event(f"status {response.status_code}")
    assert response.status_code in (302, 422), response.status_code
    after = accounts()
    # No existing account changed, the signed-in admin included
    assert {k: after[k] for k in before} == before
    created = [after[k] for k in after.keys() - before.keys()]
    if response.status_code == 422:
        assert created == []
        return
    # A created account obeys the rules whatever was sent
    (row,) = created
    username, role, region_id, house_id, active, password_hash = row[:6]
    assert USERNAME_RULE.fullmatch(username), username
    assert password_hash.startswith("$argon2id$") and active
    assert scope_is_valid(role, region_id, house_id), (role, region_id, house_id)
    user = db.session.scalar(select(User).where(User.username == username))
    assert 0 < len(user.full_name) <= 200 and not has_control_characters(user.full_name)
    assert user.full_name == user.full_name.strip()
    db.session.rollback()


@FUZZ
@given(body=edit_bodies)
def test_edit_user_form_never_fails_and_leaves_other_accounts_alone(client, admin_token, people, resolve,
                                                                    body):
    target_id = people["bystander"].id
    before = accounts()
    response = client.post(f"/admin/users/{target_id}", data={**resolve(body), "csrf_token": admin_token})
    event(f"status {response.status_code}")
    assert response.status_code in (302, 422), response.status_code
    after = accounts()
    assert after.keys() == before.keys()
    assert others(after, target_id) == others(before, target_id)
    if response.status_code == 422:
        assert after[target_id] == before[target_id]
        return
    old, new = before[target_id], after[target_id]
    username, role, region_id, house_id, active, password_hash = new[:6]
    assert (username, active, password_hash) == (old[0], old[4], old[5])  # the edit form cannot touch these
    assert scope_is_valid(role, region_id, house_id), (role, region_id, house_id)


@settings(FUZZ, max_examples=40)
@given(password=field(st.text(st.characters(codec="utf-8"), min_size=8, max_size=40)),
       active=field(st.sampled_from(["0", "1"])), extra=extra_fields)
def test_reset_and_activate_never_fail_and_leave_other_accounts_alone(client, admin_token, people, password,
                                                                     active, extra):
    target_id = people["bystander"].id
    before = accounts()
    reset = {**extra, "csrf_token": admin_token} | ({} if password is MISSING else {"password": password})
    switch = {**extra, "csrf_token": admin_token} | ({} if active is MISSING else {"active": active})
    assert client.post(f"/admin/users/{target_id}/password", data=reset).status_code in (302, 422)
    # Only "0" and "1" mean something; anything else is refused rather than read as "deactivate". A repeated
    # field is read as forms are (its first value): the fuzzer once sent ["0", ""], which deactivates.
    sent = switch.get("active")
    first = sent[0] if isinstance(sent, list) and sent else sent
    expected = 302 if first in ("0", "1") else 400
    assert client.post(f"/admin/users/{target_id}/active", data=switch).status_code == expected
    after = accounts()
    assert others(after, target_id) == others(before, target_id)


# --- wrong types that a browser never sends, but a script can ---------------------------------------

@pytest.mark.parametrize("body", [
    {"username": 5, "password": "whatever1"},
    {"username": "target", "password": 12345678},
    {"username": "target", "password": True},
    {"username": "target", "password": factories.PASSWORD, "next": 5},
], ids=["int-username", "int-password", "bool-password", "int-next"])
def test_login_with_a_json_body_of_wrong_types_is_not_a_500(app, client, people, body):
    token = csrf_token(client)
    response = client.post("/auth/login", json=body, headers={"X-CSRFToken": token})
    assert response.status_code < 500


def test_login_with_a_file_for_username_is_not_a_500(app, client, people):
    token = csrf_token(client)
    response = client.post("/auth/login", content_type="multipart/form-data", data={
        "csrf_token": token, "username": (io.BytesIO(b"target"), "u.txt"), "password": "whatever1"})
    assert response.status_code < 500


@pytest.mark.parametrize(("path", "body"), [
    ("/admin/users/new", {"username": 123, "password": "long enough 1", "full_name": "X",
                          "role": "manager"}),
    ("/admin/users/new", {"username": "newbie", "password": "long enough 1", "full_name": 7,
                          "role": "manager"}),
    ("/admin/users/{id}/password", {"password": 12345678}),
], ids=["create-int-username", "create-int-full-name", "reset-int-password"])
def test_admin_forms_with_a_json_body_of_wrong_types_are_not_a_500(client, admin_token, people, path, body):
    before = accounts()
    response = client.post(path.format(id=people["bystander"].id), json=body,
                           headers={"X-CSRFToken": admin_token})
    assert response.status_code < 500
    assert accounts() == before
