"""Intake through the form: field errors, nothing half written, and the duplicate warning."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mediation.domain.case_states import CaseState, Outcome
from mediation.extensions import db
from mediation.models import Case
from tests import case_factories as cf
from tests.conftest import csrf_token
from tests.web.case_pages import block, intake_body, make_case, page_of
from tests.web.pages import invalid_fields, person, sign_in

# --- intake through the form ------------------------------------------------------------------------------------


@pytest.fixture
def coordinator_client(client, staff):
    sign_in(client, staff.coordinator)
    return client


def post_intake(client, house_id, **kwargs):
    token = csrf_token(client, "/cases/new")
    return client.post("/cases/new", data=intake_body(token, house_id, **kwargs))


def test_intake_form_registers_a_case_with_two_parties(coordinator_client, org, staff):
    # Given a coordinator on the intake form
    number = cf.iin()
    # When they register an appeal with two parties, an ИИН and a phone typed the local way
    response = post_intake(coordinator_client, org.republican_house.id, parties=(
        ("Әлия Нұрова", {"iin_bin": f" {number[:6]} {number[6:]} ", "phone": "8 701 123 45 67",
                         "preferred_language": "kk", "consent_data_on": cf.today().isoformat(),
                         "consent_data_method": "written"}),
        ("Иван Петров", {"kind": "person", "email": "ivan@example.kz"})))
    # Then they are sent to the new case's page
    assert response.status_code == 302
    case = db.session.scalars(select(Case)).one()
    assert response.location == f"/cases/{case.id}"
    # And the case has its number, its parties, the normalised ИИН and phone
    assert case.number == f"75-{cf.today().year}-00001" and case.created_by_id == staff.coordinator.id
    first, second = case.parties
    assert (first.full_name, first.iin_bin, first.phone, first.consent_data_method) == (
        "Әлия Нұрова", number, "+77011234567", "written")
    assert (second.full_name, second.email, second.iin_bin) == ("Иван Петров", "ivan@example.kz", None)
    assert case.number in page_of(coordinator_client.get(response.location))


def test_intake_form_for_get_prefills_the_house_and_today(coordinator_client, org):
    response = coordinator_client.get("/cases/new")
    assert response.status_code == 200
    text = page_of(response)
    assert f'value="{cf.today().isoformat()}"' in text
    assert re.search(rf'<option selected value="{org.republican_house.id}"|<option value="{org.republican_house.id}"'
                     r' selected', text)
    assert f'value="{org.semey_house.id}"' not in text  # another region's house is not offered


def _assert_refused(response, before, *fields):
    assert response.status_code == 422
    assert cf.row_counts() == before, "a refused appeal must write nothing"
    assert set(fields) <= invalid_fields(response), invalid_fields(response)


@pytest.fixture
def before(coordinator_client):
    """Row counts once the coordinator is signed in (sign-in writes its own audit row)."""
    csrf_token(coordinator_client, "/cases/new")
    return cf.row_counts()


def test_an_invalid_iin_is_an_error_on_that_partys_field(coordinator_client, org, before):
    good = cf.iin()
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    response = post_intake(coordinator_client, org.republican_house.id,
                           parties=(("Әлия Нұрова", {}), ("Иван Петров", {"iin_bin": bad})))
    _assert_refused(response, before, "parties-1-iin_bin")
    assert invalid_fields(response) == {"parties-1-iin_bin"}
    assert "IIN/BIN" in page_of(response)


def test_a_party_list_with_one_party_is_refused(coordinator_client, org, before):
    response = post_intake(coordinator_client, org.republican_house.id, parties=(("Әлия Нұрова", {}),))
    assert response.status_code == 422
    assert cf.row_counts() == before
    assert invalid_fields(response) & {"parties-1-full_name", "parties-1-role"}


def test_thirty_one_parties_are_refused_not_truncated(coordinator_client, org, before):
    # (found by this test: the form used to keep the first 30 parties and drop the 31st without a word)
    parties = tuple((f"Тарап {n}", {}) for n in range(31))
    response = post_intake(coordinator_client, org.republican_house.id, parties=parties)
    assert response.status_code == 422
    assert cf.row_counts() == before


def test_a_nul_byte_in_the_subject_is_refused(coordinator_client, org, before):
    response = post_intake(coordinator_client, org.republican_house.id, subject="Дау\x00тақырыбы")
    _assert_refused(response, before, "subject")


def test_an_overlong_subject_is_refused(coordinator_client, org, before):
    response = post_intake(coordinator_client, org.republican_house.id, subject="ә" * 1001)
    _assert_refused(response, before, "subject")


def test_a_house_of_another_region_is_refused(coordinator_client, org, before):
    response = post_intake(coordinator_client, org.semey_house.id)
    _assert_refused(response, before, "house_id")


def test_a_regional_coordinator_cannot_post_a_house_of_another_region(client, org, staff):
    coordinator = person("coordinator", org, region=org.almaty)
    sign_in(client, coordinator)
    csrf_token(client, "/cases/new")
    counts = cf.row_counts()
    response = post_intake(client, org.semey_house.id)
    _assert_refused(response, counts, "house_id")


def test_a_received_date_in_the_future_is_refused(coordinator_client, org, before):
    tomorrow = cf.today() + timedelta(days=1)
    response = post_intake(coordinator_client, org.republican_house.id, received_on=tomorrow.isoformat())
    _assert_refused(response, before, "received_on")
    assert "future" in page_of(response)


def test_a_received_date_with_a_mistyped_year_is_refused(coordinator_client, org, before):
    # (found by this test: "0025-03-01" used to be registered as case "75-25-00001", opening a year-25 series)
    response = post_intake(coordinator_client, org.republican_house.id, received_on="0025-03-01")
    _assert_refused(response, before, "received_on")


PARTY_RULES_ONLY_THE_SERVICE_CHECKS = [
    # ethnicity without the consent date: the form's validate_ethnicity_consent_on never runs, because the
    # field's Optional() validator stops the chain when it is empty; the service refuses it
    ((("Әлия Нұрова", {"ethnicity": "ұйғыр"}), ("Иван Петров", {})), "parties-0-ethnicity_consent_on"),
    ((("ТОО Береке", {"kind": "organisation", "is_minor": "y"}), ("Иван Петров", {})), "parties-0-is_minor"),
]


@pytest.mark.parametrize(("parties", "field"), PARTY_RULES_ONLY_THE_SERVICE_CHECKS, ids=["ethnicity", "minor"])
def test_a_party_rule_broken_is_an_error_on_that_field_and_nothing_is_written(coordinator_client, org, before,
                                                                              parties, field):
    response = post_intake(coordinator_client, org.republican_house.id, parties=parties)
    assert cf.row_counts() == before
    assert invalid_fields(response) == {field}
    # (found by this test: these refusals used to answer 200, the sub-form's errors unseen by form.errors)
    assert response.status_code == 422


def test_an_invalid_phone_is_a_field_error(coordinator_client, org, before):
    response = post_intake(coordinator_client, org.republican_house.id,
                           parties=(("Әлия Нұрова", {"phone": "12"}), ("Иван Петров", {})))
    _assert_refused(response, before, "parties-0-phone")


def test_adding_a_party_writes_nothing(coordinator_client, org, before):
    response = post_intake(coordinator_client, org.republican_house.id, add_party="Add a party")
    assert response.status_code == 200
    assert "parties-2-full_name" in page_of(response)
    assert cf.row_counts() == before


def test_duplicate_warning_before_saving_then_save_anyway(coordinator_client, org, staff):
    # Given an open case in Almaty with a party "Иван Петров" and a party with an ИИН
    number = cf.iin()
    existing = make_case(staff.coordinator, org.republican_house)
    existing.parties[0].iin_bin = number
    db.session.commit()
    counts = cf.row_counts()
    # When the coordinator registers a new appeal naming "ИВАН ПЕТРОВ" and that ИИН under another name
    parties = (("Басқа Адам", {"iin_bin": number}), ("ИВАН  ПЕТРОВ", {}))
    response = post_intake(coordinator_client, org.republican_house.id, parties=parties)
    # Then the form comes back with the warning naming the existing case, and nothing is saved yet
    assert response.status_code == 422
    warning = block(response, "duplicate-warning")
    assert existing.number in warning and "Иван Петров" in warning and "Әлия Нұрова" in warning
    assert cf.row_counts() == counts
    assert re.search(r'name="confirm_duplicates"[^>]*value="1"|value="1"[^>]*name="confirm_duplicates"',
                     page_of(response))
    # When they save anyway
    response = post_intake(coordinator_client, org.republican_house.id, parties=parties, confirm_duplicates="1")
    # Then the appeal is registered as a new case
    assert response.status_code == 302
    assert db.session.scalar(select(Case.number).order_by(Case.id.desc()).limit(1)) == \
        f"75-{cf.today().year}-00002"


def test_no_warning_for_a_closed_case_or_another_region(coordinator_client, org, staff):
    closed = make_case(staff.coordinator, org.republican_house, names=("Жабық Іс", "Иван Петров"))
    closed.state, closed.outcome = CaseState.CLOSED, Outcome.WITHDRAWN
    make_case(staff.semey_coordinator, org.semey_house, names=("Семей Тарап", "Иван Петров"))
    db.session.commit()
    response = post_intake(coordinator_client, org.republican_house.id)
    assert response.status_code == 302
