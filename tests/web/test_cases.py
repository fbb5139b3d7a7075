"""The case pages for each role: the scoped list and the case page."""


import pytest

from mediation.domain.case_states import CaseState
from mediation.extensions import db
from mediation.models import Case
from tests.conftest import csrf_token
from tests.web.case_pages import make_case, numbers, page_of, timeline
from tests.web.pages import sign_in

# --- the list and the case page, per role -------------------------------------------------------------------------


@pytest.fixture
def spread(org, staff):
    """Cases in both regions: one assigned to the mediator, one not, one in Semey."""
    mine = make_case(staff.coordinator, org.republican_house, "assigned", lead=staff.mediator_entry)
    not_mine = make_case(staff.coordinator, org.republican_house, "assigned", lead=staff.other_entry)
    registered = make_case(staff.coordinator, org.republican_house)
    semey = make_case(staff.semey_coordinator, org.semey_house)
    db.session.commit()
    return {"mine": mine.number, "not_mine": not_mine.number, "registered": registered.number,
            "semey": semey.number, "ids": {"mine": mine.id, "not_mine": not_mine.id, "semey": semey.id}}


@pytest.mark.parametrize(("who", "sees"), [
    ("mediator", {"mine"}),
    ("coordinator", {"mine", "not_mine", "registered"}),
    ("semey_coordinator", {"semey"}),
    ("almaty_manager", {"mine", "not_mine", "registered"}),
    ("abai_manager", {"semey"}),
    ("republic_manager", {"mine", "not_mine", "registered", "semey"}),
])
def test_the_list_shows_exactly_the_cases_of_the_scope(client, staff, spread, who, sees):
    sign_in(client, getattr(staff, who))
    response = client.get("/cases/")
    assert response.status_code == 200
    assert sorted(numbers(response)) == sorted(spread[name] for name in sees)


def test_admin_gets_403_on_case_pages(client, staff, spread):
    sign_in(client, staff.admin)
    for path in ("/cases/", f"/cases/{spread['ids']['mine']}", "/cases/new", "/cases/export.csv"):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize(("who", "case", "status"), [
    ("mediator", "mine", 200), ("mediator", "not_mine", 404), ("other_mediator", "mine", 404),
    ("coordinator", "semey", 404), ("semey_coordinator", "mine", 404), ("abai_manager", "mine", 404),
    ("almaty_manager", "not_mine", 200), ("republic_manager", "semey", 200),
])
def test_a_case_outside_the_scope_is_404(client, staff, spread, who, case, status):
    sign_in(client, getattr(staff, who))
    response = client.get(f"/cases/{spread['ids'][case]}")
    assert response.status_code == status
    if status == 200:
        assert spread[case] in page_of(response)
    else:
        assert spread[case] not in page_of(response)


def test_unknown_and_malformed_case_ids_are_404(client, staff):
    sign_in(client, staff.coordinator)
    for path in ("/cases/999999", "/cases/0", "/cases/-1", "/cases/99999999999999999999", "/cases/abc"):
        assert client.get(path).status_code == 404, path


def test_out_of_scope_actions_are_404_and_change_nothing(client, staff, spread):
    sign_in(client, staff.semey_coordinator)
    token = csrf_token(client, "/cases/")
    case_id = spread["ids"]["mine"]
    response = client.post(f"/cases/{case_id}/close", data={"csrf_token": token, "version": "1",
                                                             "outcome": "withdrawn"})
    assert response.status_code == 404
    assert db.session.get(Case, case_id).state is CaseState.ASSIGNED


def test_the_case_page_shows_details_parties_and_timeline(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, "assigned", lead=staff.mediator_entry,
                     description="Құпия мән-жай")
    db.session.commit()
    sign_in(client, staff.mediator)
    response = client.get(f"/cases/{case.id}")
    text = page_of(response)
    assert response.status_code == 200
    assert case.number in text and "Әлия Нұрова" in text and "Иван Петров" in text
    assert "Ержан Мұқанов" in text  # the mediator on the case
    entries = timeline(response)
    # registered, screening started, screening passed, mediators assigned
    assert len(entries) == 4
    assert all("Айгерім Сәрсенова" in entry for entry in entries)
