"""The public register of mediators (Art. 14): no sign-in, no personal data beyond what the law publishes."""

from flask import Blueprint

bp = Blueprint("registry", __name__)

from . import routes  # noqa: E402,F401
