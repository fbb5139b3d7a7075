"""Scoring and ranking: every factor, tie-breaks, 'busier never ranks higher', ethnicity only with consent."""

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediation.domain.assignment import suggest
from mediation.domain.assignment_filters import (
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    CategoryRecord,
    EthnicityMode,
    Factor,
    PartyInput,
)
from mediation.domain.assignment_scoring import (
    declared_ethnicity,
    ethnicity_in_play,
    needs_co_mediator,
    outcome_value,
    propose_pair,
    score_candidate,
)
from mediation.domain.mediator_eligibility import (
    CaseCategory,
    LanguageLevel,
    LanguageSkill,
    MediatorKind,
    MediatorProfile,
    WeeklyHours,
)

F = Factor
L = LanguageLevel
TODAY = date(2025, 3, 10)
POLICY = AssignmentPolicy()
ALL_WEEK = tuple(WeeklyHours(d, time(9), time(17)) for d in range(7))
PROFILE = MediatorProfile(kind=MediatorKind.PUBLIC, birth_date=date(1970, 1, 1), higher_education=False)
BASE = CandidateInput(
    id=7,
    profile=PROFILE,
    languages=(LanguageSkill("kk", L.NATIVE), LanguageSkill("ru", L.NATIVE)),
    specializations=frozenset(),
    region="75",
    house_id=1,
    takes_cases_elsewhere_in_region=True,
    max_active_cases=4,
    open_cases=0,
    weekly_hours=ALL_WEEK,
)
CASE = CaseInput(
    id=100,
    category=CaseCategory.FAMILY,
    region="75",
    house_id=1,
    parties=(PartyInput(1, frozenset({"kk"})), PartyInput(2, frozenset({"ru"}))),
)


def line(candidate, factor, case=CASE, policy=POLICY):
    """The breakdown line of one factor, or None if the factor is not shown."""
    scored = score_candidate(case, candidate, policy, TODAY)
    return next((f for f in scored.factors if f.factor == factor), None)


def skills(**levels):
    return tuple(LanguageSkill(code, level) for code, level in levels.items())


@pytest.mark.parametrize(
    ("languages", "case", "raw"),
    [
        (skills(kk=L.NATIVE, ru=L.NATIVE), CASE, 1.0),
        (skills(kk=L.NATIVE, ru=L.FLUENT), CASE, 0.9),
        (skills(kk=L.FLUENT, ru=L.FLUENT), CASE, 0.9),
        (skills(kk=L.NATIVE, ru=L.WORKING), CASE, 0.5),  # the weakest party link decides
        (skills(kk=L.WORKING, ru=L.WORKING), CASE, 0.5),
        (skills(kk=L.NATIVE), replace(CASE, has_interpreter=True), 0.0),
        (
            skills(ru=L.WORKING, kk=L.NATIVE),
            replace(CASE, parties=(PartyInput(1, frozenset({"kk", "ru"})),)),
            1.0,
        ),
    ],
)
def test_language_fit(languages, case, raw):
    found = line(replace(BASE, languages=languages), F.LANGUAGE_FIT, case)
    assert (found.raw, found.value, found.weight) == (raw, raw, 3.0)
    assert found.points == pytest.approx(3.0 * raw)


def test_native_or_fluent_ranks_above_working_level():
    fluent = replace(BASE, id=1, languages=skills(kk=L.FLUENT, ru=L.FLUENT))
    working = replace(BASE, id=2, languages=skills(kk=L.NATIVE, ru=L.WORKING))
    assert [s.mediator_id for s in suggest(CASE, [working, fluent], POLICY, TODAY).ranked] == [1, 2]


@pytest.mark.parametrize(
    ("specializations", "value"),
    [(frozenset(), 0.0), ({CaseCategory.FAMILY}, 1.0), ({CaseCategory.LABOUR}, 0.0)],
)
def test_specialization(specializations, value):
    assert line(replace(BASE, specializations=frozenset(specializations)), F.SPECIALIZATION).value == value


@pytest.mark.parametrize(("open_cases", "maximum", "value"), [(0, 4, 1.0), (1, 4, 0.75), (3, 4, 0.25), (2, 10, 0.8)])
def test_free_capacity(open_cases, maximum, value):
    found = line(replace(BASE, open_cases=open_cases, max_active_cases=maximum), F.FREE_CAPACITY)
    assert found.raw == found.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("region", "house", "case_house", "value"),
    [("75", 1, 1, 1.0), ("75", 2, 1, 0.0), ("75", 1, None, 0.0), ("75", None, None, 0.0), ("71", 1, 1, 0.0)],
)
def test_same_house(region, house, case_house, value):
    candidate = replace(BASE, region=region, house_id=house)
    assert line(candidate, F.SAME_HOUSE, replace(CASE, house_id=case_house)).value == value


@pytest.mark.parametrize(("closed", "value"), [(0, 0.0), (5, 0.5), (15, 0.75), (45, 0.9)])
def test_experience_saturates(closed, value):
    record = (CategoryRecord(CaseCategory.FAMILY, closed, 0), CategoryRecord(CaseCategory.LABOUR, 99, 99))
    found = line(replace(BASE, track_record=record), F.EXPERIENCE_IN_CATEGORY)
    assert found.raw == closed and found.value == pytest.approx(value)


def test_experience_counts_only_this_category():
    record = (CategoryRecord(CaseCategory.LABOUR, 99, 99),)
    assert line(replace(BASE, track_record=record), F.EXPERIENCE_IN_CATEGORY).raw == 0


@pytest.mark.parametrize(
    ("agreements", "closed", "raw", "value"),
    [(0, 0, None, 0.5), (1, 1, 1.0, 6 / 11), (40, 50, 0.8, 0.75), (0, 10, 0.0, 0.25)],
)
def test_outcome_rate_with_prior(agreements, closed, raw, value):
    record = (CategoryRecord(CaseCategory.FAMILY, closed, agreements),)
    found = line(replace(BASE, track_record=record), F.OUTCOME_RATE)
    assert found.raw == raw and found.value == pytest.approx(value)


def test_one_lucky_case_does_not_beat_a_long_record():
    assert outcome_value(1, 1, 0.5, 10) < outcome_value(40, 50, 0.5, 10)
    lucky = replace(BASE, id=1, track_record=(CategoryRecord(CaseCategory.FAMILY, 1, 1),))
    proven = replace(BASE, id=2, track_record=(CategoryRecord(CaseCategory.FAMILY, 50, 40),))
    assert suggest(CASE, [lucky, proven], POLICY, TODAY).ranked[0].mediator_id == 2


@pytest.mark.parametrize(
    ("last", "raw", "value"),
    [
        (None, None, 1.0),
        (TODAY, 0, 0.0),
        (TODAY - timedelta(days=15), 15, 0.5),
        (TODAY - timedelta(days=90), 90, 1.0),
        (TODAY + timedelta(days=2), 0, 0.0),
    ],
)
def test_rotation_saturates(last, raw, value):
    found = line(replace(BASE, last_assigned_on=last), F.ROTATION)
    assert found.raw == raw and found.value == pytest.approx(value)


def test_total_is_the_sum_of_points_and_weights_come_from_the_policy():
    policy = AssignmentPolicy(weights={F.SAME_HOUSE: 10, F.ROTATION: 0})
    scored = score_candidate(CASE, replace(BASE, last_assigned_on=TODAY - timedelta(days=3)), policy, TODAY)
    assert [f.factor for f in scored.factors] == [f for f in Factor if f != F.ETHNICITY_NEUTRAL]
    assert scored.total == pytest.approx(sum(f.points for f in scored.factors))
    assert all(f.points == pytest.approx(f.value * f.weight) for f in scored.factors)
    by_factor = {f.factor: f for f in scored.factors}
    assert by_factor[F.SAME_HOUSE].points == 10 and by_factor[F.ROTATION].points == 0


def test_ties_break_on_fewer_open_cases_then_id():
    # Given equal scores (free capacity weighted out), fewer open cases then the lower id come first
    policy = AssignmentPolicy(weights={F.FREE_CAPACITY: 0})
    people = [
        replace(BASE, id=5, open_cases=1),
        replace(BASE, id=9, open_cases=0),
        replace(BASE, id=2, open_cases=1),
    ]
    ranked = suggest(CASE, people, policy, TODAY).ranked
    assert len({s.total for s in ranked}) == 1
    assert [s.mediator_id for s in ranked] == [9, 2, 5]


# ----- the property: more open cases never raise a mediator's rank, all else equal -----

LEVELS = st.sampled_from(list(LanguageLevel))
CANDIDATES = st.builds(
    lambda n, langs, spec, house, cap, busy, closed, won, idle: replace(
        BASE,
        id=n,
        languages=tuple(LanguageSkill(code, level) for code, level in langs.items()),
        specializations=frozenset(spec),
        house_id=house,  # BASE travels within the region, so the house only moves same_house
        max_active_cases=cap,
        open_cases=min(busy, cap - 1),
        track_record=(CategoryRecord(CaseCategory.FAMILY, closed, min(won, closed)),),
        last_assigned_on=None if idle is None else TODAY - timedelta(days=idle),
    ),
    st.integers(1, 10_000),
    st.dictionaries(st.sampled_from(["kk", "ru"]), LEVELS, min_size=2, max_size=2),
    st.sets(st.sampled_from([CaseCategory.FAMILY, CaseCategory.LABOUR])),
    st.sampled_from([1, 2]),
    st.integers(1, 12),
    st.integers(0, 11),
    st.integers(0, 60),
    st.integers(0, 60),
    st.none() | st.integers(0, 60),
)
WEIGHTS = st.fixed_dictionaries({f: st.sampled_from([0, 0.5, 1, 2, 3.7]) for f in Factor})


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(CANDIDATES, min_size=1, max_size=8, unique_by=lambda c: c.id), st.data(), WEIGHTS)
def test_busier_never_ranks_higher(people, data, weights):
    # Given a ranked list, and one mediator who takes on more open cases, all else equal
    policy = AssignmentPolicy(weights=weights)
    chosen = data.draw(st.sampled_from(people))
    extra = data.draw(st.integers(1, 5))
    busier = replace(chosen, open_cases=chosen.open_cases + extra)
    before = [s.mediator_id for s in suggest(CASE, people, policy, TODAY).ranked]
    after = [s.mediator_id for s in suggest(CASE, [busier if p is chosen else p for p in people], policy, TODAY).ranked]
    # Then they are excluded (at capacity) or no one who was behind them is now ahead
    if chosen.id in after:
        assert set(before[: before.index(chosen.id)]) <= set(after[: after.index(chosen.id)])
    else:
        assert busier.open_cases >= busier.max_active_cases


@settings(max_examples=200, deadline=None, database=None)
@given(CANDIDATES, st.integers(1, 10), WEIGHTS)
def test_identical_twin_with_fewer_cases_ranks_first(person, extra, weights):
    # Leave room for the extra cases, the same for both, so neither is excluded at capacity
    person = replace(person, max_active_cases=max(person.max_active_cases, person.open_cases + extra + 1))
    twin = replace(person, id=person.id + 1)
    busier = replace(person, id=person.id + 2, open_cases=person.open_cases + extra)
    ranked = suggest(CASE, [busier, twin], AssignmentPolicy(weights=weights), TODAY).ranked
    assert [s.mediator_id for s in ranked] == [twin.id, busier.id]
    assert ranked[0].total >= ranked[1].total


# ----- ethnicity: only for interethnic cases, only what was declared with consent -----

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
