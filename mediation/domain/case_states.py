"""Case life cycle: states, outcomes, Art. 26 termination grounds and the explicit transition table."""

from datetime import date
from enum import StrEnum
from typing import NoReturn

from mediation.domain.errors import DomainError


class CaseState(StrEnum):
    """Where a case is in its life cycle; the values are stored in the database."""

    REGISTERED = "registered"
    SCREENING = "screening"
    AWAITING_ASSIGNMENT = "awaiting_assignment"
    ASSIGNED = "assigned"
    IN_MEDIATION = "in_mediation"
    CLOSED = "closed"


class Outcome(StrEnum):
    """How a closed case ended, as counted in the Assembly's reports."""

    FULL_AGREEMENT = "full_agreement"
    PARTIAL_AGREEMENT = "partial_agreement"
    NO_AGREEMENT = "no_agreement"
    NOT_ELIGIBLE = "not_eligible"
    WITHDRAWN = "withdrawn"
    REFERRED = "referred"


class TerminationGround(StrEnum):
    """The five grounds on which a started mediation ends (Law on Mediation, Art. 26)."""

    AGREEMENT_SIGNED = "agreement_signed"
    SETTLEMENT_IMPOSSIBLE = "settlement_impossible"
    JOINT_REFUSAL = "joint_refusal"
    UNILATERAL_REFUSAL = "unilateral_refusal"
    TERM_EXPIRED = "term_expired"


class TransitionRefused(DomainError):
    """A state change is not permitted; reason_code says which rule refused it."""

    code = "transition_refused"


class MissingDate(DomainError):
    """The date that fixes when a mediation ended was not given; field names the missing argument."""

    code = "missing_date"


S = CaseState
_INTAKE = frozenset({"coordinator", "manager", "admin"})
# Once a mediator is on the case the work is substantive (contract, sessions, termination); admin is a
# technical role and stays out of it. The table cannot tell "the mediator of this case" from any
# mediator: the object check (is the actor assigned to the case?) belongs to the policies.
_CASE_WORK = frozenset({"mediator", "coordinator", "manager"})
_SUPERVISION = frozenset({"coordinator", "manager"})

TRANSITIONS: dict[tuple[CaseState, CaseState], frozenset[str]] = {
    (S.REGISTERED, S.SCREENING): _INTAKE,
    (S.REGISTERED, S.CLOSED): _INTAKE,  # withdrawn before screening, or sent elsewhere at once
    (S.SCREENING, S.AWAITING_ASSIGNMENT): _INTAKE,  # only when screening found no Art. 1 exclusion
    (S.SCREENING, S.CLOSED): _INTAKE,  # not eligible / referred / withdrawn
    (S.AWAITING_ASSIGNMENT, S.ASSIGNED): _INTAKE,
    (S.AWAITING_ASSIGNMENT, S.CLOSED): _INTAKE,
    (S.ASSIGNED, S.IN_MEDIATION): _CASE_WORK,  # the mediation contract (Art. 21) is signed
    (S.ASSIGNED, S.AWAITING_ASSIGNMENT): _CASE_WORK,  # mediator declines or recuses; pick another
    # A mediator who has not started yet cannot end the case: they decline and the coordinator decides.
    (S.ASSIGNED, S.CLOSED): _SUPERVISION,
    (S.IN_MEDIATION, S.CLOSED): _CASE_WORK,  # one of the five Art. 26 grounds
    # Self-recusal may happen at any moment (Art. 7, 12); the parties then choose a replacement and
    # the same mediation goes on, so the case keeps its start date and deadline.
    (S.IN_MEDIATION, S.AWAITING_ASSIGNMENT): _CASE_WORK,
}
# CLOSED is terminal: a closed case is a record of what happened; a new appeal is a new case.

# Outcomes a case may be closed with before any mediation contract was signed, by the state it leaves.
PRE_MEDIATION_OUTCOMES: dict[CaseState, frozenset[Outcome]] = {
    S.REGISTERED: frozenset({Outcome.WITHDRAWN, Outcome.REFERRED}),
    S.SCREENING: frozenset({Outcome.NOT_ELIGIBLE, Outcome.WITHDRAWN, Outcome.REFERRED}),
    S.AWAITING_ASSIGNMENT: frozenset({Outcome.WITHDRAWN, Outcome.REFERRED}),
    S.ASSIGNED: frozenset({Outcome.WITHDRAWN, Outcome.REFERRED}),
}

# Which outcomes agree with each ground, so reports never show "full agreement" without a signed
# agreement, nor a signed agreement counted as a failure.
GROUND_OUTCOMES: dict[TerminationGround, frozenset[Outcome]] = {
    TerminationGround.AGREEMENT_SIGNED: frozenset({Outcome.FULL_AGREEMENT, Outcome.PARTIAL_AGREEMENT}),
    TerminationGround.SETTLEMENT_IMPOSSIBLE: frozenset({Outcome.NO_AGREEMENT, Outcome.REFERRED}),
    TerminationGround.JOINT_REFUSAL: frozenset({Outcome.WITHDRAWN, Outcome.NO_AGREEMENT}),
    TerminationGround.UNILATERAL_REFUSAL: frozenset({Outcome.WITHDRAWN, Outcome.NO_AGREEMENT}),
    TerminationGround.TERM_EXPIRED: frozenset({Outcome.NO_AGREEMENT}),
}

# A started mediation that is between mediators (after a recusal) can still end by the parties'
# refusal or by the term running out, but nobody is there to sign with or to find settlement impossible.
GROUNDS_WITHOUT_MEDIATOR = frozenset(
    {TerminationGround.JOINT_REFUSAL, TerminationGround.UNILATERAL_REFUSAL, TerminationGround.TERM_EXPIRED}
)

# The argument of termination_effective_date that carries each ground's effective date (Art. 26).
TERMINATION_DATE_FIELD: dict[TerminationGround, str] = {
    TerminationGround.AGREEMENT_SIGNED: "signed_on",
    TerminationGround.SETTLEMENT_IMPOSSIBLE: "finding_on",
    TerminationGround.JOINT_REFUSAL: "refusal_signed_on",
    TerminationGround.UNILATERAL_REFUSAL: "refusal_forwarded_on",
    TerminationGround.TERM_EXPIRED: "deadline",
}


def termination_effective_date(
    ground: TerminationGround,
    *,
    signed_on: date | None = None,
    finding_on: date | None = None,
    refusal_signed_on: date | None = None,
    refusal_forwarded_on: date | None = None,
    deadline: date | None = None,
) -> date:
    """Return the day a mediation ends on the given Art. 26 ground; raise MissingDate if it is unknown."""
    given = {
        "signed_on": signed_on,
        "finding_on": finding_on,
        "refusal_signed_on": refusal_signed_on,
        "refusal_forwarded_on": refusal_forwarded_on,
        "deadline": deadline,
    }
    ground = TerminationGround(ground)
    field = TERMINATION_DATE_FIELD[ground]
    # The other dates are ignored on purpose: a form may carry them all, only the ground's one counts.
    effective = given[field]
    if effective is None:
        raise MissingDate(field=field, ground=ground)
    return effective


def _refuse(from_state: CaseState, to_state: CaseState, reason_code: str, **extra: object) -> NoReturn:
    raise TransitionRefused(from_state=from_state, to_state=to_state, reason_code=reason_code, **extra)


def check_transition(
    from_state: CaseState,
    to_state: CaseState,
    role: str,
    *,
    outcome: Outcome | None = None,
    ground: TerminationGround | None = None,
    started: bool = False,
    eligible: bool | None = None,
    contract_signed: bool = False,
) -> None:
    """Raise TransitionRefused unless role may move a case from_state → to_state with these facts."""
    from_state, to_state = CaseState(from_state), CaseState(to_state)
    roles = TRANSITIONS.get((from_state, to_state))
    if roles is None:
        _refuse(from_state, to_state, "not_in_table")
    if role not in roles:
        _refuse(from_state, to_state, "role_not_allowed", role=role)
    # A case in mediation has started by definition, whatever the caller passed.
    started = started or from_state is CaseState.IN_MEDIATION
    if to_state is not CaseState.CLOSED:
        _check_move(from_state, to_state, outcome, ground, eligible, contract_signed)
    elif started:
        _check_close_started(from_state, outcome, ground)
    else:
        _check_close_unstarted(from_state, outcome, ground, eligible)


def _check_move(from_state, to_state, outcome, ground, eligible, contract_signed) -> None:
    if outcome is not None:
        _refuse(from_state, to_state, "outcome_not_applicable", outcome=outcome)
    if ground is not None:
        _refuse(from_state, to_state, "ground_not_applicable", ground=ground)
    # Deny by default: the caller must state the fact that permits the move, not merely omit it.
    move = (from_state, to_state)
    if move == (CaseState.SCREENING, CaseState.AWAITING_ASSIGNMENT) and eligible is not True:
        _refuse(from_state, to_state, "screening_not_passed")
    if move == (CaseState.ASSIGNED, CaseState.IN_MEDIATION) and not contract_signed:
        _refuse(from_state, to_state, "contract_not_signed")


def _check_close_started(from_state, outcome, ground) -> None:
    to_state = CaseState.CLOSED
    if outcome is None:
        _refuse(from_state, to_state, "outcome_required")
    # Art. 26 is exhaustive: a mediation that started ends on one of its five grounds and no other way.
    if ground is None:
        _refuse(from_state, to_state, "ground_required")
    outcome, ground = Outcome(outcome), TerminationGround(ground)
    if from_state is not CaseState.IN_MEDIATION and ground not in GROUNDS_WITHOUT_MEDIATOR:
        _refuse(from_state, to_state, "ground_not_allowed", ground=ground)
    if outcome not in GROUND_OUTCOMES[ground]:
        _refuse(from_state, to_state, "outcome_ground_mismatch", outcome=outcome, ground=ground)


def _check_close_unstarted(from_state, outcome, ground, eligible) -> None:
    to_state = CaseState.CLOSED
    if outcome is None:
        _refuse(from_state, to_state, "outcome_required")
    # Without a signed contract there was no mediation, so there is nothing for Art. 26 to terminate.
    if ground is not None:
        _refuse(from_state, to_state, "ground_not_applicable", ground=ground)
    outcome = Outcome(outcome)
    if outcome not in PRE_MEDIATION_OUTCOMES[from_state]:
        _refuse(from_state, to_state, "outcome_not_allowed", outcome=outcome)
    # "Not eligible" is a finding of the Art. 1 screening, so it needs a screening that found a "yes".
    if outcome is Outcome.NOT_ELIGIBLE and eligible is not False:
        _refuse(from_state, to_state, "screening_not_failed")


def allowed_targets(from_state: CaseState, role: str) -> list[CaseState]:
    """List the states role may try to move a case to from from_state (facts are checked on submit)."""
    from_state = CaseState(from_state)
    return [to for to in CaseState if role in TRANSITIONS.get((from_state, to), ())]
