"""Friendship Houses and their rooms: scoped lists, opening hours, closures, room upkeep; every change audited."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..domain.errors import DomainError, NotAllowed
from ..domain.houses import (
    MAX_ADDRESS,
    DayHours,
    HouseInvalid,
    closure_errors,
    hours_errors,
    room_errors,
    text_error,
)
from ..domain.policies import Placement, can_manage_house, can_view_house
from ..domain.roles import Actor, ScopeLevel
from ..domain.scheduling import DateRange
from ..extensions import db
from ..models import (
    Case,
    FriendshipHouse,
    HouseClosure,
    HouseOpeningHours,
    MediationRoom,
    MediationSession,
    RoomClosure,
)
from ..models.session import ACTIVE as SCHEDULED
from . import audit
from .clock import local_date
from .schedule_context import room_closures

__all__ = ["DayHours", "HouseInvalid", "HouseNotFound", "RoomNotFound"]


class HouseNotFound(DomainError):
    """No such house (or closure of it) within the actor's reach."""

    code = "house_not_found"


class RoomNotFound(DomainError):
    """No such room (or closure of it) within the actor's reach."""

    code = "room_not_found"


@dataclass(frozen=True)
class HouseData:
    """What a manager edits on a house: its address and whether it is in service."""

    address: str
    active: bool


@dataclass(frozen=True)
class RoomData:
    """A room as the form hands it over."""

    name: str
    capacity: int
    has_interpreter_equipment: bool = False
    has_video_link: bool = False
    step_free_access: bool = False
    active: bool = True


@dataclass(frozen=True)
class HouseList:
    """Houses in scope, with the number of active rooms of each."""

    houses: list[FriendshipHouse]
    active_rooms: dict[int, int]


def office_hours(weekdays: Iterable[int] = range(5), opens: time = time(9), closes: time = time(18)):
    """Opening-hours rows for the given weekdays (Monday–Friday 09:00–18:00 by default)."""
    return [HouseOpeningHours(weekday=day, opens=opens, closes=closes) for day in weekdays]


def place_of(house: FriendshipHouse) -> Placement:
    """Where a house lies, for the policies."""
    return Placement(region_id=house.region_id, house_id=house.id)


def _scope_filter(actor: Actor) -> list:
    # The list is cut by the same rule as can_view_house (within_scope), so list and detail agree.
    if actor.scope_level is ScopeLevel.REGION:
        return [FriendshipHouse.region_id == actor.region_id]
    if actor.scope_level is ScopeLevel.HOUSE:
        return [FriendshipHouse.id == actor.house_id]
    return []


def list_houses(actor: Actor, *, region_id: int | None = None) -> HouseList:
    """The houses the actor may see, optionally of one region, with their active room counts."""
    query = (select(FriendshipHouse).options(joinedload(FriendshipHouse.region)).where(*_scope_filter(actor))
             .order_by(FriendshipHouse.region_id, FriendshipHouse.id))
    if region_id is not None:
        query = query.where(FriendshipHouse.region_id == region_id)
    houses = list(db.session.scalars(query))
    counts = dict(db.session.execute(
        select(MediationRoom.house_id, func.count(MediationRoom.id))
        .where(MediationRoom.active, MediationRoom.house_id.in_([h.id for h in houses]))
        .group_by(MediationRoom.house_id)).all()) if houses else {}
    return HouseList(houses=houses, active_rooms=counts)


def get_house(actor: Actor, house_id: int) -> FriendshipHouse:
    """A house the actor may see, or HouseNotFound (its existence is not shown outside the scope)."""
    house = db.session.get(FriendshipHouse, house_id)
    if house is None or not can_view_house(actor, place_of(house)):
        raise HouseNotFound(house_id=house_id)
    return house


def can_manage(actor: Actor, house: FriendshipHouse) -> bool:
    """True when the actor maintains this house (admins; managers within their scope)."""
    return can_manage_house(actor, place_of(house))


def _managed_house(actor: Actor, house_id: int) -> FriendshipHouse:
    # The row lock (PostgreSQL; SQLite serialises writers anyway) keeps two editors of one house in line.
    house = db.session.scalars(select(FriendshipHouse).where(FriendshipHouse.id == house_id)
                               .with_for_update()).first()
    if house is None or not can_view_house(actor, place_of(house)):
        raise HouseNotFound(house_id=house_id)
    if not can_manage(actor, house):
        raise NotAllowed(actor_id=actor.id, action="manage_house")
    return house


def _audit(action: str, actor: Actor, obj: str, obj_id: int, summary: dict, ip: str | None, now: datetime):
    db.session.flush()
    audit.record(action, actor_id=actor.id, ip=ip, object_type=obj, object_id=obj_id, summary=summary, now=now)


def update_house(actor: Actor, house_id: int, data: HouseData, *, ip: str | None, now: datetime):
    """Change a house's address and active flag."""
    house = _managed_house(actor, house_id)
    if code := text_error(data.address, limit=MAX_ADDRESS, required=False):
        raise HouseInvalid(errors={"address": code})
    changed = [name for name in ("address", "active") if getattr(house, name) != getattr(data, name)]
    house.address, house.active = data.address, data.active
    _audit("house.update", actor, "house", house.id, {"fields": changed}, ip, now)
    return house


def set_opening_hours(actor: Actor, house_id: int, days: Sequence[DayHours], *, ip: str | None, now: datetime):
    """Replace the weekly opening hours; the whole week is checked first, so a bad row writes nothing."""
    house = _managed_house(actor, house_id)
    if errors := hours_errors(days):
        raise HouseInvalid(errors=errors)
    wanted = {day.weekday: day for day in days}
    # Update rows in place rather than delete and re-insert: (house, weekday) is the primary key.
    for row in list(house.opening_hours):
        if row.weekday in wanted:
            day = wanted.pop(row.weekday)
            row.opens, row.closes = day.opens, day.closes
        else:
            house.opening_hours.remove(row)
    for day in wanted.values():
        house.opening_hours.append(HouseOpeningHours(weekday=day.weekday, opens=day.opens, closes=day.closes))
    _audit("house.hours", actor, "house", house.id, {"open_days": sorted(d.weekday for d in days)}, ip, now)
    return house


def add_house_closure(actor: Actor, house_id: int, start: date, end: date, reason: str, *, ip: str | None,
                      now: datetime) -> HouseClosure:
    """Close a house for whole days (a public holiday, an event), both inclusive."""
    house = _managed_house(actor, house_id)
    if errors := closure_errors(start, end, reason):
        raise HouseInvalid(errors=errors)
    closure = HouseClosure(start=start, end=end, reason=reason)
    house.closures.append(closure)
    _audit("house.closure_add", actor, "house", house.id,
           {"start": start.isoformat(), "end": end.isoformat()}, ip, now)
    return closure


def remove_house_closure(actor: Actor, house_id: int, closure_id: int, *, ip: str | None, now: datetime) -> None:
    """Withdraw a closure entered by mistake or cancelled."""
    house = _managed_house(actor, house_id)
    closure = next((c for c in house.closures if c.id == closure_id), None)
    if closure is None:
        raise HouseNotFound(house_id=house_id, closure_id=closure_id)
    house.closures.remove(closure)
    _audit("house.closure_remove", actor, "house", house.id,
           {"start": closure.start.isoformat(), "end": closure.end.isoformat()}, ip, now)


def get_room(actor: Actor, room_id: int) -> MediationRoom:
    """A room of a house the actor maintains; RoomNotFound outside the scope, NotAllowed within it."""
    room = db.session.get(MediationRoom, room_id)
    if room is None:
        raise RoomNotFound(room_id=room_id)
    try:
        _managed_house(actor, room.house_id)
    except HouseNotFound:
        raise RoomNotFound(room_id=room_id) from None
    return room


def _check_room(house: FriendshipHouse, data: RoomData, room_id: int | None) -> None:
    others = [r.name for r in house.rooms if r.id != room_id]
    if errors := room_errors(data.name, data.capacity, others):
        raise HouseInvalid(errors=errors)


def _apply(room: MediationRoom, data: RoomData) -> list[str]:
    changed = []
    for name in ("name", "capacity", "has_interpreter_equipment", "has_video_link", "step_free_access", "active"):
        if getattr(room, name) != getattr(data, name):
            changed.append(name)
            setattr(room, name, getattr(data, name))
    return changed


def create_room(actor: Actor, house_id: int, data: RoomData, *, ip: str | None, now: datetime) -> MediationRoom:
    """Add a room to a house."""
    house = _managed_house(actor, house_id)
    _check_room(house, data, None)
    room = MediationRoom(house=house, name=data.name, capacity=data.capacity)
    _apply(room, data)
    db.session.add(room)
    db.session.flush()  # the audit row names the new room's id
    _audit("room.create", actor, "room", room.id, {"house_id": house.id}, ip, now)
    return room


def update_room(actor: Actor, room_id: int, data: RoomData, *, ip: str | None, now: datetime) -> MediationRoom:
    """Edit a room; deactivating it keeps its sessions and closures (rooms are never deleted)."""
    room = get_room(actor, room_id)
    _check_room(room.house, data, room.id)
    changed = _apply(room, data)
    _audit("room.update", actor, "room", room.id, {"fields": changed}, ip, now)
    return room


@dataclass(frozen=True)
class StrandedSession:
    """A session still booked in a room at a time the room or its house is out of use."""

    case_number: str
    starts_at: datetime  # naive UTC
    room_name: str


def stranded_sessions(rooms: Sequence[MediationRoom], now: datetime) -> list[StrandedSession]:
    """Scheduled sessions from `now` on in the rooms (of one house) while the room or the house is inactive or
    closed that day, by time.

    Deactivating or closing keeps the bookings (they are history once past); the keeper is shown these so
    the cases' coordinators can move them before the parties arrive at a locked door.
    """
    if not rooms:
        return []
    house, today = rooms[0].house, local_date(now)
    room_closed = room_closures([room.id for room in rooms], today, date.max)  # one query, the closures ahead
    house_closed = [DateRange(c.start, c.end) for c in house.closures if c.end >= today]
    out_of_use = {room.id for room in rooms if not (room.active and house.active)}
    if not (out_of_use or room_closed or house_closed):
        return []  # every room in use and no closure ahead: no sessions to read
    names = {room.id: room.name for room in rooms}
    rows = db.session.execute(
        select(MediationSession.room_id, MediationSession.starts_at, Case.number)
        .join(Case, Case.id == MediationSession.case_id)
        .where(MediationSession.room_id.in_(names), MediationSession.status == SCHEDULED,
               MediationSession.starts_at >= now)
        .order_by(MediationSession.starts_at, MediationSession.id)).all()
    return [StrandedSession(number, starts_at, names[room_id]) for room_id, starts_at, number in rows
            if room_id in out_of_use
            or any(c.covers(local_date(starts_at)) for c in (*room_closed.get(room_id, ()), *house_closed))]


def add_room_closure(actor: Actor, room_id: int, start: date, end: date, reason: str, *, ip: str | None,
                     now: datetime) -> RoomClosure:
    """Take a room out of use for whole days (renovation), both inclusive; its history stays."""
    room = get_room(actor, room_id)
    if errors := closure_errors(start, end, reason):
        raise HouseInvalid(errors=errors)
    closure = RoomClosure(start=start, end=end, reason=reason)
    room.closures.append(closure)
    _audit("room.closure_add", actor, "room", room.id, {"start": start.isoformat(), "end": end.isoformat()}, ip, now)
    return closure


def remove_room_closure(actor: Actor, room_id: int, closure_id: int, *, ip: str | None, now: datetime) -> None:
    """Withdraw a room closure."""
    room = get_room(actor, room_id)
    closure = next((c for c in room.closures if c.id == closure_id), None)
    if closure is None:
        raise RoomNotFound(room_id=room_id, closure_id=closure_id)
    room.closures.remove(closure)
    _audit("room.closure_remove", actor, "room", room.id,
           {"start": closure.start.isoformat(), "end": closure.end.isoformat()}, ip, now)


def independence_day_closure(today: date) -> HouseClosure:
    """The next Independence Day holidays (16–17 December) on or after today, as a house closure."""
    year = today.year if today <= date(today.year, 12, 17) else today.year + 1
    return HouseClosure(start=date(year, 12, 16), end=date(year, 12, 17),
                        reason="Тәуелсіздік күні / День Независимости")
