"""Reason codes of the houses service turned into messages in the user's language."""

from flask_babel import lazy_gettext as _l

HOUSE_ERRORS = {
    "time_required": _l("Give the opening and closing time, or untick the day."),
    "closes_before_opens": _l("The closing time must be after the opening time."),
    "weekday_invalid": _l("Unknown weekday."),
    "end_before_start": _l("The last day must not be before the first."),
    "text_required": _l("Fill in this field."),
    "text_too_long": _l("This text is too long."),
    "text_invalid": _l("This field contains characters that are not allowed."),
    "room_name_taken": _l("This house already has a room with this name."),
    "capacity_range": _l("Give a number from 1 to 500."),
}


def house_error(code: str) -> str:
    """The message for a reason code (the code itself if unknown, so nothing is lost)."""
    return str(HOUSE_ERRORS.get(code, code))
