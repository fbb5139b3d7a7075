"""What the case lifecycle tests share: the dates of their case, and helpers that walk and read it."""

from datetime import date

from sqlalchemy import select

from mediation.extensions import db
from mediation.models import AuditEvent, CaseEvent
from tests import case_factories as cf

RECEIVED = date(2025, 3, 3)
SIGNED = date(2025, 3, 10)
DEADLINE = date(2025, 4, 9)  # signed + 30 calendar days
POLICY = cf.POLICY


def in_mediation(case, coordinator, mediator_entry):
    """Walk the case to a mediation that started on SIGNED."""
    cf.advance(case, "in_mediation", coordinator, lead_id=mediator_entry.id, signed_on=SIGNED)
    db.session.commit()
    return case


def events_of(case) -> list[CaseEvent]:
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))


def audit_of(case) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "case",
                                                            AuditEvent.object_id == str(case.id))
                                   .order_by(AuditEvent.id)))
