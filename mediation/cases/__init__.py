"""Cases: intake, the case page and its actions, the scoped list with search and exports."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from . import actions, assign, intake, routes  # noqa: E402,F401
