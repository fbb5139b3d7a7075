"""The ranked and excluded lists of a pool's suggestions, each entry built when first read.

A republic pool ranks about 2,000 and excludes about 3,000 of its 5,000 mediators for one case, and the page
shows 25 of the first and 20 of the second. Building every ScoredCandidate, Breakdown and Exclusion was half of
scoring on the republic pool (bench/RESULTS.md, issue 4). These sequences hold what the pool computed anyway
(totals, rank keys, the failing sets) and build an entry on first read; they compare equal to the tuples that
`assignment.suggest` returns for the same inputs (tests/domain/test_suggestion_pool.py).
"""

from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import replace
from datetime import date

from mediation.domain.assignment_filters import (
    REASON_ORDER,
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    CategoryRecord,
    Exclusion,
    ExclusionReason,
)
from mediation.domain.assignment_scoring import FactorScore, ScoredCandidate, score_candidate


class _Built(Sequence):
    """A read-only sequence whose entries are built on first read; equal to any sequence of equal entries."""

    __slots__ = ()

    def _entry(self, index: int):
        raise NotImplementedError

    def __getitem__(self, index):
        size = len(self)
        if isinstance(index, slice):
            return tuple(self._entry(i) for i in range(*index.indices(size)))
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(index)
        return self._entry(index)

    def __iter__(self) -> Iterator:
        return (self._entry(i) for i in range(len(self)))

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(
            a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


class Breakdown(_Built):
    """A ranked candidate's factor lines, computed by `score_candidate` on first read."""

    __slots__ = ("_args", "_lines")

    def __init__(self, case: CaseInput, candidate: CandidateInput, standing: tuple, policy: AssignmentPolicy,
                 today: date):
        self._args, self._lines = (case, candidate, standing, policy, today), None

    def _read(self) -> tuple[FactorScore, ...]:
        if self._lines is None:
            case, candidate, (open_now, last_on, closed, agreements), policy, today = self._args
            live = replace(candidate, open_cases=open_now, last_assigned_on=last_on,
                           track_record=(CategoryRecord(case.category, closed, agreements),))
            self._lines = score_candidate(case, live, policy, today).factors
        return self._lines

    def __len__(self) -> int:
        return len(self._read())

    def _entry(self, index: int) -> FactorScore:
        return self._read()[index]


# One ranked entry as the pool leaves it: the rank key (minus the total, open cases, id), then the candidate, its
# live figures for this case, and whether its ethnicity counted. Sorting these sorts by the rank key alone: ids are
# unique.
RankedEntry = tuple[float, int, int, CandidateInput, tuple, bool]


class RankedList(_Built):
    """Ranked candidates in rank order, from entries sorted by the pool."""

    __slots__ = ("_entries", "_made", "_context", "_index")

    def __init__(self, entries: list[RankedEntry], case: CaseInput, policy: AssignmentPolicy, today: date):
        self._entries, self._made, self._context = entries, {}, (case, policy, today)
        self._index: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def _entry(self, index: int) -> ScoredCandidate:
        made = self._made.get(index)
        if made is None:
            minus_total, open_now, mediator_id, candidate, standing, used = self._entries[index]
            case, policy, today = self._context
            made = self._made[index] = ScoredCandidate(
                mediator_id, -minus_total, Breakdown(case, candidate, standing, policy, today), open_now, used)
        return made

    def index_of(self, mediator_id: int) -> int | None:
        """The rank (from 0) of a mediator, or None if not ranked."""
        if self._index is None:
            self._index = {entry[2]: i for i, entry in enumerate(self._entries)}
        return self._index.get(mediator_id)

    def find(self, mediator_id: int) -> ScoredCandidate | None:
        """A ranked mediator's entry, or None."""
        index = self.index_of(mediator_id)
        return None if index is None else self._entry(index)

    def candidates(self) -> Iterator[CandidateInput]:
        """The ranked candidates' inputs in rank order."""
        return (entry[3] for entry in self._entries)


class ExcludedList(_Built):
    """Excluded mediators in id order, from the positions that failed and the failing sets of one case."""

    __slots__ = ("_positions", "_failing", "_ids", "_codes", "_made")

    def __init__(self, positions: list[int], failing: Mapping[ExclusionReason, Set[int]], ids: Sequence[int],
                 codes: Sequence[tuple]):
        # `failing` and `codes` must not change later: the pool hands over sets and a list it no longer mutates.
        self._positions, self._failing, self._ids, self._codes = positions, failing, ids, codes
        self._made: dict[int, Exclusion] = {}

    def __len__(self) -> int:
        return len(self._positions)

    def _entry(self, index: int) -> Exclusion:
        made = self._made.get(index)
        if made is None:
            p = self._positions[index]
            made = self._made[index] = Exclusion(
                self._ids[p], tuple(r for r in REASON_ORDER if p in self._failing[r]), self._codes[p])
        return made

    def reason_counts(self) -> list[tuple[ExclusionReason, int]]:
        """How many fail each filter, in the filters' order (one mediator may fail several)."""
        return [(reason, len(self._failing[reason])) for reason in REASON_ORDER if self._failing[reason]]

    def matching(self, reason: ExclusionReason | None = None,
                 keep: Callable[[int], bool] | None = None) -> list[Exclusion]:
        """The excluded who fail `reason` (if given) and whose id `keep` accepts (if given), in id order."""
        positions = sorted(self._failing[reason]) if reason is not None else self._positions
        found = []
        for p in positions:
            if keep is None or keep(self._ids[p]):
                found.append(self._entry(bisect_left(self._positions, p)))
        return found

    def find(self, mediator_id: int) -> Exclusion | None:
        """A mediator's exclusion, or None if not excluded."""
        p = bisect_left(self._ids, mediator_id)
        if p == len(self._ids) or self._ids[p] != mediator_id:
            return None
        index = bisect_left(self._positions, p)
        return self._entry(index) if index < len(self._positions) and self._positions[index] == p else None
