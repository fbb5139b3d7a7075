"""Batch auto-assign through the screens: preview, commit and who may."""

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from mediation.extensions import db
from mediation.models import Case, CaseAssignment
from tests import case_factories as cf
from tests import registry_factories as rf
from tests.conftest import csrf_token
from tests.web.assignment_pages import received
from tests.web.pages import person, sign_in, text_of

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
    # Every case opens from the preview, and the one nobody can take links to its suggestions and why not
    assert all(f'href="/cases/{case_id}"' in page for case_id in backlog.cases)
    assert page.count('/suggestions">Suggestions and why not</a>') == 1
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
