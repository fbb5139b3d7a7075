"""Sessions left booked in a room that goes out of use: which ones the keeper is shown (houses.stranded_sessions)."""

from datetime import timedelta

from sqlalchemy import select

from mediation.domain.scheduling import Venue
from mediation.extensions import db
from mediation.models import HouseClosure, MediationSession, RoomClosure
from mediation.services import houses, scheduling
from mediation.services.clock import utcnow
from tests import session_factories as sf


def booked(org):
    """A case in mediation with two sessions in the house's first room: next Monday and the Monday after."""
    case, coordinator, _user, mediator = sf.case_in_mediation(org)
    first, second = sf.next_monday(1), sf.next_monday(2)
    for day in (first, second):
        scheduling.book(coordinator.actor, case.id, sf.plan(case, mediator, sf.local(day, 10)), now=utcnow())
    db.session.commit()
    return case, coordinator, case.house.rooms[0], first, second


def numbers_and_days(room) -> list[tuple[str, object]]:
    return [(s.case_number, (s.starts_at + timedelta(hours=5)).date())
            for s in houses.stranded_sessions([room], utcnow())]


def test_a_room_in_use_strands_nothing(org):
    _case, _coordinator, room, _first, _second = booked(org)
    assert numbers_and_days(room) == []


def test_an_inactive_room_strands_every_future_booking(org):
    case, _coordinator, room, first, second = booked(org)
    room.active = False
    db.session.flush()
    assert numbers_and_days(room) == [(case.number, first), (case.number, second)]


def test_an_inactive_house_strands_its_rooms_bookings(org):
    case, _coordinator, room, first, second = booked(org)
    room.house.active = False
    db.session.flush()
    assert numbers_and_days(room) == [(case.number, first), (case.number, second)]


def test_a_room_closure_strands_only_the_days_it_covers(org):
    case, _coordinator, room, first, second = booked(org)
    room.closures.append(RoomClosure(start=second, end=second + timedelta(days=3), reason="Жөндеу"))
    db.session.flush()
    assert numbers_and_days(room) == [(case.number, second)]


def test_a_house_closure_ending_the_day_before_strands_nothing(org):
    case, _coordinator, room, first, _second = booked(org)
    room.house.closures.append(HouseClosure(start=first - timedelta(days=3), end=first - timedelta(days=1),
                                            reason="Мереке"))
    db.session.flush()
    assert numbers_and_days(room) == []
    room.house.closures.append(HouseClosure(start=first, end=first, reason="Мереке"))
    db.session.flush()
    assert numbers_and_days(room) == [(case.number, first)]


def test_cancelled_and_past_sessions_are_not_stranded(org):
    case, coordinator, room, first, _second = booked(org)
    room.active = False
    db.session.flush()
    sessions = db.session.scalars(select(MediationSession).where(MediationSession.case_id == case.id)
                                  .order_by(MediationSession.starts_at)).all()
    scheduling.cancel(coordinator.actor, sessions[1].id, sessions[1].version, "Тараптар сұрады", now=utcnow())
    db.session.flush()
    assert numbers_and_days(room) == [(case.number, first)]
    # Seen from a minute after the first session began, nothing is left to move.
    assert houses.stranded_sessions([room], sessions[0].starts_at + timedelta(minutes=1)) == []


def test_a_closure_is_read_in_kazakhstan_time(org):
    """A session at 02:00 in Almaty is 21:00 UTC the day before: a closure of its local day strands it."""
    case, _coordinator, room, first, _second = booked(org)
    early = sf.local(first + timedelta(days=1), 2)  # Tuesday 02:00 local = Monday 21:00 UTC
    assert early.date() == first
    db.session.add(MediationSession(case_id=case.id, house_id=room.house_id, room_id=room.id, venue=Venue.ROOM,
                                    starts_at=early, ends_at=early + timedelta(hours=1)))
    room.closures.append(RoomClosure(start=first + timedelta(days=1), end=first + timedelta(days=1), reason="Жөндеу"))
    db.session.flush()
    assert numbers_and_days(room) == [(case.number, first + timedelta(days=1))]


def test_a_closure_already_over_strands_nothing(org):
    _case, _coordinator, room, _first, _second = booked(org)
    yesterday = (utcnow() + timedelta(hours=5)).date() - timedelta(days=1)
    room.closures.append(RoomClosure(start=yesterday - timedelta(days=5), end=yesterday, reason="Жөндеу"))
    db.session.flush()
    assert numbers_and_days(room) == []
