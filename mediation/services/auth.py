"""Signing in: password check in constant-ish time, per-account lockout, audit of every failure."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..domain.errors import DomainError
from ..domain.lockout import LockoutPolicy, LockoutState, is_locked, register_failure
from ..extensions import db
from ..models import User
from . import audit
from .passwords import MAX_PASSWORD_LENGTH, hash_password, verify_password

log = logging.getLogger("mediation.auth")

_dummy_hashes: dict[bool, str] = {}


def _dummy_hash(fast: bool) -> str:
    """A hash to verify against when the username is unknown, so both paths cost the same."""
    if fast not in _dummy_hashes:
        _dummy_hashes[fast] = hash_password("dummy-password-for-timing", fast=fast)
    return _dummy_hashes[fast]


class LoginFailed(DomainError):
    """Wrong credentials, an inactive account, or a locked one (reason_code says which)."""

    code = "login_failed"


@dataclass(frozen=True)
class LoginAttempt:
    """What the login form hands to the service."""

    username: str
    password: str
    ip: str | None


def _lockout_state(user: User) -> LockoutState:
    return LockoutState(user.failed_login_count, user.first_failed_login_at, user.locked_until)


def _store_lockout_state(user: User, state: LockoutState) -> None:
    user.failed_login_count = state.failures
    user.first_failed_login_at = state.window_started_at
    user.locked_until = state.locked_until


def find_user(username: str) -> User | None:
    """Look a user up by username, case-insensitively (usernames are stored casefolded)."""
    return db.session.scalar(select(User).where(User.username == username.strip().casefold()))


def authenticate(attempt: LoginAttempt, *, now: datetime, policy: LockoutPolicy, fast_hash: bool = False) -> User:
    """Return the user for valid credentials or raise LoginFailed; failures are counted and audited."""
    user = find_user(attempt.username) if len(attempt.username) <= 64 else None
    if len(attempt.password) > MAX_PASSWORD_LENGTH:
        _fail(user, attempt, now, policy, "password_too_long")
    if user is None:
        verify_password(_dummy_hash(fast_hash), attempt.password, fast=fast_hash)
        _fail(None, attempt, now, policy, "invalid")
    if is_locked(_lockout_state(user), now):
        verify_password(_dummy_hash(fast_hash), attempt.password, fast=fast_hash)
        _fail(user, attempt, now, policy, "locked", count=False)
    if not verify_password(user.password_hash, attempt.password, fast=fast_hash):
        _fail(user, attempt, now, policy, "invalid")
    if not user.active:
        _fail(user, attempt, now, policy, "inactive", count=False)
    _store_lockout_state(user, LockoutState())
    user.last_login_at = now
    audit.record("auth.login", actor_id=user.id, ip=attempt.ip, object_type="user", object_id=user.id, now=now)
    return user


def _fail(user: User | None, attempt: LoginAttempt, now: datetime, policy: LockoutPolicy,
          reason: str, *, count: bool = True) -> None:
    """Record a failed attempt (never the password or the unknown name) and raise."""
    locked_until = None
    if user is not None and count:
        state = register_failure(_lockout_state(user), now, policy)
        _store_lockout_state(user, state)
        locked_until = state.locked_until
        if locked_until is not None:
            reason = "locked"
    elif user is not None:
        locked_until = user.locked_until
    log.warning("login failed reason=%s user_id=%s ip=%s", reason, user.id if user else None, attempt.ip)
    audit.record("auth.login_failed", actor_id=None, ip=attempt.ip, object_type="user",
                 object_id=user.id if user else None, summary={"reason": reason}, now=now)
    raise LoginFailed(reason_code=reason, locked_until=locked_until)
