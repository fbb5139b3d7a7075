"""A candidate and a case to vary in the assignment scoring tests."""

from datetime import date, time

from mediation.domain.assignment_filters import (
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    Factor,
    PartyInput,
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
