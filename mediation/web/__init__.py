"""The web edge: access guard, sessions, security headers, errors, template helpers."""

from flask import Flask

from . import access, errors, filters, gc_freeze, headers, i18n, warmup


def register_web(app: Flask) -> None:
    """Install the request hooks and template helpers shared by every blueprint."""
    gc_freeze.register(app)  # first: its hook runs before the app's own hooks (the login guard loads the user)
    warmup.register(app)
    access.register(app)
    headers.register(app)
    errors.register(app)
    filters.register(app)
    i18n.register(app)
