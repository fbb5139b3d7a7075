"""SuggestionPool gives what suggest() gives: the same ranks, totals, breakdowns, exclusions and pair."""

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from hypothesis import event, given, settings, target
from hypothesis import strategies as st

from mediation.domain.assignment_filters import (
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    CategoryRecord,
    EthnicityMode,
    ExclusionReason,
    Factor,
    PartyInput,
)
from mediation.domain.assignment_pool import SuggestionPool
from mediation.domain.assignment_scoring import DEFAULT_THRESHOLDS, suggest
from mediation.domain.mediator_eligibility import (
    Absence,
    CaseCategory,
    Disqualification,
    EligibilityThresholds,
    LanguageLevel,
    LanguageSkill,
    MediatorKind,
    MediatorProfile,
    MediatorStatus,
    WeeklyHours,
)

TODAY = date(2025, 3, 10)  # a Monday
CATEGORIES = [CaseCategory.FAMILY, CaseCategory.INTERETHNIC, CaseCategory.LABOUR]
CODES = ["kk", "ru", "uz"]

PROFILES = st.builds(
    MediatorProfile,
    kind=st.sampled_from(list(MediatorKind)),
    birth_date=st.sampled_from([date(1960, 1, 1), date(1990, 1, 1), date(2001, 3, 11)]),
    higher_education=st.booleans(),
    certificate_number=st.sampled_from([None, "C-1"]),
    certificate_date=st.sampled_from([None, date(2020, 1, 1), TODAY + timedelta(days=3)]),
    retired_judge=st.booleans(),
    status=st.sampled_from([MediatorStatus.ACTIVE] * 4 + [MediatorStatus.SUSPENDED]),
    suspended_until=st.sampled_from([None, TODAY - timedelta(days=1), TODAY + timedelta(days=5)]),
    disqualifications=st.sets(st.sampled_from(list(Disqualification)), max_size=1).map(frozenset),
)
HOURS = st.sampled_from([(), (WeeklyHours(2, time(9), time(12)),), tuple(WeeklyHours(d, time(9), time(18))
                                                                         for d in range(5))])
ABSENCES = st.lists(st.builds(lambda start, length: Absence(TODAY + timedelta(days=start),
                                                            TODAY + timedelta(days=start + length)),
                              st.integers(-5, 20), st.integers(0, 12)), max_size=2).map(tuple)


@st.composite
def candidates(draw, n: int):
    """A registry candidate with every field drawn; live fields included."""
    levels = draw(st.dictionaries(st.sampled_from(CODES), st.sampled_from(list(LanguageLevel)), max_size=3))
    category = draw(st.sampled_from(CATEGORIES))
    closed = draw(st.integers(0, 30))
    cap = draw(st.integers(0, 4))
    return CandidateInput(
        id=n, profile=draw(PROFILES),
        languages=tuple(LanguageSkill(code, level) for code, level in levels.items()),
        specializations=frozenset(draw(st.sets(st.sampled_from(CATEGORIES)))),
        region=draw(st.sampled_from(["75", "75", "71"])), house_id=draw(st.sampled_from([1, 2, None])),
        takes_cases_elsewhere_in_region=draw(st.booleans()), max_active_cases=cap,
        open_cases=draw(st.integers(0, 5)), weekly_hours=draw(HOURS), absences=draw(ABSENCES),
        conflict_party_ids=frozenset(draw(st.sets(st.sampled_from([1, 2, 9]), max_size=1))),
        track_record=(CategoryRecord(category, closed, draw(st.integers(0, closed))),),
        last_assigned_on=draw(st.none() | st.integers(0, 40).map(lambda d: TODAY - timedelta(days=d))),
        ethnicity=draw(st.sampled_from([None, "kazakh", "russian", "korean"])))


@st.composite
def pools(draw):
    size = draw(st.integers(0, 14))
    people = [draw(candidates(n)) for n in draw(st.permutations(range(1, size + 1)))]
    return people


CASES = st.builds(
    lambda category, house, langs, eths, interpreter, tension, on_case, recused: CaseInput(
        id=500, category=category, region="75", house_id=house,
        parties=tuple(PartyInput(k + 1, frozenset(spoken), eth)
                      for k, (spoken, eth) in enumerate(zip(langs, eths[:len(langs)], strict=True))),
        has_interpreter=interpreter, high_tension=tension, assigned_mediator_ids=frozenset(on_case),
        recused_mediator_ids=frozenset(recused)),
    st.sampled_from(CATEGORIES), st.sampled_from([1, 2, None]),
    st.lists(st.sets(st.sampled_from(CODES), max_size=2), max_size=3),
    st.lists(st.sampled_from([None, "kazakh", "russian"]), min_size=3, max_size=3),
    st.booleans(), st.booleans(), st.sets(st.integers(1, 14), max_size=1), st.sets(st.integers(1, 14), max_size=2),
)
POLICIES = st.builds(
    lambda republic, mode, weights, horizon, co_ethnic, co_tension: AssignmentPolicy(
        allow_republic_pool=republic, ethnicity_mode=mode, weights=weights, horizon_days=horizon,
        co_mediation_required_for_interethnic=co_ethnic, co_mediation_required_for_high_tension=co_tension),
    st.booleans(), st.sampled_from(list(EthnicityMode)),
    st.fixed_dictionaries({f: st.sampled_from([0, 0.5, 1, 2.5]) for f in Factor}),
    st.sampled_from([1, 3, 14]), st.booleans(), st.booleans(),
)


def index_of(people, policy, thresholds=DEFAULT_THRESHOLDS) -> SuggestionPool:
    """The pool built from the registry side of each candidate only (the live fields blanked)."""
    static = [replace(p, open_cases=0, absences=(), conflict_party_ids=frozenset(), track_record=(),
                      last_assigned_on=None) for p in people]
    return SuggestionPool(static, today=TODAY, horizon_days=policy.horizon_days, thresholds=thresholds)


def live_figures(pool: SuggestionPool, people, case: CaseInput):
    """Standings in pool order, absences and conflicts, as the service reads them for `case`."""
    by_id = {p.id: p for p in people}
    standings = []
    for mediator_id in pool.ids:
        p = by_id[mediator_id]
        record = p.record_in(case.category)
        standings.append((p.open_cases, p.last_assigned_on, record.closed, record.agreements))
    absences = {p.id: p.absences for p in people if p.absences}
    conflicts = {p.id: p.conflict_party_ids for p in people if p.conflict_party_ids}
    return standings, absences, conflicts


def as_plain(suggestions):
    """Everything a Suggestions says, breakdowns read out."""
    return (suggestions.case_id,
            [(s.mediator_id, s.total, tuple(s.factors), s.open_cases, s.ethnicity_used) for s in suggestions.ranked],
            suggestions.excluded, suggestions.needs_co_mediator, suggestions.ethnicity_used, suggestions.pair)


@settings(max_examples=400, deadline=None, database=None)
@given(pools(), CASES, POLICIES)
def test_the_pool_suggests_exactly_what_suggest_does(people, case, policy):
    pool = index_of(people, policy)
    assert as_plain(pool.suggest(case, policy, *live_figures(pool, people, case))) == \
        as_plain(suggest(case, people, policy, TODAY))


@settings(max_examples=150, deadline=None, database=None)
@given(pools(), st.data(), CASES, POLICIES)
def test_a_replaced_candidate_counts_as_if_the_pool_were_new(people, data, case, policy):
    # Given a pool built before some mediators' registry rows changed
    pool = index_of(people, policy)
    changed = [replace(data.draw(candidates(p.id)), absences=p.absences) if data.draw(st.booleans()) else p
               for p in people]
    for before, after in zip(people, changed, strict=True):
        if after is not before:
            pool.replace(index_of([after], policy).cands[0])
    # Then it suggests as a pool built from the new rows does
    assert as_plain(pool.suggest(case, policy, *live_figures(pool, changed, case))) == \
        as_plain(suggest(case, changed, policy, TODAY))


# Most candidates pass every filter here, so ranking, ties, pairs, neutral scoring and the republic pool's
# travellers are compared too (with the strategies above, most candidates are excluded).
QUALIFIED = MediatorProfile(kind=MediatorKind.PROFESSIONAL, birth_date=date(1960, 1, 1), higher_education=True,
                            certificate_number="C-1", certificate_date=date(2020, 1, 1))


@st.composite
def qualified(draw, n: int):
    """A candidate who is eligible, keeps office hours and has room, with a varied record and languages."""
    levels = draw(st.dictionaries(st.sampled_from(CODES), st.sampled_from(list(LanguageLevel)), min_size=1,
                                  max_size=3))
    closed = draw(st.sampled_from([0, 0, 1, 3, 5, 7]))
    return CandidateInput(
        id=n, profile=QUALIFIED, languages=tuple(LanguageSkill(code, level) for code, level in levels.items()),
        specializations=frozenset(draw(st.sets(st.sampled_from(CATEGORIES)))),
        region=draw(st.sampled_from(["75", "75", "71"])), house_id=draw(st.sampled_from([1, 2, None])),
        takes_cases_elsewhere_in_region=draw(st.booleans()), max_active_cases=draw(st.sampled_from([3, 5])),
        open_cases=draw(st.integers(0, 2)), weekly_hours=tuple(WeeklyHours(d, time(9), time(18)) for d in range(5)),
        absences=draw(st.sampled_from([(), (), (Absence(TODAY + timedelta(days=1), TODAY + timedelta(days=2)),)])),
        track_record=(CategoryRecord(draw(st.sampled_from(CATEGORIES)), closed, draw(st.integers(0, closed))),),
        last_assigned_on=draw(st.none() | st.sampled_from([-2, 0, 7, 13, 30, 45]).map(
            lambda d: TODAY - timedelta(days=d))),
        ethnicity=draw(st.sampled_from([None, "kazakh", "russian", "korean", " Kazakh "])))


SPOKEN_CASES = st.builds(
    lambda category, house, langs, eths, interpreter, tension: CaseInput(
        id=500, category=category, region="75", house_id=house,
        parties=tuple(PartyInput(k + 1, frozenset(spoken), eth)
                      for k, (spoken, eth) in enumerate(zip(langs, eths[:len(langs)], strict=True))),
        has_interpreter=interpreter, high_tension=tension),
    st.sampled_from(CATEGORIES), st.sampled_from([1, 2, None]),
    st.lists(st.sets(st.sampled_from(CODES), min_size=1, max_size=2), min_size=1, max_size=3),
    st.lists(st.sampled_from(["kazakh", "russian", "RUSSIAN", None]), min_size=3, max_size=3),
    st.booleans(), st.booleans())


@settings(max_examples=500, deadline=None, database=None)
@given(st.integers(0, 16), st.data(), SPOKEN_CASES, POLICIES)
def test_rankings_ties_and_pairs_agree_when_most_candidates_qualify(size, data, case, policy):
    people = [data.draw(qualified(n)) for n in range(1, size + 1)]
    pool = index_of(people, policy)
    expected = suggest(case, people, policy, TODAY)
    target(float(len(expected.ranked)), label="ranked")
    event("a pair proposed" if expected.pair else "no pair")
    assert as_plain(pool.suggest(case, policy, *live_figures(pool, people, case))) == as_plain(expected)


@settings(max_examples=300, deadline=None, database=None)
@given(st.integers(2, 16), st.data(), SPOKEN_CASES, POLICIES,
       st.sampled_from([EthnicityMode.PREFER_NEUTRAL, EthnicityMode.REQUIRE_PAIR]),
       st.lists(st.sampled_from(["kazakh", "russian", "RUSSIAN", " Kazakh "]), min_size=3, max_size=3))
def test_the_ethnicity_rules_agree_on_interethnic_cases_with_consent(size, data, case, policy, mode, communities):
    # Given an interethnic case whose every party declared a community, under a policy that reads them
    case = replace(case, category=CaseCategory.INTERETHNIC,
                   parties=tuple(replace(p, ethnicity=e) for p, e in zip(case.parties, communities, strict=False)))
    policy = replace(policy, ethnicity_mode=mode, weights={**policy.weights, Factor.ETHNICITY_NEUTRAL: 1.0})
    people = [data.draw(qualified(n)) for n in range(1, size + 1)]
    pool = index_of(people, policy)
    expected = suggest(case, people, policy, TODAY)
    event("neutral bonus used" if any(s.ethnicity_used for s in expected.ranked) else "no bonus")
    event("a pair of two communities" if expected.pair and expected.pair.ethnicity_matched else "no matched pair")
    assert as_plain(pool.suggest(case, policy, *live_figures(pool, people, case))) == as_plain(expected)


@settings(max_examples=200, deadline=None, database=None)
@given(st.integers(1, 12), st.data())
def test_one_pool_stays_equal_over_many_views_and_changes(size, data):
    # Given a pool that serves view after view while absences, workload and registry rows change in between
    people = [data.draw(st.one_of(candidates(n), qualified(n))) for n in range(1, size + 1)]
    policy = data.draw(POLICIES)
    pool = index_of(people, policy)
    for _ in range(data.draw(st.integers(1, 6))):
        k = data.draw(st.integers(0, size - 1))
        change = data.draw(st.sampled_from(["none", "absences", "registry", "workload"]))
        if change == "absences":
            people[k] = replace(people[k], absences=data.draw(ABSENCES))
        elif change == "registry":
            people[k] = replace(data.draw(qualified(people[k].id)), absences=people[k].absences)
            pool.replace(index_of([people[k]], policy).cands[0])
        elif change == "workload":
            people[k] = replace(people[k], open_cases=data.draw(st.integers(0, 5)))
        case = data.draw(st.one_of(CASES, SPOKEN_CASES))
        weights = replace(data.draw(POLICIES), horizon_days=policy.horizon_days)
        # Then each view is what suggest() says for the inputs of that moment
        assert as_plain(pool.suggest(case, weights, *live_figures(pool, people, case))) == \
            as_plain(suggest(case, people, weights, TODAY))


BASE = CandidateInput(
    id=1, profile=MediatorProfile(kind=MediatorKind.PUBLIC, birth_date=date(1960, 1, 1), higher_education=False),
    languages=(LanguageSkill("kk", LanguageLevel.NATIVE),), specializations=frozenset({CaseCategory.FAMILY}),
    region="75", house_id=1, takes_cases_elsewhere_in_region=True, max_active_cases=3, open_cases=0,
    weekly_hours=tuple(WeeklyHours(d, time(9), time(18)) for d in range(5)))
CASE = CaseInput(id=7, category=CaseCategory.FAMILY, region="75", house_id=1,
                 parties=(PartyInput(1, frozenset({"kk"})),))


def test_absences_of_the_view_exclude_and_are_forgotten_when_gone():
    policy = AssignmentPolicy(horizon_days=3)
    pool = SuggestionPool([BASE], today=TODAY, horizon_days=3, thresholds=DEFAULT_THRESHOLDS)
    away = {1: (Absence(TODAY, TODAY + timedelta(days=10)),)}
    standing = [(0, None, 0, 0)]
    (excluded,) = pool.suggest(CASE, policy, standing, away).excluded
    assert excluded.reasons == (ExclusionReason.SUSPENDED_OR_ABSENT, ExclusionReason.NOT_AVAILABLE_WITHIN_HORIZON)
    assert [s.mediator_id for s in pool.suggest(CASE, policy, standing).ranked] == [1]


def test_workload_is_read_from_the_standings_not_from_the_pool():
    policy = AssignmentPolicy()
    pool = SuggestionPool([BASE], today=TODAY, horizon_days=policy.horizon_days, thresholds=DEFAULT_THRESHOLDS)
    (excluded,) = pool.suggest(CASE, policy, [(3, None, 0, 0)]).excluded
    assert excluded.reasons == (ExclusionReason.AT_CAPACITY,)
    (ranked,) = pool.suggest(CASE, policy, [(1, TODAY, 4, 2)]).ranked
    assert ranked.open_cases == 1
    lines = {line.factor: line for line in ranked.factors}
    assert lines[Factor.FREE_CAPACITY].value == pytest.approx(2 / 3)
    assert lines[Factor.EXPERIENCE_IN_CATEGORY].raw == 4 and lines[Factor.ROTATION].raw == 0


def test_a_pool_refuses_another_horizon_and_misaligned_standings():
    pool = SuggestionPool([BASE], today=TODAY, horizon_days=14, thresholds=EligibilityThresholds())
    with pytest.raises(ValueError, match="horizon"):
        pool.suggest(CASE, AssignmentPolicy(horizon_days=7), [(0, None, 0, 0)])
    with pytest.raises(ValueError, match="standing"):
        pool.suggest(CASE, AssignmentPolicy(), [])
    with pytest.raises(ValueError, match="twice"):
        SuggestionPool([BASE, BASE], today=TODAY, horizon_days=14, thresholds=EligibilityThresholds())
