"""Calendars: a house's week with rooms as columns, a room's week, a mediator's agenda. Party names never appear."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..domain.scheduling import LOCAL_OFFSET, MAX_SESSION, HouseCalendar, local_to_utc
from ..extensions import db
from ..models import Case, MediationRoom, MediationSession, Mediator, SessionMediator
from ..models.session import ACTIVE
from . import schedule_context as load

STEP = timedelta(minutes=30)


@dataclass
class Cell:
    """One half hour of one room: closed, free (bookable) or taken by a session."""

    state: str  # "closed" | "free" | "busy"
    start: datetime  # local wall-clock time
    session: MediationSession | None = None
    first: bool = False  # the session's first cell (where its label goes)


@dataclass
class DayGrid:
    """One day of a house: a row per half hour, a cell per room."""

    day: date
    closed: bool
    rows: list[tuple[time, list[Cell]]] = field(default_factory=list)


def monday_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def _sessions(room_ids: list[int], start: datetime, end: datetime) -> list[MediationSession]:
    return list(db.session.scalars(
        select(MediationSession).options(selectinload(MediationSession.case).load_only(Case.number, Case.id))
        .where(MediationSession.room_id.in_(room_ids), MediationSession.status == ACTIVE,
               MediationSession.ends_at > start, MediationSession.ends_at < end + MAX_SESSION,
               MediationSession.starts_at < end)
        .order_by(MediationSession.starts_at)))


def _bounds(calendar: HouseCalendar) -> tuple[time, time]:
    """The earliest opening and latest closing of the week (so every day shares one set of rows)."""
    if not calendar.hours:
        return time(9), time(18)
    return min(h.opens for h in calendar.hours.values()), max(h.closes for h in calendar.hours.values())


def week_grid(house_id: int, monday: date, rooms: list[MediationRoom], now: datetime, days: int = 7
              ) -> list[DayGrid]:
    """Seven days of half-hour rows for the rooms, with every active session placed and the free cells marked."""
    calendar = load.house_calendar(house_id, monday, monday + timedelta(days=days - 1))
    start = local_to_utc(datetime.combine(monday, time()))
    end = start + timedelta(days=days)
    room_ids = [r.id for r in rooms]
    # Plain (start, end, session) tuples per room and local day: each cell then looks at a handful of
    # sessions, not the week's, and never through ORM attribute access (the grid has ~1,000 cells).
    spans: dict[tuple[int, date], list[tuple[datetime, datetime, MediationSession]]] = {}
    for session in _sessions(room_ids, start, end) if room_ids else []:
        for day in {(session.starts_at + LOCAL_OFFSET).date(), (session.ends_at + LOCAL_OFFSET).date()}:
            spans.setdefault((session.room_id, day), []).append((session.starts_at, session.ends_at, session))
    closures = load.room_closures(room_ids, monday, monday + timedelta(days=days - 1))
    opens, closes = _bounds(calendar)
    grid = []
    for offset in range(days):
        day = monday + timedelta(days=offset)
        window = calendar.open_window(day)
        day_grid = DayGrid(day, window is None)
        closed_rooms = {room.id for room in rooms if not room.active
                        or any(c.covers(day) for c in closures.get(room.id, ()))}
        moment = datetime.combine(day, opens)
        while moment.time() < closes and moment.date() == day:
            cell_start = local_to_utc(moment)
            cell_end = cell_start + STEP
            shut = window is None or cell_start < window.start or cell_end > window.end or cell_start < now
            cells = []
            for room in rooms:
                taken = next((span for span in spans.get((room.id, day), ())
                              if span[0] < cell_end and cell_start < span[1]), None)
                if taken:
                    cells.append(Cell("busy", moment, taken[2], first=taken[0] >= cell_start or moment.time() == opens))
                elif shut or room.id in closed_rooms:
                    cells.append(Cell("closed", moment))
                else:
                    cells.append(Cell("free", moment))
            day_grid.rows.append((moment.time(), cells))
            moment += STEP
        grid.append(day_grid)
    return grid


def agenda(mediator_ids: list[int], start: datetime, days: int = 14) -> list[MediationSession]:
    """The active sessions of the mediators from `start` for `days` days, in time order."""
    if not mediator_ids:
        return []
    return list(db.session.scalars(
        select(MediationSession).join(SessionMediator, SessionMediator.session_id == MediationSession.id)
        .options(selectinload(MediationSession.case).load_only(Case.number, Case.id),
                 selectinload(MediationSession.room), selectinload(MediationSession.house))
        .where(SessionMediator.mediator_id.in_(mediator_ids), SessionMediator.active,
               SessionMediator.ends_at > start, SessionMediator.starts_at < start + timedelta(days=days))
        .order_by(MediationSession.starts_at).distinct()))


def mediator_of_user(user_id: int) -> Mediator | None:
    """The registry record linked to a mediator's account."""
    return db.session.scalar(select(Mediator).where(Mediator.user_id == user_id))


def local_today(now: datetime) -> date:
    """Today on a Kazakhstan wall clock."""
    return (now + LOCAL_OFFSET).date()
