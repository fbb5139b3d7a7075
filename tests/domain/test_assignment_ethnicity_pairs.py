"""Ethnicity only with consent and only where the policy turns it on; co-mediation and community pairs."""

from dataclasses import replace

import pytest

from mediation.domain.assignment import suggest
from mediation.domain.assignment_filters import (
    AssignmentPolicy,
    EthnicityMode,
    PartyInput,
)
from mediation.domain.assignment_scoring import (
    declared_ethnicity,
    ethnicity_in_play,
    needs_co_mediator,
    propose_pair,
    score_candidate,
)
from mediation.domain.mediator_eligibility import (
    CaseCategory,
)
from tests.domain.assignment_examples import BASE, CASE, POLICY, TODAY, F

INTERETHNIC = replace(
    CASE,
    category=CaseCategory.INTERETHNIC,
    parties=(PartyInput(1, frozenset({"kk"}), "kazakh"), PartyInput(2, frozenset({"ru"}), "russian")),
)
NEUTRAL = AssignmentPolicy(ethnicity_mode=EthnicityMode.PREFER_NEUTRAL)


@pytest.mark.parametrize(
    ("mode", "case", "mediator", "shown", "value", "used"),
    [
        pytest.param(EthnicityMode.PREFER_NEUTRAL, INTERETHNIC, "korean", True, 1.0, True, id="neutral-bonus"),
        pytest.param(EthnicityMode.PREFER_NEUTRAL, INTERETHNIC, " Kazakh ", True, 0.0, True, id="shares-a-party"),
        pytest.param(EthnicityMode.PREFER_NEUTRAL, INTERETHNIC, None, True, 0.0, False, id="mediator-undeclared"),
        pytest.param(
            EthnicityMode.PREFER_NEUTRAL,
            replace(INTERETHNIC, parties=(INTERETHNIC.parties[0], PartyInput(2, frozenset({"ru"}), None))),
            "korean",
            False,
            None,
            False,
            id="party-undeclared",
        ),
        pytest.param(
            EthnicityMode.PREFER_NEUTRAL,
            replace(INTERETHNIC, category=CaseCategory.FAMILY),
            "korean",
            False,
            None,
            False,
            id="not-interethnic",
        ),
        pytest.param(EthnicityMode.OFF, INTERETHNIC, "korean", False, None, False, id="mode-off"),
        pytest.param(EthnicityMode.REQUIRE_PAIR, INTERETHNIC, "korean", False, None, False, id="pair-mode-no-bonus"),
    ],
)
def test_ethnicity_factor(mode, case, mediator, shown, value, used):
    policy = AssignmentPolicy(ethnicity_mode=mode)
    scored = score_candidate(case, replace(BASE, ethnicity=mediator), policy, TODAY)
    found = next((f for f in scored.factors if f.factor == F.ETHNICITY_NEUTRAL), None)
    assert (found is not None) is shown
    if shown:
        assert found.value == value and found.raw is None  # the breakdown never reveals an ethnicity
    assert scored.ethnicity_used is used


@pytest.mark.parametrize(
    ("mode", "case", "used"),
    [
        (EthnicityMode.PREFER_NEUTRAL, INTERETHNIC, True),
        (EthnicityMode.REQUIRE_PAIR, INTERETHNIC, True),
        (EthnicityMode.OFF, INTERETHNIC, False),
        (EthnicityMode.PREFER_NEUTRAL, replace(INTERETHNIC, category=CaseCategory.LABOUR), False),
        (
            EthnicityMode.PREFER_NEUTRAL,
            replace(INTERETHNIC, parties=INTERETHNIC.parties[:1] + (PartyInput(2, frozenset({"ru"})),)),
            False,
        ),
    ],
)
def test_suggestions_say_whether_ethnicity_was_used(mode, case, used):
    policy = AssignmentPolicy(ethnicity_mode=mode)
    assert suggest(case, [BASE], policy, TODAY).ethnicity_used is used
    assert ethnicity_in_play(case, policy) is used


def test_zero_weight_means_ethnicity_is_not_used():
    policy = AssignmentPolicy(ethnicity_mode=EthnicityMode.PREFER_NEUTRAL, weights={F.ETHNICITY_NEUTRAL: 0})
    assert suggest(INTERETHNIC, [replace(BASE, ethnicity="korean")], policy, TODAY).ethnicity_used is False


def test_neutral_mediator_wins_only_by_the_bonus():
    shares = replace(BASE, id=1, ethnicity="kazakh")
    neutral = replace(BASE, id=2, ethnicity="tatar")
    assert suggest(INTERETHNIC, [shares, neutral], NEUTRAL, TODAY).ranked[0].mediator_id == 2
    assert suggest(INTERETHNIC, [shares, neutral], POLICY, TODAY).ranked[0].mediator_id == 1  # id tie-break


def test_declared_ethnicity_needs_consent():
    assert declared_ethnicity("Uyghur", consent=True) == "uyghur"
    assert declared_ethnicity("Uyghur", consent=False) is None
    assert declared_ethnicity("  ", consent=True) is None


# ----- co-mediation and pairs -----


@pytest.mark.parametrize(
    ("policy", "case", "expected"),
    [
        (POLICY, CASE, False),
        (POLICY, replace(CASE, high_tension=True), True),
        (
            AssignmentPolicy(co_mediation_required_for_high_tension=False),
            replace(CASE, high_tension=True),
            False,
        ),
        (POLICY, INTERETHNIC, False),
        (AssignmentPolicy(co_mediation_required_for_interethnic=True), INTERETHNIC, True),
        (AssignmentPolicy(ethnicity_mode=EthnicityMode.REQUIRE_PAIR), INTERETHNIC, True),
        (AssignmentPolicy(ethnicity_mode=EthnicityMode.REQUIRE_PAIR), CASE, False),
    ],
)
def test_needs_co_mediator(policy, case, expected):
    assert needs_co_mediator(case, policy) is expected
    assert suggest(case, [BASE], policy, TODAY).needs_co_mediator is expected


PAIR_POLICY = AssignmentPolicy(ethnicity_mode=EthnicityMode.REQUIRE_PAIR)


def pool(*ethnicities):
    """Candidates ranked by id (all else equal), with the given declared ethnicities."""
    return [replace(BASE, id=n, ethnicity=e) for n, e in enumerate(ethnicities, start=1)]


@pytest.mark.parametrize(
    ("ethnicities", "expected", "matched"),
    [
        (("kazakh", "kazakh", "russian"), (1, 3), True),
        (("korean", "russian", "kazakh"), (2, 3), True),
        (("russian", None, "Kazakh"), (1, 3), True),
        (("kazakh", "kazakh", None), None, None),  # nobody reflects the other community
        (("korean", "tatar"), None, None),
    ],
)
def test_require_pair_reflects_both_communities(ethnicities, expected, matched):
    people = pool(*ethnicities)
    result = suggest(INTERETHNIC, people, PAIR_POLICY, TODAY)
    assert result.ethnicity_used is True
    if expected is None:
        assert result.pair is None
    else:
        assert result.pair.mediator_ids == expected and result.pair.ethnicity_matched is matched
        assert result.pair.total == pytest.approx(sum(s.total for s in result.ranked if s.mediator_id in expected))


def test_pair_without_declared_communities_is_the_top_two():
    people = pool("kazakh", "kazakh", "russian")
    undeclared = replace(INTERETHNIC, parties=(PartyInput(1, frozenset({"kk"})), PartyInput(2, frozenset({"ru"}))))
    result = suggest(undeclared, people, PAIR_POLICY, TODAY)
    assert result.ethnicity_used is False
    assert result.pair.mediator_ids == (1, 2) and result.pair.ethnicity_matched is False


def test_high_tension_pair_is_the_top_two_and_none_if_alone():
    tense = replace(CASE, high_tension=True)
    assert suggest(tense, pool(None, None, None), POLICY, TODAY).pair.mediator_ids == (1, 2)
    assert suggest(tense, pool(None), POLICY, TODAY).pair is None
    assert suggest(CASE, pool(None, None), POLICY, TODAY).pair is None  # not needed, not proposed


def test_propose_pair_directly():
    people = pool("russian", "korean", "kazakh")
    ranked = suggest(INTERETHNIC, people, PAIR_POLICY, TODAY).ranked
    assert propose_pair(INTERETHNIC, ranked, people, PAIR_POLICY).mediator_ids == (1, 3)
    assert propose_pair(INTERETHNIC, ranked, people, POLICY).mediator_ids == (1, 2)
