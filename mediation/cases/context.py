"""What the case page shows, gathered in one place for the page and for actions that fail validation."""

from flask_login import current_user
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..domain.deadlines import deadline_status, proposal_lapsed
from ..extensions import db
from ..models import CaseAssignment, CaseEvent, FriendshipHouse, MediationSession, Party
from ..services.case_intake import may_correct_parties
from ..services.clock import utcnow
from .common import deadline_policy, today


def case_assignments(case) -> list:
    """The case's assignments, oldest first, each with its mediator (joined: one statement)."""
    return list(db.session.scalars(
        select(CaseAssignment).options(joinedload(CaseAssignment.mediator))
        .where(CaseAssignment.case_id == case.id).order_by(CaseAssignment.id)))


def detail_context(case, forms: dict, assignments: list | None = None) -> dict:
    """The case, its mediators and timeline (each with its people in the same query), deadline facts, the forms.

    A fixed number of statements whatever the case's size: the assignments with their mediators, the
    timeline with its actors (many-to-one, so joined), the sessions, and the house with the parties.
    """
    _load_house_and_parties(case)
    if assignments is None:
        assignments = case_assignments(case)
    events = list(db.session.scalars(select(CaseEvent).options(joinedload(CaseEvent.actor))
                                     .where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())))
    sessions = list(db.session.scalars(
        select(MediationSession).options(selectinload(MediationSession.room), selectinload(MediationSession.house),
                                         selectinload(MediationSession.log))
        .where(MediationSession.case_id == case.id).order_by(MediationSession.starts_at)))
    policy, now = deadline_policy(), today()
    lapsed = bool(case.proposal_sent_on) and proposal_lapsed(case.proposal_sent_on, case.proposal_accepted_on,
                                                              now, policy)
    return {"case": case, "assignments": assignments, "events": events, "forms": forms, "today": now,
            "can_edit_parties": may_correct_parties(current_user.actor, case),
            "sessions": sessions, "now_utc": utcnow(),
            "deadline_status": deadline_status(case.deadline, now, policy).value if case.deadline else None,
            "proposal_lapsed": lapsed}


def _load_house_and_parties(case) -> None:
    """The case's house and parties in one statement (the page shows both; lazily they cost two).

    The house comes first and the parties are outer-joined to it, so a case without parties still gets its
    house.
    """
    state = inspect(case)
    if "parties" not in state.unloaded:
        return
    rows = db.session.execute(
        select(FriendshipHouse, Party).outerjoin(Party, Party.case_id == case.id)
        .where(FriendshipHouse.id == case.house_id).order_by(Party.position)).all()
    set_committed_value(case, "parties", [party for _, party in rows if party is not None])
    if rows and "house" in state.unloaded:
        set_committed_value(case, "house", rows[0][0])
