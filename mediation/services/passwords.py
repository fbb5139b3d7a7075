"""Password hashing with argon2id; overlong input is refused before any hashing."""

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.errors import DomainError

MAX_PASSWORD_LENGTH = 128
MIN_PASSWORD_LENGTH = 8

# RFC 9106's second recommended option, sized for a small server.
_production_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2, type=Type.ID)
# Tests hash hundreds of passwords; the algorithm stays argon2id, only the cost is lower.
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)


class PasswordRejected(DomainError):
    """A new password does not meet the rules."""

    code = "password_rejected"


def hasher(fast: bool = False) -> PasswordHasher:
    """The hasher in use: production cost unless the test configuration asks for speed."""
    return _fast_hasher if fast else _production_hasher


def hash_password(password: str, *, fast: bool = False) -> str:
    """Hash a password that passed check_new_password."""
    return hasher(fast).hash(password)


def verify_password(stored_hash: str, password: str, *, fast: bool = False) -> bool:
    """Check a password; overlong input is refused without hashing."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return hasher(fast).verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str, *, username: str = "") -> None:
    """Refuse passwords that are too short, too long, or the username itself."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected(reason_code="too_long", limit=MAX_PASSWORD_LENGTH)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(reason_code="too_short", limit=MIN_PASSWORD_LENGTH)
    if username and password.casefold() == username.casefold():
        raise PasswordRejected(reason_code="same_as_username")
