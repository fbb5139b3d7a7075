"""Mediation time limits: 30-day term, one extension of at most 30 days, proposal lapse, deadline status."""

from datetime import date

import pytest

from mediation.domain.deadlines import (
    DEFAULT_POLICY,
    DeadlinePolicy,
    DeadlineStatus,
    ExtensionRefused,
    check_extension,
    deadline_status,
    mediation_deadline,
    proposal_lapse_date,
    proposal_lapsed,
)
from mediation.domain.errors import DomainError

POLICY = DeadlinePolicy()


def test_default_policy_follows_the_law():
    assert (POLICY.term_days, POLICY.max_extension_days, POLICY.max_extensions) == (30, 30, 1)
    assert (POLICY.proposal_lapse_days, POLICY.due_soon_days) == (10, 7)
    assert DEFAULT_POLICY == POLICY


def test_policy_rejects_negative_values():
    with pytest.raises(ValueError, match="term_days"):
        DeadlinePolicy(term_days=-1)


@pytest.mark.parametrize(
    ("started_on", "extensions", "deadline"),
    [
        # Signed 1 March: days are counted from 2 March, day 30 is 31 March
        (date(2024, 3, 1), [], date(2024, 3, 31)),
        (date(2024, 3, 1), [30], date(2024, 4, 30)),  # 60 days in all
        (date(2024, 3, 1), [10], date(2024, 4, 10)),
        (date(2024, 2, 1), [], date(2024, 3, 2)),  # leap February has 29 days
        (date(2023, 2, 1), [], date(2023, 3, 3)),
        (date(2024, 12, 15), [], date(2025, 1, 14)),  # across the year end
    ],
)
def test_mediation_deadline(started_on, extensions, deadline):
    assert mediation_deadline(started_on, POLICY, extensions) == deadline


def test_deadline_follows_a_configured_term():
    assert mediation_deadline(date(2024, 3, 1), DeadlinePolicy(term_days=45), []) == date(2024, 4, 15)


@pytest.mark.parametrize("days", [1, 15, 30])
def test_first_extension_up_to_30_days_is_allowed(days):
    check_extension(days, [], POLICY, "parties need a second joint session", True)


@pytest.mark.parametrize(
    ("days", "previous", "reason", "consent", "reason_code"),
    [
        (10, [30], "more time", True, "second_extension"),
        (1, [1], "more time", True, "second_extension"),  # even if the first was short
        (31, [], "more time", True, "too_long"),
        (0, [], "more time", True, "not_positive"),
        (-5, [], "more time", True, "not_positive"),
        (10, [], "", True, "reason_required"),
        (10, [], "   ", True, "reason_required"),
        (10, [], "more time", False, "consent_required"),
    ],
)
def test_extension_refusals(days, previous, reason, consent, reason_code):
    with pytest.raises(ExtensionRefused) as info:
        check_extension(days, previous, POLICY, reason, consent)
    assert info.value.reason_code == reason_code
    assert info.value.code == "extension_refused"
    assert isinstance(info.value, DomainError)


def test_too_long_reports_the_limit():
    with pytest.raises(ExtensionRefused) as info:
        check_extension(31, [], POLICY, "more time", True)
    assert (info.value.days, info.value.limit) == (31, 30)


def test_extension_cap_is_the_total_when_more_extensions_are_configured():
    # Given a policy that allows two extensions, the 30 days are shared between them
    policy = DeadlinePolicy(max_extensions=2)
    check_extension(10, [20], policy, "more time", True)
    with pytest.raises(ExtensionRefused) as info:
        check_extension(11, [20], policy, "more time", True)
    assert (info.value.reason_code, info.value.limit) == ("too_long", 10)


@pytest.mark.parametrize(
    ("agreed_on", "refused"),
    [(date(2024, 3, 30), False), (date(2024, 3, 31), False), (date(2024, 4, 1), True)],
)
def test_extension_must_be_agreed_before_the_term_runs_out(agreed_on, refused):
    deadline = date(2024, 3, 31)
    if refused:
        with pytest.raises(ExtensionRefused) as info:
            check_extension(10, [], POLICY, "more time", True, agreed_on=agreed_on, deadline=deadline)
        assert info.value.reason_code == "after_deadline"
    else:
        check_extension(10, [], POLICY, "more time", True, agreed_on=agreed_on, deadline=deadline)


def test_proposal_lapse_date():
    assert proposal_lapse_date(date(2024, 3, 1), POLICY) == date(2024, 3, 11)


@pytest.mark.parametrize(
    ("accepted_on", "today", "lapsed"),
    [
        (None, date(2024, 3, 1), False),  # proposed today
        (None, date(2024, 3, 11), False),  # 10th day after: still open
        (None, date(2024, 3, 12), True),  # 11th day without consent: deemed rejected
        (date(2024, 3, 11), date(2024, 4, 1), False),  # accepted on the last day
        (date(2024, 3, 2), date(2024, 3, 20), False),
        (date(2024, 3, 12), date(2024, 3, 12), True),  # late consent does not revive the proposal
    ],
)
def test_proposal_lapsed(accepted_on, today, lapsed):
    assert proposal_lapsed(date(2024, 3, 1), accepted_on, today, POLICY) is lapsed


@pytest.mark.parametrize(
    ("deadline", "today", "status"),
    [
        (None, date(2024, 3, 1), DeadlineStatus.NONE),
        (date(2024, 3, 31), date(2024, 3, 1), DeadlineStatus.OK),
        (date(2024, 3, 31), date(2024, 3, 23), DeadlineStatus.OK),  # 8 days left
        (date(2024, 3, 31), date(2024, 3, 24), DeadlineStatus.DUE_SOON),  # 7 days left
        (date(2024, 3, 31), date(2024, 3, 31), DeadlineStatus.DUE_SOON),  # the last day is still in time
        (date(2024, 3, 31), date(2024, 4, 1), DeadlineStatus.OVERDUE),
    ],
)
def test_deadline_status(deadline, today, status):
    assert deadline_status(deadline, today, POLICY) is status


def test_deadline_status_values_are_stored_strings():
    assert [s.value for s in DeadlineStatus] == ["none", "ok", "due_soon", "overdue"]
