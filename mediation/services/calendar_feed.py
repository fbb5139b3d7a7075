"""A mediator's private calendar feed (iCalendar): case number, kind and place of each session, nothing personal."""

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import CalendarFeed, User

PAST_DAYS = 30
FUTURE_DAYS = 180


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_token(user_id: int, now: datetime) -> str:
    """A new unguessable token for the user's feed; the old link stops working. Only its hash is stored."""
    token = secrets.token_urlsafe(32)
    feed = db.session.get(CalendarFeed, user_id)
    if feed is None:
        feed = CalendarFeed(user_id=user_id)
        db.session.add(feed)
    feed.token_hash, feed.created_at = _hash(token), now
    db.session.flush()
    return token


def revoke(user_id: int) -> None:
    """Turn the feed off."""
    feed = db.session.get(CalendarFeed, user_id)
    if feed is not None:
        db.session.delete(feed)
        db.session.flush()


def user_for_token(token: str) -> User | None:
    """The active user whose feed the token opens, if any."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
                             .where(CalendarFeed.token_hash == _hash(token)))
    return user if user is not None and user.active else None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def ics_for(sessions: list, *, place_names: dict, kind_names: dict, title: str) -> bytes:
    """Sessions as an iCalendar file: case number and kind as the title, house and room as the place."""
    from icalendar import Calendar, Event  # here, not at import: only feeds need it (0.05 s at every start)

    calendar = Calendar()
    calendar.add("prodid", "-//Friendship Houses mediation//sessions//")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title)
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.id}@mediation")
        event.add("dtstamp", _utc(session.updated_at))
        event.add("dtstart", _utc(session.starts_at))
        event.add("dtend", _utc(session.ends_at))
        event.add("summary", f"{session.case.number} · {kind_names[session.kind]}")
        event.add("location", place_names[session.id])
        event.add("sequence", session.version)
        calendar.add_component(event)
    return calendar.to_ical()
