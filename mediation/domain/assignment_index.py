"""Candidate index for the batch planner: set indexes, shared lazy heaps and a bounded scan per case."""

import bisect
import heapq
from datetime import date

from mediation.domain.assignment_filters import (
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    Factor,
    personal_reasons,
)
from mediation.domain.assignment_scoring import (
    ScoredCandidate,
    best_levels,
    experience_value,
    free_capacity,
    language_fit,
    normalized_ethnicity,
    outcome_value,
    rotation_days,
    rotation_value,
    score_candidate,
)
from mediation.domain.mediator_eligibility import CaseCategory, EligibilityThresholds

Languages = frozenset[frozenset[str]]  # the parties' language sets, order-free
_NOBODY: frozenset[int] = frozenset()


class CandidateIndex:
    """Candidates who pass every case-independent filter, indexed by set; mutated as a batch assigns.

    Candidates are held sorted by id so the list index doubles as the id tie-break. A heap entry is
    (-(static + dynamic), open cases, index, version, static, language points assumed in static):
    static points never change during a batch; dynamic ones (free capacity, rotation) only fall.
    """

    def __init__(
        self,
        candidates: list[CandidateInput],
        policy: AssignmentPolicy,
        today: date,
        thresholds: EligibilityThresholds,
    ):
        self.policy, self.today = policy, today
        self.w_lang, self.w_eth = policy.weight(Factor.LANGUAGE_FIT), policy.weight(Factor.ETHNICITY_NEUTRAL)
        self.cands = sorted(
            (
                c
                for c in candidates
                if c.open_cases < c.max_active_cases and not personal_reasons(c, policy, today, thresholds)[0]
            ),
            key=lambda c: c.id,
        )
        self.open = [c.open_cases for c in self.cands]
        self.cap = [c.max_active_cases for c in self.cands]
        self.days = [rotation_days(c.last_assigned_on, today) for c in self.cands]
        self.version = [0] * len(self.cands)
        self.dyn = [self._dynamic(i) for i in range(len(self.cands))]
        self.levels = [best_levels(c) for c in self.cands]
        self.best = [max(by_code.values(), default=0.0) for by_code in self.levels]
        # Language sets are per region unless the republic pool lets a case reach every region.
        self.republic = policy.allow_republic_pool
        self.speakers: dict[tuple[str | None, str], set[int]] = {}  # (scope, language) -> candidates
        self.by_house: dict[tuple[str, int | None], set[int]] = {}
        self.by_region: dict[str, set[int]] = {}
        self.roamers_by_region: dict[str, set[int]] = {}
        for i, c in enumerate(self.cands):
            scope = None if self.republic else c.region
            for code in self.levels[i]:
                self.speakers.setdefault((scope, code), set()).add(i)
            self.by_house.setdefault((c.region, c.house_id), set()).add(i)
            self.by_region.setdefault(c.region, set()).add(i)
            if c.takes_cases_elsewhere_in_region:
                self.roamers_by_region.setdefault(c.region, set()).add(i)
        self.roamers = set().union(*self.roamers_by_region.values())
        self._cache: dict[tuple, object] = {}

    def _dynamic(self, i: int) -> float:
        """Points that change as the batch assigns work: free capacity and rotation."""
        p = self.policy
        capacity = free_capacity(self.open[i], self.cap[i])
        rested = rotation_value(self.days[i], p.rotation_saturation_days)
        return p.weight(Factor.FREE_CAPACITY) * capacity + p.weight(Factor.ROTATION) * rested

    def _category_part(self, category: CaseCategory) -> list[float]:
        """Specialisation, experience and outcome points of every candidate in one category."""
        key = ("category", category)
        if key not in self._cache:
            p = self.policy
            w_spec = p.weight(Factor.SPECIALIZATION)
            w_exp, w_out = p.weight(Factor.EXPERIENCE_IN_CATEGORY), p.weight(Factor.OUTCOME_RATE)
            parts = []
            for c in self.cands:
                r = c.record_in(category)
                exp = experience_value(r.closed, p.experience_half_saturation)
                rate = outcome_value(r.agreements, r.closed, p.outcome_prior_rate, p.outcome_prior_strength)
                parts.append(w_spec * (category in c.specializations) + w_exp * exp + w_out * rate)
            self._cache[key] = parts
        return self._cache[key]

    def speaking(self, scope: str | None, languages: Languages) -> set[int]:
        """Candidates of `scope` (a region, or None for all) who speak a language of every party."""
        key = ("speaking", scope, languages)
        if key not in self._cache:
            speakers = self.speakers
            per_party = [set().union(*(speakers.get((scope, code), ()) for code in party)) for party in languages]
            self._cache[key] = set.intersection(*per_party) if per_party else set()
        return self._cache[key]

    def _neutral(self, communities: frozenset[str] | None) -> set[int] | frozenset[int]:
        """Candidates whose declared ethnicity no party shares (empty when the factor is off)."""
        if communities is None:
            return _NOBODY
        key = ("neutral", communities)
        if key not in self._cache:
            self._cache[key] = {
                i
                for i, c in enumerate(self.cands)
                if (e := normalized_ethnicity(c.ethnicity)) is not None and e not in communities
            }
        return self._cache[key]

    def _heap(self, key: tuple, members: set[int], category: CaseCategory, house: set[int], fit) -> list:
        """A cached heap over `members`; language points are exact if `fit` is given, else each one's best."""
        if key not in self._cache:
            cat = self._category_part(category)
            w_lang, w_house = self.policy.weight(Factor.LANGUAGE_FIT), self.policy.weight(Factor.SAME_HOUSE)
            dyn, open_, version, lang = self.dyn, self.open, self.version, fit or self.best
            heap = [
                (-(s + dyn[i]), open_[i], i, version[i], s, lang[i])
                for i in members
                for s in (cat[i] + (w_house if i in house else 0.0) + w_lang * lang[i],)
            ]
            heapq.heapify(heap)
            self._cache[key] = heap
        return self._cache[key]

    def _sources(self, case: CaseInput):
        """(tag, members, house members) per place the case may draw from, per `geography_reason`."""
        region, house_id = case.region, case.house_id
        if house_id is None:
            yield ("region", region), self.by_region.get(region, set()), set()
        else:
            house = self.by_house.get((region, house_id), set())
            yield ("house", region, house_id), house | self.roamers_by_region.get(region, set()), house
        if self.policy.allow_republic_pool:
            # Mediators of the case's own region come back here without the house bonus; scans dedupe.
            yield ("republic",), self.roamers, set()

    def _reach(self, case: CaseInput, languages: Languages) -> tuple:
        """(speakers or None, sources, reachable count) for a place and a set of party languages.

        Where few members of a source speak the parties' languages, the source is narrowed to those
        speakers with their exact fit, so their heap is small instead of mostly skipped.
        """
        key = ("reach", case.region, case.house_id, languages, case.has_interpreter)
        if key not in self._cache:
            scope = None if self.republic else case.region
            speakers = None if case.has_interpreter else self.speaking(scope, languages)
            sources, reachable = [], 0
            for tag, members, house in self._sources(case):
                usable = members if speakers is None else members & speakers
                reachable += len(usable)
                if 2 * len(usable) < len(members):
                    fit = {i: language_fit(case, self.levels[i]) for i in usable}
                    sources.append((tag + (languages,), usable, house, fit))
                else:
                    sources.append((tag, members, house, None))
            self._cache[key] = speakers, sources, reachable
        return self._cache[key]

    def profile(self, case: CaseInput, languages: Languages) -> tuple:
        """(heaps, speakers or None, reachable count, language fits) shared by cases shaped alike.

        A heap is shared by every case of a region, house and category (and language set, for narrowed
        sources), so a candidate is scored once per heap rather than once per case.
        """
        key = ("profile", case.region, case.house_id, case.category, languages, case.has_interpreter)
        if key not in self._cache:
            speakers, sources, reachable = self._reach(case, languages)
            heaps = [
                self._heap(("heap", tag, case.category), members, case.category, house, fit)
                for tag, members, house, fit in sources
            ]
            # The last part keeps each scanned candidate's exact language fit: the parties' language sets decide
            # it, and they are part of the key, so every case of the profile shares it.
            self._cache[key] = heaps, speakers, reachable, {}
        return self._cache[key]

    def scan(self, case: CaseInput, profile: tuple, k: int, communities: frozenset[str] | None):
        """Best k as (-points, open, index, heap, entry) in rank order; what was popped; any conflict.

        Keys already hold each candidate's best possible language points, so a pop can only lose
        language points or gain the neutrality bonus: the scan stops once even that bonus cannot lift
        the next entry above the k-th best found. Popped entries come back per heap, for re-insertion.
        """
        heaps, speakers, _, fits = profile
        neutral = self._neutral(communities)
        w_lang, w_eth = self.w_lang, self.w_eth
        bonus_max = w_eth if communities is not None else 0.0
        # The already_on_case and declared_conflict filters, as set operations.
        on_case, recused = case.assigned_mediator_ids, case.recused_mediator_ids
        party_ids = frozenset(p.id for p in case.parties)
        open_, cap, version, dyn = self.open, self.cap, self.version, self.dyn
        cands, levels, heappop = self.cands, self.levels, heapq.heappop
        found: list = []
        popped = [(heap, []) for heap in heaps]
        seen: set[int] = set()
        conflicted = False
        while True:
            best = None
            for h, heap in enumerate(heaps):
                while heap:  # clean the top: drop the full, re-score the stale (scores only fall)
                    top = heap[0]
                    i = top[2]
                    if open_[i] >= cap[i]:
                        heappop(heap)
                    elif top[3] != version[i]:
                        heapq.heapreplace(heap, (-(top[4] + dyn[i]), open_[i], i, version[i], top[4], top[5]))
                    else:
                        break
                if heap and (best is None or heap[0] < heaps[best][0]):
                    best = h
            if best is None:
                break
            heap = heaps[best]
            top = heap[0]
            if len(found) >= k:
                kth, bound = found[k - 1], top[0] - bonus_max
                if bound > kth[0] or (bound == kth[0] and (top[1], top[2]) > (kth[1], kth[2])):
                    break
            entry = heappop(heap)
            popped[best][1].append(entry)
            i = entry[2]
            if i in seen or (speakers is not None and i not in speakers):
                continue
            seen.add(i)
            c = cands[i]
            if c.id in on_case or c.id in recused or not c.conflict_party_ids.isdisjoint(party_ids):
                conflicted = True
                continue
            fit = fits.get(i)
            if fit is None:
                fit = fits[i] = language_fit(case, levels[i])
            points = -entry[0] + w_lang * (fit - entry[5]) + (w_eth if i in neutral else 0.0)
            bisect.insort(found, (-points, entry[1], i, heap, entry))
            del found[k:]
        return found, popped, conflicted

    def explain(self, case: CaseInput, i: int) -> ScoredCandidate:
        """The full breakdown for a pick, with the workload the candidate has at this point of the batch."""
        c = self.cands[i]
        # More open cases than the input means picked earlier in this batch, hence assigned today.
        moved = self.open[i] != c.open_cases
        return score_candidate(case, c, self.policy, self.today, open_cases=self.open[i], assigned_today=moved)

    def take(self, heap: list, entry: tuple) -> None:
        """Give the candidate behind `entry` one more case; back into `heap` with the lower score."""
        i, static = entry[2], entry[4]
        self.open[i] += 1
        self.days[i] = 0
        self.version[i] += 1
        self.dyn[i] = dynamic = self._dynamic(i)
        if self.open[i] < self.cap[i]:
            heapq.heappush(heap, (-(static + dynamic), self.open[i], i, self.version[i], static, entry[5]))
