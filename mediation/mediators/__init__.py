"""The mediator registry screens: list, record, edit, status, absences, import and export."""

from flask import Blueprint

bp = Blueprint("mediators", __name__)

from . import records, routes  # noqa: E402,F401
