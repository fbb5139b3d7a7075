"""Account administration: create, edit, deactivate, reset and change passwords."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..domain.errors import DomainError, NotAllowed
from ..domain.policies import can_manage_users
from ..domain.roles import Actor, Role, check_scope
from ..extensions import db
from ..models import FriendshipHouse, User
from . import audit
from .passwords import check_new_password, hash_password, verify_password

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class UsernameTaken(DomainError):
    """Another account already has this username."""

    code = "username_taken"


class UsernameInvalid(DomainError):
    """Usernames are 3-64 Latin letters, digits, dots, dashes or underscores."""

    code = "username_invalid"


class UserNotFound(DomainError):
    """No such account."""

    code = "user_not_found"


class SelfLockout(DomainError):
    """An admin may not deactivate or demote their own account."""

    code = "self_lockout"


class WrongPassword(DomainError):
    """The current password given for a change is wrong."""

    code = "wrong_password"


@dataclass(frozen=True)
class UserData:
    """Fields an admin sets on an account."""

    full_name: str
    email: str | None
    role: Role
    region_id: int | None
    house_id: int | None


def _require_admin(actor: Actor) -> None:
    if not can_manage_users(actor):
        raise NotAllowed(actor_id=actor.id, action="manage_users")


def _check_scope(data: UserData) -> None:
    house_region = None
    if data.house_id is not None:
        house = db.session.get(FriendshipHouse, data.house_id)
        house_region = house.region_id if house else None
    check_scope(data.role, data.region_id, data.house_id, house_region)


def get_user(user_id: int) -> User:
    """Load an account or raise UserNotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise UserNotFound(user_id=user_id)
    return user


def create_user(actor: Actor, username: str, password: str, data: UserData, *, ip: str | None,
                now: datetime, fast_hash: bool = False) -> User:
    """Create an account (admins only)."""
    _require_admin(actor)
    username = username.strip().casefold()
    if not USERNAME_PATTERN.match(username):
        raise UsernameInvalid(username=username)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTaken(username=username)
    check_new_password(password, username=username)
    _check_scope(data)
    user = User(username=username, password_hash=hash_password(password, fast=fast_hash),
                full_name=data.full_name, email=data.email, role=data.role,
                region_id=data.region_id, house_id=data.house_id, created_at=now, updated_at=now,
                password_changed_at=now)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor_id=actor.id, ip=ip, object_type="user", object_id=user.id,
                 summary={"role": data.role.value, "region_id": data.region_id, "house_id": data.house_id}, now=now)
    return user


def update_user(actor: Actor, user_id: int, data: UserData, *, ip: str | None, now: datetime) -> User:
    """Change name, contact, role or scope; a change of role or scope ends the user's sessions."""
    _require_admin(actor)
    user = get_user(user_id)
    if user.id == actor.id and data.role is not Role.ADMIN:
        raise SelfLockout(user_id=user.id)
    _check_scope(data)
    before = {"role": user.role.value, "region_id": user.region_id, "house_id": user.house_id,
              "full_name": user.full_name, "email": user.email}
    after = {"role": data.role.value, "region_id": data.region_id, "house_id": data.house_id,
             "full_name": data.full_name, "email": data.email}
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changed:
        return user
    user.full_name, user.email = data.full_name, data.email
    user.role, user.region_id, user.house_id = data.role, data.region_id, data.house_id
    user.updated_at = now
    if {"role", "region_id", "house_id"} & changed.keys():
        user.rotate_session_token()
    # Names and e-mails are personal data: the trail says they changed, not what they became.
    summary = {k: (v if k in ("role", "region_id", "house_id") else "changed") for k, v in changed.items()}
    audit.record("user.update", actor_id=actor.id, ip=ip, object_type="user", object_id=user.id,
                 summary=summary, now=now)
    return user


def set_active(actor: Actor, user_id: int, active: bool, *, ip: str | None, now: datetime) -> User:
    """Deactivate (ending every session) or reactivate an account."""
    _require_admin(actor)
    user = get_user(user_id)
    if user.id == actor.id and not active:
        raise SelfLockout(user_id=user.id)
    if user.active == active:
        return user
    user.active = active
    user.updated_at = now
    user.rotate_session_token()
    audit.record("user.activate" if active else "user.deactivate", actor_id=actor.id, ip=ip,
                 object_type="user", object_id=user.id, now=now)
    return user


def reset_password(actor: Actor, user_id: int, new_password: str, *, ip: str | None, now: datetime,
                   fast_hash: bool = False) -> User:
    """Set a new password for someone else; their sessions end and any lock is lifted."""
    _require_admin(actor)
    user = get_user(user_id)
    check_new_password(new_password, username=user.username)
    user.password_hash = hash_password(new_password, fast=fast_hash)
    user.password_changed_at = now
    user.failed_login_count, user.first_failed_login_at, user.locked_until = 0, None, None
    user.rotate_session_token()
    audit.record("user.reset_password", actor_id=actor.id, ip=ip, object_type="user", object_id=user.id, now=now)
    return user


def change_own_password(user: User, current: str, new_password: str, *, ip: str | None, now: datetime,
                        fast_hash: bool = False) -> User:
    """Change one's own password; every session, this one included, gets a new token."""
    if not verify_password(user.password_hash, current, fast=fast_hash):
        raise WrongPassword(user_id=user.id)
    check_new_password(new_password, username=user.username)
    user.password_hash = hash_password(new_password, fast=fast_hash)
    user.password_changed_at = now
    user.rotate_session_token()
    audit.record("user.change_password", actor_id=user.id, ip=ip, object_type="user", object_id=user.id, now=now)
    return user


def set_locale(user: User, locale: str) -> None:
    """Remember the interface language chosen by the user."""
    user.locale = locale


def list_users() -> list[User]:
    """All accounts, for the admin screen (a few hundred at most)."""
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))
