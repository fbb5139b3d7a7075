"""The pool's ranked and excluded lists (domain/suggestion_lists.py) read as the tuples `suggest` returns: by
index, slice, lookup, reason and filter, and unchanged by a later change to the pool."""

from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from mediation.domain.assignment import suggest
from mediation.domain.assignment_filters import ExclusionReason
from tests.domain.test_suggestion_pool import CASES, POLICIES, TODAY, index_of, live_figures, pools, qualified


@settings(max_examples=300, deadline=None, database=None)
@given(pools(), CASES, POLICIES, st.data())
def test_every_way_of_reading_the_lists_agrees_with_the_tuples(people, case, policy, data):
    pool = index_of(people, policy)
    lazy = pool.suggest(case, policy, *live_figures(pool, people, case))
    plain = suggest(case, people, policy, TODAY)
    ranked, excluded = tuple(plain.ranked), tuple(plain.excluded)
    # read out of order first: entries built on demand must not depend on the order they are read in
    for index in data.draw(st.lists(st.integers(-len(ranked) - 1, len(ranked)), max_size=4)):
        if -len(ranked) <= index < len(ranked):
            assert lazy.ranked[index] == ranked[index]
        else:
            try:
                lazy.ranked[index]
            except IndexError:
                pass
            else:
                raise AssertionError(f"index {index} of {len(ranked)} did not raise")
    start, stop = data.draw(st.integers(-3, 5)), data.draw(st.integers(-3, 30))
    assert lazy.ranked[start:stop] == ranked[start:stop] and lazy.excluded[start:stop] == excluded[start:stop]
    assert len(lazy.ranked) == len(ranked) and list(lazy.ranked) == list(ranked)
    assert len(lazy.excluded) == len(excluded) and list(lazy.excluded) == list(excluded)
    for person in people:
        rank = next((i for i, s in enumerate(ranked) if s.mediator_id == person.id), None)
        assert lazy.ranked.index_of(person.id) == rank
        assert lazy.ranked.find(person.id) == (ranked[rank] if rank is not None else None)
        assert lazy.excluded.find(person.id) == next((e for e in excluded if e.mediator_id == person.id), None)
    assert lazy.excluded.find(10_000) is None and lazy.ranked.find(10_000) is None
    counts = Counter(r for e in excluded for r in e.reasons)
    assert lazy.excluded.reason_counts() == [(r, counts[r]) for r in ExclusionReason if counts[r]]
    for reason in ExclusionReason:
        assert lazy.excluded.matching(reason) == [e for e in excluded if reason in e.reasons]
    assert lazy.excluded.matching(None, lambda mediator_id: mediator_id % 2 == 0) == \
        [e for e in excluded if e.mediator_id % 2 == 0]
    assert hash(lazy.ranked) == hash(ranked) and hash(lazy.excluded) == hash(excluded)


@settings(max_examples=150, deadline=None, database=None)
@given(st.integers(1, 10), st.data(), CASES, POLICIES)
def test_lists_already_handed_out_do_not_change_when_the_pool_does(size, data, case, policy):
    people = [data.draw(qualified(n)) for n in range(1, size + 1)]
    pool = index_of(people, policy)
    before = pool.suggest(case, policy, *live_figures(pool, people, case))
    expected = suggest(case, people, policy, TODAY)
    # Every registry row changes before the earlier lists are read: the ineligible ones become eligible and back
    changed = [replace(data.draw(qualified(p.id)), profile=replace(p.profile, birth_date=TODAY)) for p in people]
    for person in changed:
        pool.replace(index_of([person], policy).cands[0])
    assert list(before.excluded) == list(expected.excluded) and list(before.ranked) == list(expected.ranked)
