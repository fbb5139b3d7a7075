"""The case page's action forms, and optimistic locking through the edit page."""

import re
from datetime import timedelta

from sqlalchemy import select

from mediation.domain.case_fields import CaseCategory, TensionLevel
from mediation.domain.case_states import CaseState, Outcome
from mediation.extensions import db
from mediation.models import Case, CaseAssignment
from tests import case_factories as cf
from tests.conftest import csrf_token
from tests.web.case_pages import block, make_case, page_of, timeline
from tests.web.pages import invalid_fields, sign_in

# --- the action forms -------------------------------------------------------------------------------------------


def act(client, case_id: int, action: str, **fields):
    """Post an action form from the case page with the case's current version."""
    token = csrf_token(client, f"/cases/{case_id}")
    db.session.rollback()
    version = db.session.get(Case, case_id).version
    data = {"csrf_token": token, "version": str(version), **{k: v for k, v in fields.items() if v is not None}}
    return client.post(f"/cases/{case_id}/{action}", data=data)


def state_of(case_id: int) -> Case:
    db.session.rollback()
    return db.session.get(Case, case_id)


NO = {"third_party_interests": "no", "party_incapable": "no", "state_body_party": "no",
      "corruption_or_state_service_crime": "no"}


def test_screening_assign_contract_extension_close_through_the_forms(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, days_ago=20)
    db.session.commit()
    case_id = case.id
    sign_in(client, staff.coordinator)
    # Screening: all "no" sends the case on
    assert act(client, case_id, "screening", **NO).status_code == 302
    assert state_of(case_id).state is CaseState.AWAITING_ASSIGNMENT
    # Assignment: the lead is chosen from the ranked suggestions of the region's registry
    suggestions = client.get(f"/cases/{case_id}/suggestions")
    assert suggestions.status_code == 200 and "Ержан Мұқанов" in page_of(suggestions)
    assert assign(client, case_id, staff.mediator_entry.id).status_code == 302
    assert state_of(case_id).state is CaseState.ASSIGNED
    # The mediator accepts, declaring no conflict of interest
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, staff.mediator)
    assert act(client, case_id, "accept", no_conflict="y").status_code == 302
    assert db.session.scalar(select(CaseAssignment.status).where(CaseAssignment.case_id == case_id)) == "accepted"
    # Contract: the mediator records it; the deadline is 30 days on
    signed = cf.today() - timedelta(days=10)
    assert act(client, case_id, "contract", signed_on=signed.isoformat()).status_code == 302
    case = state_of(case_id)
    assert (case.state, case.contract_signed_on, case.deadline) == (CaseState.IN_MEDIATION, signed,
                                                                    signed + timedelta(days=30))
    # Extension: once, with consent
    assert act(client, case_id, "extension", days="20", agreed_on=cf.today().isoformat(),
               reason="Тараптар келісті", parties_consent="y").status_code == 302
    assert state_of(case_id).deadline == signed + timedelta(days=50)
    # a second one is refused on the days field with the law's reason
    response = act(client, case_id, "extension", days="5", agreed_on=cf.today().isoformat(), reason="Тағы",
                   parties_consent="y")
    assert response.status_code == 422 and "days" in invalid_fields(response)
    assert "only one extension" in page_of(response)
    assert state_of(case_id).deadline == signed + timedelta(days=50)
    # Close: a started mediation needs a ground
    response = act(client, case_id, "close", outcome="no_agreement", ground="")
    assert response.status_code == 422 and "ground" in invalid_fields(response)
    assert state_of(case_id).state is CaseState.IN_MEDIATION
    effective = cf.today() - timedelta(days=1)
    assert act(client, case_id, "close", outcome="full_agreement", ground="agreement_signed",
               effective_on=effective.isoformat(), reason="Келісім").status_code == 302
    case = state_of(case_id)
    assert (case.state, case.outcome, case.terminated_on) == (CaseState.CLOSED, Outcome.FULL_AGREEMENT, effective)
    # And the timeline shows every step (registered, screening started and passed, assigned, accepted,
    # contract, extension, closed)
    assert len(timeline(client.get(f"/cases/{case_id}"))) == 8


def test_screening_with_a_yes_closes_the_case_as_not_eligible(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house)
    db.session.commit()
    sign_in(client, staff.coordinator)
    response = act(client, case.id, "screening", **{**NO, "state_body_party": "yes"}, note="Әкімдік тарап",
                   referred_to="Сот")
    assert response.status_code == 302
    case = state_of(case.id)
    assert (case.state, case.outcome, case.referred_to) == (CaseState.CLOSED, Outcome.NOT_ELIGIBLE, "Сот")
    page = page_of(client.get(f"/cases/{case.id}"))
    assert "/suggestions" not in page and "action-screening" not in page


def test_screening_with_missing_answers_stays_in_screening(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house)
    db.session.commit()
    sign_in(client, staff.coordinator)
    partial = {**{question: "" for question in NO}, "third_party_interests": "no"}
    assert act(client, case.id, "screening", **partial).status_code == 302
    assert state_of(case.id).state is CaseState.SCREENING


def assign(client, case_id: int, lead_id, co_id="", reason="Тілі мен тәжірибесі сәйкес"):
    """Choose mediators on the suggestions screen (a reason is given in case the lead is not the top one)."""
    token = csrf_token(client, f"/cases/{case_id}/suggestions")
    version = state_of(case_id).version
    return client.post(f"/cases/{case_id}/suggestions", data={
        "csrf_token": token, "version": str(version), "lead_id": str(lead_id), "co_id": str(co_id),
        "override_reason": reason, "note": ""})


def test_assigning_a_mediator_of_another_region_is_a_field_error(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, "awaiting_assignment")
    outsider = cf.make_mediator(org.abai)
    db.session.commit()
    sign_in(client, staff.coordinator)
    response = assign(client, case.id, outsider.id)
    assert response.status_code == 422 and "lead_id" in invalid_fields(response)
    response = assign(client, case.id, staff.mediator_entry.id, co_id=staff.mediator_entry.id)
    assert response.status_code == 422 and "co_id" in invalid_fields(response)
    assert state_of(case.id).state is CaseState.AWAITING_ASSIGNMENT


def test_a_contract_date_in_the_future_is_a_field_error(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, "assigned", lead=staff.mediator_entry)
    db.session.commit()
    sign_in(client, staff.mediator)
    response = act(client, case.id, "contract", signed_on=(cf.today() + timedelta(days=1)).isoformat())
    assert response.status_code == 422 and "signed_on" in invalid_fields(response)
    assert state_of(case.id).contract_signed_on is None


def test_no_contract_before_the_mediator_accepts_with_the_declaration(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, "assigned", lead=staff.mediator_entry)
    db.session.commit()
    sign_in(client, staff.coordinator)
    response = act(client, case.id, "contract", signed_on=cf.today().isoformat())
    assert response.status_code == 422 and "signed_on" in invalid_fields(response)
    assert "has not accepted it yet: they accept it and declare any conflict of interest" in page_of(response)
    case = state_of(case.id)
    assert (case.state, case.contract_signed_on) == (CaseState.ASSIGNED, None)
    assert db.session.scalar(select(CaseAssignment.status).where(CaseAssignment.case_id == case.id)) == "proposed"


def test_an_extension_without_consent_is_a_field_error(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, "in_mediation", lead=staff.mediator_entry,
                     days_ago=5)
    db.session.commit()
    sign_in(client, staff.mediator)
    response = act(client, case.id, "extension", days="10", agreed_on=cf.today().isoformat(), reason="Себеп")
    assert response.status_code == 422 and "parties_consent" in invalid_fields(response)
    response = act(client, case.id, "extension", days="31", agreed_on=cf.today().isoformat(), reason="Себеп",
                   parties_consent="y")
    assert response.status_code == 422 and "days" in invalid_fields(response)
    assert state_of(case.id).extension_days == 0


def test_a_recusal_returns_the_case_and_hides_it_from_the_mediator(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, "in_mediation", lead=staff.mediator_entry,
                     days_ago=5)
    db.session.commit()
    deadline = case.deadline
    sign_in(client, staff.mediator)
    response = act(client, case.id, "decline", recusal="y", ties="kinship", reason="Туысқандық")
    # The mediator no longer sees the case: they land on their start page, told what happened to which case
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert f"You recused yourself from case {case.number}" in page_of(client.get("/"))
    case = state_of(case.id)
    assert (case.state, case.deadline) == (CaseState.AWAITING_ASSIGNMENT, deadline)
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_a_declined_case_sends_the_mediator_to_their_start_page_with_its_number(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, "assigned", lead=staff.mediator_entry)
    db.session.commit()
    sign_in(client, staff.mediator)
    response = act(client, case.id, "decline", reason="Уақытым жоқ")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and f"You declined case {case.number}" in page_of(home)
    assert state_of(case.id).state is CaseState.AWAITING_ASSIGNMENT


def test_the_coordinator_returns_a_case_when_the_parties_object(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, "assigned", lead=staff.mediator_entry)
    db.session.commit()
    sign_in(client, staff.coordinator)
    lead = str(staff.mediator_entry.id)
    response = act(client, case.id, "release", mediator_id=lead, status="objected", reason="")
    assert response.status_code == 422 and "reason" in invalid_fields(response)
    response = act(client, case.id, "release", mediator_id=str(staff.other_entry.id), status="objected",
                   reason="Тараптар қарсы")
    assert response.status_code == 422 and "mediator_id" in invalid_fields(response)  # not on the case
    assert act(client, case.id, "release", mediator_id=lead, status="objected",
               reason="Тараптар қарсы").status_code == 302
    assert state_of(case.id).state is CaseState.AWAITING_ASSIGNMENT
    response = assign(client, case.id, staff.mediator_entry.id)
    assert response.status_code == 422 and "lead_id" in invalid_fields(response)


def test_a_mediator_cannot_screen_or_assign(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house, "assigned", lead=staff.mediator_entry)
    db.session.commit()
    sign_in(client, staff.mediator)
    assert act(client, case.id, "screening", **NO).status_code == 403
    assert client.get(f"/cases/{case.id}/suggestions").status_code == 403
    assert act(client, case.id, "suggestions", lead_id=str(staff.other_entry.id)).status_code == 403
    assert act(client, case.id, "close", outcome="withdrawn").status_code == 403
    assert state_of(case.id).state is CaseState.ASSIGNED


def test_an_action_on_an_old_version_is_409_naming_the_editor(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house)
    db.session.commit()
    sign_in(client, staff.coordinator)
    token = csrf_token(client, f"/cases/{case.id}")
    old_version = str(state_of(case.id).version)
    # Someone else (the regional manager) moves the case on
    other = client.application.test_client()
    sign_in(other, staff.almaty_manager)
    assert act(other, case.id, "screening", **{**NO, "third_party_interests": ""}).status_code == 302
    # The coordinator's form still carries the old version
    response = client.post(f"/cases/{case.id}/close", data={"csrf_token": token, "version": old_version,
                                                            "outcome": "withdrawn"})
    assert response.status_code == 409
    assert "Гүлнар Әбенова" in page_of(response)
    assert state_of(case.id).state is CaseState.SCREENING


# --- optimistic locking through the edit page ---------------------------------------------------------------------


def _edit_body(client, case_id: int, **changes) -> dict:
    text = page_of(client.get(f"/cases/{case_id}/edit"))
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', text).group(1)
    version = re.search(r'<input[^>]*name="version"[^>]*>', text).group(0)
    version = re.search(r'value="(\d+)"', version).group(1)
    case = state_of(case_id)
    body = {"csrf_token": token, "version": version, "category": case.category.value,
            "channel": case.channel.value, "tension": case.tension.value, "subject": case.subject,
            "description": case.description, "languages": list(case.languages), "signals": case.tension_signals}
    body.update(changes)
    return body


def test_two_editors_the_second_gets_409_with_the_first_editors_name(app, org, staff):
    # Given a case open in two browsers: the coordinator's and the regional manager's
    case = make_case(staff.coordinator, org.republican_house)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    sign_in(first, staff.almaty_manager)
    sign_in(second, staff.coordinator)
    first_body = _edit_body(first, case.id, subject="Бірінші түзету")
    second_body = _edit_body(second, case.id, category="family", subject="Екінші түзету")
    assert first_body["version"] == second_body["version"]
    # When both save, the manager first
    assert first.post(f"/cases/{case.id}/edit", data=first_body).status_code == 302
    response = second.post(f"/cases/{case.id}/edit", data=second_body)
    # Then the second save is refused with who changed the case
    assert response.status_code == 409
    assert "Гүлнар Әбенова" in block(response, "stale")
    # And nothing of the first edit is lost, nothing of the second applied
    case = state_of(case.id)
    assert (case.subject, case.category, case.updated_by_id) == ("Бірінші түзету", CaseCategory.NEIGHBOURS_LAND,
                                                                 staff.almaty_manager.id)


def test_a_closed_case_cannot_be_edited_through_the_page(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house)
    db.session.commit()
    sign_in(client, staff.coordinator)
    body = _edit_body(client, case.id, subject="Жабылғаннан кейін")
    assert act(client, case.id, "close", outcome="withdrawn").status_code == 302
    body["version"] = str(state_of(case.id).version)
    assert client.post(f"/cases/{case.id}/edit", data=body).status_code == 403
    assert state_of(case.id).subject != "Жабылғаннан кейін"
    assert "/edit" not in page_of(client.get(f"/cases/{case.id}"))


def test_edit_keeps_the_tension_floor_and_writes_an_event(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house)
    db.session.commit()
    sign_in(client, staff.coordinator)
    body = _edit_body(client, case.id, tension="low", signals=["violence"])
    assert client.post(f"/cases/{case.id}/edit", data=body).status_code == 302
    case = state_of(case.id)
    assert (case.tension, case.tension_signals) == (TensionLevel.HIGH, ["violence"])


def test_edit_with_a_garbage_version_is_not_a_500(client, org, staff):
    case = make_case(staff.coordinator, org.republican_house)
    db.session.commit()
    sign_in(client, staff.coordinator)
    for version in ("abc", "", "9" * 5000, "-1", "1.5"):
        response = client.post(f"/cases/{case.id}/edit", data=_edit_body(client, case.id, version=version))
        assert response.status_code in (400, 409, 422), (version, response.status_code)
    assert state_of(case.id).version == 1
