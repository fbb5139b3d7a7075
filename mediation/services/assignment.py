"""Assigning mediators: suggestions with reasons, the assignment itself, and the mediator's answer.

The capacity check runs under a lock on the mediator's row (SELECT … FOR UPDATE on PostgreSQL; the
write transaction is IMMEDIATE on SQLite), so two coordinators cannot both take a mediator's last slot.
"""

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..domain.assignment_filters import Exclusion, ExclusionReason, Factor
from ..domain.assignment_scoring import ScoredCandidate, Suggestions
from ..domain.case_states import CaseState
from ..domain.errors import DomainError
from ..domain.mediator_eligibility import EligibilityThresholds
from ..domain.roles import Actor, Role
from ..extensions import db
from ..models import Case, CaseAssignment, Mediator
from . import audit, suggestion_pools
from .assignment_inputs import case_inputs, conflicts_by_case, policy_for
from .case_access import WORKING_STATUSES, case_for
from .case_lifecycle import (
    MediatorUnavailable,
    Step,
    assign_mediators,
    load_for_change,
    lock_mediators_on,
    record_event,
    release_mediators,
    save,
)
from .registry_queries import takes_capacity

CONFLICT_TIES = ("kinship", "clan", "same_village", "business_ties", "employment_ties", "association_member",
                 "earlier_advice")


class OverrideReasonRequired(DomainError):
    """Someone other than the top candidate was chosen without a written reason."""

    code = "override_reason_required"


class CoMediatorRequired(DomainError):
    """The region's policy asks for two mediators on this case and two can be had."""

    code = "co_mediator_required"


class DeclarationMissing(DomainError):
    """Accepting needs the explicit declaration that nothing impedes impartiality (Art. 7)."""

    code = "declaration_missing"


class NotYourAssignment(DomainError):
    """The acting mediator has no pending or accepted assignment on this case."""

    code = "not_your_assignment"


class ConflictDeclared(DomainError):
    """A mediator who declares a tie with a party cannot accept: they must decline."""

    code = "conflict_declared"


# How many ranked candidates the screen shows as cards (the lists offer more: cases/assign.py CHOICES_SHOWN).
SHOWN_RANKED = 25


@dataclass(frozen=True)
class SuggestionView:
    """Suggestions with the mediators' names, for the screen and for the assignment check.

    `mediators` names every ranked and excluded mediator; `rows` holds the registry rows of the ones shown
    as cards (the top SHOWN_RANKED and the proposed pair), which is all the screen needs beyond names. The
    suggestions are a pool's (services/suggestion_pools.py), whose lists build an entry when it is read.
    """

    suggestions: Suggestions
    mediators: dict[int, str]
    rows: dict[int, Mediator] = field(default_factory=dict)

    @property
    def top(self) -> ScoredCandidate | None:
        """The best-ranked candidate, if any."""
        return self.suggestions.ranked[0] if self.suggestions.ranked else None

    def exclusion_of(self, mediator_id: int) -> Exclusion | None:
        """Why a mediator was left out, if they were."""
        return self.suggestions.excluded.find(mediator_id)

    def scored(self, mediator_id: int) -> ScoredCandidate | None:
        """The breakdown of a ranked mediator."""
        return self.suggestions.ranked.find(mediator_id)

    @cached_property
    def excluded_reason_counts(self) -> list[tuple[ExclusionReason, int]]:
        """How many excluded mediators fail each filter, in the filters' order (one mediator may fail several)."""
        return self.suggestions.excluded.reason_counts()

    def excluded_matching(self, name: str | None = None, reason: str | None = None) -> list[Exclusion]:
        """The excluded mediators whose name contains `name` (case-insensitive) and who fail `reason`."""
        try:
            failing = ExclusionReason(reason) if reason else None
        except ValueError:
            return []
        folded = (name or "").strip().casefold()
        names = self.mediators
        return self.suggestions.excluded.matching(
            failing, (lambda mediator_id: folded in names.get(mediator_id, "").casefold()) if folded else None)


def suggestions_for(actor: Actor, case_id: int, *, today, thresholds: EligibilityThresholds) -> SuggestionView:
    """Rank the region's mediators (or the republic's, if the policy allows) for one case."""
    # No lock: the page reads; assign() takes the locks and checks the version (the view has the case loaded).
    case = case_for(actor, case_id, edit=True, lock=False)
    policy = policy_for(case.region_id)
    case_input = case_inputs([case.id])[0]
    party_ids = frozenset(p.id for p in case_input.parties)
    conflicts = {m: party_ids for m in conflicts_by_case([case.id]).get(case.id, set())}
    region_id = None if policy.allow_republic_pool else case.region_id
    result, names = suggestion_pools.suggestions(region_id, case_input, policy, conflicts, today=today,
                                                 thresholds=thresholds)
    shown = {s.mediator_id for s in result.ranked[:SHOWN_RANKED]} | set(result.pair.mediator_ids if result.pair else ())
    rows = {m.id: m for m in db.session.scalars(
        select(Mediator).where(Mediator.id.in_(shown))
        .options(joinedload(Mediator.house), joinedload(Mediator.region)))} if shown else {}
    return SuggestionView(result, names, rows)  # the pool's names: every ranked and excluded mediator


def _lock_and_count(mediator_id: int) -> tuple[Mediator, int]:
    """Lock the mediator's row for this transaction, then count their open cases."""
    mediator = db.session.scalar(select(Mediator).where(Mediator.id == mediator_id).with_for_update())
    if mediator is None:
        raise MediatorUnavailable(mediator_id=mediator_id, reason_code="not_in_region")
    open_cases = db.session.scalar(select(func.count()).select_from(CaseAssignment).where(
        CaseAssignment.mediator_id == mediator_id, *takes_capacity()))
    return mediator, open_cases


def assign(step: Step, lead_id: int, co_id: int | None, *, note: str | None, override_reason: str | None,
           view: SuggestionView) -> Case:
    """Assign a lead (and co-mediator) chosen from the suggestions; passing over the top one needs a reason."""
    chosen = [m for m in (lead_id, co_id) if m is not None]
    for mediator_id in chosen:
        excluded = view.exclusion_of(mediator_id)
        if excluded is not None or view.scored(mediator_id) is None:
            raise MediatorUnavailable(mediator_id=mediator_id, reason_code="excluded",
                                      reasons=[r.value for r in excluded.reasons] if excluded else [])
    top = view.top
    if view.suggestions.needs_co_mediator and co_id is None and len(view.suggestions.ranked) >= 2:
        raise CoMediatorRequired(case_id=step.case_id)
    if co_id is not None and co_id == lead_id:
        raise MediatorUnavailable(mediator_id=co_id, reason_code="same_as_lead")
    if top is not None and lead_id != top.mediator_id and not (override_reason or "").strip():
        raise OverrideReasonRequired(top_id=top.mediator_id)
    # Lock in id order so two assignments over the same pair cannot deadlock.
    for mediator_id in sorted(chosen):
        mediator, open_cases = _lock_and_count(mediator_id)
        if mediator.status != "active" or open_cases >= mediator.max_active_cases:
            raise MediatorUnavailable(mediator_id=mediator_id, reason_code="at_capacity")
    case = assign_mediators(step, lead_id, co_id, note, any_region=True)  # the suggestions applied the policy
    ethnicity_used = view.suggestions.ethnicity_used
    for assignment in db.session.scalars(select(CaseAssignment).where(
            CaseAssignment.case_id == case.id, CaseAssignment.ended_at.is_(None),
            CaseAssignment.status == "proposed")):
        scored = view.scored(assignment.mediator_id)
        assignment.explanation = explanation_of(scored) if scored else {}
        assignment.ethnicity_used = ethnicity_used
        if assignment.role == "lead" and top is not None and lead_id != top.mediator_id:
            assignment.override_reason = override_reason.strip()
        db.session.get(Mediator, assignment.mediator_id).last_assigned_at = step.now
    if ethnicity_used:
        audit.record("assignment.ethnicity_used", actor_id=step.actor.id, ip=step.ip, object_type="case",
                     object_id=case.id, summary={"mediators": chosen}, now=step.now)
    db.session.flush()
    return case


FACTOR_CODES = {factor: factor.value for factor in Factor}


def explanation_of(scored: ScoredCandidate, **marks) -> dict:
    """The score breakdown as stored with the assignment (plain JSON), with any `marks` (the batch's) added."""
    # Codes from FACTOR_CODES: an enum member's .value is a descriptor call, and a batch explains 5,600 picks.
    return {"total": round(scored.total, 4), "open_cases": scored.open_cases,
            "factors": [{"factor": FACTOR_CODES[f.factor], "raw": f.raw, "value": round(f.value, 4),
                         "weight": f.weight, "points": round(f.points, 4)} for f in scored.factors], **marks}


def _own_assignment(step: Step, case: Case) -> CaseAssignment:
    assignment = db.session.scalar(
        select(CaseAssignment).join(Mediator, Mediator.id == CaseAssignment.mediator_id)
        .where(CaseAssignment.case_id == case.id, Mediator.user_id == step.actor.id,
               CaseAssignment.ended_at.is_(None), CaseAssignment.status.in_(WORKING_STATUSES)))
    if assignment is None:
        raise NotYourAssignment(case_id=case.id)
    return assignment


def accept(step: Step, ties: list[str], note: str | None, *, declared_no_conflict: bool) -> Case:
    """The mediator accepts, declaring no conflict of interest (a declared tie means declining instead)."""
    case = load_for_change(step)
    if step.actor.role is not Role.MEDIATOR:
        raise NotYourAssignment(case_id=case.id)
    assignment = _own_assignment(step, case)
    if assignment.status != "proposed":
        raise NotYourAssignment(case_id=case.id, reason_code="already_answered")
    if ties:
        raise ConflictDeclared(ties=ties)
    if not declared_no_conflict:
        raise DeclarationMissing(case_id=case.id)
    assignment.status, assignment.decided_at = "accepted", step.now
    assignment.conflict_ties, assignment.conflict_note = [], note
    record_event(case, step, "accepted", data={"declaration": "no_conflict"})
    save(case, step)
    return case


def decline(step: Step, reason: str, ties: list[str], *, recusal: bool) -> Case:
    """The mediator declines (or recuses at any stage): the case returns for reassignment without them."""
    case = load_for_change(step)
    lock_mediators_on(case.id)  # before the decliner's row changes: the release changes a co-mediator's too
    assignment = _own_assignment(step, case)
    unknown = set(ties) - set(CONFLICT_TIES)
    if unknown:
        raise ConflictDeclared(ties=sorted(unknown), reason_code="unknown_tie")
    assignment.conflict_ties, assignment.conflict_note = list(ties), reason
    assignment.decided_at = step.now
    return release_mediators(step, "recused" if recusal else "declined", reason, mediator_id=assignment.mediator_id)


def awaiting_answer(actor: Actor) -> list[tuple[int, str]]:
    """Cases waiting for this mediator user's answer (id, number)."""
    return list(db.session.execute(
        select(Case.id, Case.number).join(CaseAssignment, CaseAssignment.case_id == Case.id)
        .join(Mediator, Mediator.id == CaseAssignment.mediator_id)
        .where(Mediator.user_id == actor.id, CaseAssignment.status == "proposed",
               CaseAssignment.ended_at.is_(None), Case.state == CaseState.ASSIGNED)).all())
