"""Sessions: booking rooms for a case, calendars, the mediator's agenda and calendar feed, session logs."""

from flask import Blueprint

bp = Blueprint("sessions", __name__)

from . import booking, calendars, logs  # noqa: E402,F401
