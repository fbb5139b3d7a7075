"""Assignment inputs, the per-region assignment policy and the hard filters that exclude candidates."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from mediation.domain.errors import DomainError
from mediation.domain.mediator_eligibility import (
    Absence,
    CaseCategory,
    EligibilityThresholds,
    IneligibilityReason,
    LanguageSkill,
    MediatorProfile,
    WeeklyHours,
    available_within,
    eligibility_reasons,
    is_absent_on,
)

# A horizon beyond the longest possible mediation (30 + 30 days) plus slack makes the filter meaningless.
MAX_HORIZON_DAYS = 90


class ExclusionReason(StrEnum):
    """Why a candidate cannot be suggested for a case; one candidate may have several."""

    NOT_ELIGIBLE = "not_eligible"
    SUSPENDED_OR_ABSENT = "suspended_or_absent"
    ALREADY_ON_CASE = "already_on_case"
    DECLARED_CONFLICT = "declared_conflict"
    AT_CAPACITY = "at_capacity"
    NO_COMMON_LANGUAGE = "no_common_language"
    OUTSIDE_REGION = "outside_region"
    OUTSIDE_HOUSE = "outside_house"
    NOT_AVAILABLE_WITHIN_HORIZON = "not_available_within_horizon"


# The reasons in declaration order, once: iterating the enum class per excluded candidate showed in profiles.
REASON_ORDER: tuple[ExclusionReason, ...] = tuple(ExclusionReason)


class Factor(StrEnum):
    """Scoring factors; the same codes key the policy weights and the score breakdown."""

    LANGUAGE_FIT = "language_fit"
    SPECIALIZATION = "specialization"
    FREE_CAPACITY = "free_capacity"
    SAME_HOUSE = "same_house"
    EXPERIENCE_IN_CATEGORY = "experience_in_category"
    OUTCOME_RATE = "outcome_rate"
    ROTATION = "rotation"
    ETHNICITY_NEUTRAL = "ethnicity_neutral"


class EthnicityMode(StrEnum):
    """How a region lets declared ethnicity shape interethnic assignments."""

    OFF = "off"
    PREFER_NEUTRAL = "prefer_neutral"
    REQUIRE_PAIR = "require_pair"


DEFAULT_WEIGHTS: Mapping[Factor, float] = MappingProxyType(
    {
        Factor.LANGUAGE_FIT: 3.0,
        Factor.SPECIALIZATION: 2.0,
        Factor.FREE_CAPACITY: 2.0,
        Factor.SAME_HOUSE: 1.0,
        Factor.EXPERIENCE_IN_CATEGORY: 1.5,
        Factor.OUTCOME_RATE: 1.5,
        Factor.ROTATION: 1.0,
        Factor.ETHNICITY_NEUTRAL: 0.5,
    }
)

_FACTOR_CODES = frozenset(Factor)
_ETHNICITY_MODES = frozenset(EthnicityMode)


class InvalidAssignmentPolicy(DomainError):
    """A policy field is out of range (negative weight, unknown factor, absurd horizon...)."""

    code = "invalid_assignment_policy"


@dataclass(frozen=True)
class AssignmentPolicy:
    """A region's assignment settings; weights missing from `weights` fall back to DEFAULT_WEIGHTS."""

    weights: Mapping[str, float] = field(default_factory=dict)
    horizon_days: int = 14
    co_mediation_required_for_interethnic: bool = False
    co_mediation_required_for_high_tension: bool = True
    allow_republic_pool: bool = False
    ethnicity_mode: EthnicityMode = EthnicityMode.OFF
    experience_half_saturation: float = 5.0  # closed cases at which experience scores 0.5
    outcome_prior_rate: float = 0.5  # agreement rate assumed before any evidence
    outcome_prior_strength: float = 10.0  # how many closed cases the prior is worth
    rotation_saturation_days: int = 30  # days idle after which rotation gives full points

    def __post_init__(self):
        # Merge so a region stores only the weights it changes; keep it read-only like the rest.
        object.__setattr__(self, "weights", MappingProxyType({**DEFAULT_WEIGHTS, **self.weights}))
        # A string read from the database becomes the enum; junk is left for validate() to report.
        if self.ethnicity_mode in _ETHNICITY_MODES:
            object.__setattr__(self, "ethnicity_mode", EthnicityMode(self.ethnicity_mode))

    def weight(self, factor: Factor) -> float:
        """The weight of one factor."""
        return self.weights[factor]

    def validate(self) -> None:
        """Raise InvalidAssignmentPolicy on the first field out of range."""
        for key, value in self.weights.items():
            if key not in _FACTOR_CODES:
                raise InvalidAssignmentPolicy(field="weights", factor=key, value=value)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise InvalidAssignmentPolicy(field="weights", factor=key, value=value)
        if not 1 <= self.horizon_days <= MAX_HORIZON_DAYS:
            raise InvalidAssignmentPolicy(field="horizon_days", value=self.horizon_days)
        if not self.experience_half_saturation > 0:
            raise InvalidAssignmentPolicy(field="experience_half_saturation", value=self.experience_half_saturation)
        if not 0 <= self.outcome_prior_rate <= 1:
            raise InvalidAssignmentPolicy(field="outcome_prior_rate", value=self.outcome_prior_rate)
        # Without a prior, 1 agreement out of 1 would beat 40 out of 50.
        if not self.outcome_prior_strength > 0:
            raise InvalidAssignmentPolicy(field="outcome_prior_strength", value=self.outcome_prior_strength)
        if self.rotation_saturation_days < 1:
            raise InvalidAssignmentPolicy(field="rotation_saturation_days", value=self.rotation_saturation_days)
        if self.ethnicity_mode not in _ETHNICITY_MODES:
            raise InvalidAssignmentPolicy(field="ethnicity_mode", value=self.ethnicity_mode)


@dataclass(frozen=True, slots=True)
class PartyInput:
    """A party as assignment sees it; `ethnicity` is None unless self-declared with consent."""

    id: int
    languages: frozenset[str]
    ethnicity: str | None = None


@dataclass(frozen=True, slots=True)
class CaseInput:
    """The case to staff; `house_id` None means registered at region level (any house may take it)."""

    id: int
    category: CaseCategory
    region: str
    house_id: int | None
    parties: tuple[PartyInput, ...]
    has_interpreter: bool = False
    high_tension: bool = False
    assigned_mediator_ids: frozenset[int] = frozenset()
    recused_mediator_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    """A mediator's closed cases and signed agreements in one category."""

    category: CaseCategory
    closed: int
    agreements: int


@dataclass(frozen=True, slots=True)
class CandidateInput:
    """A registry mediator as assignment sees it; `ethnicity` is None unless declared with consent."""

    id: int
    profile: MediatorProfile
    languages: tuple[LanguageSkill, ...]
    specializations: frozenset[CaseCategory]
    region: str
    house_id: int | None
    takes_cases_elsewhere_in_region: bool
    max_active_cases: int
    open_cases: int
    weekly_hours: tuple[WeeklyHours, ...] = ()
    absences: tuple[Absence, ...] = ()
    conflict_party_ids: frozenset[int] = frozenset()
    track_record: tuple[CategoryRecord, ...] = ()
    last_assigned_on: date | None = None
    ethnicity: str | None = None

    def language_codes(self) -> frozenset[str]:
        """The codes of every language the mediator can mediate in."""
        return frozenset(s.language for s in self.languages)

    def record_in(self, category: CaseCategory) -> CategoryRecord:
        """The track record in `category`, zero if none is stored."""
        for record in self.track_record:
            if record.category == category:
                return record
        return CategoryRecord(category, 0, 0)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A candidate left out, with every filter it failed and the eligibility codes behind them."""

    mediator_id: int
    reasons: tuple[ExclusionReason, ...]
    eligibility_reasons: tuple[IneligibilityReason, ...] = ()


def personal_reasons(
    candidate: CandidateInput, policy: AssignmentPolicy, today: date, thresholds: EligibilityThresholds
) -> tuple[list[ExclusionReason], list[IneligibilityReason]]:
    """Filters that depend on the mediator alone (eligibility, absence, availability), not the case."""
    found: list[ExclusionReason] = []
    codes = eligibility_reasons(candidate.profile, today, thresholds)
    # A suspension is reported as suspended_or_absent so the coordinator sees it is temporary.
    if any(c != IneligibilityReason.SUSPENDED for c in codes):
        found.append(ExclusionReason.NOT_ELIGIBLE)
    if IneligibilityReason.SUSPENDED in codes or is_absent_on(candidate.absences, today):
        found.append(ExclusionReason.SUSPENDED_OR_ABSENT)
    if not available_within(candidate.weekly_hours, candidate.absences, today, policy.horizon_days):
        found.append(ExclusionReason.NOT_AVAILABLE_WITHIN_HORIZON)
    return found, codes


def geography_reason(case: CaseInput, candidate: CandidateInput, policy: AssignmentPolicy) -> ExclusionReason | None:
    """outside_region / outside_house, or None if the mediator may serve where the case is."""
    if candidate.region != case.region:
        # A mediator unwilling to leave their own house is not sent to another region either.
        if policy.allow_republic_pool and candidate.takes_cases_elsewhere_in_region:
            return None
        return ExclusionReason.OUTSIDE_REGION
    if case.house_id is None or candidate.house_id == case.house_id:
        return None
    return None if candidate.takes_cases_elsewhere_in_region else ExclusionReason.OUTSIDE_HOUSE


def shares_language_with_every_party(case: CaseInput, languages: frozenset[str]) -> bool:
    """True if each party speaks at least one of `languages`."""
    return all(not languages.isdisjoint(p.languages) for p in case.parties)


def has_conflict(case: CaseInput, candidate: CandidateInput) -> bool:
    """True if the mediator recused from this case or declared a conflict with one of its parties."""
    if candidate.id in case.recused_mediator_ids:
        return True
    return any(p.id in candidate.conflict_party_ids for p in case.parties)


def case_reasons(
    case: CaseInput, candidate: CandidateInput, policy: AssignmentPolicy, open_cases: int
) -> list[ExclusionReason]:
    """Filters that depend on this case (or on the live workload passed as `open_cases`)."""
    found: list[ExclusionReason] = []
    if candidate.id in case.assigned_mediator_ids:
        found.append(ExclusionReason.ALREADY_ON_CASE)
    if has_conflict(case, candidate):
        found.append(ExclusionReason.DECLARED_CONFLICT)
    if open_cases >= candidate.max_active_cases:
        found.append(ExclusionReason.AT_CAPACITY)
    if not case.has_interpreter and not shares_language_with_every_party(case, candidate.language_codes()):
        found.append(ExclusionReason.NO_COMMON_LANGUAGE)
    geography = geography_reason(case, candidate, policy)
    if geography is not None:
        found.append(geography)
    return found


def exclusion(
    case: CaseInput,
    candidate: CandidateInput,
    policy: AssignmentPolicy,
    today: date,
    thresholds: EligibilityThresholds,
) -> Exclusion | None:
    """All reasons `candidate` cannot take `case` today, or None if every hard filter passes."""
    personal, codes = personal_reasons(candidate, policy, today, thresholds)
    for_case = case_reasons(case, candidate, policy, candidate.open_cases)
    if not personal and not for_case:
        return None
    found = set(personal).union(for_case)
    # Report in the declaration order of the enum: stable for the UI and for tests.
    return Exclusion(candidate.id, tuple(r for r in REASON_ORDER if r in found), tuple(codes))
