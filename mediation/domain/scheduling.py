"""Sessions in time: overlap, opening hours, closures and absences, free slots. Pure; times are naive UTC.

Kazakhstan keeps UTC+5 all year, so local wall-clock times are a fixed shift and no day is 23 or 25 hours
long. Intervals are half-open [start, end): a session ending at 10:00 and one starting at 10:00 do not clash.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from .errors import DomainError

LOCAL_OFFSET = timedelta(hours=5)
MAX_SESSION = timedelta(hours=8)
MIN_SESSION = timedelta(minutes=15)


class SessionKind(StrEnum):
    """What kind of meeting a session is."""

    JOINT = "joint"
    SEPARATE = "separate"  # a meeting with one party (caucus): its notes are caucus notes
    CONSULTATION = "consultation"


class Venue(StrEnum):
    """Where a session takes place."""

    ROOM = "room"
    OFFSITE = "offsite"
    ONLINE = "online"


class ClashKind(StrEnum):
    """Why a session cannot be held at that time and place."""

    BAD_INTERVAL = "bad_interval"
    IN_PAST = "in_past"
    CASE_CLOSED = "case_closed"
    ROOM_INACTIVE = "room_inactive"
    ROOM_CLOSED = "room_closed"
    ROOM_BOOKED = "room_booked"
    HOUSE_CLOSED = "house_closed"
    OUTSIDE_HOURS = "outside_hours"
    MEDIATOR_BUSY = "mediator_busy"
    MEDIATOR_ABSENT = "mediator_absent"


class WarningKind(StrEnum):
    """What the coordinator should know but may go ahead with."""

    AFTER_DEADLINE = "after_deadline"


@dataclass(frozen=True, order=True)
class Slot:
    """A half-open interval of naive-UTC time."""

    start: datetime
    end: datetime

    def overlaps(self, other: "Slot") -> bool:
        """True when the two intervals share a moment; touching edges do not."""
        return self.start < other.end and other.start < self.end

    @property
    def duration(self) -> timedelta:
        """How long the interval lasts."""
        return self.end - self.start

    @property
    def local_start(self) -> datetime:
        """The start on a Kazakhstan wall clock."""
        return self.start + LOCAL_OFFSET

    @property
    def local_end(self) -> datetime:
        """The end on a Kazakhstan wall clock."""
        return self.end + LOCAL_OFFSET


def local_to_utc(moment: datetime) -> datetime:
    """A Kazakhstan wall-clock time as naive UTC."""
    return moment - LOCAL_OFFSET


@dataclass(frozen=True)
class DateRange:
    """Whole days, both inclusive (closures, absences)."""

    start: date
    end: date

    def covers(self, day: date) -> bool:
        """True when the day falls in the range."""
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DayHours:
    """When a house is open on one weekday (local times)."""

    opens: time
    closes: time


@dataclass(frozen=True)
class HouseCalendar:
    """A house's weekly opening hours (weekday 0 = Monday; a missing day is closed) and its closures."""

    hours: Mapping[int, DayHours]
    closures: Sequence[DateRange] = ()

    def closed_on(self, day: date) -> bool:
        """True when a closure (holiday, renovation) covers the day, or the house never opens that weekday."""
        return day.weekday() not in self.hours or any(c.covers(day) for c in self.closures)

    def open_window(self, day: date) -> Slot | None:
        """The day's opening hours as a naive-UTC interval, or None when closed."""
        if self.closed_on(day):
            return None
        hours = self.hours[day.weekday()]
        return Slot(local_to_utc(datetime.combine(day, hours.opens)), local_to_utc(datetime.combine(day, hours.closes)))


@dataclass(frozen=True)
class Busy:
    """Another active session that holds a room or a mediator for an interval."""

    owner_id: int  # the room or the mediator
    slot: Slot
    session_id: int


@dataclass(frozen=True)
class Clash:
    """One reason a booking is refused; names the thing that clashes so the message can too."""

    kind: ClashKind
    subject_id: int | None = None  # the room or mediator concerned
    other: Slot | None = None
    other_session_id: int | None = None


class BookingConflict(DomainError):
    """The session cannot be booked as asked (clashes: list[Clash])."""

    code = "booking_conflict"


@dataclass(frozen=True)
class BookingContext:
    """What the check needs to know, loaded by one narrow query per kind of thing."""

    now: datetime
    case_open: bool
    deadline: date | None = None
    house: HouseCalendar | None = None  # None for off-site and online sessions
    room_active: bool = True
    room_closures: Sequence[DateRange] = ()
    room_busy: Sequence[Busy] = ()
    mediator_busy: Sequence[Busy] = ()
    mediator_absences: Mapping[int, Sequence[DateRange]] = field(default_factory=dict)


@dataclass(frozen=True)
class BookingCheck:
    """The outcome of a check: refusals (clashes) and warnings."""

    clashes: tuple[Clash, ...]
    warnings: tuple[WarningKind, ...]

    @property
    def ok(self) -> bool:
        """True when nothing refuses the booking."""
        return not self.clashes


def interval_problem(slot: Slot, now: datetime) -> ClashKind | None:
    """A malformed interval (end not after start, shorter than 15 min, longer than 8 h) or one in the past."""
    if slot.end <= slot.start or slot.duration < MIN_SESSION or slot.duration > MAX_SESSION:
        return ClashKind.BAD_INTERVAL
    if slot.start < now:
        return ClashKind.IN_PAST
    return None


def days_of(slot: Slot) -> list[date]:
    """The local calendar days the interval touches (its end is exclusive)."""
    first, last = slot.local_start.date(), (slot.local_end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def house_clash(slot: Slot, house: HouseCalendar) -> ClashKind | None:
    """Closed that day, or outside the day's opening hours (a session never runs past midnight into the next)."""
    days = days_of(slot)
    if any(house.closed_on(day) for day in days):
        return ClashKind.HOUSE_CLOSED
    window = house.open_window(days[0])
    if len(days) > 1 or window is None or slot.start < window.start or slot.end > window.end:
        return ClashKind.OUTSIDE_HOURS
    return None


def busy_clashes(slot: Slot, busy: Iterable[Busy], kind: ClashKind, ignore_session: int | None) -> list[Clash]:
    """Each other session overlapping the slot, as a clash naming its room or mediator."""
    return [Clash(kind, b.owner_id, b.slot, b.session_id) for b in busy
            if b.session_id != ignore_session and b.slot.overlaps(slot)]


def check_booking(slot: Slot, *, room_id: int | None, mediator_ids: Iterable[int], ctx: BookingContext,
                  session_id: int | None = None) -> BookingCheck:
    """Every reason the session cannot be held then and there, and the warnings (session_id: a reschedule)."""
    problem = interval_problem(slot, ctx.now)
    if problem:
        return BookingCheck((Clash(problem),), ())
    clashes: list[Clash] = []
    if not ctx.case_open:
        clashes.append(Clash(ClashKind.CASE_CLOSED))
    if room_id is not None:
        if not ctx.room_active:
            clashes.append(Clash(ClashKind.ROOM_INACTIVE, room_id))
        elif any(c.covers(day) for c in ctx.room_closures for day in days_of(slot)):
            clashes.append(Clash(ClashKind.ROOM_CLOSED, room_id))
        clashes += busy_clashes(slot, ctx.room_busy, ClashKind.ROOM_BOOKED, session_id)
    if ctx.house is not None:
        kind = house_clash(slot, ctx.house)
        if kind:
            clashes.append(Clash(kind))
    clashes += busy_clashes(slot, ctx.mediator_busy, ClashKind.MEDIATOR_BUSY, session_id)
    for mediator_id in mediator_ids:
        ranges = ctx.mediator_absences.get(mediator_id, ())
        if any(r.covers(day) for r in ranges for day in days_of(slot)):
            clashes.append(Clash(ClashKind.MEDIATOR_ABSENT, mediator_id))
    warnings = ()
    if ctx.deadline is not None and slot.local_start.date() > ctx.deadline:
        warnings = (WarningKind.AFTER_DEADLINE,)
    return BookingCheck(tuple(clashes), warnings)


def free_slots(*, house: HouseCalendar, rooms: Sequence[int], duration: timedelta, not_before: datetime,
               days: int, room_busy: Mapping[int, Sequence[Slot]], mediator_busy: Sequence[Slot],
               absent_days: Iterable[date] = (), room_closed: Mapping[int, Sequence[DateRange]] | None = None,
               step: timedelta = timedelta(minutes=30), limit: int = 5) -> list[tuple[int, Slot]]:
    """The earliest (room, slot) pairs within opening hours where the room and every mediator are free.

    Rooms are tried in the given order (interpreter-equipped rooms first when the caller sorts them so);
    starts fall on the step grid of local time.
    """
    found: list[tuple[int, Slot]] = []
    skip_days, room_closed = set(absent_days), room_closed or {}
    first_day = (not_before + LOCAL_OFFSET).date()
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        window = house.open_window(day)
        if window is None or day in skip_days:
            continue
        start = window.start
        while start + duration <= window.end and len(found) < limit:
            candidate = Slot(start, start + duration)
            if start >= not_before and not any(candidate.overlaps(b) for b in mediator_busy):
                room = next((r for r in rooms if not any(c.covers(day) for c in room_closed.get(r, ()))
                             and not any(candidate.overlaps(b) for b in room_busy.get(r, ()))), None)
                if room is not None:
                    found.append((room, candidate))
            start += step
        if len(found) >= limit:
            break
    return found
