"""Find a slot: the earliest times in the case's house when a room and all the case's mediators are free."""

from datetime import datetime, timedelta

from sqlalchemy import select

from ..domain.scheduling import Slot, free_slots
from ..extensions import db
from ..models import Case, MediationRoom
from . import schedule_context as load
from .scheduling import case_mediator_ids

HORIZON_DAYS = 21


def earliest_slots(case: Case, *, minutes: int, interpreter: bool, now: datetime, limit: int = 8,
                   days: int = HORIZON_DAYS) -> list[tuple[MediationRoom, Slot]]:
    """Up to `limit` (room, slot) pairs, earliest first; interpreter-equipped rooms are tried first when needed."""
    rooms = sorted(db.session.scalars(select(MediationRoom).where(
        MediationRoom.house_id == case.house_id, MediationRoom.active)),
        key=lambda r: (interpreter and not r.has_interpreter_equipment, r.name))
    if not rooms:
        return []
    start, end = now, now + timedelta(days=days + 1)
    first, last = load.local_days(start, end)
    mediator_ids = case_mediator_ids(case.id)
    room_busy: dict[int, list[Slot]] = {}
    for busy in load.room_busy([r.id for r in rooms], start, end):
        room_busy.setdefault(busy.owner_id, []).append(busy.slot)
    absent_days = set()
    for ranges in load.absences(mediator_ids, first, last).values():
        for absence in ranges:
            day = max(absence.start, first)
            while day <= min(absence.end, last):
                absent_days.add(day)
                day += timedelta(days=1)
    found = free_slots(
        house=load.house_calendar(case.house_id, first, last), rooms=[r.id for r in rooms],
        duration=timedelta(minutes=minutes), not_before=now, days=days, room_busy=room_busy,
        mediator_busy=[b.slot for b in load.mediator_busy(mediator_ids, start, end)], absent_days=absent_days,
        room_closed=load.room_closures([r.id for r in rooms], first, last), limit=limit)
    by_id = {r.id: r for r in rooms}
    return [(by_id[room_id], slot) for room_id, slot in found]
