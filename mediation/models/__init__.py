"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from . import standing_ddl  # noqa: F401 - registers the standing triggers for create_all
from .assignment import CaseAssignment
from .audit import AuditEvent
from .case import Case, CaseEvent, CaseNumberCounter, Party
from .case_pg_ddl import POSTGRES_ONLY
from .document import Document, DocumentNumberCounter, DocumentScan
from .mediator import (
    AssignmentPolicyRecord,
    Mediator,
    MediatorAbsence,
    MediatorCategoryStats,
    MediatorLanguage,
    MediatorSpecialization,
    MediatorWeeklyHours,
)
from .org import FriendshipHouse, HouseClosure, HouseOpeningHours, MediationRoom, Region, RoomClosure
from .search_ddl import is_search_object
from .session import (
    BOOKING_EXCLUSIONS,
    CalendarFeed,
    MediationSession,
    SessionLog,
    SessionLogAmendment,
    SessionMediator,
    SessionParty,
)
from .user import User

__all__ = [
    "Document", "DocumentNumberCounter", "DocumentScan",
    "AssignmentPolicyRecord", "AuditEvent", "CalendarFeed", "Case", "CaseAssignment", "CaseEvent",
    "CaseNumberCounter", "FriendshipHouse", "HouseClosure", "HouseOpeningHours", "MediationRoom", "MediationSession",
    "Mediator", "MediatorAbsence", "MediatorCategoryStats", "MediatorLanguage", "MediatorSpecialization",
    "MediatorWeeklyHours", "Party", "Region", "RoomClosure", "SessionLog", "SessionLogAmendment", "SessionMediator",
    "SessionParty", "User", "is_hand_made_object", "is_search_object",
]


def is_hand_made_object(name: str | None) -> bool:
    """True for engine-specific objects (search structures, exclusion constraints, the case list's PostgreSQL
    helpers) the metadata leaves out."""
    return is_search_object(name) or name in BOOKING_EXCLUSIONS or name in POSTGRES_ONLY
