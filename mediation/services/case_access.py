"""Loading a case for an actor: the object check behind every case page and action."""

from sqlalchemy import select

from ..domain.errors import DomainError, NotAllowed
from ..domain.policies import CaseAccess, Placement, can_edit_case, can_view_case
from ..domain.roles import Actor
from ..extensions import db
from ..models import Case, CaseAssignment, Mediator


class CaseNotFound(DomainError):
    """No such case, or one the actor may not know exists."""

    code = "case_not_found"


# A mediator keeps seeing a case they worked on to its end; one who declined, recused or was objected to
# loses it at once.
WORKING_STATUSES = ("proposed", "accepted")


def mediator_user_ids(case_id: int) -> frozenset[int]:
    """User ids of the mediators on the case (now, or until it closed)."""
    rows = db.session.scalars(
        select(Mediator.user_id).join(CaseAssignment, CaseAssignment.mediator_id == Mediator.id)
        .where(CaseAssignment.case_id == case_id, CaseAssignment.status.in_(WORKING_STATUSES),
               Mediator.user_id.is_not(None)))
    return frozenset(rows)


def cases_of_mediator_user(user_id: int):
    """A subquery of the ids of the cases a mediator user works or worked on (the list-scope twin of the above)."""
    return (select(CaseAssignment.case_id).join(Mediator, Mediator.id == CaseAssignment.mediator_id)
            .where(Mediator.user_id == user_id, CaseAssignment.status.in_(WORKING_STATUSES)))


def access_of(case: Case) -> CaseAccess:
    """What the predicates need to know about a case."""
    return CaseAccess(place=Placement(case.region_id, case.house_id), mediator_user_ids=mediator_user_ids(case.id))


def case_for(actor: Actor, case_id: int, *, edit: bool = False, lock: bool | None = None) -> Case:
    """Load a case the actor may see (or edit); otherwise CaseNotFound, so its existence stays private.

    `lock` (by default: when editing) reads the row locked and fresh; a page that only shows what an editor
    may do passes lock=False.
    """
    # Loading for a change locks the row (SELECT … FOR UPDATE on PostgreSQL; SQLite's write transaction
    # is already exclusive), so two saves of the same version are serialised and the second sees the first.
    # A GET needs no lock: on PostgreSQL FOR UPDATE writes the row's lock into its tuple.
    lock = edit if lock is None else lock
    case = db.session.get(Case, case_id, with_for_update=lock or None, populate_existing=lock)
    if case is None:
        raise CaseNotFound(case_id=case_id)
    access = access_of(case)
    if not can_view_case(actor, access):
        raise CaseNotFound(case_id=case_id)
    if edit and not can_edit_case(actor, access):
        raise NotAllowed(actor_id=actor.id, case_id=case_id)
    return case
