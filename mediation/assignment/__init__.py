"""Assignment policy per region and batch auto-assign."""

from flask import Blueprint

bp = Blueprint("assignment", __name__)

from . import routes  # noqa: E402,F401
