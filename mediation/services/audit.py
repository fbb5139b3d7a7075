"""Writing to the audit trail; every use case that changes something calls record()."""

import logging

from ..extensions import db
from ..models import AuditEvent
from .clock import utcnow

log = logging.getLogger("mediation.audit")


def record(action: str, *, actor_id: int | None, ip: str | None, object_type: str | None = None,
           object_id: object = None, summary: dict | None = None, now=None) -> AuditEvent:
    """Append one audit event (flushed with the rest of the unit of work)."""
    event = AuditEvent(
        at=now or utcnow(),
        actor_id=actor_id or None,  # 0 is the command line, which has no account
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary or {},
        ip=ip,
    )
    db.session.add(event)
    log.debug("audit action=%s actor=%s object=%s:%s", action, actor_id, object_type, object_id)
    return event
