"""The one place services read the time; tests pass their own `now` instead."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, the form stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)
