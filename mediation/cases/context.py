"""What the case page shows, gathered in one place for the page and for actions that fail validation."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..domain.deadlines import deadline_status, proposal_lapsed
from ..extensions import db
from ..models import CaseAssignment, CaseEvent, MediationSession
from ..services.clock import utcnow
from .common import deadline_policy, today


def detail_context(case, forms: dict) -> dict:
    """The case, its mediators and timeline (with actors loaded in one query), deadline facts, the forms."""
    assignments = list(db.session.scalars(
        select(CaseAssignment).options(selectinload(CaseAssignment.mediator))
        .where(CaseAssignment.case_id == case.id).order_by(CaseAssignment.id)))
    events = list(db.session.scalars(select(CaseEvent).options(selectinload(CaseEvent.actor))
                                     .where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())))
    sessions = list(db.session.scalars(
        select(MediationSession).options(selectinload(MediationSession.room), selectinload(MediationSession.house),
                                         selectinload(MediationSession.log))
        .where(MediationSession.case_id == case.id).order_by(MediationSession.starts_at)))
    policy, now = deadline_policy(), today()
    lapsed = bool(case.proposal_sent_on) and proposal_lapsed(case.proposal_sent_on, case.proposal_accepted_on,
                                                              now, policy)
    return {"case": case, "assignments": assignments, "events": events, "forms": forms, "today": now,
            "sessions": sessions, "now_utc": utcnow(),
            "deadline_status": deadline_status(case.deadline, now, policy).value if case.deadline else None,
            "proposal_lapsed": lapsed}
