"""Hard filters of mediator assignment: each one alone, all of them together, and the region policy."""

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from mediation.domain.assignment import suggest
from mediation.domain.assignment_filters import (
    MAX_HORIZON_DAYS,
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    EthnicityMode,
    ExclusionReason,
    Factor,
    InvalidAssignmentPolicy,
    PartyInput,
    exclusion,
    geography_reason,
)
from mediation.domain.errors import DomainError
from mediation.domain.mediator_eligibility import (
    Absence,
    CaseCategory,
    Disqualification,
    EligibilityThresholds,
    IneligibilityReason,
    LanguageLevel,
    LanguageSkill,
    MediatorKind,
    MediatorProfile,
    MediatorStatus,
    WeeklyHours,
)

X = ExclusionReason
TODAY = date(2025, 3, 10)  # a Monday
LAW = EligibilityThresholds()
POLICY = AssignmentPolicy()
ALL_WEEK = tuple(WeeklyHours(d, time(9), time(17)) for d in range(7))
PROFILE = MediatorProfile(kind=MediatorKind.PUBLIC, birth_date=date(1970, 1, 1), higher_education=False)
BASE = CandidateInput(
    id=7,
    profile=PROFILE,
    languages=(LanguageSkill("kk", LanguageLevel.NATIVE), LanguageSkill("ru", LanguageLevel.FLUENT)),
    specializations=frozenset({CaseCategory.FAMILY}),
    region="75",
    house_id=1,
    takes_cases_elsewhere_in_region=False,
    max_active_cases=5,
    open_cases=1,
    weekly_hours=ALL_WEEK,
)
CASE = CaseInput(
    id=100,
    category=CaseCategory.FAMILY,
    region="75",
    house_id=1,
    parties=(PartyInput(1, frozenset({"kk"})), PartyInput(2, frozenset({"ru", "uz"}))),
)
NEXT_WEEK = Absence(TODAY + timedelta(days=1), TODAY + timedelta(days=30))


def reasons(candidate=BASE, case=CASE, policy=POLICY):
    found = exclusion(case, candidate, policy, TODAY, LAW)
    return [] if found is None else list(found.reasons)


# Each row changes one thing about a candidate who passes everything, and names the one filter it trips.
ONE_FILTER = [
    ("eligible", BASE, CASE, []),
    (
        "too-young",
        replace(BASE, profile=replace(PROFILE, birth_date=date(1990, 1, 1))),
        CASE,
        [X.NOT_ELIGIBLE],
    ),
    (
        "disqualified",
        replace(BASE, profile=replace(PROFILE, disqualifications=frozenset({Disqualification.STATE_OFFICE}))),
        CASE,
        [X.NOT_ELIGIBLE],
    ),
    (
        "excluded",
        replace(BASE, profile=replace(PROFILE, status=MediatorStatus.EXCLUDED)),
        CASE,
        [X.NOT_ELIGIBLE],
    ),
    (
        "suspended",
        replace(BASE, profile=replace(PROFILE, status=MediatorStatus.SUSPENDED, suspended_until=date(2025, 6, 1))),
        CASE,
        [X.SUSPENDED_OR_ABSENT],
    ),
    (
        "suspension-lapsed",
        replace(BASE, profile=replace(PROFILE, status=MediatorStatus.SUSPENDED, suspended_until=date(2025, 3, 9))),
        CASE,
        [],
    ),
    ("absent-today", replace(BASE, absences=(Absence(TODAY, TODAY),)), CASE, [X.SUSPENDED_OR_ABSENT]),
    ("absent-from-tomorrow", replace(BASE, absences=(NEXT_WEEK,)), CASE, []),
    ("already-on-case", BASE, replace(CASE, assigned_mediator_ids=frozenset({7})), [X.ALREADY_ON_CASE]),
    ("recused-earlier", BASE, replace(CASE, recused_mediator_ids=frozenset({7})), [X.DECLARED_CONFLICT]),
    ("conflict-with-party", replace(BASE, conflict_party_ids=frozenset({2})), CASE, [X.DECLARED_CONFLICT]),
    ("conflict-elsewhere", replace(BASE, conflict_party_ids=frozenset({99})), CASE, []),
    ("at-capacity", replace(BASE, open_cases=5), CASE, [X.AT_CAPACITY]),
    ("over-capacity", replace(BASE, open_cases=6), CASE, [X.AT_CAPACITY]),
    ("one-slot-left", replace(BASE, open_cases=4), CASE, []),
    ("zero-capacity", replace(BASE, max_active_cases=0, open_cases=0), CASE, [X.AT_CAPACITY]),
    (
        "misses-one-party",
        replace(BASE, languages=(LanguageSkill("kk", LanguageLevel.NATIVE),)),
        CASE,
        [X.NO_COMMON_LANGUAGE],
    ),
    (
        "any-language-of-party",
        replace(
            BASE,
            languages=(LanguageSkill("kk", LanguageLevel.NATIVE), LanguageSkill("uz", LanguageLevel.WORKING)),
        ),
        CASE,
        [],
    ),
    (
        "interpreter-recorded",
        replace(BASE, languages=(LanguageSkill("kk", LanguageLevel.NATIVE),)),
        replace(CASE, has_interpreter=True),
        [],
    ),
    ("other-region", replace(BASE, region="71"), CASE, [X.OUTSIDE_REGION]),
    ("other-house-stays-home", replace(BASE, house_id=2), CASE, [X.OUTSIDE_HOUSE]),
    ("other-house-travels", replace(BASE, house_id=2, takes_cases_elsewhere_in_region=True), CASE, []),
    ("no-weekly-hours", replace(BASE, weekly_hours=()), CASE, [X.NOT_AVAILABLE_WITHIN_HORIZON]),
    (
        "hours-only-beyond-horizon",
        replace(BASE, weekly_hours=(WeeklyHours(1, time(9), time(12)),), absences=(NEXT_WEEK,)),
        CASE,
        [X.NOT_AVAILABLE_WITHIN_HORIZON],
    ),
    (
        "hours-on-a-free-day",
        replace(BASE, weekly_hours=(WeeklyHours(0, time(9), time(12)),), absences=(NEXT_WEEK,)),
        CASE,
        [],
    ),
]


@pytest.mark.parametrize(("candidate", "case", "expected"), [r[1:] for r in ONE_FILTER], ids=[r[0] for r in ONE_FILTER])
def test_each_filter_alone(candidate, case, expected):
    assert reasons(candidate, case) == expected


def test_every_reason_is_reported_together():
    # Given a mediator who fails everything at once
    hopeless = replace(
        BASE,
        profile=replace(PROFILE, birth_date=date(2000, 1, 1), status=MediatorStatus.SUSPENDED),
        absences=(Absence(TODAY, TODAY + timedelta(days=60)),),
        conflict_party_ids=frozenset({1}),
        open_cases=5,
        languages=(LanguageSkill("de", LanguageLevel.NATIVE),),
        region="71",
    )
    case = replace(CASE, assigned_mediator_ids=frozenset({7}))
    # Then every filter is named, in the enum's order, with the eligibility codes behind them
    found = exclusion(case, hopeless, POLICY, TODAY, LAW)
    assert found.mediator_id == 7
    assert found.reasons == (
        X.NOT_ELIGIBLE,
        X.SUSPENDED_OR_ABSENT,
        X.ALREADY_ON_CASE,
        X.DECLARED_CONFLICT,
        X.AT_CAPACITY,
        X.NO_COMMON_LANGUAGE,
        X.OUTSIDE_REGION,
        X.NOT_AVAILABLE_WITHIN_HORIZON,
    )
    assert found.eligibility_reasons == (IneligibilityReason.UNDER_AGE, IneligibilityReason.SUSPENDED)


@pytest.mark.parametrize(
    ("candidate_region", "candidate_house", "travels", "case_house", "republic", "expected"),
    [
        ("75", 1, False, 1, False, None),
        ("75", 2, False, 1, False, X.OUTSIDE_HOUSE),
        ("75", 2, True, 1, False, None),
        ("75", None, False, 1, False, X.OUTSIDE_HOUSE),  # a mediator attached to no house is not local
        ("75", 2, False, None, False, None),  # case registered at region level: any house of the region
        ("71", 3, True, 1, False, X.OUTSIDE_REGION),
        ("71", 3, True, 1, True, None),  # the republic pool reaches mediators willing to travel
        ("71", 3, False, 1, True, X.OUTSIDE_REGION),  # ...but not those who stay in their own house
    ],
)
def test_geography(candidate_region, candidate_house, travels, case_house, republic, expected):
    candidate = replace(
        BASE, region=candidate_region, house_id=candidate_house, takes_cases_elsewhere_in_region=travels
    )
    policy = AssignmentPolicy(allow_republic_pool=republic)
    assert geography_reason(replace(CASE, house_id=case_house), candidate, policy) == expected


@pytest.mark.parametrize(("horizon", "expected"), [(1, [X.NOT_AVAILABLE_WITHIN_HORIZON]), (2, [])])
def test_horizon_comes_from_the_policy(horizon, expected):
    tuesdays_only = replace(BASE, weekly_hours=(WeeklyHours(1, time(9), time(12)),))
    assert reasons(tuesdays_only, policy=AssignmentPolicy(horizon_days=horizon)) == expected


def test_thresholds_are_passed_through():
    young = replace(BASE, profile=replace(PROFILE, birth_date=date(1988, 1, 1)))  # 37
    assert exclusion(CASE, young, POLICY, TODAY, LAW).reasons == (X.NOT_ELIGIBLE,)
    assert exclusion(CASE, young, POLICY, TODAY, EligibilityThresholds(public_min_age=35)) is None


def test_suggest_lists_exclusions_by_id_with_reasons():
    people = [replace(BASE, id=9, region="71"), replace(BASE, id=3), replace(BASE, id=5, open_cases=5)]
    result = suggest(CASE, people, POLICY, TODAY)
    assert [s.mediator_id for s in result.ranked] == [3]
    assert [(e.mediator_id, e.reasons) for e in result.excluded] == [
        (5, (X.AT_CAPACITY,)),
        (9, (X.OUTSIDE_REGION,)),
    ]


# ----- the policy -----


def test_policy_defaults_are_valid_and_complete():
    POLICY.validate()
    assert set(POLICY.weights) == set(Factor)
    assert POLICY.ethnicity_mode is EthnicityMode.OFF
    assert POLICY.allow_republic_pool is False


def test_policy_merges_partial_weights_and_coerces_stored_strings():
    policy = AssignmentPolicy(weights={"rotation": 0, Factor.LANGUAGE_FIT: 5}, ethnicity_mode="prefer_neutral")
    policy.validate()
    assert policy.weight(Factor.ROTATION) == 0
    assert policy.weight(Factor.LANGUAGE_FIT) == 5
    assert policy.weight(Factor.SAME_HOUSE) == POLICY.weight(Factor.SAME_HOUSE)
    assert policy.ethnicity_mode is EthnicityMode.PREFER_NEUTRAL
    with pytest.raises(TypeError):
        policy.weights[Factor.ROTATION] = 3  # read-only


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weights": {"rotation": -1}}, "weights"),
        ({"weights": {"rotation": float("nan")}}, "weights"),
        ({"weights": {"rotation": float("inf")}}, "weights"),
        ({"weights": {"rotation": "3"}}, "weights"),
        ({"weights": {"seniority": 1}}, "weights"),
        ({"horizon_days": 0}, "horizon_days"),
        ({"horizon_days": MAX_HORIZON_DAYS + 1}, "horizon_days"),
        ({"experience_half_saturation": 0}, "experience_half_saturation"),
        ({"outcome_prior_rate": 1.5}, "outcome_prior_rate"),
        ({"outcome_prior_strength": 0}, "outcome_prior_strength"),
        ({"rotation_saturation_days": 0}, "rotation_saturation_days"),
        ({"ethnicity_mode": "by_surname"}, "ethnicity_mode"),
    ],
)
def test_policy_validation(changes, field):
    with pytest.raises(InvalidAssignmentPolicy) as raised:
        AssignmentPolicy(**changes).validate()
    assert isinstance(raised.value, DomainError)
    assert raised.value.code == "invalid_assignment_policy"
    assert raised.value.field == field


def test_suggest_refuses_an_invalid_policy():
    with pytest.raises(InvalidAssignmentPolicy):
        suggest(CASE, [BASE], AssignmentPolicy(horizon_days=-3), TODAY)
