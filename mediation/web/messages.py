"""Domain error codes turned into messages in the user's language."""

from flask_babel import format_datetime
from flask_babel import gettext as _

from ..domain.errors import DomainError


def password_message(error: DomainError) -> str:
    """Explain why a new password was refused."""
    reason = error.data.get("reason_code")
    if reason == "too_long":
        return _("The password is too long (at most %(n)d characters).", n=error.limit)
    if reason == "too_short":
        return _("The password is too short (at least %(n)d characters).", n=error.limit)
    return _("The password must not be the same as the username.")


def login_message(error: DomainError) -> str:
    """Explain a failed sign-in without telling which part was wrong."""
    reason = error.data.get("reason_code")
    if reason == "locked" and error.data.get("locked_until"):
        return _("Too many failed attempts. Sign-in for this account is paused until %(time)s.",
                 time=format_datetime(error.locked_until, "short"))
    if reason == "password_too_long":
        return _("The password is too long.")
    return _("Wrong username or password, or the account is not active.")


def scope_message(error: DomainError) -> str:
    """Explain why a role and scope do not fit together."""
    if error.data.get("reason_code") == "house_outside_region":
        return _("The Friendship House must be in the chosen region.")
    return _("This role cannot have this scope: admins work for the whole republic, managers for the "
             "republic or a region, coordinators and mediators for a region or one Friendship House.")
