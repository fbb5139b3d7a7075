"""Reading and changing a region's assignment policy (managers; every change audited)."""

from datetime import datetime

from sqlalchemy import select

from ..domain.assignment_filters import AssignmentPolicy
from ..domain.errors import NotAllowed
from ..domain.policies import Placement, within_scope
from ..domain.roles import Actor, Role
from ..extensions import db
from ..models import AssignmentPolicyRecord
from . import audit

FIELDS = ("weights", "horizon_days", "co_mediation_for_interethnic", "co_mediation_for_high_tension",
          "allow_republic_pool", "ethnicity_mode")


def can_set_policy(actor: Actor, region_id: int) -> bool:
    """Managers set the policy of the regions in their scope."""
    return actor.role is Role.MANAGER and within_scope(actor, Placement(region_id))


def record_for(region_id: int) -> AssignmentPolicyRecord | None:
    """The stored policy row of a region, if its manager ever saved one."""
    return db.session.scalar(select(AssignmentPolicyRecord).where(AssignmentPolicyRecord.region_id == region_id))


def save_policy(actor: Actor, region_id: int, policy: AssignmentPolicy, *, ip: str | None,
                now: datetime) -> AssignmentPolicyRecord:
    """Validate and store the policy; the audit entry lists what changed, from and to."""
    if not can_set_policy(actor, region_id):
        raise NotAllowed(actor_id=actor.id, action="set_policy")
    policy.validate()
    record = record_for(region_id) or AssignmentPolicyRecord(region_id=region_id, weights={})
    new = {"weights": {k: float(v) for k, v in policy.weights.items()}, "horizon_days": policy.horizon_days,
           "co_mediation_for_interethnic": policy.co_mediation_required_for_interethnic,
           "co_mediation_for_high_tension": policy.co_mediation_required_for_high_tension,
           "allow_republic_pool": policy.allow_republic_pool, "ethnicity_mode": str(policy.ethnicity_mode)}
    old = {name: getattr(record, name) for name in FIELDS} if record.id else {}
    changes = {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}
    for name, value in new.items():
        setattr(record, name, value)
    record.updated_at, record.updated_by_id = now, actor.id
    db.session.add(record)
    db.session.flush()
    audit.record("assignment.policy", actor_id=actor.id, ip=ip, object_type="region", object_id=region_id,
                 summary=changes, now=now)
    return record
