"""Scheduling and session-log labels and errors in the user's language; clashes name what they clash with."""

from flask_babel import format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain.scheduling import Clash, ClashKind, SessionKind, Venue, WarningKind
from ..domain.session_logs import Attendee, LogOutcome

KIND = {SessionKind.JOINT: _l("Joint session"), SessionKind.SEPARATE: _l("Separate meeting with one party"),
        SessionKind.CONSULTATION: _l("Consultation")}
VENUE = {Venue.ROOM: _l("Mediation room"), Venue.OFFSITE: _l("Off-site"), Venue.ONLINE: _l("Online")}
OUTCOME = {LogOutcome.HELD: _l("Held"), LogOutcome.CANCELLED: _l("Cancelled"),
           LogOutcome.NO_SHOW: _l("No-show")}
ATTENDEE = {Attendee.REPRESENTATIVE: _l("Representatives"), Attendee.INTERPRETER: _l("Interpreter"),
            Attendee.TEACHER: _l("Teacher (a minor takes part)"),
            Attendee.PSYCHOLOGIST: _l("Psychologist (a minor takes part)")}
STATUS = {"scheduled": _l("Scheduled"), "cancelled": _l("Cancelled")}

# Which form field each clash belongs on.
CLASH_FIELD = {
    ClashKind.BAD_INTERVAL: "end", ClashKind.IN_PAST: "day", ClashKind.CASE_CLOSED: "day",
    ClashKind.ROOM_INACTIVE: "room_id", ClashKind.ROOM_CLOSED: "room_id", ClashKind.ROOM_BOOKED: "room_id",
    ClashKind.HOUSE_CLOSED: "day", ClashKind.OUTSIDE_HOURS: "start", ClashKind.MEDIATOR_BUSY: "mediator_ids",
    ClashKind.MEDIATOR_ABSENT: "mediator_ids",
}

INVALID = {
    "no_mediator": _l("Choose at least one mediator of the case."),
    "not_on_case": _l("Only mediators working on this case can be expected at its sessions."),
    "unknown_party": _l("Choose the parties invited from this case's parties."),
    "separate_needs_one_party": _l("A separate meeting is held with exactly one party."),
    "unknown_room": _l("Choose a room of a Friendship House in the case's region."),
    "address_needed": _l("Give the address of the off-site meeting."),
    "not_movable": _l("A cancelled or logged session cannot be moved."),
    "not_cancellable": _l("A cancelled or logged session cannot be cancelled."),
}

LOG_INVALID = {
    "unknown_party": _l("Choose parties of this case."),
    "both_present_and_absent": _l("A party cannot be both present and absent."),
    "no_show_needs_absent": _l("Mark who did not come."),
    "held_needs_times": _l("Give the actual start and end of the session."),
    "end_before_start": _l("The end must be after the start."),
    "in_future": _l("This time is in the future."),
    "held_needs_attendance": _l("Mark which parties attended."),
    "not_yet_happened": _l("This session has not taken place yet; it can only be logged as cancelled."),
    "session_cancelled": _l("This session was cancelled; there is nothing to log."),
    "already_logged": _l("This session already has a log."),
    "not_logged": _l("This session has no log yet."),
}

WARNING = {WarningKind.AFTER_DEADLINE: _l("This session is after the case's mediation deadline.")}


ROOM_CLASHES = (ClashKind.ROOM_BOOKED, ClashKind.ROOM_CLOSED, ClashKind.ROOM_INACTIVE)


def _span(clash: Clash) -> str:
    if clash.other is None:
        return ""
    return f"{format_time(clash.other.start, 'short')}–{format_time(clash.other.end, 'short')}"


def clash_message(clash: Clash, rooms: dict, mediators: dict) -> str:
    """One clash in words, naming the room or mediator (from id → name maps) and the other session's times."""
    kind = clash.kind
    name = (rooms if kind in ROOM_CLASHES else mediators).get(clash.subject_id, "")
    if kind is ClashKind.ROOM_BOOKED:
        return _("%(room)s is already booked %(span)s.", room=name, span=_span(clash)) if clash.other \
            else _("%(room)s was booked by someone else a moment ago. Choose another time or room.", room=name)
    if kind is ClashKind.MEDIATOR_BUSY:
        return _("%(mediator)s is in another session %(span)s.", mediator=name, span=_span(clash)) if clash.other \
            else _("A mediator was booked for another session a moment ago. Choose another time.")
    if kind is ClashKind.MEDIATOR_ABSENT:
        return _("%(mediator)s is absent (leave or illness) that day.", mediator=name)
    return str({
        ClashKind.BAD_INTERVAL: _l("A session lasts from 15 minutes to 8 hours and ends after it starts."),
        ClashKind.IN_PAST: _l("This time has already passed."),
        ClashKind.CASE_CLOSED: _l("The case is closed; no more sessions can be booked."),
        ClashKind.ROOM_INACTIVE: _l("This room is not in use."),
        ClashKind.ROOM_CLOSED: _l("This room is closed on that day (for example, for renovation)."),
        ClashKind.HOUSE_CLOSED: _l("The Friendship House is closed on that day."),
        ClashKind.OUTSIDE_HOURS: _l("This is outside the Friendship House's opening hours."),
    }[kind])
