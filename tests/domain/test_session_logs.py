"""Session-log rules: consistency, the author's 24-hour window, notes per role, refusals to attend."""

from datetime import datetime, timedelta

import pytest

from mediation.domain.policies import CaseAccess, Placement, can_log_session, can_read_confidential_notes
from mediation.domain.roles import Actor, Role
from mediation.domain.session_logs import (
    LogFacts,
    LogInvalid,
    LogOutcome,
    can_edit_log,
    check_log,
    signals_after_refusals,
)

NOW = datetime(2031, 3, 3, 12)
START = NOW - timedelta(hours=3)


def facts(outcome=LogOutcome.HELD, start=START, end=START + timedelta(hours=1), attended=(1, 2), absent=()):
    return LogFacts(outcome, start, end, frozenset(attended), frozenset(absent))


def test_a_held_session_with_times_and_attendance_is_accepted():
    check_log(facts(), case_party_ids=[1, 2], session_start=START, now=NOW)


@pytest.mark.parametrize(("given", "field", "reason"), [
    (facts(attended=(1, 9)), "attended", "unknown_party"),
    (facts(attended=(1,), absent=(1,)), "absent", "both_present_and_absent"),
    (facts(LogOutcome.NO_SHOW, None, None, attended=(1,)), "absent", "no_show_needs_absent"),
    (facts(start=None), "actual_start", "held_needs_times"),
    (facts(end=START - timedelta(minutes=1)), "actual_end", "end_before_start"),
    (facts(start=NOW + timedelta(hours=1), end=NOW + timedelta(hours=2)), "actual_start", "in_future"),
    (facts(attended=()), "attended", "held_needs_attendance"),
])
def test_inconsistent_logs_are_refused_on_the_right_field(given, field, reason):
    with pytest.raises(LogInvalid) as refused:
        check_log(given, case_party_ids=[1, 2], session_start=START, now=NOW)
    assert (refused.value.field, refused.value.reason_code) == (field, reason)


def test_a_future_session_can_only_be_logged_as_cancelled():
    with pytest.raises(LogInvalid):
        check_log(facts(LogOutcome.NO_SHOW, None, None, attended=(1,), absent=(2,)), case_party_ids=[1, 2],
                  session_start=NOW + timedelta(days=1), now=NOW)
    check_log(facts(LogOutcome.CANCELLED, None, None, attended=()), case_party_ids=[1, 2],
              session_start=NOW + timedelta(days=1), now=NOW)


@pytest.mark.parametrize(("actor", "elapsed", "allowed"), [
    (5, timedelta(hours=1), True),
    (5, timedelta(hours=23, minutes=59), True),
    (5, timedelta(hours=24), False),
    (6, timedelta(hours=1), False),   # not the author
])
def test_only_the_author_edits_and_only_within_24_hours(actor, elapsed, allowed):
    assert can_edit_log(actor_user_id=actor, author_user_id=5, logged_at=NOW, now=NOW + elapsed) is allowed


def actor(role: Role, user_id: int = 5) -> Actor:
    return Actor(id=user_id, role=role)


CASE = CaseAccess(place=Placement(1, 1), mediator_user_ids=frozenset({5}))


@pytest.mark.parametrize(("who", "reads", "logs"), [
    (actor(Role.MEDIATOR), True, True),
    (actor(Role.MEDIATOR, user_id=6), False, False),   # a mediator of another case
    (actor(Role.COORDINATOR, user_id=7), False, False),
    (actor(Role.MANAGER, user_id=8), False, False),
    (actor(Role.ADMIN, user_id=9), False, False),
])
def test_confidential_notes_are_for_the_cases_mediators_only(who, reads, logs):
    assert can_read_confidential_notes(who, CASE) is reads
    assert can_log_session(who, CASE) is logs


def test_two_refusals_by_one_party_add_the_signal_once():
    assert signals_after_refusals(["violence"], [[1], [2]]) == ["violence"]
    assert signals_after_refusals(["violence"], [[1], [1, 2]]) == ["violence", "refusal_to_attend"]
    assert signals_after_refusals(["refusal_to_attend"], [[1], [1]]) == ["refusal_to_attend"]
