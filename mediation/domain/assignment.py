"""Mediator assignment: `suggest` for one case (from assignment_scoring; SuggestionPool in assignment_pool gives the
same from an index) and the batch planner."""

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mediation.domain.assignment_filters import AssignmentPolicy, CandidateInput, CaseInput, EthnicityMode
from mediation.domain.assignment_index import CandidateIndex
from mediation.domain.assignment_scoring import (
    DEFAULT_THRESHOLDS,
    ScoredCandidate,
    Suggestions,
    ethnicity_in_play,
    needs_co_mediator,
    party_communities,
    pick_pair_ids,
    suggest,
)
from mediation.domain.mediator_eligibility import EligibilityThresholds

__all__ = ["BatchGap", "PlannedAssignment", "Suggestions", "needs_co_mediator", "plan_batch", "suggest"]

# How deep the planner looks for a pair spanning two communities before leaving the case to a person.
PAIR_SEARCH_DEPTH = 200


class BatchGap(StrEnum):
    """Why the planner could not fully staff a case."""

    NO_CANDIDATE = "no_candidate"
    CAPACITY_EXHAUSTED = "capacity_exhausted"
    ALL_CONFLICTED = "all_conflicted"
    NO_CO_MEDIATOR = "no_co_mediator"
    NO_COMMUNITY_PAIR = "no_community_pair"


@dataclass(frozen=True, slots=True)
class PlannedAssignment:
    """The planner's choice for one case: mediators in rank order with their breakdowns, or a gap."""

    case_id: int
    mediator_ids: tuple[int, ...]
    explanations: tuple[ScoredCandidate, ...]
    gap: BatchGap | None = None
    ethnicity_used: bool = False


def _staff(
    index: CandidateIndex, case: CaseInput, profile: tuple, slots: int, pair_rule: bool, communities,
    exhausted: set[int],
) -> tuple[list[ScoredCandidate], BatchGap | None]:
    """Pick, record and explain the mediators for one case; returns the breakdowns and any gap.

    A profile whose scan finds nobody without meeting a conflict goes into `exhausted` (see plan_batch).
    """
    depth = PAIR_SEARCH_DEPTH if pair_rule else slots
    found, popped, conflicted = index.scan(case, profile, depth, communities)
    if not found and not conflicted:
        exhausted.add(id(profile))
    chosen, gap = found[:slots], None
    if pair_rule:
        ordered = ((index.cands[f[2]].id, index.cands[f[2]].ethnicity) for f in found)
        pair = pick_pair_ids(ordered, party_communities(case))
        chosen = [f for f in found if pair and index.cands[f[2]].id in pair[0]]
        gap = None if pair else BatchGap.NO_COMMUNITY_PAIR
    taken = {id(f[4]) for f in chosen}
    for heap, entries in popped:
        for entry in entries:
            if id(entry) not in taken:
                heapq.heappush(heap, entry)
    if gap is None and len(chosen) < slots:
        if chosen:
            gap = BatchGap.NO_CO_MEDIATOR
        else:
            gap = BatchGap.ALL_CONFLICTED if conflicted else BatchGap.CAPACITY_EXHAUSTED
    explanations = []
    for *_, heap, entry in chosen:
        explanations.append(index.explain(case, entry[2]))
        index.take(heap, entry)
    return explanations, gap


def plan_batch(
    cases: Sequence[CaseInput],
    candidates: Sequence[CandidateInput],
    policy: AssignmentPolicy,
    today: date,
    thresholds: EligibilityThresholds = DEFAULT_THRESHOLDS,
    decided: Callable[[PlannedAssignment], None] | None = None,
) -> list[PlannedAssignment]:
    """Staff many cases at once, spending each mediator's capacity once; results follow input order.

    `decided`, if given, is called with each case's plan as soon as it is final (in the order of work below), so a
    caller can start writing while the rest is planned.

    Candidates are indexed by region, house, language and category; a lazily updated heap per region,
    house and category is shared by its cases, and each case pops only the few entries that could
    still beat its best pick, so not every candidate is scored for every case. Order of work: high
    tension first, then the cases with the fewest reachable candidates, then input order.
    """
    policy.validate()
    index = CandidateIndex(list(candidates), policy, today, thresholds)
    neutral_mode = policy.ethnicity_mode == EthnicityMode.PREFER_NEUTRAL
    queue = []
    for position, case in enumerate(cases):
        profile = index.profile(case, frozenset(frozenset(p.languages) for p in case.parties))
        queue.append((not case.high_tension, profile[2], position, profile))
    # High tension first, then the scarcest cases, so rare languages are not used up by common ones.
    queue.sort(key=lambda row: row[:3])
    plan: list[PlannedAssignment] = [None] * len(cases)  # type: ignore[list-item]
    # Profiles whose every reachable candidate is full. A scan that finds nobody and meets no conflict has
    # drained its heaps, so each speaker in them was at capacity; capacity is only ever spent during a batch,
    # so every later case of that profile would drain the same heaps for nothing (their lazily cleaned
    # state does not change what later scans pop: the valid top is always the best current key).
    exhausted: set[int] = set()
    for _, reachable, position, profile in queue:
        case = cases[position]
        in_play = ethnicity_in_play(case, policy)
        slots = (2 if needs_co_mediator(case, policy) else 1) - len(case.assigned_mediator_ids)
        if slots <= 0 or reachable == 0:
            explanations, gap = [], None if slots <= 0 else BatchGap.NO_CANDIDATE
        else:
            pair_rule = in_play and policy.ethnicity_mode == EthnicityMode.REQUIRE_PAIR and slots == 2
            if id(profile) in exhausted:
                explanations, gap = [], BatchGap.NO_COMMUNITY_PAIR if pair_rule else BatchGap.CAPACITY_EXHAUSTED
            else:
                communities = party_communities(case) if in_play and neutral_mode else None
                explanations, gap = _staff(index, case, profile, slots, pair_rule, communities, exhausted)
        ids = tuple(e.mediator_id for e in explanations)
        plan[position] = planned = PlannedAssignment(case.id, ids, tuple(explanations), gap, in_play)
        if decided is not None:
            decided(planned)
    return plan
