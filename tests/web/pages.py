"""Helpers for web tests: a user in a chosen language, signing in, reading a page and its invalid fields."""

import html
import re
from types import SimpleNamespace

from mediation.extensions import db
from tests import factories
from tests.conftest import csrf_token, login

FORM_CONTROL = re.compile(r"<(?:input|select|textarea)\b[^>]*>")


def person(role: str, org, locale: str = "en", **scope):
    """A committed user of the role and scope who reads the interface in `locale`."""
    user = factories.make_user(role, org=org, **scope)
    user.locale = locale
    db.session.commit()
    return user


def sign_in(client, user) -> str:
    """Sign in through the form; returns a CSRF token for the session."""
    assert login(client, user.username).status_code == 302
    return csrf_token(client, "/")


def text_of(response) -> str:
    """The page's HTML with entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def invalid_fields(response) -> set[str]:
    """Names of the form controls marked invalid."""
    return {re.search(r'name="([^"]+)"', tag).group(1)
            for tag in FORM_CONTROL.findall(response.get_data(as_text=True)) if "is-invalid" in tag}


def every_role(org) -> SimpleNamespace:
    """A committed user of each role and scope the screens' tests sign in as (English interface)."""
    return SimpleNamespace(
        admin=person("admin", org), republic_manager=person("manager", org),
        almaty_manager=person("manager", org, region=org.almaty), abai_manager=person("manager", org, region=org.abai),
        coordinator=person("coordinator", org, house=org.republican_house),
        semey_coordinator=person("coordinator", org, house=org.semey_house),
        mediator=person("mediator", org, house=org.republican_house),
        other_mediator=person("mediator", org, house=org.republican_house))
