"""Scoring and ranking for one case: a visible breakdown per factor, co-mediation pairs, `suggest`."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from types import MappingProxyType

from mediation.domain.assignment_filters import (
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    EthnicityMode,
    Exclusion,
    Factor,
    exclusion,
)
from mediation.domain.mediator_eligibility import CaseCategory, EligibilityThresholds, LanguageLevel

DEFAULT_THRESHOLDS = EligibilityThresholds()

# Native and fluent both carry a hard conversation; working level can miss nuance under stress.
LEVEL_POINTS: Mapping[LanguageLevel, float] = MappingProxyType(
    {
        LanguageLevel.NATIVE: 1.0,
        LanguageLevel.FLUENT: 0.9,
        LanguageLevel.WORKING: 0.5,
    }
)


@dataclass(frozen=True, slots=True)
class FactorScore:
    """One line of the breakdown: raw measure, its 0..1 value, the weight and value x weight."""

    factor: Factor
    raw: float | None
    value: float
    weight: float
    points: float


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """A candidate who passed every filter, with the total and the factors that make it up."""

    mediator_id: int
    total: float
    factors: tuple[FactorScore, ...]
    open_cases: int
    ethnicity_used: bool

    def rank_key(self) -> tuple[float, int, int]:
        """Sort key: higher score first, then fewer open cases, then lower id."""
        return (-self.total, self.open_cases, self.mediator_id)


@dataclass(frozen=True, slots=True)
class PairProposal:
    """A proposed co-mediation pair in rank order; ethnicity_matched if it reflects both communities."""

    mediator_ids: tuple[int, int]
    total: float
    ethnicity_matched: bool


def normalized_ethnicity(value: str | None) -> str | None:
    """Comparable form of a declared ethnicity code; None stays None."""
    return value.strip().casefold() if value and value.strip() else None


def declared_ethnicity(value: str | None, consent: bool) -> str | None:
    """What the service may put into an input: the ethnicity only if self-declared with consent."""
    return normalized_ethnicity(value) if consent else None


def best_levels(candidate: CandidateInput) -> dict[str, float]:
    """Language code -> best level points, if a language was recorded twice."""
    levels: dict[str, float] = {}
    for skill in candidate.languages:
        levels[skill.language] = max(levels.get(skill.language, 0.0), LEVEL_POINTS[skill.level])
    return levels


def language_fit(case: CaseInput, levels: Mapping[str, float]) -> float:
    """Level in the language the mediator handles worst among the parties (0 if one needs interpreting)."""
    # The weakest party link decides: a native speaker for one side does not help the other side.
    # Plain loops, not nested generators: the batch planner calls this for every pick it explains.
    worst = None
    for party in case.parties:
        best = 0.0
        for code in party.languages:
            points = levels.get(code, 0.0)
            if points > best:
                best = points
        if worst is None or best < worst:
            worst = best
    return worst if worst is not None else 0.0


def free_capacity(open_cases: int, max_active_cases: int) -> float:
    """Fraction of the caseload still free, 0..1; strictly falls as open cases rise below the cap."""
    if max_active_cases <= 0:
        return 0.0
    return max(0, max_active_cases - open_cases) / max_active_cases


def experience_value(closed: int, half_saturation: float) -> float:
    """closed / (closed + half): the 30th case in a category matters less than the 3rd."""
    return closed / (closed + half_saturation)


def outcome_value(agreements: int, closed: int, prior_rate: float, prior_strength: float) -> float:
    """Agreement rate shrunk towards the prior, so 1 of 1 does not beat 40 of 50."""
    return (agreements + prior_rate * prior_strength) / (closed + prior_strength)


def rotation_days(last_assigned_on: date | None, today: date) -> int | None:
    """Days since the last assignment (never negative), None if never assigned."""
    if last_assigned_on is None:
        return None
    return max(0, (today - last_assigned_on).days)


def rotation_value(days: int | None, saturation_days: int) -> float:
    """0 if assigned today, rising to 1 after `saturation_days`; never assigned counts as rested."""
    return 1.0 if days is None else min(days, saturation_days) / saturation_days


def ethnicity_in_play(case: CaseInput, policy: AssignmentPolicy) -> bool:
    """True if this case's score or pairing will read declared ethnicity (to be logged by the caller)."""
    if policy.ethnicity_mode == EthnicityMode.OFF or case.category != CaseCategory.INTERETHNIC:
        return False
    if policy.ethnicity_mode == EthnicityMode.PREFER_NEUTRAL and policy.weight(Factor.ETHNICITY_NEUTRAL) <= 0:
        return False
    # Judging "neutral" or "both communities" needs every party's consent, not just some.
    return bool(case.parties) and all(normalized_ethnicity(p.ethnicity) for p in case.parties)


def party_communities(case: CaseInput) -> frozenset[str]:
    """The parties' declared ethnicities, normalised; only meaningful when ethnicity_in_play."""
    return frozenset(e for p in case.parties if (e := normalized_ethnicity(p.ethnicity)))


def neutral_value(mediator_ethnicity: str | None, communities: frozenset[str]) -> float:
    """1 if the mediator declared an ethnicity that no party shares, else 0 (undeclared gets no bonus)."""
    ethnicity = normalized_ethnicity(mediator_ethnicity)
    return 1.0 if ethnicity is not None and ethnicity not in communities else 0.0


def score_candidate(
    case: CaseInput,
    candidate: CandidateInput,
    policy: AssignmentPolicy,
    today: date,
    *,
    open_cases: int | None = None,
    assigned_today: bool = False,
) -> ScoredCandidate:
    """Score one candidate that passed the filters; factors are listed in Factor order.

    `open_cases` and `assigned_today` let the batch planner explain a pick with the workload it has
    already given the mediator, without copying the input.
    """
    open_now = candidate.open_cases if open_cases is None else open_cases
    fit = language_fit(case, best_levels(candidate))
    specialised = 1.0 if case.category in candidate.specializations else 0.0
    free = free_capacity(open_now, candidate.max_active_cases)
    # House ids are unique in the database; comparing the region too keeps hand-made inputs honest.
    at_home = (candidate.region, candidate.house_id) == (case.region, case.house_id)
    same_house = 1.0 if case.house_id is not None and at_home else 0.0
    record = candidate.record_in(case.category)
    rate = record.agreements / record.closed if record.closed else None
    days = rotation_days(today if assigned_today else candidate.last_assigned_on, today)
    p, w = policy, policy.weights
    experience = experience_value(record.closed, p.experience_half_saturation)
    outcome = outcome_value(record.agreements, record.closed, p.outcome_prior_rate, p.outcome_prior_strength)
    rested = rotation_value(days, p.rotation_saturation_days)
    # Built inline, without helper calls or temporary tuples: the batch planner explains every pick.
    lines = [
        FactorScore(Factor.LANGUAGE_FIT, fit, fit, w[Factor.LANGUAGE_FIT], fit * w[Factor.LANGUAGE_FIT]),
        FactorScore(
            Factor.SPECIALIZATION,
            specialised,
            specialised,
            w[Factor.SPECIALIZATION],
            specialised * w[Factor.SPECIALIZATION],
        ),
        FactorScore(Factor.FREE_CAPACITY, free, free, w[Factor.FREE_CAPACITY], free * w[Factor.FREE_CAPACITY]),
        FactorScore(Factor.SAME_HOUSE, same_house, same_house, w[Factor.SAME_HOUSE], same_house * w[Factor.SAME_HOUSE]),
        FactorScore(
            Factor.EXPERIENCE_IN_CATEGORY,
            record.closed,
            experience,
            w[Factor.EXPERIENCE_IN_CATEGORY],
            experience * w[Factor.EXPERIENCE_IN_CATEGORY],
        ),
        FactorScore(Factor.OUTCOME_RATE, rate, outcome, w[Factor.OUTCOME_RATE], outcome * w[Factor.OUTCOME_RATE]),
        FactorScore(Factor.ROTATION, days, rested, w[Factor.ROTATION], rested * w[Factor.ROTATION]),
    ]
    ethnicity_used = False
    if p.ethnicity_mode == EthnicityMode.PREFER_NEUTRAL and ethnicity_in_play(case, p):
        # raw stays None: the breakdown shown to users must not reveal anyone's ethnicity.
        neutral = neutral_value(candidate.ethnicity, party_communities(case))
        weight = w[Factor.ETHNICITY_NEUTRAL]
        lines.append(FactorScore(Factor.ETHNICITY_NEUTRAL, None, neutral, weight, neutral * weight))
        ethnicity_used = candidate.ethnicity is not None
    # Added left to right, not with sum(): Python 3.12's sum() of floats compensates rounding, and the suggestion
    # pool (assignment_pool) must reach the very same totals, hence the same ranks, on every supported Python.
    total = 0.0
    for line in lines:
        total += line.points
    return ScoredCandidate(candidate.id, total, tuple(lines), open_now, ethnicity_used)


def pick_pair_ids(
    ordered: Iterable[tuple[int, str | None]], communities: frozenset[str] | None
) -> tuple[tuple[int, int], bool] | None:
    """Pick two ids from (id, ethnicity) pairs in rank order; returns (ids, ethnicity_matched) or None.

    With two or more `communities`, the pair is the best mediator of each of the two best-served
    communities (for two parties: one from each side); otherwise it is simply the top two.
    """
    if communities is None or len(communities) < 2:
        top = [mediator_id for mediator_id, _ in islice(ordered, 2)]
        return ((top[0], top[1]), False) if len(top) == 2 else None
    best: dict[str, int] = {}
    for mediator_id, ethnicity in ordered:
        ethnicity = normalized_ethnicity(ethnicity)
        if ethnicity in communities and ethnicity not in best:
            best[ethnicity] = mediator_id
            # Rank order means the first two communities found hold the best-scoring pair.
            if len(best) == 2:
                first, second = best.values()
                return (first, second), True
    return None


def propose_pair(
    case: CaseInput,
    ranked: Sequence[ScoredCandidate],
    candidates: Iterable[CandidateInput],
    policy: AssignmentPolicy,
) -> PairProposal | None:
    """Best co-mediation pair from a ranked list; under require_pair it must span two communities."""
    communities = None
    if policy.ethnicity_mode == EthnicityMode.REQUIRE_PAIR and ethnicity_in_play(case, policy):
        communities = party_communities(case)
    ethnicity_by_id = {c.id: c.ethnicity for c in candidates}
    picked = pick_pair_ids(((s.mediator_id, ethnicity_by_id.get(s.mediator_id)) for s in ranked), communities)
    if picked is None:
        return None
    ids, matched = picked
    totals: dict[int, float] = {}
    for scored in ranked:  # the pair is near the top: stop there rather than read a republic's whole list
        if scored.mediator_id in ids:
            totals[scored.mediator_id] = scored.total
            if len(totals) == 2:
                break
    return PairProposal(ids, totals[ids[0]] + totals[ids[1]], matched)


@dataclass(frozen=True, slots=True)
class Suggestions:
    """Ranked candidates for one case, the excluded ones with reasons, and what the case needs."""

    case_id: int
    ranked: Sequence[ScoredCandidate]  # a tuple, or a pool's RankedList (domain/suggestion_lists.py)
    excluded: Sequence[Exclusion]  # a tuple, or a pool's ExcludedList
    needs_co_mediator: bool
    ethnicity_used: bool
    pair: PairProposal | None = None


def needs_co_mediator(case: CaseInput, policy: AssignmentPolicy) -> bool:
    """True if the region's policy asks for two mediators on this case."""
    interethnic = case.category == CaseCategory.INTERETHNIC
    return (
        (interethnic and policy.co_mediation_required_for_interethnic)
        or (case.high_tension and policy.co_mediation_required_for_high_tension)
        or (interethnic and policy.ethnicity_mode == EthnicityMode.REQUIRE_PAIR)
    )


def suggest(
    case: CaseInput,
    candidates: Sequence[CandidateInput],
    policy: AssignmentPolicy,
    today: date,
    thresholds: EligibilityThresholds = DEFAULT_THRESHOLDS,
) -> Suggestions:
    """Filter and score every candidate for one case; ranked by score, fewer open cases, then id."""
    policy.validate()
    scored, excluded = [], []
    for candidate in candidates:
        left_out = exclusion(case, candidate, policy, today, thresholds)
        if left_out is None:
            scored.append(score_candidate(case, candidate, policy, today))
        else:
            excluded.append(left_out)
    ranked = tuple(sorted(scored, key=ScoredCandidate.rank_key))
    co = needs_co_mediator(case, policy)
    pair = propose_pair(case, ranked, candidates, policy) if co else None
    return Suggestions(
        case.id,
        ranked,
        tuple(sorted(excluded, key=lambda e: e.mediator_id)),
        co,
        ethnicity_in_play(case, policy),
        pair,
    )
