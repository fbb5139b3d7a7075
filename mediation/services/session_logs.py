"""Session logs: the mediator records what happened; edits within 24 hours, amendments after; refusals count."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..domain.case_fields import minimum_tension, raise_to
from ..domain.errors import NotAllowed
from ..domain.policies import can_log_session, can_read_confidential_notes
from ..domain.roles import Actor
from ..domain.scheduling import SessionKind
from ..domain.session_logs import (
    LogFacts,
    LogInvalid,
    LogLocked,
    LogOutcome,
    can_edit_log,
    check_log,
    signals_after_refusals,
)
from ..extensions import db
from ..models import Case, MediationSession, Mediator, Party, SessionLog, SessionLogAmendment, SessionMediator
from .case_access import access_of
from .case_lifecycle import Step, record_event
from .scheduling import session_for


@dataclass(frozen=True)
class LogEntry:
    """What the mediator writes after a session; times are naive UTC."""

    outcome: LogOutcome
    actual_start: datetime | None
    actual_end: datetime | None
    attended_party_ids: tuple[int, ...]
    absent_party_ids: tuple[int, ...]
    others_present: tuple[str, ...]
    kind: SessionKind
    summary: str
    next_steps: str
    confidential_notes: str


def _loggable(actor: Actor, session_id: int) -> tuple[MediationSession, Case]:
    session = session_for(actor, session_id, edit=True)
    case = db.session.get(Case, session.case_id)
    if not can_log_session(actor, access_of(case)):
        raise NotAllowed(actor_id=actor.id, session_id=session_id)
    return session, case


def _check(entry: LogEntry, session: MediationSession, now: datetime) -> None:
    parties = db.session.scalars(select(Party.id).where(Party.case_id == session.case_id))
    check_log(LogFacts(entry.outcome, entry.actual_start, entry.actual_end, frozenset(entry.attended_party_ids),
                       frozenset(entry.absent_party_ids)), case_party_ids=parties, session_start=session.starts_at,
              now=now)


def _fill(log: SessionLog, entry: LogEntry, session: MediationSession) -> None:
    held = entry.outcome is LogOutcome.HELD
    log.outcome, log.kind = entry.outcome, entry.kind
    log.actual_start, log.actual_end = (entry.actual_start, entry.actual_end) if held else (None, None)
    log.attended_party_ids, log.absent_party_ids = list(entry.attended_party_ids), list(entry.absent_party_ids)
    log.others_present = list(entry.others_present)
    log.summary, log.next_steps, log.confidential_notes = entry.summary, entry.next_steps, entry.confidential_notes
    log.is_caucus = entry.kind is SessionKind.SEPARATE


def _update_tension(case: Case, step: Step) -> None:
    """Two refusals to attend by one party raise the case's tension signals (and the level with them)."""
    absences = db.session.scalars(select(SessionLog.absent_party_ids).join(MediationSession).where(
        MediationSession.case_id == case.id))
    signals = signals_after_refusals(case.tension_signals or [], absences)
    if signals != list(case.tension_signals or []):
        case.tension_signals = signals
        case.tension = raise_to(case.tension, minimum_tension(signals))
        record_event(case, step, "tension_raised", data={"signal": "refusal_to_attend", "tension": case.tension.value})


def log_session(actor: Actor, session_id: int, entry: LogEntry, *, now: datetime, ip: str | None = None
                ) -> SessionLog:
    """Write the log of a session (one per session)."""
    session, case = _loggable(actor, session_id)
    if not session.active:
        raise LogInvalid(field="outcome", reason_code="session_cancelled")
    if session.log is not None:
        raise LogInvalid(field="outcome", reason_code="already_logged")
    _check(entry, session, now)
    log = SessionLog(author_id=actor.id, logged_at=now, updated_at=now)
    _fill(log, entry, session)
    session.log = log
    db.session.flush()
    step = Step(actor, case.id, case.version, now, ip)
    record_event(case, step, "session_logged", data={"session_id": session.id, "outcome": entry.outcome.value})
    _update_tension(case, step)
    return log


def edit_log(actor: Actor, session_id: int, entry: LogEntry, *, now: datetime, ip: str | None = None) -> SessionLog:
    """The author corrects the log within 24 hours of writing it; later, LogLocked (append an amendment)."""
    session, case = _loggable(actor, session_id)
    log = session.log
    if log is None:
        raise LogInvalid(field="outcome", reason_code="not_logged")
    if not can_edit_log(actor_user_id=actor.id, author_user_id=log.author_id, logged_at=log.logged_at, now=now):
        raise LogLocked(session_id=session.id)
    _check(entry, session, now)
    _fill(log, entry, session)
    log.updated_at = now
    step = Step(actor, case.id, case.version, now, ip)
    record_event(case, step, "session_log_edited", data={"session_id": session.id, "outcome": entry.outcome.value})
    _update_tension(case, step)
    return log


def amend_log(actor: Actor, session_id: int, text: str, *, confidential: bool, now: datetime,
              ip: str | None = None) -> SessionLogAmendment:
    """Append a correction to a log; the original stays as written."""
    session, case = _loggable(actor, session_id)
    if session.log is None:
        raise LogInvalid(field="text", reason_code="not_logged")
    amendment = SessionLogAmendment(log_id=session.log.id, author_id=actor.id, at=now, text=text,
                                    confidential=confidential)
    db.session.add(amendment)
    db.session.flush()
    record_event(case, Step(actor, case.id, case.version, now, ip), "session_log_amended",
                 data={"session_id": session.id, "confidential": confidential})
    return amendment


def notes_visible(actor: Actor, case: Case) -> bool:
    """True when the actor may read the confidential notes and confidential amendments of the case's logs."""
    return can_read_confidential_notes(actor, access_of(case))


def to_log_for(user_id: int, now: datetime, limit: int = 20) -> list[MediationSession]:
    """The signed-in mediator's ended sessions still waiting for a log, oldest first."""
    return list(db.session.scalars(
        select(MediationSession).options(selectinload(MediationSession.case).load_only(Case.number))
        .join(SessionMediator, SessionMediator.session_id == MediationSession.id)
        .join(Mediator, Mediator.id == SessionMediator.mediator_id).outerjoin(SessionLog)
        .where(Mediator.user_id == user_id, SessionMediator.active, MediationSession.ends_at <= now,
               SessionLog.id.is_(None)).order_by(MediationSession.ends_at).limit(limit)))
