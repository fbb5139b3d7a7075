"""The assignment screens: suggestions with "why not" per role, assigning (and the override reason), the
mediator's accept and decline, the region's policy page, and batch auto-assign with preview and commit."""

import html
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from mediation.domain.case_fields import TensionLevel, TensionSignal
from mediation.domain.case_states import CaseState
from mediation.extensions import db
from mediation.models import AssignmentPolicyRecord, AuditEvent, Case, CaseAssignment
from mediation.services import assignment as assignment_service
from mediation.services.clock import utcnow
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf
from tests.conftest import csrf_token, login
from tests.sql_plans import statements_containing

FORM_CONTROL = re.compile(r"<(?:input|select|textarea)\b[^>]*>")


def person(role: str, org, **scope):
    """A user who reads the interface in English (messages are asserted in English)."""
    user = factories.make_user(role, org=org, **scope)
    user.locale = "en"
    db.session.commit()
    return user


def sign_in(client, user) -> None:
    assert login(client, user.username).status_code == 302


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def invalid_fields(response) -> set[str]:
    names = set()
    for tag in FORM_CONTROL.findall(response.get_data(as_text=True)):
        if "is-invalid" in tag:
            names.add(re.search(r'name="([^"]+)"', tag).group(1))
    return names


def excluded_rows(response) -> dict[str, str]:
    """The "why not" table: mediator name -> the reasons as shown."""
    page = response.get_data(as_text=True)
    table = page[page.index('data-testid="excluded"'):page.index("</table>", page.index('data-testid="excluded"'))]
    rows = re.findall(r"<tr><td>([^<]+)</td>\s*<td>(.*?)</td></tr>", table, re.S)
    return {html.unescape(name): " ".join(html.unescape(re.sub(r"<[^>]+>", "", why)).split()) for name, why in rows}


def assignments_of(case_id: int) -> list[CaseAssignment]:
    db.session.expire_all()
    return list(db.session.scalars(select(CaseAssignment).where(CaseAssignment.case_id == case_id)
                                   .order_by(CaseAssignment.id)))


def received() -> object:
    return cf.today() - timedelta(days=3)


@pytest.fixture
def staff(org):
    """Users of every role (English interface), and Almaty's mediators: the one with an account ranks first."""
    staff = SimpleNamespace(
        admin=person("admin", org), republic_manager=person("manager", org),
        almaty_manager=person("manager", org, region=org.almaty), abai_manager=person("manager", org, region=org.abai),
        coordinator=person("coordinator", org, house=org.republican_house),
        semey_coordinator=person("coordinator", org, house=org.semey_house),
        mediator=person("mediator", org, house=org.republican_house),
        other_mediator=person("mediator", org, house=org.republican_house))
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


def assign_body(token: str, case_id: int, lead_id, *, co_id="", override_reason="", note="", version=None) -> dict:
    version = version if version is not None else db.session.get(Case, case_id).version
    return {"csrf_token": token, "version": str(version), "lead_id": str(lead_id), "co_id": str(co_id),
            "override_reason": override_reason, "note": note}


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


# --- the mediator's answer ------------------------------------------------------------------------------------------


@pytest.fixture
def proposed(staff):
    """The case assigned to the mediator who has an account."""
    view = assignment_service.suggestions_for(staff.coordinator.actor, staff.case.id, today=cf.today(),
                                              thresholds=rf.THRESHOLDS)
    assignment_service.assign(cf.step(staff.coordinator, staff.case, utcnow()), staff.top.id, None, note=None,
                              override_reason=None, view=view)
    db.session.commit()
    return staff


def answer(client, case_id: int, action: str, **fields):
    token = csrf_token(client, f"/cases/{case_id}")
    body = {"csrf_token": token, "version": str(db.session.get(Case, case_id).version), **fields}
    response = client.post(f"/cases/{case_id}/{action}", data=body)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return text_of(client.get(response.location))


def test_the_mediator_accepts_only_with_the_declaration(client, proposed):
    staff = proposed
    sign_in(client, staff.mediator)
    page = text_of(client.get(f"/cases/{staff.case.id}"))
    assert f'action="/cases/{staff.case.id}/accept"' in page and f'action="/cases/{staff.case.id}/decline"' in page
    # Without ticking the declaration
    page = answer(client, staff.case.id, "accept")
    assert "Tick the declaration that nothing impedes your impartiality" in page
    assert assignments_of(staff.case.id)[0].status == "proposed"
    # Declaring a tie while accepting
    page = answer(client, staff.case.id, "accept", ties="kinship", no_conflict="y")
    assert "You declared a tie with a party: you cannot accept this case." in page
    assert assignments_of(staff.case.id)[0].status == "proposed"
    # With the declaration
    answer(client, staff.case.id, "accept", no_conflict="y", note="Кедергі жоқ")
    (chosen,) = assignments_of(staff.case.id)
    assert (chosen.status, chosen.conflict_note) == ("accepted", "Кедергі жоқ")


def test_the_mediator_declines_with_ties_and_is_then_listed_as_excluded(app, client, proposed):
    staff = proposed
    sign_in(client, staff.mediator)
    answer(client, staff.case.id, "decline", reason="Тараптың бірі туысым", ties=["kinship", "same_village"])
    (ended,) = assignments_of(staff.case.id)
    assert (ended.status, ended.conflict_ties, ended.reason) == ("declined", ["kinship", "same_village"],
                                                                 "Тараптың бірі туысым")
    assert db.session.get(Case, staff.case.id).state is CaseState.AWAITING_ASSIGNMENT
    # The mediator no longer sees the case
    assert client.get(f"/cases/{staff.case.id}").status_code == 404
    # The coordinator sees them among the excluded, with the reason
    coordinator = app.test_client()
    sign_in(coordinator, staff.coordinator)
    response = coordinator.get(f"/cases/{staff.case.id}/suggestions")
    assert excluded_rows(response)["Ержан Мұқанов"] == (
        "declared a conflict of interest, recused or was objected to on this case")
    assert re.findall(r'data-testid="candidate-(\d+)"', response.get_data(as_text=True)) == [str(staff.second.id)]


def test_a_decline_needs_a_reason(client, proposed):
    staff = proposed
    sign_in(client, staff.mediator)
    page = answer(client, staff.case.id, "decline", reason="")
    assert assignments_of(staff.case.id)[0].status == "proposed"
    assert "This field is required." in page


def test_only_the_assigned_mediator_answers(app, client, proposed):
    staff = proposed
    # A coordinator cannot use the mediator's buttons
    sign_in(client, staff.coordinator)
    token = csrf_token(client, f"/cases/{staff.case.id}")
    version = str(db.session.get(Case, staff.case.id).version)
    body = {"csrf_token": token, "version": version, "no_conflict": "y"}
    assert client.post(f"/cases/{staff.case.id}/accept", data=body).status_code == 403
    # Another mediator does not find the case at all
    other = app.test_client()
    sign_in(other, staff.other_mediator)
    token = csrf_token(other, "/")
    body = {"csrf_token": token, "version": version, "no_conflict": "y"}
    assert other.post(f"/cases/{staff.case.id}/accept", data=body).status_code == 404
    assert other.post(f"/cases/{staff.case.id}/decline", data={**body, "reason": "Жоқ"}).status_code == 404
    assert assignments_of(staff.case.id)[0].status == "proposed"


# --- the policy page -------------------------------------------------------------------------------------------------


def policy_body(token: str, **fields) -> dict:
    body = {"csrf_token": token, "horizon_days": "21", "co_mediation_for_high_tension": "y",
            "ethnicity_mode": "off", "weight_language_fit": "3", "weight_specialization": "2",
            "weight_free_capacity": "2", "weight_same_house": "1", "weight_experience_in_category": "1.5",
            "weight_outcome_rate": "1.5", "weight_rotation": "1", "weight_ethnicity_neutral": "0.5"}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def test_the_policy_page_is_for_managers(app, staff):
    for role, status in {"almaty_manager": 200, "republic_manager": 200, "coordinator": 403, "admin": 403,
                         "mediator": 403}.items():
        client = app.test_client()
        sign_in(client, getattr(staff, role))
        assert client.get("/assignment/policy").status_code == status, role


def test_a_manager_saves_the_policy_and_it_is_audited(client, org, staff):
    sign_in(client, staff.almaty_manager)
    page = client.get("/assignment/policy").get_data(as_text=True)
    assert f'action="/assignment/policy?region={org.almaty.id}"' in page
    assert 'name="horizon_days"' in page and 'value="14"' in page
    token = csrf_token(client, "/assignment/policy")
    response = client.post(f"/assignment/policy?region={org.almaty.id}",
                           data=policy_body(token, allow_republic_pool="y", weight_rotation="0"))
    assert response.status_code == 302
    record = db.session.scalar(select(AssignmentPolicyRecord).where(AssignmentPolicyRecord.region_id == org.almaty.id))
    assert (record.horizon_days, record.allow_republic_pool, record.weights["rotation"]) == (21, True, 0.0)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.policy"))
    assert audit.actor_id == staff.almaty_manager.id
    assert audit.summary["horizon_days"] == [None, 21]
    # Values out of range are field errors, and nothing is saved
    for fields in ({"horizon_days": "0"}, {"horizon_days": "91"}, {"weight_rotation": "-1"},
                   {"ethnicity_mode": "by_surname"}):
        response = client.post(f"/assignment/policy?region={org.almaty.id}", data=policy_body(token, **fields))
        assert response.status_code == 422, fields
    db.session.expire_all()
    assert db.session.get(AssignmentPolicyRecord, record.id).horizon_days == 21
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "assignment.policy")) == 1


def test_a_regional_manager_cannot_set_another_regions_policy(client, org, staff):
    sign_in(client, staff.almaty_manager)
    token = csrf_token(client, "/assignment/policy")
    # Asking for Abai falls back to the manager's own region
    page = client.get(f"/assignment/policy?region={org.abai.id}").get_data(as_text=True)
    assert f'action="/assignment/policy?region={org.almaty.id}"' in page
    client.post(f"/assignment/policy?region={org.abai.id}", data=policy_body(token))
    assert db.session.scalar(select(AssignmentPolicyRecord.region_id)) == org.almaty.id
    # A manager of the republic picks any region
    other = client.application.test_client()
    sign_in(other, staff.republic_manager)
    token = csrf_token(other, "/assignment/policy")
    other.post(f"/assignment/policy?region={org.abai.id}", data=policy_body(token, horizon_days="30"))
    assert db.session.scalar(select(AssignmentPolicyRecord.horizon_days).where(
        AssignmentPolicyRecord.region_id == org.abai.id)) == 30


# --- batch auto-assign -----------------------------------------------------------------------------------------------


@pytest.fixture
def backlog(org):
    """Five waiting cases in the Republican house, two mediators with room for two each."""
    team = SimpleNamespace(coordinator=person("coordinator", org, house=org.republican_house),
                           manager=person("manager", org, region=org.almaty),
                           mediator=person("mediator", org, house=org.republican_house))
    team.mediators = [rf.mediator(org.almaty, full_name=f"Медиатор {n}", max_active_cases=2).id for n in range(2)]
    team.cases = [rf.waiting_case(team.coordinator, org.republican_house, received_on=received(),
                                  parties=cf.two_parties(f"Өтініш беруші {n}", f"Жауапкер {n}")).id for n in range(5)]
    db.session.commit()
    return team


def test_the_batch_preview_then_commit(client, org, backlog):
    sign_in(client, backlog.coordinator)
    response = client.get("/assignment/batch")
    assert response.status_code == 200
    page = text_of(response)
    assert "4 of 5 cases can be staffed." in page
    assert "Медиатор 0" in page and "every fitting mediator is at full caseload" in page
    assert db.session.scalar(select(func.count()).select_from(CaseAssignment)) == 0
    token = csrf_token(client, "/assignment/batch")
    response = client.post(f"/assignment/batch?region={org.almaty.id}",
                           data={"csrf_token": token, "region_id": str(org.almaty.id)})
    assert response.status_code == 302
    assert "4 cases assigned; each mediator is asked to accept." in text_of(client.get(response.location))
    rows = db.session.scalars(select(CaseAssignment)).all()
    assert len(rows) == 4 and all(r.explanation["batch"] and r.explanation["factors"] for r in rows)
    assert sorted(rf.open_cases_of(m) for m in backlog.mediators) == [2, 2]
    states = sorted(db.session.get(Case, c).state.value for c in backlog.cases)
    assert states == ["assigned"] * 4 + ["awaiting_assignment"]
    assert "0 of 1 cases can be staffed." in text_of(client.get("/assignment/batch"))


def test_the_batch_is_for_coordinators_and_managers_of_the_region(app, org, backlog):
    mediator = app.test_client()
    sign_in(mediator, backlog.mediator)
    assert mediator.get("/assignment/batch").status_code == 403
    manager = app.test_client()
    sign_in(manager, backlog.manager)
    assert "4 of 5 cases can be staffed." in text_of(manager.get("/assignment/batch"))
    # A region outside the manager's scope is not a choice: nothing is written
    token = csrf_token(manager, "/assignment/batch")
    response = manager.post(f"/assignment/batch?region={org.abai.id}",
                            data={"csrf_token": token, "region_id": str(org.abai.id)})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(CaseAssignment)) == 0

