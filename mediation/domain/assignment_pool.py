"""Suggestions over a pool whose slow-changing facts are indexed once: `SuggestionPool`.

`suggest` filters and scores candidate by candidate; for a republic pool of 5,000 that was most of a 225 ms page
(bench/RESULTS.md, issue 4). The pool keeps what changes only with the registry row or the day (eligibility,
weekly hours, languages, region, house, specialisations) as sets of positions, so one case costs set algebra plus
the live figures (workload, last assignment, track record in the case's category) of those who pass. It returns
what `suggest` returns for the same inputs (tests/domain/test_suggestion_pool.py holds the two equal). Its ranked
and excluded lists build each entry, and each score breakdown, when first read (domain/suggestion_lists.py), since
a page shows a few dozen of thousands.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from mediation.domain.assignment_filters import (
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    EthnicityMode,
    ExclusionReason,
    Factor,
    personal_reasons,
)
from mediation.domain.assignment_scoring import (
    Suggestions,
    best_levels,
    ethnicity_in_play,
    language_fit,
    needs_co_mediator,
    neutral_value,
    party_communities,
    propose_pair,
)
from mediation.domain.mediator_eligibility import Absence, EligibilityThresholds, eligibility_reasons
from mediation.domain.suggestion_lists import ExcludedList, RankedEntry, RankedList

# A candidate's live figures for one case: open cases, day of the last assignment, and closed cases and
# agreements in the case's category.
Standing = tuple[int, date | None, int, int]

_PERSONAL = (ExclusionReason.NOT_ELIGIBLE, ExclusionReason.SUSPENDED_OR_ABSENT,
             ExclusionReason.NOT_AVAILABLE_WITHIN_HORIZON)
_NOTHING: frozenset[int] = frozenset()


class SuggestionPool:
    """Candidates' case-independent facts for one day, horizon and set of thresholds, indexed by set.

    Positions follow mediator ids. The candidates' live fields (open cases, absences, conflicts, track record,
    last assignment) are ignored here; `suggest` takes them for the case at hand.
    """

    def __init__(self, candidates: Sequence[CandidateInput], *, today: date, horizon_days: int,
                 thresholds: EligibilityThresholds):
        self.today, self.horizon_days, self.thresholds = today, horizon_days, thresholds
        self._horizon = AssignmentPolicy(horizon_days=horizon_days)  # all that the personal filters read of a policy
        self.cands = sorted(candidates, key=lambda c: c.id)
        self.ids = [c.id for c in self.cands]
        self._pos = {mediator_id: i for i, mediator_id in enumerate(self.ids)}
        if len(self._pos) != len(self.ids):
            raise ValueError("a mediator appears twice in the pool")
        self.everyone = frozenset(range(len(self.ids)))
        self.personal: dict[ExclusionReason, set[int]] = {reason: set() for reason in _PERSONAL}
        self.speakers: dict[str, set[int]] = {}
        self.by_region: dict[str, set[int]] = {}
        self.by_house: dict[tuple[str, int | None], set[int]] = {}
        self.roamers: set[int] = set()
        self.codes: list[tuple] = [()] * len(self.ids)
        self.levels: list[dict[str, float]] = [{}] * len(self.ids)
        self._away: dict[int, tuple] = {}  # position -> (candidate, absences, personal reasons) last computed
        self._fit_cache: dict[tuple, dict[int, float]] = {}
        for i, candidate in enumerate(self.cands):
            self._add(i, candidate)

    def position(self, mediator_id: int) -> int | None:
        """The pool position of a mediator, or None if not in the pool."""
        return self._pos.get(mediator_id)

    def replace(self, candidate: CandidateInput) -> None:
        """Take a new version of a candidate already in the pool (its registry row changed)."""
        i = self._pos[candidate.id]
        # Copies, not changes in place: the lists of earlier suggestions still read the old sets and codes.
        self.personal = {reason: set(found) for reason, found in self.personal.items()}
        self.codes = list(self.codes)
        self._remove(i, self.cands[i])
        self._away.pop(i, None)
        self._fit_cache.clear()
        self.cands[i] = candidate
        self._add(i, candidate)

    def _personal_reasons(self, candidate: CandidateInput, absences: tuple[Absence, ...]) -> list[ExclusionReason]:
        found, _ = personal_reasons(replace(candidate, absences=absences), self._horizon, self.today,
                                    self.thresholds)
        return found

    def _add(self, i: int, c: CandidateInput) -> None:
        self.codes[i] = tuple(eligibility_reasons(c.profile, self.today, self.thresholds))
        for reason in self._personal_reasons(c, ()):
            self.personal[reason].add(i)
        self.levels[i] = best_levels(c)
        for code in self.levels[i]:
            self.speakers.setdefault(code, set()).add(i)
        self.by_region.setdefault(c.region, set()).add(i)
        self.by_house.setdefault((c.region, c.house_id), set()).add(i)
        if c.takes_cases_elsewhere_in_region:
            self.roamers.add(i)

    def _remove(self, i: int, c: CandidateInput) -> None:
        for found in self.personal.values():
            found.discard(i)
        for code in self.levels[i]:
            self.speakers[code].discard(i)
        self.by_region[c.region].discard(i)
        self.by_house[(c.region, c.house_id)].discard(i)
        self.roamers.discard(i)

    def _personal_today(self, absences: Mapping[int, tuple[Absence, ...]]) -> list[set[int] | frozenset[int]]:
        """The personal filters' sets in _PERSONAL order, with the absences of this view applied."""
        sets = [self.personal[reason] for reason in _PERSONAL]
        if not absences:
            return sets
        _, absent, unavailable = sets = [sets[0], set(sets[1]), set(sets[2])]
        for mediator_id, away in absences.items():
            i = self._pos.get(mediator_id)
            if i is None or not away:
                continue
            candidate = self.cands[i]
            seen = self._away.get(i)
            if seen is None or seen[0] is not candidate or seen[1] != away:
                seen = self._away[i] = (candidate, away, self._personal_reasons(candidate, away))
            for reason, found in ((ExclusionReason.SUSPENDED_OR_ABSENT, absent),
                                  (ExclusionReason.NOT_AVAILABLE_WITHIN_HORIZON, unavailable)):
                (found.add if reason in seen[2] else found.discard)(i)
        return sets

    def _case_sets(self, case: CaseInput, policy: AssignmentPolicy, standings: Sequence[Standing],
                   conflicts: Mapping[int, frozenset[int]]) -> dict[ExclusionReason, set[int] | frozenset[int]]:
        """The filters that depend on the case or on live workload, as sets of positions."""
        pos = self._pos
        on_case = {pos[m] for m in case.assigned_mediator_ids if m in pos}
        conflicted = {pos[m] for m in case.recused_mediator_ids if m in pos}
        party_ids = {p.id for p in case.parties}
        conflicted.update(pos[m] for m, tied in conflicts.items() if m in pos and not party_ids.isdisjoint(tied))
        full = {i for i, (standing, c) in enumerate(zip(standings, self.cands, strict=True))
                if standing[0] >= c.max_active_cases}
        mute: set[int] | frozenset[int] = _NOTHING
        if not case.has_interpreter and case.parties:
            speaking: set[int] | None = None
            for party in case.parties:
                heard = set().union(*(self.speakers.get(code, ()) for code in party.languages))
                speaking = heard if speaking is None else speaking & heard
            mute = self.everyone - speaking
        home = self.by_region.get(case.region, _NOTHING)
        away = self.everyone - home
        if policy.allow_republic_pool:
            away -= self.roamers
        elsewhere = _NOTHING
        if case.house_id is not None:
            elsewhere = home - self.by_house.get((case.region, case.house_id), _NOTHING) - self.roamers
        return {ExclusionReason.ALREADY_ON_CASE: on_case, ExclusionReason.DECLARED_CONFLICT: conflicted,
                ExclusionReason.AT_CAPACITY: full, ExclusionReason.NO_COMMON_LANGUAGE: mute,
                ExclusionReason.OUTSIDE_REGION: away, ExclusionReason.OUTSIDE_HOUSE: elsewhere}

    def suggest(self, case: CaseInput, policy: AssignmentPolicy, standings: Sequence[Standing],
                absences: Mapping[int, tuple[Absence, ...]] | None = None,
                conflicts: Mapping[int, frozenset[int]] | None = None) -> Suggestions:
        """What `suggest` gives for this case, `standings` being each position's live figures."""
        policy.validate()
        if policy.horizon_days != self.horizon_days:
            raise ValueError("the pool was indexed for another horizon")
        if len(standings) != len(self.ids):
            raise ValueError("one standing per pool position is needed")
        failing = dict(zip(_PERSONAL, self._personal_today(absences or {}), strict=True))
        failing.update(self._case_sets(case, policy, standings, conflicts or {}))
        left_out = set().union(*failing.values())
        entries = self._scores(case, policy, standings, self.everyone.difference(left_out))
        entries.sort()  # by the rank key at the front of each entry
        ranked = RankedList(entries, case, policy, self.today)
        co = needs_co_mediator(case, policy)
        pair = propose_pair(case, ranked, ranked.candidates(), policy) if co else None
        return Suggestions(case.id, ranked, ExcludedList(sorted(left_out), failing, self.ids, self.codes), co,
                           ethnicity_in_play(case, policy), pair)

    def _fits(self, case: CaseInput) -> dict[int, float]:
        """language_fit by position for this case's parties, kept per set of party languages (few recur)."""
        key = tuple(party.languages for party in case.parties)
        fits = self._fit_cache.get(key)
        if fits is None:
            if len(self._fit_cache) >= 256:  # bounded: party language sets are few, but input is input
                self._fit_cache.clear()
            fits = self._fit_cache[key] = {}
        return fits

    def _scores(self, case: CaseInput, p: AssignmentPolicy, standings: Sequence[Standing],
                passing) -> list[RankedEntry]:
        """score_candidate's total for each passing position with its rank key; the lines are left to Breakdown."""
        w = p.weights
        w_lang, w_spec, w_free = w[Factor.LANGUAGE_FIT], w[Factor.SPECIALIZATION], w[Factor.FREE_CAPACITY]
        w_house, w_exp, w_out = w[Factor.SAME_HOUSE], w[Factor.EXPERIENCE_IN_CATEGORY], w[Factor.OUTCOME_RATE]
        w_rot, w_eth = w[Factor.ROTATION], w[Factor.ETHNICITY_NEUTRAL]
        neutral_line = p.ethnicity_mode == EthnicityMode.PREFER_NEUTRAL and ethnicity_in_play(case, p)
        communities = party_communities(case) if neutral_line else _NOTHING
        home = (case.region, case.house_id) if case.house_id is not None else None
        half, prior, strength = p.experience_half_saturation, p.outcome_prior_rate, p.outcome_prior_strength
        prior_weight = prior * strength
        saturation = p.rotation_saturation_days
        category, today, cands, levels = case.category, self.today, self.cands, self.levels
        fits = self._fits(case)
        scored = []
        for i in passing:
            c = cands[i]
            standing = standings[i]
            open_now, last_on, closed, agreements = standing
            fit = fits.get(i)
            if fit is None:
                fit = fits[i] = language_fit(case, levels[i])
            # The arithmetic of free_capacity, experience_value, outcome_value and rotation_value, written out
            # (a call each cost more than the sum): tests/domain/test_suggestion_pool.py holds the totals equal.
            cap = c.max_active_cases
            free = (max(0, cap - open_now) / cap) if cap > 0 else 0.0
            rested = 1.0 if last_on is None else min(max(0, (today - last_on).days), saturation) / saturation
            # The same products, added in the same order, as score_candidate: equal totals, equal ranks.
            total = (0.0 + fit * w_lang + (w_spec if category in c.specializations else 0.0 * w_spec) + free * w_free
                     + ((1.0 * w_house) if home is not None and (c.region, c.house_id) == home else 0.0 * w_house)
                     + closed / (closed + half) * w_exp + (agreements + prior_weight) / (closed + strength) * w_out
                     + rested * w_rot)
            used = False
            if neutral_line:
                total += neutral_value(c.ethnicity, communities) * w_eth
                used = c.ethnicity is not None
            scored.append((-total, open_now, c.id, c, standing, used))
        return scored
