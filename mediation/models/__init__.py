"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from .audit import AuditEvent
from .mediator import Mediator, MediatorLanguage
from .org import FriendshipHouse, MediationRoom, Region
from .user import User

__all__ = ["AuditEvent", "FriendshipHouse", "MediationRoom", "Mediator", "MediatorLanguage", "Region", "User"]
