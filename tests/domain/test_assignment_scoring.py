"""Scoring and ranking: every factor, tie-breaks and 'busier never ranks higher'."""

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediation.domain.assignment import suggest
from mediation.domain.assignment_filters import (
    AssignmentPolicy,
    CategoryRecord,
    Factor,
    PartyInput,
)
from mediation.domain.assignment_scoring import (
    outcome_value,
    score_candidate,
)
from mediation.domain.mediator_eligibility import (
    CaseCategory,
    LanguageLevel,
    LanguageSkill,
)
from tests.domain.assignment_examples import BASE, CASE, POLICY, TODAY, F, L


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
