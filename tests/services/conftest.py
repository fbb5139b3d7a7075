"""Fixtures of the service tests."""

import pytest

from mediation.extensions import db
from mediation.services import suggestion_pools
from tests import registry_factories as rf
from tests.assignment_support import RECEIVED, make_people


@pytest.fixture
def people(org):
    """The staff the assignment tests act as (tests/assignment_support.py)."""
    return make_people(org)


@pytest.fixture
def almaty(org, people):
    """Two Almaty mediators and a case waiting in Almaty; the worker's suggestion pools start empty."""
    suggestion_pools.forget()
    first = rf.mediator(org.almaty, full_name="Бірінші Медиатор", house=org.republican_house)
    second = rf.mediator(org.almaty, full_name="Екінші Медиатор", house=org.republican_house)
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    return first, second, case
