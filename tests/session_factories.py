"""Builders for scheduling tests: an open house, a case in mediation with its mediator, a session plan.

Like the other factories these flush but never commit; the caller commits before any request.
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from mediation.domain.scheduling import SessionKind, Venue, local_to_utc
from mediation.extensions import db
from mediation.models import HouseOpeningHours, Party
from mediation.services.clock import utcnow
from mediation.services.scheduling import SessionPlan
from tests import case_factories as cf
from tests import factories


def open_weekdays(house, opens: time = time(9), closes: time = time(18)) -> None:
    """Give the house Monday–Friday hours (unless it has hours already)."""
    have = set(db.session.scalars(select(HouseOpeningHours.weekday).where(HouseOpeningHours.house_id == house.id)))
    for weekday in range(5):
        if weekday not in have:
            db.session.add(HouseOpeningHours(house_id=house.id, weekday=weekday, opens=opens, closes=closes))
    db.session.flush()


def next_monday(weeks_ahead: int = 1) -> date:
    """A Monday at least `weeks_ahead` weeks from today (local), so bookings are never in the past."""
    today = (utcnow() + timedelta(hours=5)).date()
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A Kazakhstan wall-clock time as naive UTC."""
    return local_to_utc(datetime.combine(day, time(hour, minute)))


def case_in_mediation(org, *, house=None, mediator_name: str = "Медиатор Тестов"):
    """A coordinator, a mediator account and a case in mediation at the house with that mediator as lead."""
    house = house or org.republican_house
    open_weekdays(house)
    coordinator = factories.make_user("coordinator", org=org, house=house)
    mediator_user, mediator = cf.make_mediator_user(org, house=house, full_name=mediator_name)
    case = cf.register(coordinator, house, received_on=cf.today(), now=utcnow())
    cf.advance(case, "in_mediation", coordinator, lead_id=mediator.id, signed_on=cf.today(), now=utcnow())
    return case, coordinator, mediator_user, mediator


def party_ids(case) -> tuple[int, ...]:
    """The case's parties in order."""
    return tuple(db.session.scalars(select(Party.id).where(Party.case_id == case.id).order_by(Party.position)))


def plan(case, mediator, start: datetime, minutes: int = 90, *, room=None, venue: Venue = Venue.ROOM,
         kind: SessionKind = SessionKind.JOINT, parties: tuple[int, ...] | None = None,
         mediators: tuple[int, ...] | None = None, address: str | None = None) -> SessionPlan:
    """A plan for the case in its house's first room, by default."""
    room = room if room is not None else (case.house.rooms[0] if venue is Venue.ROOM else None)
    return SessionPlan(venue=venue, room_id=room.id if room is not None else None, offsite_address=address,
                       start=start, end=start + timedelta(minutes=minutes), kind=kind,
                       mediator_ids=mediators or (mediator.id,), party_ids=parties or party_ids(case))
