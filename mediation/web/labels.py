"""Translated labels for enum values shown in the interface."""

from flask_babel import lazy_gettext as _l

from ..domain.roles import Role, ScopeLevel

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.MANAGER: _l("Manager"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.MEDIATOR: _l("Mediator"),
}

SCOPE_LABELS = {
    ScopeLevel.REPUBLIC: _l("Whole republic"),
    ScopeLevel.REGION: _l("Region"),
    ScopeLevel.HOUSE: _l("Friendship House"),
}


def role_label(role) -> str:
    """The translated name of a role."""
    return str(ROLE_LABELS.get(Role(role), role))


def scope_label(level) -> str:
    """The translated name of a scope level."""
    return str(SCOPE_LABELS.get(ScopeLevel(level), level))
