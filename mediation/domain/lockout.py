"""Account lockout after repeated failed logins: a pure state machine over (count, window, lock)."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures within how long lock an account, and for how long."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock_duration: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class LockoutState:
    """The failure counter of one account."""

    failures: int = 0
    window_started_at: datetime | None = None
    locked_until: datetime | None = None


def is_locked(state: LockoutState, now: datetime) -> bool:
    """True while a lock is in force."""
    return state.locked_until is not None and now < state.locked_until


def register_failure(state: LockoutState, now: datetime, policy: LockoutPolicy) -> LockoutState:
    """Count a failure; the count restarts when the window has passed; the limit sets a lock."""
    window_open = state.window_started_at is not None and now - state.window_started_at < policy.window
    if window_open:
        state = replace(state, failures=state.failures + 1)
    else:
        state = LockoutState(failures=1, window_started_at=now, locked_until=None)
    if state.failures >= policy.max_failures:
        state = replace(state, locked_until=now + policy.lock_duration)
    return state


def register_success(state: LockoutState) -> LockoutState:
    """A successful login clears the counter."""
    return LockoutState()
