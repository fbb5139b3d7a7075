"""Correcting a party on the case page: the form prefilled, saved with a timeline entry, field errors in the
user's language, a concurrent save refused (409), and only coordinators and managers of the case's scope."""

import html
import re

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mediation.domain.identity import is_valid_iin_bin
from mediation.extensions import db
from mediation.models import Case, Party
from mediation.services import case_intake
from tests import case_factories as cf
from tests import factories
from tests.conftest import csrf_token
from tests.web.pages import invalid_fields, person, sign_in, text_of
from tests.web.test_cases_fuzz import FUZZ, ODD_PARTY, broken


def form_of(response) -> dict:
    """The form's current values as the browser would post them back (text inputs, selects, hidden fields)."""
    page = response.get_data(as_text=True)
    values = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag and 'type="submit"' not in tag:
            values[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options)
        values[name] = next(g for g in chosen.groups() if g is not None) if chosen else ""
    return values


def searched_for(client, token: str, query: str) -> str:
    """The case list after a search (the words travel in the POST body, never in the URL)."""
    response = client.post("/cases/search", data={"csrf_token": token, "q": query})
    assert response.status_code == 302
    return text_of(client.get(response.headers["Location"]))


@pytest.fixture
def case(org):
    coordinator = factories.make_user("coordinator", org=org, house=org.republican_house)
    case = cf.register(coordinator, org.republican_house, received_on=cf.today(), now=cf.at(cf.today()))
    db.session.commit()
    return case


def test_a_coordinator_corrects_a_name_from_the_case_page(client, org, case):
    coordinator = person("coordinator", org, house=org.republican_house)
    sign_in(client, coordinator)
    detail = text_of(client.get(f"/cases/{case.id}"))
    assert f'href="/cases/{case.id}/parties/2"' in detail
    form = client.get(f"/cases/{case.id}/parties/2")
    body = form_of(form)
    assert body["full_name"] == "Иван Петров" and body["role"] == "respondent" and body["version"] == "1"
    response = client.post(f"/cases/{case.id}/parties/2", data={**body, "full_name": "Иван Петрович Петров",
                                                                "phone": "8 701 123 45 67"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case.id}")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Party 2 of case" in page and "Иван Петрович Петров" in page and "Party details corrected" in page
    party = db.session.scalars(select(Party).where(Party.case_id == case.id, Party.position == 1)).one()
    assert (party.full_name, party.phone) == ("Иван Петрович Петров", "+77011234567")
    token = csrf_token(client, "/cases/")
    assert case.number in searched_for(client, token, "петрович")
    assert case.number not in searched_for(client, token, "сидоров")


def test_a_bad_iin_is_refused_on_its_field_in_kazakh_and_nothing_is_written(client, org, case):
    coordinator = person("coordinator", org, locale="kk", house=org.republican_house)
    sign_in(client, coordinator)
    body = form_of(client.get(f"/cases/{case.id}/parties/1"))
    response = client.post(f"/cases/{case.id}/parties/1", data={**body, "iin_bin": "880315300658",
                                                                "full_name": "Жаңа Аты"})
    assert response.status_code == 422 and invalid_fields(response) == {"iin_bin"}
    assert "This is not a valid IIN/BIN" not in text_of(response)  # the message is in Kazakh
    db.session.expire_all()
    assert db.session.scalars(select(Party.full_name).where(Party.case_id == case.id, Party.position == 0)).one() \
        == "Әлия Нұрова"


def test_a_concurrent_save_is_refused_with_who_and_when(client, org, case):
    coordinator = person("coordinator", org, house=org.republican_house)
    sign_in(client, coordinator)
    body = form_of(client.get(f"/cases/{case.id}/parties/1"))
    first = client.post(f"/cases/{case.id}/parties/1", data={**body, "phone": "+77011234567"})
    assert first.status_code == 302
    second = client.post(f"/cases/{case.id}/parties/1", data={**body, "phone": "+77017654321"})
    assert second.status_code == 409 and 'data-testid="stale"' in text_of(second)
    db.session.expire_all()
    assert db.session.scalars(select(Party.phone).where(Party.case_id == case.id, Party.position == 0)).one() \
        == "+77011234567"


@pytest.mark.parametrize(("role", "scope", "status", "missing_party"), [
    ("mediator", "house", 403, 403), ("admin", None, 403, 403),  # refused by role before anything is read
    ("coordinator", "other_house", 404, 404), ("manager", None, 200, 404)])
def test_who_may_open_the_correction_form(client, org, case, role, scope, status, missing_party):
    where = {"house": {"house": org.republican_house}, "other_house": {"house": org.semey_house}}.get(scope, {})
    sign_in(client, person(role, org, **where))
    assert client.get(f"/cases/{case.id}/parties/1").status_code == status
    assert client.get(f"/cases/{case.id}/parties/3").status_code == missing_party


def test_a_correction_matching_another_open_case_is_warned_about_first(client, org, case):
    coordinator = factories.make_user("coordinator", org=org, house=org.republican_house)
    other = cf.register(coordinator, org.republican_house, received_on=cf.today(), now=cf.at(cf.today()),
                        parties=cf.two_parties("Серік Ахметов", "Гүлнар Сейітова"))
    db.session.commit()
    sign_in(client, person("coordinator", org, house=org.republican_house))
    body = {**form_of(client.get(f"/cases/{case.id}/parties/2")), "full_name": "СЕРІК АХМЕТОВ"}
    warned = client.post(f"/cases/{case.id}/parties/2", data=body)
    assert warned.status_code == 422
    warning = text_of(warned).split('data-testid="duplicate-warning"')[1].split("</div>")[0]
    assert other.number in warning and case.number not in warning  # the case's own party is no duplicate
    assert db.session.scalars(select(Party.full_name).where(Party.case_id == case.id, Party.position == 1)).one() \
        == "Иван Петров"
    saved = client.post(f"/cases/{case.id}/parties/2", data=form_of(warned))  # "Save" again, the warning read
    assert saved.status_code == 302
    assert db.session.scalars(select(Party.full_name).where(Party.case_id == case.id, Party.position == 1)).one() \
        == "СЕРІК АХМЕТОВ"
    # The case's own parties are no duplicates: naming party 2 like party 1 saves at once.
    body = {**form_of(client.get(f"/cases/{case.id}/parties/2")), "full_name": "Әлия Нұрова"}
    assert client.post(f"/cases/{case.id}/parties/2", data=body).status_code == 302


def test_no_correction_links_for_mediators_or_on_closed_cases(client, org, case):
    mediator_user, mediator = cf.make_mediator_user(org, house=org.republican_house)
    manager = person("manager", org)
    cf.advance(case, "in_mediation", manager, lead_id=mediator.id, signed_on=cf.today(), now=cf.at(cf.today()))
    db.session.commit()
    sign_in(client, mediator_user)
    assert f"/cases/{case.id}/parties/" not in text_of(client.get(f"/cases/{case.id}"))
    closed = factories.make_user("coordinator", org=org, house=org.republican_house)
    other = cf.register(closed, org.republican_house, received_on=cf.today(), now=cf.at(cf.today()))
    cf.advance(other, "closed", manager, lead_id=mediator.id, signed_on=cf.today(), now=cf.at(cf.today()))
    db.session.commit()
    reader = client.application.test_client()
    token = sign_in(reader, manager)
    assert f"/cases/{other.id}/parties/" not in text_of(reader.get(f"/cases/{other.id}"))
    body = {"csrf_token": token, "version": str(other.version), "kind": "person", "role": "applicant",
            "full_name": "Жаңа Аты"}
    assert reader.get(f"/cases/{other.id}/parties/1").status_code == 403
    assert reader.post(f"/cases/{other.id}/parties/1", data=body).status_code == 403


# --- random input: never a 500, and a refusal changes nothing ---------------------------------------------------

party_bodies = broken({**ODD_PARTY, "version": st.sampled_from(["@current", "@current", "@old"])})


def party_row(case_id: int) -> tuple:
    db.session.expire_all()
    party = db.session.scalars(select(Party).where(Party.case_id == case_id, Party.position == 0)).one()
    return tuple(getattr(party, name) for name in case_intake.PARTY_COLUMNS)


@pytest.fixture
def signed_in(client, org, case):
    sign_in(client, person("coordinator", org, house=org.republican_house))
    return case


@settings(FUZZ, max_examples=40)
@given(body=party_bodies)
def test_the_correction_form_never_fails_and_a_refusal_changes_nothing(client, signed_in, body):
    case = signed_in
    token = csrf_token(client, "/cases/")
    before, version = party_row(case.id), db.session.get(Case, case.id).version
    versions = {"@current": str(version), "@old": str(version - 1)}
    body = {k: versions.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = client.post(f"/cases/{case.id}/parties/1", data={**body, "csrf_token": token})
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400, 409, 422), response.status_code
    after = party_row(case.id)
    if response.status_code != 302:
        assert after == before
        return
    name = after[case_intake.PARTY_COLUMNS.index("full_name")]
    iin = after[case_intake.PARTY_COLUMNS.index("iin_bin")]
    assert name.strip() and len(name) <= 300 and (iin is None or is_valid_iin_bin(iin))


def test_a_party_who_joins_later_is_added_from_the_case_page(client, org, case):
    sign_in(client, person("coordinator", org, house=org.republican_house))
    assert f'href="/cases/{case.id}/parties/new"' in text_of(client.get(f"/cases/{case.id}"))
    body = form_of(client.get(f"/cases/{case.id}/parties/new"))
    assert body["role"] == "other" and body["full_name"] == ""
    refused = client.post(f"/cases/{case.id}/parties/new", data={**body, "full_name": ""})
    assert refused.status_code == 422 and invalid_fields(refused) == {"full_name"}
    response = client.post(f"/cases/{case.id}/parties/new", data={**body, "full_name": "Серік Ахметов"})
    assert response.status_code == 302
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Party 3 added to case" in page and "Серік Ахметов" in page and "Party added" in page
    assert f'href="/cases/{case.id}/parties/3"' in page
