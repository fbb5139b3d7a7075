"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from .assignment import CaseAssignment
from .audit import AuditEvent
from .case import Case, CaseEvent, CaseNumberCounter, Party
from .mediator import (
    AssignmentPolicyRecord,
    Mediator,
    MediatorAbsence,
    MediatorCategoryStats,
    MediatorLanguage,
    MediatorSpecialization,
    MediatorWeeklyHours,
)
from .org import FriendshipHouse, MediationRoom, Region
from .search_ddl import is_search_object
from .user import User

__all__ = [
    "AssignmentPolicyRecord", "AuditEvent", "Case", "CaseAssignment", "CaseEvent", "CaseNumberCounter",
    "FriendshipHouse", "MediationRoom", "Mediator", "MediatorAbsence", "MediatorCategoryStats", "MediatorLanguage",
    "MediatorSpecialization", "MediatorWeeklyHours", "Party", "Region", "User", "is_search_object",
]
