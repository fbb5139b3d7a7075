"""What the registry service tests share: their dates, and helpers that create a record and read it back."""

from datetime import date

from sqlalchemy import func, select

from mediation.extensions import db
from mediation.models import AuditEvent, Mediator
from mediation.services import registry
from tests import case_factories as cf

TODAY = date(2025, 3, 12)
NOW = cf.at(TODAY)
RECEIVED = date(2025, 3, 3)


def create(actor, data):
    return registry.create_mediator(actor, data, ip="127.0.0.1", now=NOW, today=TODAY)


def mediator_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Mediator))


def audit_actions(mediator_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "mediator", AuditEvent.object_id == str(mediator_id)).order_by(AuditEvent.id)))

