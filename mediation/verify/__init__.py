"""Public verification of printed documents: /verify/<token> confirms number, type, date, house and status."""

from flask import Blueprint

bp = Blueprint("verify", __name__)

from . import routes  # noqa: E402,F401
