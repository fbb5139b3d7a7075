"""Batch auto-assignment: capacity across a batch, fair spreading, gaps, pairs, agreement with suggest."""

from collections import Counter
from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediation.domain.assignment import BatchGap, plan_batch, suggest
from mediation.domain.assignment_filters import (
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    CategoryRecord,
    EthnicityMode,
    Factor,
    InvalidAssignmentPolicy,
    PartyInput,
)
from mediation.domain.mediator_eligibility import (
    CaseCategory,
    LanguageLevel,
    LanguageSkill,
    MediatorKind,
    MediatorProfile,
    MediatorStatus,
    WeeklyHours,
)

TODAY = date(2025, 3, 10)
POLICY = AssignmentPolicy()
ALL_WEEK = tuple(WeeklyHours(d, time(9), time(17)) for d in range(7))
PROFILE = MediatorProfile(kind=MediatorKind.PUBLIC, birth_date=date(1970, 1, 1), higher_education=False)
KK_RU = (LanguageSkill("kk", LanguageLevel.NATIVE), LanguageSkill("ru", LanguageLevel.FLUENT))
BASE = CandidateInput(
    id=1,
    profile=PROFILE,
    languages=KK_RU,
    specializations=frozenset({CaseCategory.FAMILY}),
    region="75",
    house_id=1,
    takes_cases_elsewhere_in_region=False,
    max_active_cases=3,
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


def cases(n, **changes):
    return [replace(CASE, id=100 + k, **changes) for k in range(n)]


def load(plan):
    return Counter(m for p in plan for m in p.mediator_ids)


def test_capacity_is_respected_across_the_batch():
    # Given two mediators with 1 and 2 free slots and five cases
    people = [replace(BASE, id=1, max_active_cases=3, open_cases=2), replace(BASE, id=2, max_active_cases=2)]
    plan = plan_batch(cases(5), people, POLICY, TODAY)
    # Then three cases are staffed, nobody goes over their cap, and the rest say why
    assert load(plan) == {1: 1, 2: 2}
    assert [p.gap for p in plan].count(BatchGap.CAPACITY_EXHAUSTED) == 2
    assert all(p.mediator_ids == () for p in plan if p.gap)


def test_work_is_spread_fairly():
    # Given four identical mediators and eight cases, each pick lowers the picked one's capacity score
    people = [replace(BASE, id=n, max_active_cases=10) for n in range(1, 5)]
    plan = plan_batch(cases(8), people, POLICY, TODAY)
    assert load(plan) == {1: 2, 2: 2, 3: 2, 4: 2}


def test_rotation_is_updated_by_the_batch():
    # Given capacity weighted out, only rotation spreads the work
    people = [replace(BASE, id=n, max_active_cases=10, last_assigned_on=TODAY - timedelta(days=60)) for n in (1, 2)]
    policy = AssignmentPolicy(weights={Factor.FREE_CAPACITY: 0})
    assert load(plan_batch(cases(2), people, policy, TODAY)) == {1: 1, 2: 1}


def test_results_follow_input_order_and_carry_explanations():
    people = [replace(BASE, id=n) for n in (1, 2)]
    batch = cases(3)
    plan = plan_batch(batch, people, POLICY, TODAY)
    assert [p.case_id for p in plan] == [c.id for c in batch]
    first = plan[0]
    assert first.gap is None and len(first.explanations) == 1
    explanation = first.explanations[0]
    assert explanation.mediator_id == first.mediator_ids[0]
    assert {f.factor for f in explanation.factors} == set(Factor) - {Factor.ETHNICITY_NEUTRAL}
    assert explanation.total == pytest.approx(sum(f.points for f in explanation.factors))


def test_explanation_shows_the_workload_at_the_time_of_the_pick():
    plan = plan_batch(cases(3), [replace(BASE, max_active_cases=3)], POLICY, TODAY)
    capacity = [next(f.raw for f in p.explanations[0].factors if f.factor == Factor.FREE_CAPACITY) for p in plan]
    rotation = [next(f.raw for f in p.explanations[0].factors if f.factor == Factor.ROTATION) for p in plan]
    assert capacity == pytest.approx([1, 2 / 3, 1 / 3])
    assert rotation == [None, 0, 0]


@pytest.mark.parametrize(
    ("people", "case", "gap"),
    [
        ([], CASE, BatchGap.NO_CANDIDATE),
        ([replace(BASE, region="71")], CASE, BatchGap.NO_CANDIDATE),
        ([replace(BASE, languages=KK_RU[:1])], CASE, BatchGap.NO_CANDIDATE),
        ([replace(BASE, open_cases=3)], CASE, BatchGap.NO_CANDIDATE),
        (
            [replace(BASE, profile=replace(PROFILE, status=MediatorStatus.EXCLUDED))],
            CASE,
            BatchGap.NO_CANDIDATE,
        ),
        ([replace(BASE, weekly_hours=())], CASE, BatchGap.NO_CANDIDATE),
        ([replace(BASE, conflict_party_ids=frozenset({2}))], CASE, BatchGap.ALL_CONFLICTED),
        ([BASE], replace(CASE, recused_mediator_ids=frozenset({1})), BatchGap.ALL_CONFLICTED),
        ([BASE], replace(CASE, high_tension=True), BatchGap.NO_CO_MEDIATOR),
    ],
)
def test_gaps(people, case, gap):
    (planned,) = plan_batch([case], people, POLICY, TODAY)
    assert planned.gap == gap
    assert len(planned.mediator_ids) == (1 if gap == BatchGap.NO_CO_MEDIATOR else 0)


def test_co_mediation_gets_two_different_mediators():
    people = [replace(BASE, id=n) for n in (1, 2, 3)]
    (planned,) = plan_batch([replace(CASE, high_tension=True)], people, POLICY, TODAY)
    assert planned.gap is None and planned.mediator_ids == (1, 2)


def test_case_already_staffed_needs_only_the_missing_mediator():
    people = [replace(BASE, id=n) for n in (1, 2, 3)]
    tense = replace(CASE, high_tension=True, assigned_mediator_ids=frozenset({1}))
    (planned,) = plan_batch([tense], people, POLICY, TODAY)
    assert planned.mediator_ids == (2,)
    (done,) = plan_batch([replace(CASE, assigned_mediator_ids=frozenset({1}))], people, POLICY, TODAY)
    assert done.mediator_ids == () and done.gap is None


def test_each_case_is_handed_to_decided_once_in_the_order_of_work():
    # Given one slot, a calm case listed before a tense one: the tense one is settled first
    calm, tense = replace(CASE, id=1), replace(CASE, id=2, high_tension=True)
    policy = AssignmentPolicy(co_mediation_required_for_high_tension=False)
    seen = []
    plan = plan_batch([calm, tense], [replace(BASE, max_active_cases=1)], policy, TODAY, decided=seen.append)
    assert [p.case_id for p in seen] == [2, 1]
    assert [p.case_id for p in plan] == [1, 2]
    assert {id(p) for p in seen} == {id(p) for p in plan}  # the very plans returned, final when handed over


def test_high_tension_cases_choose_first():
    # Given one mediator slot and a calm case listed before a tense one
    calm, tense = replace(CASE, id=1), replace(CASE, id=2, high_tension=True)
    policy = AssignmentPolicy(co_mediation_required_for_high_tension=False)
    plan = plan_batch([calm, tense], [replace(BASE, max_active_cases=1)], policy, TODAY)
    assert [p.mediator_ids for p in plan] == [(), (1,)]


def test_scarce_language_cases_are_served_before_common_ones():
    # Given the only Uyghur speaker also speaks Russian, and a Russian-only case listed first
    uyghur = replace(BASE, id=1, max_active_cases=1, languages=(LanguageSkill("ug", LanguageLevel.NATIVE),) + KK_RU)
    other = replace(BASE, id=2, max_active_cases=1, languages=KK_RU, specializations=frozenset())
    common = replace(CASE, id=1, parties=(PartyInput(1, frozenset({"ru"})),))
    rare = replace(CASE, id=2, parties=(PartyInput(3, frozenset({"ug"})),))
    plan = plan_batch([common, rare], [uyghur, other], POLICY, TODAY)
    assert [p.mediator_ids for p in plan] == [(2,), (1,)]


def test_interpreter_cases_reach_non_speakers():
    (planned,) = plan_batch(
        [replace(CASE, has_interpreter=True, parties=(PartyInput(1, frozenset({"ko"})),))],
        [BASE],
        POLICY,
        TODAY,
    )
    assert planned.mediator_ids == (1,)


@pytest.mark.parametrize(("republic", "expected"), [(False, ()), (True, (5,))])
def test_republic_pool(republic, expected):
    far = replace(BASE, id=5, region="71", house_id=9, takes_cases_elsewhere_in_region=True)
    (planned,) = plan_batch([CASE], [far], AssignmentPolicy(allow_republic_pool=republic), TODAY)
    assert planned.mediator_ids == expected


INTERETHNIC = replace(
    CASE,
    category=CaseCategory.INTERETHNIC,
    parties=(PartyInput(1, frozenset({"kk"}), "kazakh"), PartyInput(2, frozenset({"ru"}), "russian")),
)


def test_require_pair_in_batch():
    people = [replace(BASE, id=n, ethnicity=e) for n, e in ((1, "kazakh"), (2, "kazakh"), (3, "russian"))]
    policy = AssignmentPolicy(ethnicity_mode=EthnicityMode.REQUIRE_PAIR)
    (planned,) = plan_batch([INTERETHNIC], people, policy, TODAY)
    assert planned.mediator_ids == (1, 3) and planned.ethnicity_used is True
    (unpaired,) = plan_batch([INTERETHNIC], people[:2], policy, TODAY)
    assert unpaired.gap == BatchGap.NO_COMMUNITY_PAIR and unpaired.mediator_ids == ()


def test_prefer_neutral_in_batch_and_ethnicity_logging_flag():
    people = [replace(BASE, id=1, ethnicity="kazakh"), replace(BASE, id=2, ethnicity="korean")]
    policy = AssignmentPolicy(ethnicity_mode=EthnicityMode.PREFER_NEUTRAL)
    neutral, plain = plan_batch([INTERETHNIC, replace(CASE, id=7)], people, policy, TODAY)
    assert neutral.mediator_ids == (2,) and neutral.ethnicity_used is True
    assert plain.ethnicity_used is False


def test_batch_refuses_an_invalid_policy():
    with pytest.raises(InvalidAssignmentPolicy) as raised:
        plan_batch([CASE], [BASE], AssignmentPolicy(weights={Factor.ROTATION: -1}), TODAY)
    assert raised.value.factor == Factor.ROTATION


# ----- the planner's shortcuts must not change the answer -----

LEVELS = st.sampled_from(list(LanguageLevel))
PEOPLE = st.lists(
    st.builds(
        lambda langs, spec, house, travels, region, cap, busy, closed, won, idle, conflict, eth: replace(
            BASE,
            languages=tuple(LanguageSkill(code, level) for code, level in langs.items()),
            specializations=frozenset(spec),
            house_id=house,
            takes_cases_elsewhere_in_region=travels,
            region=region,
            max_active_cases=cap,
            open_cases=min(busy, cap),
            track_record=(CategoryRecord(CaseCategory.FAMILY, closed, min(won, closed)),),
            last_assigned_on=None if idle is None else TODAY - timedelta(days=idle),
            conflict_party_ids=frozenset({2}) if conflict else frozenset(),
            ethnicity=eth,
        ),
        st.dictionaries(st.sampled_from(["kk", "ru", "uz"]), LEVELS, min_size=1, max_size=3),
        st.sets(st.sampled_from([CaseCategory.FAMILY, CaseCategory.INTERETHNIC])),
        st.sampled_from([1, 2, None]),
        st.booleans(),
        st.sampled_from(["75", "75", "71"]),
        st.integers(1, 4),
        st.integers(0, 4),
        st.integers(0, 30),
        st.integers(0, 30),
        st.none() | st.integers(0, 40),
        st.booleans(),
        st.sampled_from([None, "kazakh", "russian", "korean"]),
    ),
    max_size=12,
).map(lambda people: [replace(p, id=n) for n, p in enumerate(people, start=1)])
SHAPES = st.builds(
    lambda category, house, langs1, langs2, interpreter, eth: replace(
        CASE,
        category=category,
        house_id=house,
        has_interpreter=interpreter,
        parties=(PartyInput(1, frozenset(langs1), eth), PartyInput(2, frozenset(langs2), "russian")),
    ),
    st.sampled_from([CaseCategory.FAMILY, CaseCategory.INTERETHNIC]),
    st.sampled_from([1, 2, None]),
    st.sets(st.sampled_from(["kk", "ru", "uz"]), min_size=1),
    st.sets(st.sampled_from(["kk", "ru", "uz"]), min_size=1),
    st.booleans(),
    st.sampled_from([None, "kazakh"]),
)
POLICIES = st.builds(
    lambda republic, mode, weights: AssignmentPolicy(
        allow_republic_pool=republic,
        ethnicity_mode=mode,
        weights=weights,
        co_mediation_required_for_high_tension=False,
    ),
    st.booleans(),
    st.sampled_from([EthnicityMode.OFF, EthnicityMode.PREFER_NEUTRAL]),
    st.fixed_dictionaries({f: st.sampled_from([0, 1, 2.5]) for f in Factor}),
)


@settings(max_examples=300, deadline=None, database=None)
@given(PEOPLE, SHAPES, st.integers(1, 8), POLICIES)
def test_each_pick_is_a_best_candidate_given_the_workload_so_far(people, shape, n, policy):
    # Given n cases of one shape (so the planner handles them in input order)
    batch = [replace(shape, id=100 + k) for k in range(n)]
    plan = plan_batch(batch, people, policy, TODAY)
    current = {p.id: p for p in people}
    for case, planned in zip(batch, plan, strict=True):
        # Then each pick scores as high as the best that suggest() finds at that point of the batch...
        ranked = suggest(case, list(current.values()), policy, TODAY).ranked
        if not ranked:
            assert planned.mediator_ids == () and planned.gap is not None
            continue
        (picked,) = planned.mediator_ids
        by_id = {s.mediator_id: s for s in ranked}
        assert by_id[picked].total == pytest.approx(ranked[0].total, abs=1e-9)
        # ...and its explanation is exactly what suggest() says about that mediator then
        assert planned.explanations[0] == by_id[picked]
        chosen = current[picked]
        current[picked] = replace(chosen, open_cases=chosen.open_cases + 1, last_assigned_on=TODAY)


@settings(max_examples=300, deadline=None, database=None)
@given(PEOPLE, SHAPES, POLICIES, st.booleans())
def test_pairs_match_suggest(people, shape, policy, require_pair):
    # Given one case needing two mediators: by tension, or by the require_pair ethnicity rule
    if require_pair:
        policy = replace(policy, ethnicity_mode=EthnicityMode.REQUIRE_PAIR)
        case = replace(shape, category=CaseCategory.INTERETHNIC)
    else:
        policy = replace(policy, co_mediation_required_for_high_tension=True)
        case = replace(shape, high_tension=True)
    (planned,) = plan_batch([case], people, policy, TODAY)
    expected = suggest(case, people, policy, TODAY)
    assert planned.ethnicity_used is expected.ethnicity_used
    # Then the batch proposes a pair exactly as good as the one suggest() proposes, or none when it has none
    if expected.pair is None:
        assert planned.gap is not None and len(planned.mediator_ids) < 2
    else:
        assert planned.gap is None and len(planned.mediator_ids) == 2
        assert sum(e.total for e in planned.explanations) == pytest.approx(expected.pair.total, abs=1e-9)


@settings(max_examples=150, deadline=None, database=None)
@given(PEOPLE, st.lists(SHAPES, min_size=1, max_size=15), POLICIES)
def test_no_mediator_ever_exceeds_capacity(people, shapes, policy):
    batch = [replace(s, id=100 + k, high_tension=k % 4 == 0) for k, s in enumerate(shapes)]
    policy = replace(policy, co_mediation_required_for_high_tension=True)
    plan = plan_batch(batch, people, policy, TODAY)
    taken = load(plan)
    for person in people:
        assert person.open_cases + taken[person.id] <= max(person.max_active_cases, person.open_cases)
    for case, planned in zip(batch, plan, strict=True):
        assert len(set(planned.mediator_ids)) == len(planned.mediator_ids)
        assert (planned.gap is None) == (len(planned.mediator_ids) == (2 if case.high_tension else 1))
