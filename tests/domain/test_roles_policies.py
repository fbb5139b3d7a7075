"""Roles, scopes and object predicates."""

import pytest

from mediation.domain.policies import (
    CaseAccess,
    Placement,
    can_edit_case,
    can_manage_house,
    can_manage_users,
    can_view_audit,
    can_view_case,
    within_scope,
)
from mediation.domain.roles import Actor, Role, ScopeInvalid, ScopeLevel, check_scope

REPUBLIC_MANAGER = Actor(1, Role.MANAGER)
REGION_MANAGER = Actor(2, Role.MANAGER, region_id=10)
HOUSE_COORDINATOR = Actor(3, Role.COORDINATOR, region_id=10, house_id=100)
REGION_COORDINATOR = Actor(4, Role.COORDINATOR, region_id=10)
MEDIATOR = Actor(5, Role.MEDIATOR, region_id=10, house_id=100)
ADMIN = Actor(6, Role.ADMIN)


@pytest.mark.parametrize(("role", "region", "house", "house_region", "ok"), [
    (Role.ADMIN, None, None, None, True),
    (Role.ADMIN, 10, None, None, False),
    (Role.MANAGER, None, None, None, True),
    (Role.MANAGER, 10, None, None, True),
    (Role.MANAGER, 10, 100, 10, False),
    (Role.COORDINATOR, None, None, None, False),
    (Role.COORDINATOR, 10, None, None, True),
    (Role.COORDINATOR, 10, 100, 10, True),
    (Role.COORDINATOR, 10, 100, 11, False),  # the house lies in another region
    (Role.COORDINATOR, None, 100, 10, False),  # a house without its region
    (Role.MEDIATOR, 10, 100, 10, True),
])
def test_check_scope(role, region, house, house_region, ok):
    if ok:
        check_scope(role, region, house, house_region)
    else:
        with pytest.raises(ScopeInvalid):
            check_scope(role, region, house, house_region)


def test_scope_levels():
    assert REPUBLIC_MANAGER.scope_level is ScopeLevel.REPUBLIC
    assert REGION_MANAGER.scope_level is ScopeLevel.REGION
    assert HOUSE_COORDINATOR.scope_level is ScopeLevel.HOUSE


@pytest.mark.parametrize(("actor", "place", "inside"), [
    (REPUBLIC_MANAGER, Placement(11, 200), True),
    (REGION_MANAGER, Placement(10, 200), True),
    (REGION_MANAGER, Placement(11, 200), False),
    (HOUSE_COORDINATOR, Placement(10, 100), True),
    (HOUSE_COORDINATOR, Placement(10, 101), False),
    (HOUSE_COORDINATOR, Placement(10, None), False),
    (REGION_COORDINATOR, Placement(10, 101), True),
])
def test_within_scope(actor, place, inside):
    assert within_scope(actor, place) is inside


def test_only_admins_manage_users_and_read_the_audit_trail():
    assert can_manage_users(ADMIN) and can_view_audit(ADMIN)
    for actor in (REPUBLIC_MANAGER, HOUSE_COORDINATOR, MEDIATOR):
        assert not can_manage_users(actor) and not can_view_audit(actor)


def test_house_management():
    assert can_manage_house(ADMIN, Placement(11, 1))
    assert can_manage_house(REGION_MANAGER, Placement(10, 1))
    assert not can_manage_house(REGION_MANAGER, Placement(11, 1))
    assert not can_manage_house(HOUSE_COORDINATOR, Placement(10, 100))


@pytest.mark.parametrize(("actor", "case", "view"), [
    (MEDIATOR, CaseAccess(Placement(10, 100), frozenset({5})), True),
    (MEDIATOR, CaseAccess(Placement(10, 100), frozenset({9})), False),  # same house, not their case
    (HOUSE_COORDINATOR, CaseAccess(Placement(10, 100)), True),
    (HOUSE_COORDINATOR, CaseAccess(Placement(10, 101)), False),
    (REGION_MANAGER, CaseAccess(Placement(11, 300)), False),
    (REPUBLIC_MANAGER, CaseAccess(Placement(11, 300)), True),
    (ADMIN, CaseAccess(Placement(10, 100)), False),  # admins run the system, not the cases
])
def test_case_predicates(actor, case, view):
    assert can_view_case(actor, case) is view
    assert can_edit_case(actor, case) is view
