"""Object predicates: may this actor see or change this thing? Pure, the actor is an argument."""

from dataclasses import dataclass

from .roles import Actor, Role, ScopeLevel


@dataclass(frozen=True)
class Placement:
    """Where an object lives in the organisation: its region and, if any, its Friendship House."""

    region_id: int
    house_id: int | None = None


def within_scope(actor: Actor, place: Placement) -> bool:
    """True when the place lies inside the actor's scope (republic ⊃ region ⊃ house)."""
    level = actor.scope_level
    if level is ScopeLevel.REPUBLIC:
        return True
    if level is ScopeLevel.REGION:
        return place.region_id == actor.region_id
    return place.house_id is not None and place.house_id == actor.house_id


def can_manage_users(actor: Actor) -> bool:
    """Only administrators create, edit and deactivate accounts."""
    return actor.role is Role.ADMIN


def can_view_audit(actor: Actor) -> bool:
    """Administrators read the whole audit trail (it spans every region, so managers do not)."""
    return actor.role is Role.ADMIN


def can_view_house(actor: Actor, place: Placement) -> bool:
    """Anyone signed in may see the houses of their own scope."""
    return within_scope(actor, place)


def can_manage_house(actor: Actor, place: Placement) -> bool:
    """Admins, and managers within their scope, maintain Friendship Houses and their rooms."""
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.MANAGER and within_scope(actor, place)


@dataclass(frozen=True)
class CaseAccess:
    """What the case predicates need to know about a case."""

    place: Placement
    mediator_user_ids: frozenset[int] = frozenset()


def can_view_case(actor: Actor, case: CaseAccess) -> bool:
    """Mediators see only their own cases; coordinators and managers the cases of their scope."""
    if actor.role is Role.ADMIN:
        return False  # admins run the system; case content is not theirs to read
    if actor.role is Role.MEDIATOR:
        return actor.id in case.mediator_user_ids
    return within_scope(actor, case.place)


def can_edit_case(actor: Actor, case: CaseAccess) -> bool:
    """Coordinators and managers edit cases of their scope; mediators edit only their own."""
    return can_view_case(actor, case)


def can_read_confidential_notes(actor: Actor, case: CaseAccess) -> bool:
    """Only the mediators of the case read confidential and caucus notes (Art. 8); others see that they exist."""
    return actor.role is Role.MEDIATOR and actor.id in case.mediator_user_ids


def can_schedule_sessions(actor: Actor, case: CaseAccess) -> bool:
    """Coordinators and managers of the case's scope book sessions, and the case's own mediators."""
    return actor.role in (Role.COORDINATOR, Role.MANAGER, Role.MEDIATOR) and can_view_case(actor, case)


def can_log_session(actor: Actor, case: CaseAccess) -> bool:
    """Only a mediator of the case writes the log of its sessions."""
    return actor.role is Role.MEDIATOR and actor.id in case.mediator_user_ids


def can_read_documents(actor: Actor, case: CaseAccess) -> bool:
    """Settlement documents are read, downloaded and printed by whoever may see the case (same scope)."""
    return can_view_case(actor, case)


def can_draft_document(actor: Actor, case: CaseAccess) -> bool:
    """Only the mediators of the case draft its documents: they write the terms with the parties."""
    return actor.role is Role.MEDIATOR and actor.id in case.mediator_user_ids


def can_finalise_document(actor: Actor, case: CaseAccess) -> bool:
    """Managers register (number, freeze, print) documents of their scope; coordinators and mediators do not."""
    return actor.role is Role.MANAGER and within_scope(actor, case.place)


def can_file_paper(actor: Actor, case: CaseAccess) -> bool:
    """The signed paper copy is marked and its scan filed by the case's mediators, coordinators and managers."""
    return can_edit_case(actor, case)


def can_use_document_registry(actor: Actor) -> bool:
    """The registry of documents across cases (filters, batch print) is the managers' tool."""
    return actor.role is Role.MANAGER
