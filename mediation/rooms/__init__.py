"""Friendship Houses and their mediation rooms: opening hours, closures, room upkeep."""

from flask import Blueprint

bp = Blueprint("rooms", __name__)

from . import room_routes, routes  # noqa: E402,F401
