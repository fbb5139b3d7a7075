"""The mediator's accept and decline, and the region's policy page."""

import re

import pytest
from sqlalchemy import func, select

from mediation.domain.case_states import CaseState
from mediation.extensions import db
from mediation.models import AssignmentPolicyRecord, AuditEvent, Case
from mediation.services import assignment as assignment_service
from mediation.services import case_lifecycle
from mediation.services.clock import utcnow
from tests import case_factories as cf
from tests import registry_factories as rf
from tests.conftest import csrf_token
from tests.web.assignment_pages import assignments_of, excluded_rows
from tests.web.pages import invalid_fields, sign_in, text_of

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


def post_answer(client, case_id: int, action: str, **fields):
    token = csrf_token(client, f"/cases/{case_id}")
    body = {"csrf_token": token, "version": str(db.session.get(Case, case_id).version), **fields}
    return client.post(f"/cases/{case_id}/{action}", data=body)


def answer(client, case_id: int, action: str, **fields):
    response = post_answer(client, case_id, action, **fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return text_of(client.get(response.location))


def refused(client, case_id: int, action: str, **fields):
    """A refused answer: the case page again (422) with the form as sent; (page, names of the invalid fields)."""
    response = post_answer(client, case_id, action, **fields)
    assert response.status_code == 422, response.status_code
    return text_of(response), invalid_fields(response)


def test_the_mediator_accepts_only_with_the_declaration(client, proposed):
    staff = proposed
    sign_in(client, staff.mediator)
    page = text_of(client.get(f"/cases/{staff.case.id}"))
    assert f'action="/cases/{staff.case.id}/accept"' in page and f'action="/cases/{staff.case.id}/decline"' in page
    # Without ticking the declaration: the error on the declaration, the note kept
    page, invalid = refused(client, staff.case.id, "accept", note="Ойлану керек")
    assert "Tick the declaration that nothing impedes your impartiality" in page and invalid == {"no_conflict"}
    assert "Ойлану керек" in page
    assert assignments_of(staff.case.id)[0].status == "proposed"
    # Declaring a tie while accepting: the error on the ties, which stay ticked
    page, invalid = refused(client, staff.case.id, "accept", ties="kinship", no_conflict="y")
    assert "You declared a tie with a party: you cannot accept this case." in page
    assert re.search(r'<input[^>]*checked[^>]*value="kinship"|<input[^>]*value="kinship"[^>]*checked', page)
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


def test_a_mediator_reads_neither_others_reasons_nor_the_coordinators(app, client, staff):
    # The coordinator passes over the top candidate for the second, with a reason
    view = assignment_service.suggestions_for(staff.coordinator.actor, staff.case.id, today=cf.today(),
                                              thresholds=rf.THRESHOLDS)
    assignment_service.assign(cf.step(staff.coordinator, staff.case, utcnow()), staff.second.id, None, note=None,
                              override_reason="Бірінші кандидат демалыста", view=view)
    db.session.commit()
    sign_in(client, staff.other_mediator)  # the second's account
    page = text_of(client.get(f"/cases/{staff.case.id}"))
    assert staff.case.number in page and "Бірінші кандидат демалыста" not in page
    assert "Why this mediator" in page  # their own assignment's score breakdown
    # The second declines, giving a tie with a party; the top candidate is assigned next
    answer(client, staff.case.id, "decline", reason="Тараптың бірі туысым", ties=["kinship"])
    view = assignment_service.suggestions_for(staff.coordinator.actor, staff.case.id, today=cf.today(),
                                              thresholds=rf.THRESHOLDS)
    case = db.session.get(Case, staff.case.id)
    assignment_service.assign(cf.step(staff.coordinator, case, utcnow()), staff.top.id, None, note=None,
                              override_reason=None, view=view)
    db.session.commit()
    next_one = app.test_client()
    sign_in(next_one, staff.mediator)
    page = text_of(next_one.get(f"/cases/{staff.case.id}"))
    assert "Тараптың бірі туысым" not in page and "Бірінші кандидат демалыста" not in page
    assert page.count("Why this mediator") == 1  # theirs, not the declined one's
    # The coordinator reads all of it
    coordinator = app.test_client()
    sign_in(coordinator, staff.coordinator)
    page = text_of(coordinator.get(f"/cases/{staff.case.id}"))
    assert "Тараптың бірі туысым" in page and "Бірінші кандидат демалыста" in page


def test_a_co_mediator_who_declines_is_told_the_other_mediator_goes_on(client, staff):
    case_lifecycle.assign_mediators(cf.step(staff.coordinator, staff.case, utcnow()), staff.top.id, staff.second.id,
                                    None)
    db.session.commit()
    sign_in(client, staff.other_mediator)  # the co-mediator's account
    response = post_answer(client, staff.case.id, "decline", reason="Уақытым жоқ")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert f"You declined case {staff.case.number}; the other mediator goes on with it." in text_of(client.get("/"))
    assert db.session.get(Case, staff.case.id).state is CaseState.ASSIGNED


def test_a_decline_needs_a_reason(client, proposed):
    staff = proposed
    sign_in(client, staff.mediator)
    page, invalid = refused(client, staff.case.id, "decline", reason="", ties=["kinship"])
    assert assignments_of(staff.case.id)[0].status == "proposed"
    assert "This field is required." in page and invalid == {"reason"}  # on the reason, with the ties kept ticked
    assert re.search(r'<input[^>]*checked[^>]*value="kinship"|<input[^>]*value="kinship"[^>]*checked', page)


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
