"""Account lockout after repeated failures."""

from datetime import datetime, timedelta

from mediation.domain.lockout import LockoutPolicy, LockoutState, is_locked, register_failure, register_success

T0 = datetime(2026, 11, 21, 9, 0)
POLICY = LockoutPolicy(max_failures=5, window=timedelta(minutes=15), lock_duration=timedelta(minutes=15))


def _fail(times: int, *, every: timedelta = timedelta(seconds=10)) -> tuple[LockoutState, datetime]:
    state, now = LockoutState(), T0
    for i in range(times):
        now = T0 + every * i
        state = register_failure(state, now, POLICY)
    return state, now


def test_four_failures_do_not_lock():
    state, now = _fail(4)
    assert state.failures == 4 and not is_locked(state, now)


def test_fifth_failure_locks_for_the_lock_duration():
    state, now = _fail(5)
    assert is_locked(state, now)
    assert is_locked(state, now + timedelta(minutes=14, seconds=59))
    assert not is_locked(state, now + timedelta(minutes=15))


def test_failures_spread_beyond_the_window_do_not_lock():
    state, now = _fail(10, every=timedelta(minutes=4))  # never five within 15 minutes of the first
    assert not is_locked(state, now)


def test_success_clears_the_counter():
    state, _ = _fail(4)
    assert register_success(state) == LockoutState()
