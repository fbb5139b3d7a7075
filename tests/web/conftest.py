"""Fixtures of the web tests."""

from types import SimpleNamespace

import pytest

from mediation.extensions import db
from tests import case_factories as cf
from tests.web.pages import person


@pytest.fixture
def staff(org):
    """Everyone the tests need, with a mediator registered in Almaty and linked to an account."""
    staff = SimpleNamespace(
        coordinator=person("coordinator", org, full_name="Айгерім Сәрсенова", house=org.republican_house),
        semey_coordinator=person("coordinator", org, house=org.semey_house),
        almaty_manager=person("manager", org, full_name="Гүлнар Әбенова", region=org.almaty),
        abai_manager=person("manager", org, region=org.abai),
        republic_manager=person("manager", org),
        admin=person("admin", org),
        mediator=person("mediator", org, full_name="Ержан Мұқанов", house=org.republican_house),
        other_mediator=person("mediator", org, house=org.republican_house))
    staff.mediator_entry = cf.make_mediator(org.almaty, user=staff.mediator, full_name="Ержан Мұқанов")
    staff.other_entry = cf.make_mediator(org.almaty, user=staff.other_mediator, full_name="Басқа Медиатор")
    db.session.commit()
    return staff
