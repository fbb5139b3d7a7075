"""Sessions through the browser's eyes: book, clash, log, notes per role, calendars, the ICS feed."""

import html
import re

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from mediation.domain.session_logs import LogOutcome
from mediation.extensions import db
from mediation.models import AuditEvent, MediationSession, SessionLog
from mediation.services import scheduling
from mediation.services.clock import utcnow
from tests import factories
from tests import session_factories as sf
from tests.conftest import csrf_token, login

MONDAY = sf.next_monday()


@pytest.fixture
def world(client, org):
    case, coordinator, mediator_user, mediator = sf.case_in_mediation(org)
    manager = factories.make_user("manager", org=org)
    db.session.commit()
    return {"case": case, "coordinator": coordinator, "mediator_user": mediator_user, "mediator": mediator,
            "manager": manager, "room": case.house.rooms[0], "parties": sf.party_ids(case)}


def as_user(client, user):
    """Sign out whoever is signed in, and sign in as the user."""
    if client.get("/auth/login").status_code == 302:
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, user.username).status_code == 302


def fields(client, w, *, start="10:00", end="11:30", room=None, path=None):
    token = csrf_token(client, path or f"/sessions/case/{w['case'].id}/new")
    return [("csrf_token", token), ("day", MONDAY.isoformat()), ("start", start), ("end", end), ("venue", "room"),
            ("room_id", str(room or w["room"].id)), ("kind", "joint"), ("mediator_ids", str(w["mediator"].id))] + \
        [("party_ids", str(p)) for p in w["parties"]]


def post(client, url, data):
    from werkzeug.datastructures import MultiDict

    return client.post(url, data=MultiDict(data))


def test_a_coordinator_books_from_the_form(client, world):
    as_user(client, world["coordinator"])
    page = client.get(f"/sessions/case/{world['case'].id}/new?room={world['room'].id}&day={MONDAY}&start=10:00")
    assert page.status_code == 200 and 'value="10:00"' in page.get_data(as_text=True)
    response = post(client, f"/sessions/case/{world['case'].id}/new", fields(client, world))
    assert response.status_code == 302
    session = db.session.scalar(select(MediationSession))
    assert response.location.endswith(f"/sessions/{session.id}")
    assert session.starts_at == sf.local(MONDAY, 10)  # entered in Kazakhstan time, stored in UTC
    detail = client.get(response.location).get_data(as_text=True)
    assert world["case"].number in detail


def test_a_clash_is_a_409_with_the_room_named_on_the_field(client, world):
    as_user(client, world["coordinator"])
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, "/")})
    assert post(client, f"/sessions/case/{world['case'].id}/new", fields(client, world)).status_code == 302
    response = post(client, f"/sessions/case/{world['case'].id}/new", fields(client, world, start="11:00",
                                                                              end="12:00"))
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert re.search(r"— 101 is already booked \d{1,2}:\d\d", body) and "is in another session" in body
    assert db.session.scalar(select(func.count(MediationSession.id))) == 1


def test_bad_times_are_field_errors_not_500s(client, world):
    as_user(client, world["coordinator"])
    url = f"/sessions/case/{world['case'].id}/new"
    for start, end in (("25:00", "26:00"), ("11:00", "10:00"), ("", "")):
        response = post(client, url, fields(client, world, start=start, end=end))
        assert response.status_code in (409, 422) and "is-invalid" in response.get_data(as_text=True)
    tampered = fields(client, world)
    tampered[5] = ("room_id", "99999999999999999999")
    assert post(client, url, tampered).status_code == 422
    assert db.session.scalar(select(func.count(MediationSession.id))) == 0


def test_kazakh_interface_names_the_clash_in_kazakh(client, world):
    as_user(client, world["coordinator"])
    client.post("/language", data={"lang": "kk", "csrf_token": csrf_token(client, "/")})
    post(client, f"/sessions/case/{world['case'].id}/new", fields(client, world))
    response = post(client, f"/sessions/case/{world['case'].id}/new", fields(client, world))
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "already booked" not in body


def _booked_and_logged(world, notes="Жасырын-7731: тараптың ұсынысы"):
    session, _ = scheduling.book(world["coordinator"].actor, world["case"].id,
                                 sf.plan(world["case"], world["mediator"], sf.local(MONDAY, 10)), now=utcnow())
    db.session.flush()
    log = SessionLog(session_id=session.id, author_id=world["mediator_user"].id, outcome=LogOutcome.HELD,
                     actual_start=session.starts_at, actual_end=session.ends_at,
                     attended_party_ids=list(world["parties"]), kind=session.kind, summary="Қысқаша",
                     confidential_notes=notes, logged_at=session.ends_at, updated_at=session.ends_at)
    db.session.add(log)
    db.session.commit()
    return session


@pytest.mark.parametrize(("who", "reads"), [("mediator_user", True), ("coordinator", False), ("manager", False)])
def test_confidential_notes_are_shown_only_to_the_cases_mediators(client, world, who, reads):
    session = _booked_and_logged(world)
    as_user(client, world[who])
    body = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert ("Жасырын-7731" in body) is reads
    if not reads:
        assert 'data-testid="notes-hidden"' in body and "Қысқаша" in body


def test_the_mediator_logs_through_the_form(client, world, monkeypatch):
    session, _ = scheduling.book(world["coordinator"].actor, world["case"].id,
                                 sf.plan(world["case"], world["mediator"], sf.local(MONDAY, 10)), now=utcnow())
    db.session.commit()
    as_user(client, world["mediator_user"])
    import mediation.sessions.logs as log_views

    monkeypatch.setattr(log_views, "utcnow", lambda: sf.local(MONDAY, 13))
    form = client.get(f"/sessions/{session.id}/log")
    assert form.status_code == 200
    token = csrf_token(client, f"/sessions/{session.id}/log")
    data = [("csrf_token", token), ("outcome", "held"), ("actual_day", MONDAY.isoformat()), ("actual_start", "10:05"),
            ("actual_end", "11:20"), ("kind", "joint"), ("summary", "Келісім жобасы талқыланды"),
            ("confidential_notes", "Тек медиаторларға")] + [("attended", str(p)) for p in world["parties"]]
    response = post(client, f"/sessions/{session.id}/log", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    log = db.session.scalar(select(SessionLog))
    assert log.actual_start == sf.local(MONDAY, 10, 5) and log.confidential_notes == "Тек медиаторларға"
    # a coordinator cannot even open the log form
    as_user(client, world["coordinator"])
    assert client.get(f"/sessions/{session.id}/log").status_code == 403


def test_a_coordinator_of_another_house_sees_404(client, org, world):
    session = _booked_and_logged(world)
    outsider = factories.make_user("coordinator", org=org, house=org.semey_house)
    db.session.commit()
    as_user(client, outsider)
    assert client.get(f"/sessions/{session.id}").status_code == 404
    assert client.get(f"/sessions/case/{world['case'].id}/new").status_code == 404


def test_week_grid_shows_bookings_and_free_half_hours_to_click(client, world):
    _booked_and_logged(world)
    as_user(client, world["coordinator"])
    case = world["case"]
    body = client.get(f"/sessions/house/{case.house_id}/week?week={MONDAY}&case={case.id}").get_data(as_text=True)
    assert case.number in body
    free = re.search(r'data-testid="free-\d+-' + MONDAY.isoformat() + r'-1400" href="([^"]+)"', body)
    assert free and "start=14:00" in html.unescape(free.group(1))
    # the booked 10:00 cell is not offered
    assert f'free-{world["room"].id}-{MONDAY.isoformat()}-1000' not in body
    assert "Нұрова" not in body  # party names never on the grid


def test_find_a_slot_and_the_agenda(client, world):
    _booked_and_logged(world)
    as_user(client, world["coordinator"])
    slots = client.get(f"/sessions/case/{world['case'].id}/slots?minutes=60")
    assert slots.status_code == 200 and 'data-testid="slot"' in slots.get_data(as_text=True)
    as_user(client, world["mediator_user"])
    agenda = client.get("/sessions/agenda").get_data(as_text=True)
    assert world["case"].number in agenda


def test_the_calendar_feed_has_case_numbers_and_rooms_but_no_names(client, world):
    _booked_and_logged(world)
    as_user(client, world["mediator_user"])
    client.post("/sessions/feed", data={"csrf_token": csrf_token(client, "/sessions/agenda")})
    response = client.get("/sessions/agenda")
    link = re.search(r"(http://[^\s<]+\.ics)", html.unescape(response.get_data(as_text=True))).group(1)
    path = link.split("localhost", 1)[1]
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    feed = client.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = Calendar.from_ical(feed.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1 and world["case"].number in str(events[0]["SUMMARY"])
    assert "101" in str(events[0]["LOCATION"])
    text = feed.data.decode()
    for name in ("Нұрова", "Петров", "Әлия", "Иван"):
        assert name not in text
    # resetting the link kills the old one
    as_user(client, world["mediator_user"])
    client.post("/sessions/feed", data={"csrf_token": csrf_token(client, "/sessions/agenda")})
    assert client.get(path).status_code == 404
    assert client.get("/sessions/feed/not-a-token.ics").status_code == 404
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "calendar_feed.reset")) == 2


def test_a_coordinator_opens_a_mediators_agenda_from_the_registry(client, org, world):
    _booked_and_logged(world)
    as_user(client, world["coordinator"])
    page = client.get(f"/mediators/{world['mediator'].id}").get_data(as_text=True)
    assert f'/sessions/agenda?mediator={world["mediator"].id}' in page
    agenda = client.get(f"/sessions/agenda?mediator={world['mediator'].id}").get_data(as_text=True)
    assert world["case"].number in agenda
    # a coordinator of another region cannot read it
    outsider = factories.make_user("coordinator", org=org, house=org.semey_house)
    db.session.commit()
    as_user(client, outsider)
    assert client.get(f"/sessions/agenda?mediator={world['mediator'].id}").status_code == 404


def test_rescheduling_needs_a_reason_and_shows_on_the_timeline(client, world):
    session, _ = scheduling.book(world["coordinator"].actor, world["case"].id,
                                 sf.plan(world["case"], world["mediator"], sf.local(MONDAY, 10)), now=utcnow())
    db.session.commit()
    as_user(client, world["coordinator"])
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, "/")})
    url = f"/sessions/{session.id}/reschedule"
    data = fields(client, world, start="14:00", end="15:30", path=url) + [("version", str(session.version))]
    refused = post(client, url, data)
    assert refused.status_code == 422 and "Give the reason for moving the session." in refused.get_data(as_text=True)
    moved = post(client, url, data + [("reason", "Жауапкер ауырып қалды")])
    assert moved.status_code == 302
    db.session.refresh(session)
    assert session.starts_at == sf.local(MONDAY, 14)
    timeline = client.get(f"/cases/{world['case'].id}").get_data(as_text=True)
    assert "Session rescheduled" in timeline and "Жауапкер ауырып қалды" in timeline
    # a second submit of the old version is refused as stale, not applied twice
    stale = post(client, url, data + [("reason", "тағы")])
    assert stale.status_code == 409
