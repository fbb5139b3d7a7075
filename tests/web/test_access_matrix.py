"""Role × endpoint matrix generated from the app's URL map: deny by default, then role."""

import pytest
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from mediation import create_app
from mediation.extensions import db
from mediation.models import AuditEvent
from mediation.web.access import is_public_endpoint
from tests.conftest import config_for, csrf_token

ROLES = ("admin", "manager", "coordinator", "mediator")


def _endpoints():
    """Every rule with a sample URL (integer arguments get 1), built from a throwaway app."""
    app = create_app(config_for("sqlite://"))
    adapter = app.url_map.bind("localhost")
    rows = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "bootstrap.static"):
            continue
        values = {}
        for argument in rule.arguments:
            converter = rule._converters[argument]
            if isinstance(converter, AnyConverter):
                values[argument] = converter.regex.split("|")[0].removeprefix("(?:")
            else:
                values[argument] = 1 if isinstance(converter, IntegerConverter) else "x"
        url = adapter.build(rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])
        view = app.view_functions[rule.endpoint]
        allowed = getattr(view, "required_roles", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            rows.append((rule.endpoint, method, url, is_public_endpoint(app, rule.endpoint),
                         None if allowed is None else frozenset(r.value for r in allowed)))
    return rows


ENDPOINTS = _endpoints()


@pytest.mark.parametrize(("endpoint", "method", "url", "public", "allowed"), ENDPOINTS,
                         ids=[f"{e[1]} {e[0]}" for e in ENDPOINTS])
def test_anonymous_is_sent_to_sign_in(client, org, endpoint, method, url, public, allowed):
    if method == "GET":
        response = client.get(url)
        if public:
            assert response.status_code < 400 or response.status_code == 404
        else:
            assert response.status_code == 302
            assert response.location.startswith("/auth/login")
    else:
        response = client.open(url, method=method, data={"csrf_token": csrf_token(client)})
        # A public POST about something that does not exist (a verification token) answers 404.
        assert response.status_code in ((200, 302, 404, 422) if public else (401,))


# Signing out is open to every role and ends the session the matrix needs; test_auth covers it.
SIGNED_IN_ENDPOINTS = [e for e in ENDPOINTS if e[0] != "auth.logout"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method", "url", "public", "allowed"), SIGNED_IN_ENDPOINTS,
                         ids=[f"{e[1]} {e[0]}" for e in SIGNED_IN_ENDPOINTS])
def test_each_role_gets_403_where_it_must(client, login_as, role, endpoint, method, url, public, allowed):
    login_as(role)
    token = csrf_token(client, "/")
    response = client.open(url, method=method, data={"csrf_token": token} if method != "GET" else None)
    assert response.status_code < 500
    if allowed is not None and role not in allowed:
        assert response.status_code == 403
        denial = db.session.query(AuditEvent).filter_by(action="access.denied").order_by(AuditEvent.id.desc()).first()
        assert denial is not None and denial.object_id == endpoint[:40]
    else:
        assert response.status_code != 403


def test_matrix_covers_every_blueprint():
    blueprints = {e[0].split(".")[0] for e in ENDPOINTS}
    assert {"auth", "admin", "main"} <= blueprints
