"""Booking, rescheduling and cancelling sessions: check every clash, write, and let the database back the check.

On PostgreSQL two bookings that pass the check at the same moment still cannot both land: the exclusion
constraint refuses the second at flush, and that refusal becomes the same BookingConflict the check raises.
On SQLite writes begin IMMEDIATE, so the check and the insert of one request cannot interleave with another.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain.case_states import CaseState
from ..domain.errors import DomainError, NotAllowed
from ..domain.policies import can_schedule_sessions
from ..domain.roles import Actor
from ..domain.scheduling import (
    BookingCheck,
    BookingConflict,
    BookingContext,
    Clash,
    ClashKind,
    SessionKind,
    Slot,
    Venue,
    check_booking,
)
from ..extensions import db
from ..models import Case, MediationRoom, MediationSession, Party, SessionMediator, SessionParty
from ..models.session import ACTIVE
from . import schedule_context as load
from .case_access import WORKING_STATUSES, access_of, case_for
from .case_lifecycle import Step, record_event

EXCLUSION_VIOLATION = "23P01"


class SessionInvalid(DomainError):
    """The booking form contradicts the case (field, reason_code)."""

    code = "session_invalid"


class SessionNotFound(DomainError):
    """No such session, or one the actor may not know exists."""

    code = "session_not_found"


@dataclass(frozen=True)
class SessionPlan:
    """What the coordinator asks for; times are naive UTC."""

    venue: Venue
    room_id: int | None
    offsite_address: str | None
    start: datetime
    end: datetime
    kind: SessionKind
    mediator_ids: tuple[int, ...]
    party_ids: tuple[int, ...]
    interpreter_needed: bool = False


def case_mediator_ids(case_id: int) -> list[int]:
    """The mediators working on the case now (lead first)."""
    from ..models import CaseAssignment

    return list(db.session.scalars(select(CaseAssignment.mediator_id).where(
        CaseAssignment.case_id == case_id, CaseAssignment.ended_at.is_(None),
        CaseAssignment.status.in_(WORKING_STATUSES)).order_by(CaseAssignment.role.desc(), CaseAssignment.id)))


def _validate(case: Case, plan: SessionPlan) -> MediationRoom | None:
    """Refuse what contradicts the case before any clash is looked for."""
    if not plan.mediator_ids:
        raise SessionInvalid(field="mediator_ids", reason_code="no_mediator")
    if not set(plan.mediator_ids) <= set(case_mediator_ids(case.id)):
        raise SessionInvalid(field="mediator_ids", reason_code="not_on_case")
    party_ids = set(db.session.scalars(select(Party.id).where(Party.case_id == case.id)))
    if not plan.party_ids or not set(plan.party_ids) <= party_ids:
        raise SessionInvalid(field="party_ids", reason_code="unknown_party")
    if plan.kind is SessionKind.SEPARATE and len(plan.party_ids) != 1:
        raise SessionInvalid(field="party_ids", reason_code="separate_needs_one_party")
    if plan.venue is Venue.ROOM:
        room = db.session.get(MediationRoom, plan.room_id) if plan.room_id else None
        if room is None or room.house.region_id != case.region_id:
            raise SessionInvalid(field="room_id", reason_code="unknown_room")
        return room
    if plan.venue is Venue.OFFSITE and not plan.offsite_address:
        raise SessionInvalid(field="offsite_address", reason_code="address_needed")
    return None


def check_plan(case: Case, plan: SessionPlan, room: MediationRoom | None, now: datetime,
               session_id: int | None = None) -> BookingCheck:
    """Load the narrow facts and run the domain check."""
    facts = load.booking_facts(room.id if room else None, room.house_id if room else None, plan.mediator_ids,
                               plan.start, plan.end)
    ctx = BookingContext(
        now=now, case_open=case.state not in (CaseState.CLOSED,), deadline=case.deadline, house=facts["house"],
        room_active=(room.active and room.house.active) if room else True,  # a house out of use closes its rooms
        room_closures=facts["room_closures"], room_busy=facts["room_busy"], mediator_busy=facts["mediator_busy"],
        mediator_absences=facts["absences"])
    return check_booking(Slot(plan.start, plan.end), room_id=room.id if room else None,
                         mediator_ids=plan.mediator_ids, ctx=ctx, session_id=session_id)


def _schedulable_case(actor: Actor, case_id: int) -> Case:
    case = case_for(actor, case_id, edit=True)
    if not can_schedule_sessions(actor, access_of(case)):
        raise NotAllowed(actor_id=actor.id, case_id=case_id)
    return case


def _flush_or_conflict(room_id: int | None) -> None:
    """Flush; an exclusion-constraint refusal (a race the check lost) becomes a BookingConflict."""
    try:
        db.session.flush()
    except IntegrityError as error:
        if getattr(error.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", "") or ""
        kind = ClashKind.MEDIATOR_BUSY if "mediator" in constraint else ClashKind.ROOM_BOOKED
        raise BookingConflict(clashes=(Clash(kind, room_id if kind is ClashKind.ROOM_BOOKED else None),),
                              raced=True) from None


def _set_people(session: MediationSession, plan: SessionPlan) -> None:
    """Expected mediators (with the interval copied) and invited parties, updated in place on a reschedule."""
    kept = {row.mediator_id: row for row in session.mediators if row.mediator_id in plan.mediator_ids}
    for row in kept.values():
        row.starts_at, row.ends_at, row.active = plan.start, plan.end, True
    session.mediators = [kept.get(m) or SessionMediator(mediator_id=m, starts_at=plan.start, ends_at=plan.end,
                                                         active=True) for m in plan.mediator_ids]
    invited = {row.party_id: row for row in session.parties}
    session.parties = [invited.get(p) or SessionParty(party_id=p) for p in plan.party_ids]


def _event_data(session: MediationSession) -> dict:
    # The timeline shows when and where; never who was invited (names stay in the case).
    return {"session_id": session.id, "starts_at": session.starts_at.isoformat(timespec="minutes"),
            "ends_at": session.ends_at.isoformat(timespec="minutes"), "venue": session.venue.value,
            "room_id": session.room_id}


def book(actor: Actor, case_id: int, plan: SessionPlan, *, now: datetime, ip: str | None = None
         ) -> tuple[MediationSession, BookingCheck]:
    """Book a session for the case, or raise BookingConflict naming every clash."""
    case = _schedulable_case(actor, case_id)
    room = _validate(case, plan)
    check = check_plan(case, plan, room, now)
    if not check.ok:
        raise BookingConflict(clashes=check.clashes)
    session = MediationSession(
        case_id=case.id, house_id=room.house_id if room else case.house_id, room_id=room.id if room else None,
        venue=plan.venue, offsite_address=plan.offsite_address if plan.venue is Venue.OFFSITE else None,
        starts_at=plan.start, ends_at=plan.end, kind=plan.kind, interpreter_needed=plan.interpreter_needed,
        status=ACTIVE, created_at=now, created_by_id=actor.id, updated_at=now)
    _set_people(session, plan)
    db.session.add(session)
    _flush_or_conflict(session.room_id)
    record_event(case, Step(actor, case.id, case.version, now, ip), "session_booked", data=_event_data(session))
    return session, check


def session_for(actor: Actor, session_id: int, *, edit: bool = False) -> MediationSession:
    """Load a session whose case the actor may see (and change); otherwise SessionNotFound."""
    from .case_access import CaseNotFound

    session = db.session.get(MediationSession, session_id)
    if session is None:
        raise SessionNotFound(session_id=session_id)
    try:
        case_for(actor, session.case_id, edit=edit)
    except CaseNotFound:
        raise SessionNotFound(session_id=session_id) from None
    return session


def reschedule(actor: Actor, session_id: int, version: int, plan: SessionPlan, reason: str, *, now: datetime,
               ip: str | None = None) -> tuple[MediationSession, BookingCheck]:
    """Move a booked session to another time or place; the same clash rules apply, itself excluded."""
    session = session_for(actor, session_id, edit=True)
    case = _schedulable_case(actor, session.case_id)
    if session.version != version:
        raise SessionChanged(session_id=session.id)
    if not session.active or session.log is not None:
        raise SessionInvalid(field="starts_at", reason_code="not_movable")
    room = _validate(case, plan)
    check = check_plan(case, plan, room, now, session_id=session.id)
    if not check.ok:
        raise BookingConflict(clashes=check.clashes)
    before = _event_data(session)
    session.venue, session.room_id = plan.venue, room.id if room else None
    session.house_id = room.house_id if room else case.house_id
    session.offsite_address = plan.offsite_address if plan.venue is Venue.OFFSITE else None
    session.starts_at, session.ends_at, session.kind = plan.start, plan.end, plan.kind
    session.interpreter_needed, session.updated_at = plan.interpreter_needed, now
    _set_people(session, plan)
    _flush_or_conflict(session.room_id)
    record_event(case, Step(actor, case.id, case.version, now, ip), "session_rescheduled", reason=reason,
                 data={**_event_data(session), "was": before["starts_at"], "was_room_id": before["room_id"]})
    return session, check


def cancel(actor: Actor, session_id: int, version: int, reason: str, *, now: datetime, ip: str | None = None
           ) -> MediationSession:
    """Cancel a booked session with a reason; the room and the mediators are free again."""
    session = session_for(actor, session_id, edit=True)
    case = _schedulable_case(actor, session.case_id)
    if session.version != version:
        raise SessionChanged(session_id=session.id)
    if not session.active or session.log is not None:
        raise SessionInvalid(field="reason", reason_code="not_cancellable")
    session.status, session.cancel_reason, session.updated_at = "cancelled", reason, now
    for row in session.mediators:
        row.active = False
    db.session.flush()
    record_event(case, Step(actor, case.id, case.version, now, ip), "session_cancelled", reason=reason,
                 data=_event_data(session))
    return session


class SessionChanged(DomainError):
    """Someone changed the session since the form was loaded."""

    code = "session_changed"
