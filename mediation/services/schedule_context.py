"""Loading what a clash check needs: one narrow query per kind of thing, then the domain compares.

Every overlap query bounds ends_at on both sides: a session overlapping [start, end) ends after start and,
lasting at most MAX_SESSION (the domain refuses longer ones), before end + MAX_SESSION. With the
(room_id, ends_at) index that is a range of a few index entries, however many sessions the room has.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import cache

from sqlalchemy import func, select

from ..domain.scheduling import MAX_SESSION, Busy, DateRange, DayHours, HouseCalendar, Slot
from ..extensions import db
from ..models import (
    HouseClosure,
    HouseOpeningHours,
    MediationSession,
    MediatorAbsence,
    RoomClosure,
    SessionLog,
    SessionMediator,
)
from ..models.session import ACTIVE


def house_calendar(house_id: int, first: date, last: date) -> HouseCalendar:
    """The house's weekly hours and the closures touching [first, last]."""
    hours = {row.weekday: DayHours(row.opens, row.closes) for row in db.session.scalars(
        select(HouseOpeningHours).where(HouseOpeningHours.house_id == house_id))}
    closures = [DateRange(c.start, c.end) for c in db.session.scalars(
        select(HouseClosure).where(HouseClosure.house_id == house_id, HouseClosure.end >= first,
                                   HouseClosure.start <= last))]
    return HouseCalendar(hours, tuple(closures))


def room_closures(room_ids: Iterable[int], first: date, last: date) -> dict[int, list[DateRange]]:
    """Closures of the rooms touching [first, last], by room."""
    found: dict[int, list[DateRange]] = {}
    ids = list(room_ids)
    if not ids:
        return found
    for row in db.session.scalars(select(RoomClosure).where(RoomClosure.room_id.in_(ids), RoomClosure.end >= first,
                                                            RoomClosure.start <= last)):
        found.setdefault(row.room_id, []).append(DateRange(row.start, row.end))
    return found


def room_busy(room_ids: Sequence[int], start: datetime, end: datetime) -> list[Busy]:
    """Active sessions in the rooms overlapping [start, end) (served by the (room, ends_at) index)."""
    if not room_ids:
        return []
    rows = db.session.execute(
        select(MediationSession.id, MediationSession.room_id, MediationSession.starts_at, MediationSession.ends_at)
        .where(MediationSession.room_id.in_(room_ids), MediationSession.status == ACTIVE,
               MediationSession.ends_at > start, MediationSession.ends_at < end + MAX_SESSION,
               MediationSession.starts_at < end))
    return [Busy(row.room_id, Slot(row.starts_at, row.ends_at), row.id) for row in rows]


def mediator_busy(mediator_ids: Sequence[int], start: datetime, end: datetime) -> list[Busy]:
    """Active sessions of the mediators overlapping [start, end)."""
    if not mediator_ids:
        return []
    rows = db.session.execute(
        select(SessionMediator.session_id, SessionMediator.mediator_id, SessionMediator.starts_at,
               SessionMediator.ends_at)
        .where(SessionMediator.mediator_id.in_(mediator_ids), SessionMediator.active,
               SessionMediator.ends_at > start, SessionMediator.ends_at < end + MAX_SESSION,
               SessionMediator.starts_at < end))
    return [Busy(row.mediator_id, Slot(row.starts_at, row.ends_at), row.session_id) for row in rows]


def absences(mediator_ids: Sequence[int], first: date, last: date) -> dict[int, list[DateRange]]:
    """Absences of the mediators touching [first, last], by mediator."""
    found: dict[int, list[DateRange]] = {}
    if not mediator_ids:
        return found
    for row in db.session.scalars(select(MediatorAbsence).where(
            MediatorAbsence.mediator_id.in_(mediator_ids), MediatorAbsence.end >= first,
            MediatorAbsence.start <= last)):
        found.setdefault(row.mediator_id, []).append(DateRange(row.start, row.end))
    return found


def local_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The first and last local calendar days an interval touches (padded by a day for safety at midnight)."""
    slot = Slot(start, end)
    return slot.local_start.date() - timedelta(days=1), slot.local_end.date() + timedelta(days=1)


def unlogged_count(case_id: int, now: datetime) -> int:
    """Booked sessions of the case that have ended without a log."""
    return db.session.scalar(
        select(func.count(MediationSession.id)).outerjoin(SessionLog)
        .where(MediationSession.case_id == case_id, MediationSession.status == ACTIVE,
               MediationSession.ends_at <= now, SessionLog.id.is_(None))) or 0


MEDIATOR_SLOTS = 4  # mediator ids per statement; a session has a lead and perhaps a co-mediator


@cache
def _booking_statements():
    """The booking check's two UNION ALL statements, built once: building and expanding them per call cost more
    CPU than running them (cProfile on 470,000 sessions)."""
    from sqlalchemy import bindparam, literal, or_, union_all

    def any_mediator(column):
        return or_(*(column == bindparam(f"m{n}") for n in range(MEDIATOR_SLOTS)))

    first, last, start, end, upper = (bindparam(name) for name in ("first", "last", "start", "end", "upper"))
    spans = union_all(
        select(literal("house").label("kind"), HouseClosure.house_id.label("owner"), HouseClosure.start,
               HouseClosure.end).where(HouseClosure.house_id == bindparam("house_id"), HouseClosure.end >= first,
                                       HouseClosure.start <= last),
        select(literal("room"), RoomClosure.room_id, RoomClosure.start, RoomClosure.end)
        .where(RoomClosure.room_id == bindparam("room_id"), RoomClosure.end >= first, RoomClosure.start <= last),
        select(literal("absence"), MediatorAbsence.mediator_id, MediatorAbsence.start, MediatorAbsence.end)
        .where(any_mediator(MediatorAbsence.mediator_id), MediatorAbsence.end >= first,
               MediatorAbsence.start <= last))
    busy = union_all(
        select(literal("room").label("kind"), MediationSession.id.label("session_id"),
               MediationSession.room_id.label("owner"), MediationSession.starts_at, MediationSession.ends_at)
        .where(MediationSession.room_id == bindparam("room_id"), MediationSession.status == ACTIVE,
               MediationSession.ends_at > start, MediationSession.ends_at < upper, MediationSession.starts_at < end),
        select(literal("mediator"), SessionMediator.session_id, SessionMediator.mediator_id, SessionMediator.starts_at,
               SessionMediator.ends_at)
        .where(any_mediator(SessionMediator.mediator_id), SessionMediator.active, SessionMediator.ends_at > start,
               SessionMediator.ends_at < upper, SessionMediator.starts_at < end))
    hours = select(HouseOpeningHours.weekday, HouseOpeningHours.opens, HouseOpeningHours.closes).where(
        HouseOpeningHours.house_id == bindparam("house_id"))
    return hours, spans, busy


def booking_facts(room_id: int | None, house_id: int | None, mediator_ids: Sequence[int], start: datetime,
                  end: datetime) -> dict:
    """Everything one booking check needs in three round trips: hours, then closures and absences, then
    the overlapping sessions of the room and the mediators (each pair as one UNION ALL)."""
    hours_stmt, spans_stmt, busy_stmt = _booking_statements()
    first, last = local_days(start, end)
    ids = list(mediator_ids) or [-1]
    facts: dict = {"house_closures": [], "room_closures": [], "absences": {}, "room_busy": [], "mediator_busy": []}
    hours = {}
    if house_id:
        hours = {row.weekday: DayHours(_as_time(row.opens), _as_time(row.closes))
                 for row in db.session.execute(hours_stmt, {"house_id": house_id})}
    for offset in range(0, len(ids), MEDIATOR_SLOTS):
        chunk = ids[offset:offset + MEDIATOR_SLOTS]
        params = {f"m{n}": chunk[n] if n < len(chunk) else -1 for n in range(MEDIATOR_SLOTS)}
        params |= {"house_id": house_id or -1, "room_id": room_id or -1, "first": first, "last": last,
                   "start": start, "end": end, "upper": end + MAX_SESSION}
        if offset:  # later chunks only add mediators; the room and house were read with the first
            params |= {"house_id": -1, "room_id": -1}
        for row in db.session.execute(spans_stmt, params):
            span = DateRange(_as_date(row.start), _as_date(row.end))
            if row.kind == "absence":
                facts["absences"].setdefault(row.owner, []).append(span)
            else:
                facts[f"{row.kind}_closures"].append(span)
        for row in db.session.execute(busy_stmt, params):
            item = Busy(row.owner, Slot(_as_datetime(row.starts_at), _as_datetime(row.ends_at)), row.session_id)
            facts[f"{row.kind}_busy"].append(item)
    facts["house"] = HouseCalendar(hours, tuple(facts.pop("house_closures"))) if house_id else None
    return facts


def _as_date(value) -> date:
    # A UNION's columns come back untyped on SQLite (text); PostgreSQL keeps the types.
    return value if isinstance(value, date) else date.fromisoformat(value)


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _as_time(value) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)
