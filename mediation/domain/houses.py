"""Rules for a Friendship House's settings: opening hours, closures and rooms. Pure; errors carry codes."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from .errors import DomainError
from .text import fold, has_control_characters

MIN_CAPACITY, MAX_CAPACITY = 1, 500
MAX_ROOM_NAME, MAX_REASON, MAX_ADDRESS = 120, 300, 300  # the column lengths


class HouseInvalid(DomainError):
    """House or room settings cannot be saved; `errors` maps form field names to reason codes."""

    code = "house_invalid"


@dataclass(frozen=True)
class DayHours:
    """One weekday a house is open (0 = Monday), local time; a weekday not listed is closed."""

    weekday: int
    opens: time | None
    closes: time | None


def hours_errors(days: Sequence[DayHours]) -> dict[str, str]:
    """Check a whole week at once so that one bad row refuses the week and every bad row is named."""
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for day in days:
        if not 0 <= day.weekday <= 6 or day.weekday in seen:
            errors["weekday"] = "weekday_invalid"
            continue
        seen.add(day.weekday)
        if day.opens is None:
            errors[f"opens_{day.weekday}"] = "time_required"
        if day.closes is None:
            errors[f"closes_{day.weekday}"] = "time_required"
        elif day.opens is not None and day.closes <= day.opens:
            errors[f"closes_{day.weekday}"] = "closes_before_opens"
    return errors


def text_error(value: str, *, limit: int, required: bool) -> str | None:
    """The reason code for a bad free-text value, or None."""
    if required and not value.strip():
        return "text_required"
    if len(value) > limit:
        return "text_too_long"
    if has_control_characters(value):
        return "text_invalid"
    return None


def closure_errors(start: date, end: date, reason: str) -> dict[str, str]:
    """A closure runs from start to end, both inclusive, and says why (holiday, renovation)."""
    errors = {}
    if end < start:
        errors["end"] = "end_before_start"
    if code := text_error(reason, limit=MAX_REASON, required=True):
        errors["reason"] = code
    return errors


def room_errors(name: str, capacity: int, other_names: Sequence[str]) -> dict[str, str]:
    """A room needs a name or number unique in its house and a capacity of 1–500 people."""
    errors = {}
    if code := text_error(name, limit=MAX_ROOM_NAME, required=True):
        errors["name"] = code
    elif fold(name) in {fold(other) for other in other_names}:
        errors["name"] = "room_name_taken"
    if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        errors["capacity"] = "capacity_range"
    return errors
