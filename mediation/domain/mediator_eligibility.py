"""Mediator registry vocabulary and who may mediate on a given day (Law «О медиации», Art. 9, 14, 16)."""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

from mediation.domain.errors import DomainError


class MediatorKind(StrEnum):
    """The two registers of Art. 9."""

    PROFESSIONAL = "professional"
    PUBLIC = "public"


class MediatorStatus(StrEnum):
    """Registry status; a suspension also carries an end date and a reason."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXCLUDED = "excluded"


class LanguageLevel(StrEnum):
    """How well a mediator can mediate in a language."""

    NATIVE = "native"
    FLUENT = "fluent"
    WORKING = "working"


class CaseCategory(StrEnum):
    """Case categories; a mediator's specialisations are drawn from the same list."""

    INTERETHNIC = "interethnic"
    FAMILY = "family"
    LABOUR = "labour"
    EDUCATION = "education"
    NEIGHBOURS_LAND = "neighbours_land"
    PROPERTY = "property"
    RELIGIOUS = "religious"
    MINOR_CRIMINAL = "minor_criminal"
    ADMINISTRATIVE = "administrative"
    OTHER = "other"


class Disqualification(StrEnum):
    """Facts that bar anyone from mediating whatever the register (Art. 9)."""

    STATE_OFFICE = "state_office"
    CRIMINAL_PROSECUTION = "criminal_prosecution"
    UNEXPUNGED_CONVICTION = "unexpunged_conviction"
    INCAPACITY = "incapacity"


class IneligibilityReason(StrEnum):
    """Codes returned by `eligibility_reasons`; disqualification codes are reused verbatim."""

    UNDER_AGE = "under_age"
    NO_HIGHER_EDUCATION = "no_higher_education"
    NO_CERTIFICATE = "no_certificate"
    STATE_OFFICE = "state_office"
    CRIMINAL_PROSECUTION = "criminal_prosecution"
    UNEXPUNGED_CONVICTION = "unexpunged_conviction"
    INCAPACITY = "incapacity"
    SUSPENDED = "suspended"
    EXCLUDED = "excluded"


class InvalidEligibilityThresholds(DomainError):
    """A threshold is not a plausible adult age."""

    code = "invalid_eligibility_thresholds"


class InvalidSuspensionTerm(DomainError):
    """A suspension must last at least one month."""

    code = "invalid_suspension_term"


class InvalidAvailability(DomainError):
    """An absence ends before it starts, or weekly hours are not a real slot."""

    code = "invalid_availability"


@dataclass(frozen=True, slots=True)
class EligibilityThresholds:
    """Minimum ages per register; configuration because the law has changed before."""

    professional_min_age: int = 25
    public_min_age: int = 40

    def validate(self) -> None:
        """Raise InvalidEligibilityThresholds unless both ages are between 18 and 100."""
        for name in ("professional_min_age", "public_min_age"):
            value = getattr(self, name)
            if not 18 <= value <= 100:
                raise InvalidEligibilityThresholds(field=name, value=value)


@dataclass(frozen=True, slots=True)
class LanguageSkill:
    """One language of mediation with the mediator's level in it."""

    language: str
    level: LanguageLevel


@dataclass(frozen=True, slots=True)
class Absence:
    """A leave or other unavailability, both ends inclusive."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise InvalidAvailability(field="end", start=self.start, end=self.end)

    def covers(self, day: date) -> bool:
        """True if the mediator is away on `day`."""
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """A recurring weekly slot; weekday follows date.weekday() (0 = Monday)."""

    weekday: int
    start: time
    end: time

    def __post_init__(self):
        if not 0 <= self.weekday <= 6:
            raise InvalidAvailability(field="weekday", weekday=self.weekday)
        if self.end <= self.start:
            raise InvalidAvailability(field="end", start=self.start, end=self.end)


@dataclass(frozen=True, slots=True)
class MediatorProfile:
    """The registry facts that decide eligibility; built by the service from the mediator row."""

    kind: MediatorKind
    birth_date: date
    higher_education: bool
    certificate_number: str | None = None
    certificate_date: date | None = None
    retired_judge: bool = False
    status: MediatorStatus = MediatorStatus.ACTIVE
    suspended_until: date | None = None
    suspension_reason: str | None = None
    disqualifications: frozenset[Disqualification] = frozenset()


def age_on(birth_date: date, on: date) -> int:
    """Full years on `on`; someone born on 29 February comes of age on 1 March in common years."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def add_months(start: date, months: int) -> date:
    """Same day `months` calendar months later, clamped to the last day of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def default_suspension_end(start: date, months: int = 6) -> date:
    """Last day of a suspension for a confirmed violation (Art. 16: six months by default)."""
    if months < 1:
        raise InvalidSuspensionTerm(months=months)
    # Like civil-law periods in months, the term ends on the same-numbered day of the last month.
    return add_months(start, months)


def is_suspended_on(profile: MediatorProfile, on: date) -> bool:
    """True while a suspension is in force; `suspended_until` is inclusive, None means open-ended."""
    if profile.status != MediatorStatus.SUSPENDED:
        return False
    # A lapsed suspension no longer bars the mediator even before the row is switched back to active.
    return profile.suspended_until is None or on <= profile.suspended_until


def holds_certificate(profile: MediatorProfile, on: date) -> bool:
    """True if a training certificate is recorded and already issued on `on`."""
    if not (profile.certificate_number or "").strip():
        return False
    return profile.certificate_date is None or profile.certificate_date <= on


def eligibility_reasons(
    profile: MediatorProfile, on: date, thresholds: EligibilityThresholds
) -> list[IneligibilityReason]:
    """Every reason the mediator may not mediate on `on`; an empty list means eligible."""
    reasons: list[IneligibilityReason] = []
    age = age_on(profile.birth_date, on)
    if profile.kind == MediatorKind.PROFESSIONAL:
        if age < thresholds.professional_min_age:
            reasons.append(IneligibilityReason.UNDER_AGE)
        # Art. 9 admits a retired judge to the professional register without the other conditions.
        if not profile.retired_judge:
            if not profile.higher_education:
                reasons.append(IneligibilityReason.NO_HIGHER_EDUCATION)
            if not holds_certificate(profile, on):
                reasons.append(IneligibilityReason.NO_CERTIFICATE)
    elif age < thresholds.public_min_age:
        reasons.append(IneligibilityReason.UNDER_AGE)
    # Iterate the enum, not the set, so the order of codes is stable for tests and logs.
    if profile.disqualifications:
        reasons.extend(IneligibilityReason(d.value) for d in Disqualification if d in profile.disqualifications)
    if is_suspended_on(profile, on):
        reasons.append(IneligibilityReason.SUSPENDED)
    if profile.status == MediatorStatus.EXCLUDED:
        reasons.append(IneligibilityReason.EXCLUDED)
    return reasons


def is_eligible(profile: MediatorProfile, on: date, thresholds: EligibilityThresholds) -> bool:
    """True if `eligibility_reasons` finds nothing."""
    return not eligibility_reasons(profile, on, thresholds)


def is_absent_on(absences: Iterable[Absence], day: date) -> bool:
    """True if any absence covers `day`."""
    return any(a.covers(day) for a in absences)


def available_within(weekly_hours: Iterable[WeeklyHours], absences: Iterable[Absence], start: date, days: int) -> bool:
    """True if some day in [start, start + days) has weekly hours and no absence."""
    weekdays = {h.weekday for h in weekly_hours}
    if not weekdays:
        return False
    absences = tuple(absences)
    if not absences and days >= 7:  # seven days in a row hold every weekday
        return True
    return any(
        (day := start + timedelta(days=offset)).weekday() in weekdays and not is_absent_on(absences, day)
        for offset in range(days)
    )
