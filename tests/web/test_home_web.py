"""The "my work" start page per role."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mediation.domain.case_fields import TensionLevel
from mediation.domain.case_states import CaseState
from mediation.extensions import db
from mediation.models import Party
from mediation.services import case_lifecycle
from mediation.services.clock import utcnow
from tests import case_factories as cf
from tests.web.case_pages import block, make_case, numbers, page_of
from tests.web.pages import sign_in

# --- "my work" on the start page --------------------------------------------------------------------------------


@pytest.fixture
def workload(org, staff):
    lead, c = staff.mediator_entry, staff.coordinator
    made = {
        "registered": make_case(c, org.republican_house),
        "awaiting": make_case(c, org.republican_house, "awaiting_assignment"),
        "assigned_mine": make_case(c, org.republican_house, "assigned", lead=lead),
        "assigned_other": make_case(c, org.republican_house, "assigned", lead=staff.other_entry),
        "due_this_week": make_case(c, org.republican_house, "in_mediation", lead=lead, days_ago=30,
                                   signed_days_ago=26),
        "overdue": make_case(c, org.republican_house, "in_mediation", lead=lead, days_ago=45, signed_days_ago=40),
        "critical": make_case(c, org.republican_house, tension=TensionLevel.CRITICAL),
        "closed_critical": make_case(c, org.republican_house, "closed", lead=lead, days_ago=10,
                                     signed_days_ago=5, tension=TensionLevel.CRITICAL),
        "semey_overdue": make_case(staff.semey_coordinator, org.semey_house, days_ago=45),
    }
    db.session.commit()
    return {name: case.number for name, case in made.items()}


def _listed(response, testid: str) -> set[str]:
    return set(re.findall(r"\d{2}-\d{4}-\d{5}", block(response, testid)))


def test_coordinator_home(client, staff, workload):
    sign_in(client, staff.coordinator)
    home = client.get("/")
    assert home.status_code == 200
    assert _listed(home, "work-intake") == {workload[n] for n in ("registered", "awaiting", "critical")}
    assert _listed(home, "work-due") == {workload["due_this_week"]}
    assert _listed(home, "work-overdue") == {workload["overdue"]}


def test_mediator_home(client, staff, workload):
    sign_in(client, staff.mediator)
    home = client.get("/")
    assert _listed(home, "work-active") == {workload[n] for n in ("assigned_mine", "due_this_week", "overdue")}
    assert 'data-testid="work-intake"' not in page_of(home)


def test_manager_home(client, staff, workload):
    sign_in(client, staff.almaty_manager)
    home = client.get("/")
    assert _listed(home, "work-overdue") == {workload["overdue"]}
    assert _listed(home, "work-critical") == {workload["critical"]}
    assert _listed(home, "work-due") == {workload["due_this_week"]}


def test_a_started_mediation_between_mediators_still_shows_as_overdue(client, org, staff):
    # (found by this test: the overdue lists used to require "in mediation", missing such cases)
    # Given a mediation that started 40 days ago (its term ended 10 days ago) whose mediator then recused
    case = make_case(staff.coordinator, org.republican_house, "in_mediation", lead=staff.mediator_entry,
                     days_ago=45, signed_days_ago=40)
    case_lifecycle.release_mediators(cf.step(staff.coordinator, case, utcnow()), "recused", "Туысқандық")
    db.session.commit()
    assert case.state is CaseState.AWAITING_ASSIGNMENT and case.deadline < cf.today()
    # Then the coordinator still sees it among the overdue cases
    sign_in(client, staff.coordinator)
    assert case.number in numbers(client.get("/cases/?due=overdue"))
    assert case.number in _listed(client.get("/"), "work-overdue")


def test_admin_home_has_no_case_lists(client, staff, workload):
    sign_in(client, staff.admin)
    home = page_of(client.get("/"))
    assert "work-" not in home
    assert not re.search(r"\d{2}-\d{4}-\d{5}", home)


def test_a_lapsed_proposal_is_flagged(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, "assigned", lead=staff.mediator_entry, days_ago=20)
    case.proposal_sent_on = cf.today() - timedelta(days=11)
    db.session.commit()
    sign_in(client, staff.coordinator)
    assert case.number in block(client.get("/"), "work-lapsed")
    assert 'data-testid="proposal-lapsed"' in page_of(client.get(f"/cases/{case.id}"))


def test_party_rows_are_read_in_one_query_for_the_page(client, org, staff):
    # The list shows at most three party names per case
    case = cf.register(staff.coordinator, org.republican_house, received_on=cf.today(), now=utcnow(),
                       parties=tuple(cf.party(f"Тарап {n}") for n in range(5)))
    db.session.commit()
    sign_in(client, staff.coordinator)
    row = page_of(client.get("/cases/"))
    assert "Тарап 2" in row and "Тарап 3" not in row
    assert db.session.scalar(select(Party.full_name).where(Party.case_id == case.id, Party.position == 4)) == \
        "Тарап 4"
