"""Fixtures of the case lifecycle tests: a coordinator, a mediator account with its registry entry, a case."""

import pytest

from mediation.extensions import db
from tests import case_factories as cf
from tests import factories
from tests.services.lifecycle.support import RECEIVED


@pytest.fixture
def coordinator(org):
    user = factories.make_user("coordinator", org=org, full_name="Айгерім Сәрсенова")
    db.session.commit()
    return user


@pytest.fixture
def mediator(org):
    """A mediator account of the Republican house with its registry entry."""
    user, entry = cf.make_mediator_user(org, full_name="Ержан Мұқанов")
    db.session.commit()
    return user, entry


@pytest.fixture
def case(org, coordinator):
    case = cf.register(coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    return case

