"""The web edge: access guard, sessions, security headers, errors, template helpers."""

from flask import Flask

from . import access, errors, filters, headers, i18n


def register_web(app: Flask) -> None:
    """Install the request hooks and template helpers shared by every blueprint."""
    access.register(app)
    headers.register(app)
    errors.register(app)
    filters.register(app)
    i18n.register(app)
