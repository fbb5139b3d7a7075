"""Case state machine: every (from, to, role) allowed or refused, closing rules, Art. 26 effective dates."""

from datetime import date
from itertools import product

import pytest

from mediation.domain.case_states import (
    GROUND_OUTCOMES,
    TERMINATION_DATE_FIELD,
    CaseState,
    MissingDate,
    Outcome,
    TerminationGround,
    TransitionRefused,
    allowed_targets,
    check_transition,
    termination_effective_date,
)
from mediation.domain.errors import DomainError

S = CaseState
O = Outcome  # noqa: E741 - short aliases keep the tables readable
G = TerminationGround
ROLES = ("admin", "manager", "coordinator", "mediator")

# The specification, written out independently of the module's table.
INTAKE = {"admin", "manager", "coordinator"}
CASE_WORK = {"mediator", "coordinator", "manager"}
EXPECTED = {
    (S.REGISTERED, S.SCREENING): INTAKE,
    (S.REGISTERED, S.CLOSED): INTAKE,
    (S.SCREENING, S.AWAITING_ASSIGNMENT): INTAKE,
    (S.SCREENING, S.CLOSED): INTAKE,
    (S.AWAITING_ASSIGNMENT, S.ASSIGNED): INTAKE,
    (S.AWAITING_ASSIGNMENT, S.CLOSED): INTAKE,
    (S.ASSIGNED, S.IN_MEDIATION): CASE_WORK,
    (S.ASSIGNED, S.AWAITING_ASSIGNMENT): CASE_WORK,
    (S.ASSIGNED, S.CLOSED): {"coordinator", "manager"},
    (S.IN_MEDIATION, S.CLOSED): CASE_WORK,
    (S.IN_MEDIATION, S.AWAITING_ASSIGNMENT): CASE_WORK,
}

# Facts that satisfy each transition's preconditions, so only the role decides.
GOOD_FACTS = {
    (S.REGISTERED, S.CLOSED): {"outcome": O.WITHDRAWN},
    (S.SCREENING, S.AWAITING_ASSIGNMENT): {"eligible": True},
    (S.SCREENING, S.CLOSED): {"outcome": O.NOT_ELIGIBLE, "eligible": False},
    (S.AWAITING_ASSIGNMENT, S.CLOSED): {"outcome": O.REFERRED},
    (S.ASSIGNED, S.IN_MEDIATION): {"contract_signed": True},
    (S.ASSIGNED, S.CLOSED): {"outcome": O.WITHDRAWN},
    (S.IN_MEDIATION, S.CLOSED): {"outcome": O.FULL_AGREEMENT, "ground": G.AGREEMENT_SIGNED},
}


def _refusal(*args, **kwargs) -> TransitionRefused:
    with pytest.raises(TransitionRefused) as info:
        check_transition(*args, **kwargs)
    return info.value


@pytest.mark.parametrize(("from_state", "to_state", "role"), list(product(S, S, ROLES)))
def test_every_transition_for_every_role(from_state, to_state, role):
    # Given any pair of states and any role, with the facts the transition needs
    facts = GOOD_FACTS.get((from_state, to_state), {})
    allowed = EXPECTED.get((from_state, to_state))
    if allowed is None:
        # Then a pair outside the table is refused whoever asks
        assert _refusal(from_state, to_state, role, **facts).reason_code == "not_in_table"
    elif role in allowed:
        # Then an allowed role passes
        check_transition(from_state, to_state, role, **facts)
    else:
        error = _refusal(from_state, to_state, role, **facts)
        assert error.reason_code == "role_not_allowed"
        assert error.role == role


@pytest.mark.parametrize(("from_state", "role"), list(product(S, ROLES)))
def test_allowed_targets_match_the_table(from_state, role):
    expected = [to for to in S if role in EXPECTED.get((from_state, to), ())]
    assert allowed_targets(from_state, role) == expected


def test_closed_is_terminal():
    assert all(allowed_targets(S.CLOSED, role) == [] for role in ROLES)


def test_unknown_role_is_refused():
    assert _refusal(S.REGISTERED, S.SCREENING, "party").reason_code == "role_not_allowed"


def test_error_carries_data_and_code():
    error = _refusal(S.REGISTERED, S.IN_MEDIATION, "manager")
    assert isinstance(error, DomainError)
    assert error.code == "transition_refused"
    assert (error.from_state, error.to_state) == (S.REGISTERED, S.IN_MEDIATION)


def test_stored_strings_are_accepted():
    check_transition("registered", "screening", "coordinator")
    assert allowed_targets("assigned", "mediator") == [S.AWAITING_ASSIGNMENT, S.IN_MEDIATION]


@pytest.mark.parametrize(("enum", "count"), [(S, 6), (O, 6), (G, 5)])
def test_enum_values_are_lower_snake_case(enum, count):
    assert len(enum) == count
    assert all(member.value == member.name.lower() for member in enum)


# --- preconditions of moves that do not close the case -------------------------------------------------


@pytest.mark.parametrize("eligible", [None, False])
def test_screening_must_pass_before_assignment(eligible):
    error = _refusal(S.SCREENING, S.AWAITING_ASSIGNMENT, "coordinator", eligible=eligible)
    assert error.reason_code == "screening_not_passed"


def test_mediation_starts_only_with_a_signed_contract():
    error = _refusal(S.ASSIGNED, S.IN_MEDIATION, "mediator")
    assert error.reason_code == "contract_not_signed"


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        ({"outcome": O.WITHDRAWN}, "outcome_not_applicable"),
        ({"ground": G.JOINT_REFUSAL}, "ground_not_applicable"),
    ],
)
def test_moves_take_no_outcome_or_ground(facts, reason):
    assert _refusal(S.REGISTERED, S.SCREENING, "coordinator", **facts).reason_code == reason


def test_recusal_during_mediation_returns_the_case_for_reassignment():
    check_transition(S.IN_MEDIATION, S.AWAITING_ASSIGNMENT, "mediator")


# --- closing before a mediation contract was signed ------------------------------------------------------

PRE_MEDIATION = {
    S.REGISTERED: {O.WITHDRAWN, O.REFERRED},
    S.SCREENING: {O.NOT_ELIGIBLE, O.WITHDRAWN, O.REFERRED},
    S.AWAITING_ASSIGNMENT: {O.WITHDRAWN, O.REFERRED},
    S.ASSIGNED: {O.WITHDRAWN, O.REFERRED},
}


@pytest.mark.parametrize(("from_state", "outcome"), list(product(PRE_MEDIATION, O)))
def test_outcomes_allowed_before_mediation(from_state, outcome):
    # Given a case that never started, closed by a coordinator; not_eligible comes with a failed screening
    kwargs = {"outcome": outcome, "eligible": False}
    if outcome in PRE_MEDIATION[from_state]:
        check_transition(from_state, S.CLOSED, "coordinator", **kwargs)
    else:
        assert _refusal(from_state, S.CLOSED, "coordinator", **kwargs).reason_code == "outcome_not_allowed"


@pytest.mark.parametrize("from_state", list(PRE_MEDIATION))
def test_closing_needs_an_outcome(from_state):
    assert _refusal(from_state, S.CLOSED, "coordinator").reason_code == "outcome_required"


@pytest.mark.parametrize("ground", list(G))
def test_no_ground_without_a_started_mediation(ground):
    # Given a case that has not started, When closed with an Art. 26 ground, Then the ground is refused
    error = _refusal(S.ASSIGNED, S.CLOSED, "manager", outcome=O.WITHDRAWN, ground=ground)
    assert error.reason_code == "ground_not_applicable"


@pytest.mark.parametrize("eligible", [None, True])
def test_not_eligible_needs_a_screening_that_found_an_exclusion(eligible):
    error = _refusal(S.SCREENING, S.CLOSED, "coordinator", outcome=O.NOT_ELIGIBLE, eligible=eligible)
    assert error.reason_code == "screening_not_failed"


@pytest.mark.parametrize("eligible", [None, True, False])
def test_withdrawal_during_screening_does_not_depend_on_screening(eligible):
    check_transition(S.SCREENING, S.CLOSED, "coordinator", outcome=O.WITHDRAWN, eligible=eligible)


# --- closing a started mediation (Art. 26) ---------------------------------------------------------------

EXPECTED_GROUND_OUTCOMES = {
    G.AGREEMENT_SIGNED: {O.FULL_AGREEMENT, O.PARTIAL_AGREEMENT},
    G.SETTLEMENT_IMPOSSIBLE: {O.NO_AGREEMENT, O.REFERRED},
    G.JOINT_REFUSAL: {O.WITHDRAWN, O.NO_AGREEMENT},
    G.UNILATERAL_REFUSAL: {O.WITHDRAWN, O.NO_AGREEMENT},
    G.TERM_EXPIRED: {O.NO_AGREEMENT},
}


def test_ground_outcome_table_matches_the_specification():
    assert {g: set(o) for g, o in GROUND_OUTCOMES.items()} == EXPECTED_GROUND_OUTCOMES


@pytest.mark.parametrize(("ground", "outcome"), list(product(G, O)))
def test_outcome_must_agree_with_ground(ground, outcome):
    if outcome in EXPECTED_GROUND_OUTCOMES[ground]:
        check_transition(S.IN_MEDIATION, S.CLOSED, "mediator", outcome=outcome, ground=ground)
    else:
        error = _refusal(S.IN_MEDIATION, S.CLOSED, "mediator", outcome=outcome, ground=ground)
        assert error.reason_code == "outcome_ground_mismatch"
        assert (error.outcome, error.ground) == (outcome, ground)


@pytest.mark.parametrize("started", [True, False])
def test_a_started_mediation_ends_only_on_an_art_26_ground(started):
    # Given a case in mediation (started even if the caller forgot to say so)
    # When it is closed without a ground, Then it is refused
    error = _refusal(S.IN_MEDIATION, S.CLOSED, "mediator", outcome=O.NO_AGREEMENT, started=started)
    assert error.reason_code == "ground_required"


def test_started_closing_needs_an_outcome():
    error = _refusal(S.IN_MEDIATION, S.CLOSED, "mediator", ground=G.TERM_EXPIRED)
    assert error.reason_code == "outcome_required"


@pytest.mark.parametrize(
    ("ground", "outcome", "allowed"),
    [
        (G.JOINT_REFUSAL, O.WITHDRAWN, True),
        (G.UNILATERAL_REFUSAL, O.WITHDRAWN, True),
        (G.TERM_EXPIRED, O.NO_AGREEMENT, True),
        (G.AGREEMENT_SIGNED, O.FULL_AGREEMENT, False),
        (G.SETTLEMENT_IMPOSSIBLE, O.NO_AGREEMENT, False),
    ],
)
def test_started_case_between_mediators(ground, outcome, allowed):
    # Given a mediation that started and then lost its mediator to a recusal
    kwargs = {"outcome": outcome, "ground": ground, "started": True}
    if allowed:
        check_transition(S.AWAITING_ASSIGNMENT, S.CLOSED, "coordinator", **kwargs)
    else:
        error = _refusal(S.AWAITING_ASSIGNMENT, S.CLOSED, "coordinator", **kwargs)
        assert error.reason_code == "ground_not_allowed"


def test_started_case_between_mediators_still_needs_a_ground():
    error = _refusal(S.AWAITING_ASSIGNMENT, S.CLOSED, "manager", outcome=O.WITHDRAWN, started=True)
    assert error.reason_code == "ground_required"


# --- Art. 26 effective dates -----------------------------------------------------------------------------

DATES = {
    "signed_on": date(2024, 5, 1),
    "finding_on": date(2024, 5, 2),
    "refusal_signed_on": date(2024, 5, 3),
    "refusal_forwarded_on": date(2024, 5, 4),
    "deadline": date(2024, 5, 5),
}


@pytest.mark.parametrize(
    ("ground", "expected"),
    [
        (G.AGREEMENT_SIGNED, date(2024, 5, 1)),  # day the agreement is signed
        (G.SETTLEMENT_IMPOSSIBLE, date(2024, 5, 2)),  # day of the mediator's finding
        (G.JOINT_REFUSAL, date(2024, 5, 3)),  # day the parties sign their refusal
        (G.UNILATERAL_REFUSAL, date(2024, 5, 4)),  # day the mediator forwards one party's refusal
        (G.TERM_EXPIRED, date(2024, 5, 5)),  # the expiry day
    ],
)
def test_effective_date_per_ground(ground, expected):
    # Given every date filled in, Then only the ground's own date counts
    assert termination_effective_date(ground, **DATES) == expected
    # And the ground's date alone is enough
    field = TERMINATION_DATE_FIELD[ground]
    assert termination_effective_date(ground, **{field: expected}) == expected


@pytest.mark.parametrize("ground", list(G))
def test_missing_effective_date_names_the_field(ground):
    field = TERMINATION_DATE_FIELD[ground]
    others = {name: value for name, value in DATES.items() if name != field}
    with pytest.raises(MissingDate) as info:
        termination_effective_date(ground, **others)
    assert info.value.code == "missing_date"
    assert info.value.field == field
    assert info.value.ground == ground


def test_effective_date_accepts_stored_ground_string():
    assert termination_effective_date("term_expired", deadline=date(2024, 5, 5)) == date(2024, 5, 5)
