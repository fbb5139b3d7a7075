"""Who may mediate (Art. 9): age and register rules, disqualifications, suspensions, availability."""

from dataclasses import replace
from datetime import date, time

import pytest

from mediation.domain.errors import DomainError
from mediation.domain.mediator_eligibility import (
    Absence,
    Disqualification,
    EligibilityThresholds,
    IneligibilityReason,
    InvalidAvailability,
    InvalidEligibilityThresholds,
    InvalidSuspensionTerm,
    MediatorKind,
    MediatorProfile,
    MediatorStatus,
    WeeklyHours,
    add_months,
    age_on,
    available_within,
    default_suspension_end,
    eligibility_reasons,
    is_absent_on,
    is_eligible,
    is_suspended_on,
)

R = IneligibilityReason
ON = date(2025, 3, 10)
LAW = EligibilityThresholds()

PROFESSIONAL = MediatorProfile(
    kind=MediatorKind.PROFESSIONAL,
    birth_date=date(1980, 1, 1),
    higher_education=True,
    certificate_number="KZ-0042",
    certificate_date=date(2020, 5, 1),
)
PUBLIC = MediatorProfile(kind=MediatorKind.PUBLIC, birth_date=date(1970, 1, 1), higher_education=False)


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        pytest.param(PROFESSIONAL, [], id="professional-complete"),
        pytest.param(replace(PROFESSIONAL, birth_date=date(2000, 3, 10)), [], id="professional-25-today"),
        pytest.param(replace(PROFESSIONAL, birth_date=date(2000, 3, 11)), [R.UNDER_AGE], id="professional-25-tomorrow"),
        pytest.param(replace(PROFESSIONAL, higher_education=False), [R.NO_HIGHER_EDUCATION], id="no-degree"),
        pytest.param(replace(PROFESSIONAL, certificate_number=None), [R.NO_CERTIFICATE], id="no-certificate"),
        pytest.param(replace(PROFESSIONAL, certificate_number="  "), [R.NO_CERTIFICATE], id="blank-certificate"),
        pytest.param(
            replace(PROFESSIONAL, certificate_date=date(2025, 3, 11)),
            [R.NO_CERTIFICATE],
            id="certificate-future",
        ),
        pytest.param(
            replace(PROFESSIONAL, certificate_number=None, higher_education=False, retired_judge=True),
            [],
            id="retired-judge",
        ),
        pytest.param(
            replace(PROFESSIONAL, birth_date=date(2005, 1, 1), higher_education=False, certificate_number=None),
            [R.UNDER_AGE, R.NO_HIGHER_EDUCATION, R.NO_CERTIFICATE],
            id="professional-all-missing",
        ),
        pytest.param(PUBLIC, [], id="public-no-degree-needed"),
        pytest.param(replace(PUBLIC, birth_date=date(1985, 3, 10)), [], id="public-40-today"),
        pytest.param(replace(PUBLIC, birth_date=date(1985, 3, 11)), [R.UNDER_AGE], id="public-40-tomorrow"),
        pytest.param(replace(PUBLIC, birth_date=date(1995, 1, 1)), [R.UNDER_AGE], id="public-30"),
    ],
)
def test_register_requirements(profile, expected):
    assert eligibility_reasons(profile, ON, LAW) == expected
    assert is_eligible(profile, ON, LAW) is (expected == [])


@pytest.mark.parametrize("fact", list(Disqualification))
@pytest.mark.parametrize("base", [PROFESSIONAL, PUBLIC], ids=["professional", "public"])
def test_each_disqualification_bars_either_register(base, fact):
    profile = replace(base, disqualifications=frozenset({fact}))
    assert eligibility_reasons(profile, ON, LAW) == [IneligibilityReason(fact.value)]


def test_all_disqualifications_reported_in_stable_order():
    profile = replace(PUBLIC, disqualifications=frozenset(Disqualification))
    assert eligibility_reasons(profile, ON, LAW) == [
        R.STATE_OFFICE,
        R.CRIMINAL_PROSECUTION,
        R.UNEXPUNGED_CONVICTION,
        R.INCAPACITY,
    ]


@pytest.mark.parametrize(
    ("status", "until", "expected"),
    [
        (MediatorStatus.ACTIVE, None, []),
        (MediatorStatus.SUSPENDED, date(2025, 3, 10), [R.SUSPENDED]),  # last day is inclusive
        (MediatorStatus.SUSPENDED, date(2025, 9, 1), [R.SUSPENDED]),
        (MediatorStatus.SUSPENDED, date(2025, 3, 9), []),  # lapsed, row not yet switched back
        (MediatorStatus.SUSPENDED, None, [R.SUSPENDED]),  # open-ended
        (MediatorStatus.EXCLUDED, None, [R.EXCLUDED]),
    ],
)
def test_status(status, until, expected):
    profile = replace(PROFESSIONAL, status=status, suspended_until=until, suspension_reason="violation")
    assert eligibility_reasons(profile, ON, LAW) == expected
    assert is_suspended_on(profile, ON) is (R.SUSPENDED in expected)


def test_thresholds_are_configuration_not_literals():
    # Given a region of law where public mediators may serve from 35 and professionals from 30
    thresholds = EligibilityThresholds(professional_min_age=30, public_min_age=35)
    public_37 = replace(PUBLIC, birth_date=date(1988, 1, 1))
    professional_27 = replace(PROFESSIONAL, birth_date=date(1998, 1, 1))
    # Then the same people are judged by the configured ages
    assert eligibility_reasons(public_37, ON, LAW) == [R.UNDER_AGE]
    assert eligibility_reasons(public_37, ON, thresholds) == []
    assert eligibility_reasons(professional_27, ON, LAW) == []
    assert eligibility_reasons(professional_27, ON, thresholds) == [R.UNDER_AGE]


@pytest.mark.parametrize("field", ["professional_min_age", "public_min_age"])
@pytest.mark.parametrize("value", [0, 17, 101])
def test_threshold_validation(field, value):
    with pytest.raises(InvalidEligibilityThresholds) as raised:
        EligibilityThresholds(**{field: value}).validate()
    assert isinstance(raised.value, DomainError)
    assert raised.value.field == field and raised.value.value == value


def test_default_thresholds_are_the_law():
    assert (LAW.professional_min_age, LAW.public_min_age) == (25, 40)
    LAW.validate()


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2024, 1, 15), 6, date(2024, 7, 15)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # clamped, leap year
        (date(2022, 8, 31), 6, date(2023, 2, 28)),  # clamped, common year
        (date(2024, 12, 31), 6, date(2025, 6, 30)),  # across the year end, clamped
        (date(2024, 7, 1), 6, date(2025, 1, 1)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_default_suspension_end(start, months, end):
    assert default_suspension_end(start, months) == end


def test_default_suspension_is_six_months():
    assert default_suspension_end(date(2025, 3, 10)) == date(2025, 9, 10)


@pytest.mark.parametrize("months", [0, -6])
def test_suspension_term_must_be_positive(months):
    with pytest.raises(InvalidSuspensionTerm) as raised:
        default_suspension_end(ON, months)
    assert raised.value.months == months


def test_add_months_counts_calendar_months():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 31), 25) == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1985, 3, 10), date(2025, 3, 10), 40),
        (date(1985, 3, 11), date(2025, 3, 10), 39),
        (date(1984, 2, 29), date(2025, 2, 28), 40),  # leap-day birthday: of age on 1 March
        (date(1984, 2, 29), date(2025, 3, 1), 41),
    ],
)
def test_age_on(birth, on, age):
    assert age_on(birth, on) == age


def test_absence_and_hours_reject_impossible_values():
    with pytest.raises(InvalidAvailability):
        Absence(date(2025, 3, 10), date(2025, 3, 9))
    with pytest.raises(InvalidAvailability):
        WeeklyHours(7, time(9), time(10))
    with pytest.raises(InvalidAvailability):
        WeeklyHours(0, time(10), time(10))


def test_absence_ends_are_inclusive():
    leave = (Absence(date(2025, 3, 10), date(2025, 3, 12)),)
    assert [is_absent_on(leave, date(2025, 3, d)) for d in (9, 10, 12, 13)] == [False, True, True, False]


@pytest.mark.parametrize(
    ("weekdays", "absences", "days", "expected"),
    [
        ((0,), (), 1, True),  # 10 March 2025 is a Monday
        ((1,), (), 1, False),
        ((1,), (), 2, True),
        ((), (), 14, False),  # no weekly hours at all
        ((6,), (), 6, False),  # Sunday is the seventh day: six days miss it
        ((6,), (), 7, True),  # seven days in a row hold every weekday
        ((5, 6), (), 90, True),
        ((0, 2), (Absence(date(2025, 3, 10), date(2025, 3, 16)),), 7, False),
        ((0, 2), (Absence(date(2025, 3, 10), date(2025, 3, 16)),), 8, True),
    ],
)
def test_available_within(weekdays, absences, days, expected):
    hours = tuple(WeeklyHours(d, time(9), time(12)) for d in weekdays)
    assert available_within(hours, absences, ON, days) is expected
