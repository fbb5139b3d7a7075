"""Fixtures of the assignment screens' web tests."""

from datetime import timedelta

import pytest

from mediation.extensions import db
from tests import case_factories as cf
from tests import registry_factories as rf
from tests.web.assignment_pages import received
from tests.web.pages import every_role


@pytest.fixture
def staff(org):
    """Users of every role (English interface), and Almaty's mediators: the one with an account ranks first."""
    staff = every_role(org)
    staff.top = rf.mediator(org.almaty, full_name="Ержан Мұқанов", user=staff.mediator, house=org.republican_house)
    staff.second = rf.mediator(org.almaty, full_name="Бақыт Екінші", user=staff.other_mediator)
    staff.full = rf.mediator(org.almaty, full_name="Толық Жүктеме", max_active_cases=1)
    staff.suspended = rf.mediator(org.almaty, full_name="Уақытша Тоқтатылған", status="suspended",
                                  suspended_until=cf.today() + timedelta(days=60), status_reason="Бұзушылық")
    staff.no_language = rf.mediator(org.almaty, full_name="Тілі Басқа", languages=(("uz", "native"),))
    rf.give_open_cases(staff.full, 1, staff.coordinator, org.republican_house, received_on=received())
    staff.case = rf.waiting_case(staff.coordinator, org.republican_house, received_on=received())
    db.session.commit()
    return staff
