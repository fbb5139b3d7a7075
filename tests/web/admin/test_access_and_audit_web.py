"""Admin screens: who may use them, unknown accounts, and the append-only audit trail."""

import re

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from mediation.extensions import db
from mediation.models import AuditEvent, User
from mediation.services import audit
from tests.conftest import csrf_token
from tests.web.admin_pages import (
    NEW_PASSWORD,
    audit_events,
    new_user_form,
    snapshot,
    user_count,
)

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
