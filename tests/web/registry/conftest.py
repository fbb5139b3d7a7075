"""Fixtures of the registry screens' web tests."""

from datetime import date

import pytest

from mediation.extensions import db
from tests import registry_factories as rf
from tests.web.pages import every_role
from tests.web.registry_pages import BIRTH, PHONE


@pytest.fixture
def staff(org):
    """One user per role (Almaty and Abai managers too) and a registry of four in two regions."""
    staff = every_role(org)
    staff.kim = rf.mediator(org.almaty, full_name="КИМ Светлана Германовна", phone=PHONE, birth_date=BIRTH,
                            email="kim.s@example.kz", number="75-00001", house=org.republican_house,
                            specializations=("family", "interethnic"),
                            ethnicity="кәріс", ethnicity_consent_on=date(2024, 12, 1))
    staff.kim.legal_address = "Алматы, Сейфуллин даңғылы 404"
    staff.kim.certificate_number = "MC-40404"
    staff.ivanov = rf.mediator(org.almaty, full_name="Иванов Пётр", number="75-00002", kind="public",
                               languages=(("ru", "native"),), specializations=("labour",))
    staff.petrova = rf.mediator(org.abai, full_name="Петрова Анна", number="10-00001",
                                status="suspended", suspended_until=date(2099, 1, 1), status_reason="Тексеру")
    staff.gone = rf.mediator(org.almaty, full_name="Шығарылған Адам", number="75-00003", status="excluded",
                             status_reason="Үкім")
    db.session.commit()
    return staff
