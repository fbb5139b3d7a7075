"""No double booking under real concurrency: two coordinators book the same room at the same moment.

On PostgreSQL the exclusion constraint decides; on SQLite (a file database) the IMMEDIATE write transaction
serialises the check and the insert. Either way exactly one booking lands and the other gets a 409 with a
message naming the room — never a 500.
"""

import re

from sqlalchemy import func, select

from mediation.extensions import db
from mediation.models import MediationSession, SessionMediator
from tests import session_factories as sf
from tests.concurrency import Browser, run_concurrently

MONDAY = sf.next_monday(2)


def booking_fields(token: str, room_id: int, mediator_id: int, party_ids, hour: int, minute: int = 0):
    return [("csrf_token", token), ("day", MONDAY.isoformat()), ("start", f"{hour:02d}:{minute:02d}"),
            ("end", f"{hour + 1:02d}:{minute:02d}"), ("venue", "room"), ("room_id", str(room_id)),
            ("kind", "joint"), ("mediator_ids", str(mediator_id))] + [("party_ids", str(p)) for p in party_ids]


def _two_cases(org):
    first = sf.case_in_mediation(org, mediator_name="Бірінші Медиатор")
    second = sf.case_in_mediation(org, mediator_name="Екінші Медиатор")
    db.session.commit()
    return first, second


def test_two_coordinators_booking_one_room_at_once_get_one_booking_and_one_409(app, org, live_app):
    # Given two cases of the same house, each with its own coordinator and mediator
    (case_a, coord_a, _ua, med_a), (case_b, coord_b, _ub, med_b) = _two_cases(org)
    room_id = case_a.house.rooms[0].id
    jobs = [(coord_a.username, case_a.id, med_a.id, sf.party_ids(case_a)),
            (coord_b.username, case_b.id, med_b.id, sf.party_ids(case_b))]
    browsers = [Browser(live_app) for _ in jobs]
    for browser, job in zip(browsers, jobs, strict=True):
        browser.sign_in(job[0])
    answers: list[tuple[int, str]] = []

    def post(index: int) -> None:
        _name, case_id, mediator_id, parties = jobs[index]
        status, headers, body = browsers[index].request(
            f"/sessions/case/{case_id}/new", booking_fields(browsers[index].token, room_id, mediator_id, parties, 10))
        answers.append((status, headers.get("Location", "") or body))

    # When both press "Book" for 10:00–11:00 in the same room at the same moment, five times over
    for _round in range(5):
        answers.clear()
        db.session.rollback()
        db.session.execute(SessionMediator.__table__.delete())
        db.session.execute(MediationSession.__table__.delete())
        db.session.commit()
        assert run_concurrently(2, post) == []
        # Then exactly one got the session page and the other a 409 naming the room
        statuses = sorted(status for status, _ in answers)
        assert statuses == [302, 409], [(s, b[:200]) for s, b in answers]
        refused = next(body for status, body in answers if status == 409)
        assert re.search(r"101", refused) and "is-invalid" in refused
        db.session.rollback()
        assert db.session.scalar(select(func.count(MediationSession.id))) == 1


def test_one_mediator_booked_twice_at_once_in_two_rooms_lands_once(app, org, live_app):
    # Given one case whose house has two rooms
    case, coordinator, _user, mediator = sf.case_in_mediation(org)
    from mediation.models import MediationRoom

    second = MediationRoom(house_id=case.house_id, name="102", capacity=6)
    db.session.add(second)
    db.session.commit()
    rooms = [case.house.rooms[0].id, second.id]
    parties, case_id, mediator_id = sf.party_ids(case), case.id, mediator.id  # ORM objects stay in this thread
    browsers = [Browser(live_app), Browser(live_app)]
    for browser in browsers:
        browser.sign_in(coordinator.username)
    answers: list[int] = []

    def post(index: int) -> None:
        status, _h, _b = browsers[index].request(f"/sessions/case/{case_id}/new", booking_fields(
            browsers[index].token, rooms[index], mediator_id, parties, 14))
        answers.append(status)

    # When the mediator is booked into both rooms for the same hour at once
    assert run_concurrently(2, post) == []
    # Then one booking lands and the other is refused, not a 500
    assert sorted(answers) == [302, 409]
    db.session.rollback()
    assert db.session.scalar(select(func.count(MediationSession.id))) == 1
