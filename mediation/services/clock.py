"""The one place services read the time; tests pass their own `now` instead."""

from datetime import UTC, date, datetime, timedelta


def utcnow() -> datetime:
    """Naive UTC, the form stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


# Kazakhstan keeps UTC+5 all year (one zone since 1 March 2024), so the local day is a fixed shift.
ALMATY_OFFSET_HOURS = 5


def local_date(now: datetime) -> date:
    """The calendar day in Kazakhstan at the given naive-UTC moment."""
    return (now + timedelta(hours=ALMATY_OFFSET_HOURS)).date()
