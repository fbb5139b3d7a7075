"""Time limits of mediation (Art. 18-24): term, extension, lapse of a proposal, deadline status."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from mediation.domain.errors import DomainError

# How days are counted. Under the Civil Code of Kazakhstan a period of days begins on the day after the
# event that starts it and ends on its last day. Mediation starts on the day the contract is signed
# (day 0), so a 30-day term signed on 1 March runs 2-31 March: the deadline is started_on + 30 days,
# and that day itself is still in time. The law speaks of calendar days, so weekends and holidays are
# not skipped and no shift to the next working day is applied (that would need a holiday calendar).


@dataclass(frozen=True)
class DeadlinePolicy:
    """Configurable limits (law text and practice change; these defaults follow the ~2019 text)."""

    term_days: int = 30
    max_extension_days: int = 30  # in total over all extensions: "at most 30 more days (60 in all)"
    max_extensions: int = 1
    proposal_lapse_days: int = 10
    due_soon_days: int = 7

    def __post_init__(self) -> None:
        """Reject a policy that would make every check meaningless."""
        for name, value in vars(self).items():
            if value < 0:
                raise ValueError(f"{name} must not be negative")


DEFAULT_POLICY = DeadlinePolicy()


class DeadlineStatus(StrEnum):
    """How close a case is to its deadline, for lists and alerts."""

    NONE = "none"
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class ExtensionRefused(DomainError):
    """An extension of the mediation term is not permitted; reason_code says which rule refused it."""

    code = "extension_refused"


def mediation_deadline(started_on: date, policy: DeadlinePolicy, extensions: Sequence[int]) -> date:
    """Return the last day of the term: started_on + term + all granted extensions (see module note)."""
    # Extensions are not re-checked against the policy here: they were valid when granted, and a later
    # change of policy must not move the deadline of a running mediation.
    return started_on + timedelta(days=policy.term_days + sum(extensions))


def check_extension(
    days: int,
    previous_extensions: Sequence[int],
    policy: DeadlinePolicy,
    reason: str,
    parties_consent: bool,
    *,
    agreed_on: date | None = None,
    deadline: date | None = None,
) -> None:
    """Raise ExtensionRefused unless an extension of days may be granted now."""
    if len(previous_extensions) >= policy.max_extensions:
        raise ExtensionRefused(reason_code="second_extension", previous=len(previous_extensions))
    if days <= 0:
        raise ExtensionRefused(reason_code="not_positive", days=days)
    remaining = policy.max_extension_days - sum(previous_extensions)
    if days > remaining:
        raise ExtensionRefused(reason_code="too_long", days=days, limit=remaining)
    if not reason or not reason.strip():
        raise ExtensionRefused(reason_code="reason_required")
    # The law makes extension an agreement of the parties; the mediator's consent is the actor's act.
    if not parties_consent:
        raise ExtensionRefused(reason_code="consent_required")
    # Once the term has run out the mediation ended on that day (Art. 26, ground 5): nothing to extend.
    if agreed_on is not None and deadline is not None and agreed_on > deadline:
        raise ExtensionRefused(reason_code="after_deadline", agreed_on=agreed_on, deadline=deadline)


def proposal_lapse_date(proposed_on: date, policy: DeadlinePolicy) -> date:
    """Return the last day on which a written proposal to mediate can still be accepted."""
    return proposed_on + timedelta(days=policy.proposal_lapse_days)


def proposal_lapsed(proposed_on: date, accepted_on: date | None, today: date, policy: DeadlinePolicy) -> bool:
    """Tell whether a proposal counts as rejected: no consent within the lapse period."""
    last_day = proposal_lapse_date(proposed_on, policy)
    if accepted_on is not None and accepted_on <= last_day:
        return False
    # A late consent does not revive the proposal: it was already deemed rejected; a new one is needed.
    return today > last_day or (accepted_on is not None and accepted_on > last_day)


def deadline_status(deadline: date | None, today: date, policy: DeadlinePolicy) -> DeadlineStatus:
    """Classify a deadline: overdue after its day, due soon within due_soon_days (inclusive), else ok."""
    if deadline is None:
        return DeadlineStatus.NONE
    days_left = (deadline - today).days
    if days_left < 0:
        return DeadlineStatus.OVERDUE
    if days_left <= policy.due_soon_days:
        return DeadlineStatus.DUE_SOON
    return DeadlineStatus.OK
