"""The suggestions page with "why not" per role, and assigning (with the override reason)."""

import re

from mediation.domain.case_fields import TensionLevel, TensionSignal
from mediation.domain.case_states import CaseState
from mediation.extensions import db
from mediation.models import Case
from tests import case_factories as cf
from tests import registry_factories as rf
from tests.conftest import csrf_token
from tests.sql_plans import statements_containing
from tests.web.assignment_pages import assign_body, assignments_of, excluded_rows, received
from tests.web.pages import invalid_fields, sign_in, text_of

# --- the suggestions page -----------------------------------------------------------------------------------------


SUGGESTIONS_STATUS = {"coordinator": 200, "almaty_manager": 200, "republic_manager": 200, "semey_coordinator": 404,
                      "abai_manager": 404, "mediator": 403, "admin": 403}


def test_the_suggestions_page_per_role(app, staff):
    for role, status in SUGGESTIONS_STATUS.items():
        client = app.test_client()
        sign_in(client, getattr(staff, role))
        assert client.get(f"/cases/{staff.case.id}/suggestions").status_code == status, role
    assert app.test_client().get(f"/cases/{staff.case.id}/suggestions").status_code == 302  # to sign in


def test_the_suggestions_page_ranks_and_says_why_not(client, staff):
    sign_in(client, staff.coordinator)
    response = client.get(f"/cases/{staff.case.id}/suggestions")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Ranked: the mediator of the case's house first, with the score breakdown
    ranked = re.findall(r'data-testid="candidate-(\d+)"', page)
    assert ranked == [str(staff.top.id), str(staff.second.id)]
    top_card = page[page.index(f'data-testid="candidate-{staff.top.id}"'):page.index(
        f'data-testid="candidate-{staff.second.id}"')]
    for factor in ("Language fit", "Specialisation", "Free capacity", "Same Friendship House"):
        assert factor in top_card
    assert "open cases: 0 of 5" in top_card
    # Why not: each excluded mediator with a reason a coordinator can read
    why_not = excluded_rows(response)
    assert set(why_not) == {"Толық Жүктеме", "Уақытша Тоқтатылған", "Тілі Басқа"}
    assert why_not["Толық Жүктеме"] == "at full caseload"
    assert why_not["Уақытша Тоқтатылған"].startswith("suspended or absent")
    assert why_not["Тілі Басқа"] == "no common language with every party"
    # The top candidate is preselected as lead
    assert re.search(rf'<option selected value="{staff.top.id}">|<option value="{staff.top.id}" selected>', page)


def test_the_co_mediator_field_says_when_the_policy_requires_one(client, org, staff):
    high = rf.waiting_case(staff.coordinator, org.republican_house, received_on=received(), tension=TensionLevel.HIGH)
    db.session.commit()
    sign_in(client, staff.coordinator)
    # The default policy asks for two mediators on a high-tension case, and assigning refuses one alone
    assert "Co-mediator (required by the region's policy)" in text_of(client.get(f"/cases/{high.id}/suggestions"))
    page = text_of(client.get(f"/cases/{staff.case.id}/suggestions"))
    assert "Co-mediator (optional)" in page and "required by the region's policy" not in page


def test_the_suggestions_page_reads_the_case_without_locking_it_and_assigning_locks_it(client, staff):
    """A GET only shows what the coordinator may do; the assignment locks the case (and checks its version)."""
    sign_in(client, staff.coordinator)
    url = f"/cases/{staff.case.id}/suggestions"
    with statements_containing("FROM \"case\"") as reads:
        assert client.get(url).status_code == 200
    assert reads and not [s for s, _ in reads if "FOR UPDATE" in s]
    with statements_containing("FOR UPDATE") as locks:
        response = client.post(url, data={"csrf_token": csrf_token(client, url), "version": staff.case.version,
                                          "lead_id": staff.top.id})
    assert response.status_code == 302
    if db.engine.dialect.name == "postgresql":  # SQLite has no FOR UPDATE: its write transaction is exclusive
        assert [s for s, _ in locks if 'FROM "case"' in s]


def test_the_excluded_list_is_short_with_counts_but_every_why_not_stays_reachable(client, staff, monkeypatch):
    from mediation.cases import assign as assign_view

    sign_in(client, staff.coordinator)
    url = f"/cases/{staff.case.id}/suggestions"
    monkeypatch.setattr(assign_view, "EXCLUDED_SHOWN", 1)
    response = client.get(url)
    page = response.get_data(as_text=True)
    # The reasons with how many mediators each one leaves out, whoever is listed by name
    start = page.index('data-testid="excluded-reasons"')
    counts = page[start:page.index("</ul>", start)]
    assert "at full caseload" in counts and "no common language with every party" in counts
    assert "?reason=at_capacity" in counts
    # Only the first excluded mediator by name, and a way to all of them
    assert len(excluded_rows(response)) == 1
    assert 'data-testid="excluded-more"' in page and "?excluded=all" in page
    assert set(excluded_rows(client.get(url + "?excluded=all"))) == {"Толық Жүктеме", "Уақытша Тоқтатылған",
                                                                   "Тілі Басқа"}
    # Why not X: by name (any part, any case) or by reason
    assert excluded_rows(client.get(url + "?who=тілі")) == {"Тілі Басқа": "no common language with every party"}
    assert set(excluded_rows(client.get(url + "?reason=at_capacity"))) == {"Толық Жүктеме"}
    assert excluded_rows(client.get(url + "?who=nobody-like-this")) == {}
    assert "No excluded mediator matches." in client.get(url + "?who=nobody-like-this").get_data(as_text=True)


def test_the_suggestions_page_of_a_case_not_awaiting_assignment_sends_back_to_the_case(client, org, staff):
    registered = cf.register(staff.coordinator, org.republican_house, received_on=received(),
                             parties=cf.two_parties("Жаңа Тарап", "Екінші Тарап"))
    db.session.commit()
    sign_in(client, staff.coordinator)
    response = client.get(f"/cases/{registered.id}/suggestions")
    assert response.status_code == 302 and response.location == f"/cases/{registered.id}"
    assert "Mediators can be chosen only while the case awaits assignment." in text_of(client.get(response.location))


def test_the_case_page_links_to_the_suggestions(client, staff):
    sign_in(client, staff.coordinator)
    page = client.get(f"/cases/{staff.case.id}").get_data(as_text=True)
    assert f'href="/cases/{staff.case.id}/suggestions" data-testid="open-suggestions"' in page


# --- assigning ------------------------------------------------------------------------------------------------------


def test_posting_the_top_candidate_assigns_and_the_case_page_shows_why(client, staff):
    sign_in(client, staff.coordinator)
    path = f"/cases/{staff.case.id}/suggestions"
    token = csrf_token(client, path)
    response = client.post(path, data=assign_body(token, staff.case.id, staff.top.id))
    assert response.status_code == 302 and response.location == f"/cases/{staff.case.id}"
    (chosen,) = assignments_of(staff.case.id)
    assert (chosen.mediator_id, chosen.role, chosen.status, chosen.assigned_by_id) == (
        staff.top.id, "lead", "proposed", staff.coordinator.id)
    assert chosen.explanation["factors"]
    assert db.session.get(Case, staff.case.id).state is CaseState.ASSIGNED
    page = text_of(client.get(response.location))
    assert "Mediators assigned; they are asked to accept" in page
    assert "Ержан Мұқанов" in page and "awaiting the mediator's answer" in page
    assert "Why this mediator (score" in page
    # The case no longer offers suggestions
    assert client.get(path).status_code == 302


def test_passing_over_the_top_candidate_needs_a_reason_on_the_form(client, staff):
    sign_in(client, staff.coordinator)
    path = f"/cases/{staff.case.id}/suggestions"
    token = csrf_token(client, path)
    response = client.post(path, data=assign_body(token, staff.case.id, staff.second.id))
    assert response.status_code == 422
    assert "override_reason" in invalid_fields(response)
    assert "Say why you pass over the top candidate." in text_of(response)
    assert assignments_of(staff.case.id) == []
    response = client.post(path, data=assign_body(token, staff.case.id, staff.second.id,
                                                  override_reason="Тараптар орыс тілін қалайды"))
    assert response.status_code == 302
    (chosen,) = assignments_of(staff.case.id)
    assert (chosen.mediator_id, chosen.override_reason) == (staff.second.id, "Тараптар орыс тілін қалайды")
    assert "Chosen over the top candidate because: Тараптар орыс тілін қалайды" in text_of(
        client.get(f"/cases/{staff.case.id}"))


def test_the_lists_offer_the_first_ranked_and_a_posted_choice_beyond_them(client, staff, monkeypatch):
    from mediation.cases import assign as assign_view

    # Given lists that offer only the first ranked mediator
    monkeypatch.setattr(assign_view, "CHOICES_SHOWN", 1)
    sign_in(client, staff.coordinator)
    path = f"/cases/{staff.case.id}/suggestions"
    page = client.get(path).get_data(as_text=True)
    lead_list = page[page.index('name="lead_id"'):page.index("</select>", page.index('name="lead_id"'))]
    assert re.findall(r'<option[^>]*value="(\d+)"', lead_list) == [str(staff.top.id)]
    # And a link offers every ranked mediator
    assert 'data-testid="offer-all"' in page
    page = client.get(f"{path}?ranked=all").get_data(as_text=True)
    lead_list = page[page.index('name="lead_id"'):page.index("</select>", page.index('name="lead_id"'))]
    assert re.findall(r'<option[^>]*value="(\d+)"', lead_list) == [str(staff.top.id), str(staff.second.id)]
    assert 'data-testid="offer-all"' not in page
    # When the coordinator posts the second (from a page built before, or by hand) without a reason
    token = csrf_token(client, path)
    response = client.post(path, data=assign_body(token, staff.case.id, staff.second.id))
    # Then the form comes back with the choice kept and the missing reason on its field
    assert response.status_code == 422 and "override_reason" in invalid_fields(response)
    page = response.get_data(as_text=True)
    lead_list = page[page.index('name="lead_id"'):page.index("</select>", page.index('name="lead_id"'))]
    assert re.search(rf'<option selected value="{staff.second.id}">|<option value="{staff.second.id}" selected>',
                     lead_list)


def test_an_excluded_mediator_or_a_stale_form_is_refused(client, staff):
    sign_in(client, staff.coordinator)
    path = f"/cases/{staff.case.id}/suggestions"
    token = csrf_token(client, path)
    for who in (staff.full, staff.suspended, staff.no_language):
        response = client.post(path, data=assign_body(token, staff.case.id, who.id, override_reason="Бәрібір"))
        assert response.status_code == 422
        assert "lead_id" in invalid_fields(response)
    # The same mediator as lead and co-mediator
    response = client.post(path, data=assign_body(token, staff.case.id, staff.top.id, co_id=staff.top.id))
    assert response.status_code == 422 and "co_id" in invalid_fields(response)
    # A form loaded before someone else changed the case
    version = db.session.get(Case, staff.case.id).version
    response = client.post(path, data=assign_body(token, staff.case.id, staff.top.id, version=version - 1))
    assert response.status_code == 409
    assert assignments_of(staff.case.id) == []
    # A forged request without the CSRF token changes nothing
    response = client.post(path, data={**assign_body(token, staff.case.id, staff.top.id), "csrf_token": "x"})
    assert response.status_code in (400, 422)
    assert assignments_of(staff.case.id) == []


def test_the_coordinators_choice_is_never_replaced_by_the_proposed_pair(client, org, staff):
    case = rf.waiting_case(staff.coordinator, org.republican_house, received_on=received(),
                           tension=TensionLevel.HIGH, signals=(TensionSignal.VIOLENCE.value,),
                           parties=cf.two_parties("Жоғары Шиеленіс", "Екінші Жақ"))
    db.session.commit()
    sign_in(client, staff.coordinator)
    path = f"/cases/{case.id}/suggestions"
    assert "The proposed pair is preselected below." in text_of(client.get(path))
    token = csrf_token(client, path)
    # The coordinator deliberately picks the second candidate as lead, with a reason, and no co-mediator
    response = client.post(path, data=assign_body(token, case.id, staff.second.id,
                                                  override_reason="Тараптар орыс тілін қалайды"))
    chosen = [(a.mediator_id, a.role) for a in assignments_of(case.id)]
    # Either the choice is refused (a co-mediator is required) or exactly what was posted is assigned
    if response.status_code == 422:
        assert "co_id" in invalid_fields(response) and chosen == []
    else:
        assert chosen == [(staff.second.id, "lead")]
