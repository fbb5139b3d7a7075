"""Demo sessions: past ones logged by the demo mediator, coming ones for every mediation in progress.

Booked through the real services, so every demo session passed the same clash rules as a user's would.
"""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from .domain.case_states import CaseState
from .domain.roles import Actor, Role
from .domain.scheduling import BookingConflict, SessionKind, Venue, local_to_utc
from .domain.session_logs import LogOutcome
from .extensions import db
from .models import Case, MediationRoom, Mediator, Party, User
from .services import scheduling, session_logs
from .services.scheduling import SessionInvalid, SessionPlan
from .services.session_logs import LogEntry

STARTS = (time(9, 30), time(11, 0), time(14, 0), time(15, 30))


def _plan(case: Case, room_id: int, mediator_ids: list[int], party_ids: list[int], day: date, start: time,
          kind: SessionKind) -> SessionPlan:
    begin = local_to_utc(datetime.combine(day, start))
    parties = party_ids[:1] if kind is SessionKind.SEPARATE else party_ids
    return SessionPlan(venue=Venue.ROOM, room_id=room_id, offsite_address=None, start=begin,
                       end=begin + timedelta(minutes=90), kind=kind, mediator_ids=tuple(mediator_ids),
                       party_ids=tuple(parties))


def _book(actor: Actor, case: Case, rooms: list[int], mediator_ids: list[int], party_ids: list[int],
          days: list[date], kind: SessionKind, now: datetime):
    """Book the first free (day, start, room) of the candidates; None when every one clashes."""
    for day in days:
        for start in STARTS:
            for room_id in rooms:
                try:
                    session, _ = scheduling.book(actor, case.id, _plan(case, room_id, mediator_ids, party_ids, day,
                                                                       start, kind), now=now)
                    return session
                except (BookingConflict, SessionInvalid):
                    continue
    return None


def seed_sessions(today: date, rng_seed: int = 2028) -> int:
    """Book sessions for the demo cases in mediation; the demo mediator's past ones are logged (one is left)."""
    rng = random.Random(rng_seed)
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER, User.region_id.is_(None)))
    actor = Actor(id=manager.id, role=Role.MANAGER)
    demo = db.session.scalar(select(Mediator).where(Mediator.user_id.is_not(None)))
    cases = db.session.scalars(select(Case).where(Case.state == CaseState.IN_MEDIATION).order_by(Case.id)).all()
    count, left_unlogged = 0, False
    for case in cases:
        rooms = list(db.session.scalars(select(MediationRoom.id).where(MediationRoom.house_id == case.house_id,
                                                                      MediationRoom.active)))
        mediator_ids = scheduling.case_mediator_ids(case.id)
        party_ids = list(db.session.scalars(select(Party.id).where(Party.case_id == case.id).order_by(Party.position)))
        if not rooms or not mediator_ids:
            continue
        rng.shuffle(rooms)
        ahead = [today + timedelta(days=n) for n in range(1, 15)]
        if _book(actor, case, rooms, mediator_ids, party_ids, ahead, SessionKind.JOINT,
                 datetime.combine(today, time(0))):
            count += 1
        if demo is None or mediator_ids[0] != demo.id or case.contract_signed_on >= today - timedelta(days=1):
            continue
        past = [case.contract_signed_on + timedelta(days=n) for n in range(1, (today - case.contract_signed_on).days)]
        kind = rng.choice([SessionKind.JOINT, SessionKind.SEPARATE])
        booked_at = datetime.combine(case.contract_signed_on, time(0))
        session = _book(actor, case, rooms, mediator_ids, party_ids, past, kind, booked_at)
        if session is None:
            continue
        count += 1
        if not left_unlogged:
            left_unlogged = True  # the demo mediator's home shows one session still to log
            continue
        mediator_actor = Actor(id=demo.user_id, role=Role.MEDIATOR, region_id=demo.region_id, house_id=demo.house_id)
        invited = [p.party_id for p in session.parties]
        session_logs.log_session(mediator_actor, session.id, LogEntry(
            outcome=LogOutcome.HELD, actual_start=session.starts_at + timedelta(minutes=5),
            actual_end=session.ends_at, attended_party_ids=tuple(invited), absent_party_ids=(), others_present=(),
            kind=session.kind, summary="Тараптар ұстанымдарын айтты / Стороны изложили позиции.",
            next_steps="Келесі кездесуде келісім жобасы / Проект соглашения на следующей встрече.",
            confidential_notes="Демо: құпия жазба / конфиденциальная заметка."),
            now=session.ends_at + timedelta(hours=1))
    db.session.flush()
    return count
