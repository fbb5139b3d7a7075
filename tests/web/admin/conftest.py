"""Fixtures of the admin screens' web tests: the signed-in administrator and the account worked on."""

import pytest

from mediation.extensions import db
from tests import factories


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
