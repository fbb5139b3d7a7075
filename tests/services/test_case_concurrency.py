"""Real concurrency: case numbers under simultaneous intake, and two saves of the same version.

Every worker runs in its own thread with its own app context, hence its own database session and
connection, and commits as a request would. On SQLite (a file database) a writing request opens its
transaction with BEGIN IMMEDIATE because `write_intent` is set for POSTs; the service-level workers set it
themselves, as the request hook would. With TEST_DATABASE_URL pointing at PostgreSQL the same tests run
there, plus one that forces both writers to hold the same version before either saves.
"""

import re
import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from mediation.domain.case_fields import CaseCategory, Channel, TensionLevel
from mediation.domain.case_states import CaseState, Outcome
from mediation.domain.eligibility import ExclusionQuestion
from mediation.extensions import db
from mediation.models import AuditEvent, Case, CaseEvent, Party
from mediation.services import case_intake, case_lifecycle
from mediation.services.case_lifecycle import StaleCase, Step
from mediation.services.clock import utcnow
from mediation.web.database import write_intent
from tests import case_factories as cf
from tests import factories
from tests.concurrency import Browser, run_concurrently

RECEIVED = date(2025, 3, 3)


def numbers_in(region_kato: str, year: int) -> list[str]:
    db.session.rollback()  # a fresh snapshot: see what the workers committed
    return sorted(db.session.scalars(select(Case.number).where(Case.number.startswith(f"{region_kato}-{year}-"))))


# --- numbering, service level -------------------------------------------------------------------------------


def test_eight_coordinators_registering_at_once_get_forty_consecutive_numbers(app, org):
    # Given eight coordinators of the same house
    actors = [factories.make_user("coordinator", org=org).actor for _ in range(8)]
    house_id = org.republican_house.id
    db.session.commit()
    issued: list[str] = []

    def register_five(index: int) -> None:
        for k in range(5):
            with app.app_context():
                write_intent.set(True)  # as a POST request would
                data = cf.intake(house_id, received_on=RECEIVED,
                                 parties=cf.two_parties(f"Өтініш беруші {index}-{k}", f"Жауапкер {index}-{k}"))
                case = case_intake.register_case(actors[index], data, ip=None, now=cf.at(RECEIVED),
                                                 today=RECEIVED)
                db.session.commit()
                issued.append(case.number)

    # When each registers five appeals, all at the same moment
    errors = run_concurrently(8, register_five)
    # Then nobody got an error, and the 40 numbers are distinct and consecutive
    assert errors == []
    expected = [f"75-2025-{n:05d}" for n in range(1, 41)]
    assert sorted(issued) == expected
    assert numbers_in("75", 2025) == expected
    assert cf.counter_last(org.almaty, 2025) == 40
    # And every case is whole: two parties, its event and its audit row
    assert db.session.scalar(select(func.count()).select_from(Party)) == 80
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == 40
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "case.create")) == 40


def test_two_regions_and_two_years_at_once_keep_separate_series(app, org):
    manager = factories.make_user("manager", org=org).actor
    houses = {"75": org.republican_house.id, "10": org.semey_house.id}
    db.session.commit()
    plan = [("75", date(2024, 12, 31)), ("10", date(2024, 12, 31)), ("75", RECEIVED), ("10", RECEIVED)] * 2

    def register_four(index: int) -> None:
        kato, received = plan[index]
        for k in range(4):
            with app.app_context():
                write_intent.set(True)
                data = cf.intake(houses[kato], received_on=received,
                                 parties=cf.two_parties(f"Тарап {index}-{k}", f"Екінші {index}-{k}"))
                case_intake.register_case(manager, data, ip=None, now=cf.at(RECEIVED), today=RECEIVED)
                db.session.commit()

    assert run_concurrently(len(plan), register_four) == []
    for kato in ("75", "10"):
        for year in (2024, 2025):
            assert numbers_in(kato, year) == [f"{kato}-{year}-{n:05d}" for n in range(1, 9)]


# --- optimistic locking under real concurrency ------------------------------------------------------------------


def _edit(case: Case, **changes) -> case_intake.CaseEdit:
    values = {"category": case.category, "channel": case.channel, "subject": case.subject,
              "description": case.description, "languages": tuple(case.languages),
              "interpreter_needed": case.interpreter_needed, "tension": case.tension,
              "signals": tuple(case.tension_signals)}
    values.update(changes)
    return case_intake.CaseEdit(**values)


def _edits(org, case, first, second) -> dict:
    """Two corrections of the case's details; each check tells whether the case holds exactly that one."""
    subject_edit = _edit(case, subject="Тақырып түзетілді", languages=("kk", "ru", "uz"))
    category_edit = _edit(case, category=CaseCategory.FAMILY, channel=Channel.PHONE, tension=TensionLevel.HIGH)

    def holds(edit):
        return lambda c: (c.subject, c.category, c.channel, c.tension, c.languages) == (
            edit.subject, edit.category, edit.channel, edit.tension, sorted(edit.languages))

    return {"first": (first, lambda st: case_intake.update_case(st, subject_edit), holds(subject_edit)),
            "second": (second, lambda st: case_intake.update_case(st, category_edit), holds(category_edit))}


def _screenings(org, case, first, second) -> dict:
    """One coordinator finds the case eligible, the other finds an Art. 1 exclusion."""
    blocked = {ExclusionQuestion.STATE_BODY_PARTY: True}
    return {
        "first": (first, lambda st: case_lifecycle.record_screening(st, cf.ALL_NO, None, None),
                  lambda c: (c.state, c.outcome, c.excl_state_body) == (CaseState.AWAITING_ASSIGNMENT, None, False)),
        "second": (second, lambda st: case_lifecycle.record_screening(st, blocked, "Мемлекеттік орган", None),
                   lambda c: (c.state, c.outcome, c.excl_state_body) == (CaseState.CLOSED, Outcome.NOT_ELIGIBLE,
                                                                         True)),
    }


def _race(app, case_id: int, version: int, editors: dict, *, first_holds: bool, monkeypatch) -> tuple[dict, dict]:
    """Both editors act on `version` in their own thread, session and transaction; return what each got
    and when things happened. With first_holds, the first editor keeps the case loaded for a moment before
    saving, and the second starts only once the first has loaded it."""
    results: dict = {}
    moments: dict[str, float] = {}
    names = list(editors)
    # ORM objects stay in the test's thread: the workers get plain values
    actors = {name: editors[name][0].actor for name in names}
    first_loaded = threading.Event()
    local = threading.local()
    original = case_lifecycle.load_for_change

    def load(step):
        try:
            return original(step)
        finally:
            moments[f"{local.name} loaded"] = time.monotonic()
            if first_holds and local.name == names[0]:
                first_loaded.set()
                time.sleep(0.3)  # hold the loaded version (and the row) while the other one tries

    monkeypatch.setattr(case_lifecycle, "load_for_change", load)
    monkeypatch.setattr(case_intake, "load_for_change", load)

    def act(index: int) -> None:
        name = local.name = names[index]
        if first_holds and index == 1:
            assert first_loaded.wait(timeout=20)
        with app.app_context():
            write_intent.set(True)  # as a POST request would
            try:
                editors[name][1](Step(actor=actors[name], case_id=case_id, version=version,
                                      now=cf.at(RECEIVED, hour=7 + index)))
                moments[f"{name} committing"] = time.monotonic()
                db.session.commit()
                results[name] = "saved"
            except StaleCase as error:
                db.session.rollback()
                results[name] = error

    errors = run_concurrently(2, act, timeout=60)
    assert errors == [], errors
    return results, moments


def _check_one_won(case_id: int, version: int, editors: dict, results: dict) -> None:
    # Exactly one save went through, and the other was told who changed the case
    assert sorted(r if r == "saved" else "stale" for r in results.values()) == ["saved", "stale"]
    winner = next(name for name, r in results.items() if r == "saved")
    loser = next(name for name in results if name != winner)
    winner_user, _, holds_winner = editors[winner]
    assert results[loser].changed_by == winner_user.full_name
    # And the case holds the winner's change in full, and nothing of the loser's
    db.session.rollback()
    case = db.session.get(Case, case_id)
    assert holds_winner(case)
    assert not editors[loser][2](case)
    assert case.version > version and case.updated_by_id == winner_user.id
    later = db.session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.kind.not_in(("registered", "screening_started")))).all()
    assert {e.actor_id for e in later} == {winner_user.id}


@pytest.mark.parametrize("make_editors", [_edits, _screenings], ids=["edit", "screening"])
@pytest.mark.parametrize("first_holds", [False, True], ids=["at_once", "first_holds_the_row"])
def test_two_saves_of_the_same_version_one_wins(app, org, monkeypatch, make_editors, first_holds):
    # Given a case and two people who opened the same version of it
    first = factories.make_user("coordinator", org=org, full_name="Айгерім Сәрсенова")
    second = factories.make_user("manager", org=org, full_name="Гүлнар Әбенова")
    case = cf.register(first, org.republican_house, received_on=RECEIVED)
    case_lifecycle.start_screening(cf.step(first, case, cf.at(RECEIVED)))
    db.session.commit()
    editors = make_editors(org, case, first, second)
    # When both save at the same moment (or the second while the first is in the middle of saving)
    results, moments = _race(app, case.id, case.version, editors, first_holds=first_holds,
                             monkeypatch=monkeypatch)
    # Then exactly one wins and nothing of its change is lost
    _check_one_won(case.id, case.version, editors, results)
    if first_holds:
        # the first, which loaded first, wins; the second could load only once the first was saving
        # (a row lock on PostgreSQL, the IMMEDIATE write transaction on SQLite)
        assert results["first"] == "saved"
        assert moments["second loaded"] >= moments["first committing"]


# --- numbering through real HTTP requests ------------------------------------------------------------------------
# The app is served by werkzeug's threaded server; each coordinator is a stdlib client (urllib with its own
# http.cookiejar), so every request is a real HTTP request handled in its own server thread.


def intake_fields(token: str, house_id: int, first: str, second: str) -> list[tuple[str, str]]:
    return [("csrf_token", token), ("house_id", str(house_id)), ("received_on", cf.today().isoformat()),
            ("channel", "walk_in"), ("category", "neighbours_land"), ("tension", "low"),
            ("subject", "Жер учаскесінің шекарасы туралы дау"), ("confirm_duplicates", "1"),
            ("parties-0-kind", "person"), ("parties-0-role", "applicant"), ("parties-0-full_name", first),
            ("parties-1-kind", "person"), ("parties-1-role", "respondent"), ("parties-1-full_name", second)]


def test_coordinators_posting_intake_at_once_get_consecutive_numbers(app, org, live_app):
    # Given four coordinators (two of the house, two of the whole region) signed in from their browsers
    users = [factories.make_user("coordinator", org=org, house=org.republican_house) for _ in range(2)]
    users += [factories.make_user("coordinator", org=org, region=org.almaty) for _ in range(2)]
    db.session.commit()
    house_id = org.republican_house.id  # ORM objects stay in the test's thread
    browsers = [Browser(live_app) for _ in users]
    for browser, user in zip(browsers, users, strict=True):
        browser.sign_in(user.username)
    answers: list[tuple[int, str]] = []

    def post_five(index: int) -> None:
        for k in range(5):
            status, headers, body = browsers[index].request("/cases/new", intake_fields(
                browsers[index].token, house_id, f"Тарап {index}-{k}", f"Қарсы тарап {index}-{k}"))
            answers.append((status, headers.get("Location", "") or body[:300]))

    # When all of them press "Register" five times, at the same moment
    assert run_concurrently(len(browsers), post_five) == []
    # Then every request was answered with a redirect to the new case
    assert [status for status, _ in answers] == [302] * 20, answers
    assert all(re.fullmatch(r"/cases/\d+", location) for _, location in answers)
    # And the 20 cases carry 20 distinct consecutive numbers of this year
    year = cf.today().year
    assert numbers_in("75", year) == [f"75-{year}-{n:05d}" for n in range(1, 21)]


def _read_while_writing(app, org, live_app, path_of) -> dict[str, list[int]]:
    """One coordinator reads `path_of(case_id)` over and over for as long as another registers 10 appeals."""
    reader_user = factories.make_user("coordinator", org=org)
    writer_user = factories.make_user("coordinator", org=org)
    case = cf.register(reader_user, org.republican_house, received_on=cf.today(), now=utcnow())
    db.session.commit()
    path, house_id = path_of(case.id), org.republican_house.id  # ORM objects stay in the test's thread
    reader, writer = Browser(live_app), Browser(live_app)
    reader.sign_in(reader_user.username)
    writer.sign_in(writer_user.username)
    statuses: dict[str, list[int]] = {"read": [], "write": []}
    writing = threading.Event()
    writing.set()

    def work(index: int) -> None:
        if index == 0:
            while writing.is_set() or len(statuses["read"]) < 10:
                statuses["read"].append(reader.request(path)[0])
        else:
            try:
                for k in range(10):
                    statuses["write"].append(writer.request("/cases/new", intake_fields(
                        writer.token, house_id, f"Жаңа {k}", f"Басқа {k}"))[0])
            finally:
                writing.clear()

    assert run_concurrently(2, work) == []
    return statuses


def test_reading_the_list_while_others_register_never_fails(app, org, live_app):
    statuses = _read_while_writing(app, org, live_app, lambda case_id: "/cases/")
    assert set(statuses["read"]) == {200} and statuses["write"] == [302] * 10


def test_viewing_a_case_while_others_register_never_fails(app, org, live_app):
    # (found by this test: the case page writes an audit row, and on SQLite its transaction used to start
    # as a deferred read, so a concurrent write made it fail with "database is locked" -> 500)
    # When one coordinator keeps opening a case page while another registers 10 appeals
    statuses = _read_while_writing(app, org, live_app, lambda case_id: f"/cases/{case_id}")
    # Then every read and every write succeeds
    assert set(statuses["read"]) == {200} and statuses["write"] == [302] * 10
