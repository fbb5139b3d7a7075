"""Roles, scopes and the actor: who is acting and over which part of the country."""

from dataclasses import dataclass
from enum import StrEnum

from .errors import DomainError


class Role(StrEnum):
    """What a user may do; the order is not a hierarchy, each role has its own rights."""

    ADMIN = "admin"
    MANAGER = "manager"
    COORDINATOR = "coordinator"
    MEDIATOR = "mediator"


class ScopeLevel(StrEnum):
    """How far a user's view reaches."""

    REPUBLIC = "republic"
    REGION = "region"
    HOUSE = "house"


# Which scope levels make sense for each role: an admin runs the whole system; a manager oversees a
# region or the republic; coordinators and mediators work in a region or one Friendship House.
ALLOWED_SCOPES: dict[Role, frozenset[ScopeLevel]] = {
    Role.ADMIN: frozenset({ScopeLevel.REPUBLIC}),
    Role.MANAGER: frozenset({ScopeLevel.REPUBLIC, ScopeLevel.REGION}),
    Role.COORDINATOR: frozenset({ScopeLevel.REGION, ScopeLevel.HOUSE}),
    Role.MEDIATOR: frozenset({ScopeLevel.REGION, ScopeLevel.HOUSE}),
}


class ScopeInvalid(DomainError):
    """The scope given does not fit the role (for example a coordinator of the whole republic)."""

    code = "scope_invalid"


@dataclass(frozen=True)
class Actor:
    """The acting user as the rules see it: id, role and scope, nothing from the web."""

    id: int
    role: Role
    region_id: int | None = None
    house_id: int | None = None

    @property
    def scope_level(self) -> ScopeLevel:
        """Republic when no region is set, house when a house is set, region otherwise."""
        return scope_level_of(self.region_id, self.house_id)


def scope_level_of(region_id: int | None, house_id: int | None) -> ScopeLevel:
    """Name the scope level that a (region, house) pair describes."""
    if house_id is not None:
        return ScopeLevel.HOUSE
    if region_id is not None:
        return ScopeLevel.REGION
    return ScopeLevel.REPUBLIC


def check_scope(role: Role, region_id: int | None, house_id: int | None, house_region_id: int | None) -> None:
    """Refuse a scope that the role may not have or whose house lies outside its region."""
    level = scope_level_of(region_id, house_id)
    if level not in ALLOWED_SCOPES[role]:
        raise ScopeInvalid(role=role, level=level, reason_code="level_not_allowed")
    if house_id is not None and (region_id is None or house_region_id != region_id):
        raise ScopeInvalid(role=role, level=level, reason_code="house_outside_region")
