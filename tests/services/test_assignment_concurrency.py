"""Two coordinators taking the same mediator's last free slot at the same moment: exactly one succeeds.

Real concurrency, on SQLite (a file database, the default) and on PostgreSQL when TEST_DATABASE_URL is set.

* Service level: every coordinator is a thread with its own app context, hence its own session and
  connection. Each first loads the suggestions in a read transaction (as the GET of the page does), then all
  press "Assign" together (a threading.Barrier) inside a write transaction with `write_intent` set as a POST
  sets it, so SQLite opens it with BEGIN IMMEDIATE and PostgreSQL takes the mediator's row lock
  (SELECT ... FOR UPDATE). The loser must get MediatorUnavailable(reason_code="at_capacity").
* HTTP level: the app is served by werkzeug's threaded server on 127.0.0.1:0 and two signed-in clients
  (urllib, each with its own cookie jar) POST /cases/<id>/suggestions at once; every request is handled in its
  own server thread, exactly as in production.
"""

import os
import re
import threading
from datetime import date

import pytest
from sqlalchemy import select

from mediation.domain.roles import Actor
from mediation.extensions import db
from mediation.models import CaseAssignment, Mediator
from mediation.services import assignment as assignment_service
from mediation.services.case_lifecycle import MediatorUnavailable, Step
from mediation.web.database import write_intent
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf
from tests.concurrency import CSRF_META, Browser, run_concurrently

TODAY = date(2025, 3, 12)
RECEIVED = date(2025, 3, 3)
ON_SQLITE = not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def setup_race(org, coordinators: int, *, capacity: int = 1, open_cases: int = 0):
    """A mediator with exactly one free slot, one waiting case per coordinator, and a second-choice mediator
    who is never needed (so the loser has someone else to pick)."""
    users = [factories.make_user("coordinator", org=org, full_name=f"Үйлестіруші {n}") for n in range(coordinators)]
    target = rf.mediator(org.almaty, full_name="Соңғы Орын", house=org.republican_house, max_active_cases=capacity)
    spare = rf.mediator(org.almaty, full_name="Қосалқы Медиатор", specializations=())
    rf.give_open_cases(target, open_cases, users[0], org.republican_house, received_on=RECEIVED)
    cases = [rf.waiting_case(user, org.republican_house, received_on=RECEIVED,
                             parties=cf.two_parties(f"Тарап {n}", f"Екінші {n}")) for n, user in enumerate(users)]
    db.session.commit()
    # Plain values only cross into the threads, never ORM objects
    return ([user.actor for user in users], [(case.id, case.version) for case in cases], target.id, spare.id,
            [user for user in users])


def assert_capacity_kept(mediator_id: int) -> None:
    db.session.rollback()  # a fresh snapshot: see what the workers committed
    entry = db.session.get(Mediator, mediator_id)
    assert rf.open_cases_of(mediator_id) == entry.max_active_cases


# --- service level ------------------------------------------------------------------------------------------------


def _race_after_loading(app, actors: list[Actor], cases: list[tuple[int, int]], target_id: int) -> dict:
    """Each coordinator loads the suggestions, then all assign `target_id` at once; return what each got."""
    results: dict[int, object] = {}
    pressed = threading.Barrier(len(actors))

    def coordinator(index: int) -> None:
        case_id, version = cases[index]
        with app.app_context():
            write_intent.set(False)  # the GET of the suggestions page
            view = assignment_service.suggestions_for(actors[index], case_id, today=TODAY,
                                                      thresholds=rf.THRESHOLDS)
            assert view.top.mediator_id == target_id
            db.session.rollback()
            pressed.wait(timeout=30)
            write_intent.set(True)  # the POST that assigns
            try:
                assignment_service.assign(Step(actor=actors[index], case_id=case_id, version=version,
                                               now=cf.at(TODAY, hour=7)), target_id, None, note=None,
                                          override_reason=None, view=view)
                db.session.commit()
                results[index] = "assigned"
            except MediatorUnavailable as error:
                db.session.rollback()
                results[index] = error

    assert run_concurrently(len(actors), coordinator, barrier=pressed) == []
    return results


@pytest.mark.parametrize(("coordinators", "capacity", "open_cases"), [(2, 1, 0), (3, 4, 3)],
                         ids=["two-for-the-only-slot", "three-for-the-last-of-four"])
def test_only_one_coordinator_gets_the_last_free_slot(app, org, coordinators, capacity, open_cases):
    actors, cases, target_id, _, _ = setup_race(org, coordinators, capacity=capacity, open_cases=open_cases)
    results = _race_after_loading(app, actors, cases, target_id)
    # Exactly one assignment went through; every other coordinator was told the mediator is now full
    assert sorted(r if r == "assigned" else "refused" for r in results.values()) == (
        ["assigned"] + ["refused"] * (coordinators - 1))
    for result in results.values():
        if result != "assigned":
            assert isinstance(result, MediatorUnavailable)
            assert (result.reason_code, result.mediator_id) == ("at_capacity", target_id)
    # And the mediator is exactly full, never over
    assert_capacity_kept(target_id)
    winner = next(i for i, r in results.items() if r == "assigned")
    rows = db.session.scalars(select(CaseAssignment).where(CaseAssignment.mediator_id == target_id,
                                                           CaseAssignment.case_id.in_([c for c, _ in cases]))).all()
    assert [row.case_id for row in rows] == [cases[winner][0]]


def test_a_whole_request_in_one_write_transaction_also_lets_only_one_through(app, org):
    """As the POST runs it: suggestions and assignment inside the same write transaction."""
    actors, cases, target_id, _, _ = setup_race(org, 2)
    results: dict[int, object] = {}

    def coordinator(index: int) -> None:
        case_id, version = cases[index]
        with app.app_context():
            write_intent.set(True)
            try:
                view = assignment_service.suggestions_for(actors[index], case_id, today=TODAY,
                                                          thresholds=rf.THRESHOLDS)
                assignment_service.assign(Step(actor=actors[index], case_id=case_id, version=version,
                                               now=cf.at(TODAY, hour=7)), target_id, None, note=None,
                                          override_reason=None, view=view)
                db.session.commit()
                results[index] = "assigned"
            except MediatorUnavailable as error:
                db.session.rollback()
                results[index] = error

    assert run_concurrently(2, coordinator) == []
    assert sorted(r if r == "assigned" else "refused" for r in results.values()) == ["assigned", "refused"]
    refused = next(r for r in results.values() if r != "assigned")
    # Whichever way the loser learnt it (the row lock, or suggestions already showing the mediator full),
    # the reason is the full caseload
    assert refused.reason_code in ("at_capacity", "excluded")
    if refused.reason_code == "excluded":
        assert refused.reasons == ["at_capacity"]
    assert_capacity_kept(target_id)


# --- real HTTP requests ---------------------------------------------------------------------------------------------


def _open_suggestions(live_app, users, cases, target_id) -> list[tuple[Browser, list[tuple[str, str]]]]:
    """Each coordinator signs in and opens their case's suggestions; returns the form each will post."""
    prepared = []
    for user, (case_id, _) in zip(users, cases, strict=True):
        browser = Browser(live_app)
        browser.sign_in(user.username)
        status, _, body = browser.request(f"/cases/{case_id}/suggestions")
        assert status == 200
        assert f'data-testid="candidate-{target_id}"' in body
        token = CSRF_META.search(body).group(1)
        version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', body)
        prepared.append((browser, [("csrf_token", token), ("version", version.group(1) or version.group(2)),
                                   ("lead_id", str(target_id)), ("co_id", ""), ("override_reason", ""),
                                   ("note", "")]))
    return prepared


def _post_at_once(prepared, cases) -> dict[int, tuple[int, dict, str]]:
    answers: dict[int, tuple[int, dict, str]] = {}

    def press(index: int) -> None:
        browser, fields = prepared[index]
        answers[index] = browser.request(f"/cases/{cases[index][0]}/suggestions", fields)

    assert run_concurrently(len(prepared), press) == []
    return answers


def _english(users) -> None:
    for user in users:
        user.locale = "en"
    db.session.commit()


def test_two_coordinators_posting_the_last_slot_at_once_over_http(app, org, live_app):
    _, cases, target_id, _, users = setup_race(org, 2)
    _english(users)
    prepared = _open_suggestions(live_app, users, cases, target_id)
    # When both press "Assign" at the same moment
    answers = _post_at_once(prepared, cases)
    # Then one is sent to the case page, the other gets the form back with an error
    statuses = sorted(status for status, _, _ in answers.values())
    assert statuses == [302, 422], {i: (s, b[:300]) for i, (s, _, b) in answers.items()}
    winner = next(i for i, (status, _, _) in answers.items() if status == 302)
    assert answers[winner][1]["Location"] == f"/cases/{cases[winner][0]}"
    loser_page = next(body for status, _, body in answers.values() if status == 422)
    assert "is-invalid" in loser_page
    # And the page the loser gets back shows that the mediator is now full (either in the field's error or in
    # the "Excluded" list, whichever the timing produced)
    assert ("just reached full caseload" in loser_page or
            re.search(r"Соңғы Орын</td>\s*<td>at full caseload", loser_page)), loser_page
    assert_capacity_kept(target_id)


def test_the_coordinator_who_lost_the_slot_is_told_the_mediator_just_became_full(app, org, live_app, monkeypatch):
    _, cases, target_id, _, users = setup_race(org, 2)
    _english(users)
    prepared = _open_suggestions(live_app, users, cases, target_id)
    if not ON_SQLITE:
        # PostgreSQL: make both requests build their suggestions before either assigns (on SQLite BEGIN
        # IMMEDIATE serialises the two POSTs from their first query, so this would deadlock there)
        both_loaded = threading.Barrier(2)
        original = assignment_service.assign

        def assign_when_both_loaded(*args, **kwargs):
            both_loaded.wait(timeout=30)
            return original(*args, **kwargs)

        monkeypatch.setattr(assignment_service, "assign", assign_when_both_loaded)
    answers = _post_at_once(prepared, cases)
    assert sorted(status for status, _, _ in answers.values()) == [302, 422]
    loser_page = next(body for status, _, body in answers.values() if status == 422)
    assert "This mediator has just reached full caseload. Choose another." in loser_page
    assert "Not a valid choice" not in loser_page
    assert_capacity_kept(target_id)
