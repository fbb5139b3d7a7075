"""Deny by default: a login guard with a short allowlist, session lifetimes, role decorators."""

import hmac
import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from ..domain.roles import Role
from ..extensions import db, login_manager
from ..models import User

# Endpoints anyone may reach; everything else needs a signed-in, active user.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "bootstrap.static", "main.set_language", "main.healthz"})


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in (used sparingly: public registry, verification)."""
    view.is_public = True
    return view


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    """True for allowlisted endpoints and views marked @public."""
    if endpoint is None:
        return True  # no route matched: the 404 handler answers
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def is_safe_next(target: str | None) -> bool:
    """Accept only a relative path on this site: no scheme, no host, no '//' or '/\\' tricks."""
    if not isinstance(target, str) or not target or len(target) > 2000 or not target.startswith("/"):
        return False
    if target.startswith(("//", "/\\")) or any(ord(ch) < 32 or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user only if the cookie's session token is still the current one."""
    user_pk, _, token = user_id.partition(":")
    if not user_pk.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_pk))
    if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def start_session(user: User) -> None:
    """Begin a fresh session: the old one is cleared first so no pre-login state survives."""
    from flask_login import login_user

    session.clear()
    login_user(user, remember=False)
    session.permanent = True  # bounded by PERMANENT_SESSION_LIFETIME, the absolute lifetime
    now = int(time.time())
    session["login_at"] = now
    session["seen_at"] = now


def end_session() -> None:
    """Sign out this browser and forget everything in its session."""
    logout_user()
    session.clear()


def _enforce_session_lifetimes() -> bool:
    """End sessions idle too long or older than the absolute lifetime; True when one was ended."""
    now = int(time.time())
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    login_at, seen_at = session.get("login_at"), session.get("seen_at")
    if not isinstance(login_at, int) or not isinstance(seen_at, int) or now - seen_at > idle \
            or now - login_at > absolute:
        end_session()
        return True
    if now - seen_at >= 30:  # avoid rewriting the cookie on every single request
        session["seen_at"] = now
    return False


def login_guard():
    """before_request: let public endpoints through, send everyone else to the login page."""
    if is_public_endpoint(current_app, request.endpoint):
        return None
    if current_user.is_authenticated and not _enforce_session_lifetimes():
        return None
    if current_user.is_authenticated is False and session.get("_user_id"):
        session.clear()  # a revoked or expired session: drop the stale cookie content
    if request.method == "GET":
        flash(_l("Please sign in to continue."), "info")
        target = request.full_path.rstrip("?")
        return redirect(url_for("auth.login", next=target if is_safe_next(target) else None))
    abort(401)


def requires(*roles: Role) -> Callable:
    """Decorator: only these roles reach the view; others get 403 (and an audit entry)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)
        return wrapped

    return decorator


def ensure(allowed: bool, *, hide: bool = False) -> None:
    """Turn a False predicate into 403, or 404 when even the object's existence is private."""
    if not allowed:
        abort(404 if hide else 403)


def client_ip() -> str | None:
    """The client's address as the app sees it (behind a proxy, configure ProxyFix)."""
    return request.remote_addr


def register(app: Flask) -> None:
    """Install the login guard."""
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.before_request(login_guard)
