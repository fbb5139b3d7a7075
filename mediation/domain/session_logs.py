"""Session logs: what happened at a meeting, the author's edit window, refusals to attend. Pure."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .case_fields import TensionSignal
from .errors import DomainError

EDIT_WINDOW = timedelta(hours=24)
# Art. 26 ends a mediation on a party's refusal; two refusals to attend are the warning sign before it.
REFUSALS_BEFORE_SIGNAL = 2


class LogOutcome(StrEnum):
    """Whether the session took place."""

    HELD = "held"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class Attendee(StrEnum):
    """People present besides the parties and the mediators."""

    REPRESENTATIVE = "representative"
    INTERPRETER = "interpreter"
    TEACHER = "teacher"  # where a minor takes part
    PSYCHOLOGIST = "psychologist"


class LogInvalid(DomainError):
    """A session log breaks a rule (field, reason_code)."""

    code = "log_invalid"


class LogLocked(DomainError):
    """The log can no longer be edited: its author's 24 hours have passed, or the actor is not its author."""

    code = "log_locked"


@dataclass(frozen=True)
class LogFacts:
    """What a log says, checked before it is written."""

    outcome: LogOutcome
    actual_start: datetime | None
    actual_end: datetime | None
    attended_party_ids: frozenset[int]
    absent_party_ids: frozenset[int]


def check_log(facts: LogFacts, *, case_party_ids: Iterable[int], session_start: datetime, now: datetime) -> None:
    """Refuse a log that contradicts itself or the session (LogInvalid with the field concerned)."""
    parties = frozenset(case_party_ids)
    if not (facts.attended_party_ids | facts.absent_party_ids) <= parties:
        raise LogInvalid(field="attended", reason_code="unknown_party")
    if facts.attended_party_ids & facts.absent_party_ids:
        raise LogInvalid(field="absent", reason_code="both_present_and_absent")
    if facts.outcome is LogOutcome.NO_SHOW and not facts.absent_party_ids:
        raise LogInvalid(field="absent", reason_code="no_show_needs_absent")
    if facts.outcome is LogOutcome.HELD:
        if facts.actual_start is None or facts.actual_end is None:
            raise LogInvalid(field="actual_start", reason_code="held_needs_times")
        if facts.actual_end <= facts.actual_start:
            raise LogInvalid(field="actual_end", reason_code="end_before_start")
        if facts.actual_start > now:
            raise LogInvalid(field="actual_start", reason_code="in_future")
        if not facts.attended_party_ids:
            raise LogInvalid(field="attended", reason_code="held_needs_attendance")
    if session_start > now and facts.outcome is not LogOutcome.CANCELLED:
        raise LogInvalid(field="outcome", reason_code="not_yet_happened")


def can_edit_log(*, actor_user_id: int, author_user_id: int, logged_at: datetime, now: datetime,
                 window: timedelta = EDIT_WINDOW) -> bool:
    """Only the author edits a log, and only within the window; afterwards corrections are amendments."""
    return actor_user_id == author_user_id and now - logged_at < window


def refusals_by_party(absences: Iterable[Iterable[int]]) -> Counter:
    """How many logged sessions each party failed to attend (one entry per log's absent parties)."""
    counts: Counter = Counter()
    for absent in absences:
        counts.update(set(absent))
    return counts


def signals_after_refusals(signals: Iterable[str], absences: Iterable[Iterable[int]]) -> list[str]:
    """The case's tension signals, with "refusal to attend" added once a party has refused twice."""
    current = list(dict.fromkeys(signals))
    counts = refusals_by_party(absences)
    if counts and max(counts.values()) >= REFUSALS_BEFORE_SIGNAL and TensionSignal.REFUSAL_TO_ATTEND not in current:
        current.append(TensionSignal.REFUSAL_TO_ATTEND.value)
    return current
