"""Fixtures of the registry service tests: the registry keeper (a republic manager)."""

import pytest

from mediation.extensions import db
from tests import factories


@pytest.fixture
def keeper(org):
    """A manager of the whole republic."""
    user = factories.make_user("manager", org=org, full_name="Гүлнар Әбенова")
    db.session.commit()
    return user.actor

