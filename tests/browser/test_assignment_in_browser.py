"""A coordinator opens a waiting case's suggestions from the case page, reads why a mediator was excluded,
assigns the top candidate, and sees the mediator on the case page (demo data, Kazakh interface)."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from mediation.domain.case_states import CaseState
from mediation.extensions import db
from mediation.models import Case, CaseAssignment, Mediator, User
from mediation.services.clock import local_date, utcnow
from mediation.web.labels_case import EXCLUSION
from tests import case_factories as cf
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_roles_in_browser import sign_in

pytestmark = pytest.mark.browser


def waiting_case_of(coordinator: User) -> Case:
    """A case awaiting assignment in the coordinator's house, between an Uzbek- and a Russian-speaking party.

    The demo seed has no case awaiting assignment in the Republican house, and every mediator of its region
    is active, below capacity and speaks Kazakh and Russian; an applicant who speaks only Uzbek is what leaves
    most of them out ("no common language") while one demo mediator (Uzbek and Russian) still fits. The case is
    registered and screened through the same services the intake and screening forms use.
    """
    today = local_date(utcnow())
    case = cf.register(coordinator, coordinator.house_id, received_on=today, now=utcnow(), languages=("uz", "ru"),
                       parties=(cf.party("Мирзаев Жасур Бахтиёр ўғли", preferred_language="uz"),
                                cf.party("Кузнецов Олег Петрович", cf.PartyRole.RESPONDENT,
                                         preferred_language="ru")))
    cf.advance(case, "awaiting_assignment", coordinator, now=utcnow())
    db.session.commit()
    return case


def test_coordinator_reads_why_not_and_assigns_the_top_candidate(app, page):
    coordinator = db.session.scalar(select(User).where(User.username == "coordinator"))
    case = waiting_case_of(coordinator)
    case_id, number = case.id, case.number
    with app.test_request_context(), force_locale("kk"):
        reasons_kk = [str(text) for text in EXCLUSION.values()]

    # Given the coordinator on the page of a case awaiting assignment
    sign_in(page, "coordinator")
    page.goto(f"/cases/{case_id}")
    assert number in page.locator("h1").inner_text()
    # When they open the suggestions from the case page
    page.get_by_test_id("open-suggestions").click()
    page.wait_for_url(f"**/cases/{case_id}/suggestions")
    # Then the excluded table says, for each mediator left out, why not (here: no common language)
    rows = page.get_by_test_id("excluded").locator("tbody tr")
    assert rows.count() >= 1
    excluded_name = rows.first.locator("td").nth(0).inner_text().strip()
    why_not = rows.first.locator("td").nth(1).inner_text().strip()
    assert excluded_name and any(why_not.startswith(reason) for reason in reasons_kk), why_not
    assert why_not.startswith(reasons_kk[list(EXCLUSION).index("no_common_language")])
    # And the top candidate is the first card, preselected as lead
    top_card = page.locator(".candidate").first
    top_name = top_card.locator("strong").inner_text().strip()
    top_id = int(top_card.get_attribute("data-testid").removeprefix("candidate-"))
    assert page.locator("#lead_id").input_value() == str(top_id)
    page.screenshot(path=str(ARTIFACTS / "suggestions.png"), full_page=True)

    # When they assign the top candidate
    page.get_by_role("button", name="Тағайындау").click()
    page.wait_for_url(f"**/cases/{case_id}")
    # Then the case page shows the mediator and that they are asked to accept
    assert page.get_by_role("alert").filter(has_text="Медиаторлар тағайындалды").is_visible()
    assert page.get_by_text(top_name).first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "case-assigned.png"), full_page=True)
    assert page.get_by_test_id("open-suggestions").count() == 0
    db.session.rollback()
    lead = db.session.scalar(select(CaseAssignment).where(CaseAssignment.case_id == case_id,
                                                          CaseAssignment.role == "lead"))
    assert lead.mediator_id == top_id and lead.status == "proposed" and lead.explanation["factors"]
    assert db.session.get(Mediator, top_id).full_name == top_name
    assert db.session.get(Case, case_id).state is CaseState.ASSIGNED
    assert page.problems == [], page.problems
