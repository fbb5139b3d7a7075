"""Scheduling rules: half-open overlap, opening hours and closures in UTC+5, absences, free slots."""

from datetime import date, datetime, time, timedelta

import pytest

from mediation.domain.scheduling import (
    BookingContext,
    Busy,
    ClashKind,
    DateRange,
    DayHours,
    HouseCalendar,
    Slot,
    WarningKind,
    check_booking,
    free_slots,
    house_clash,
    local_to_utc,
)

MONDAY = date(2031, 3, 3)
WEEKDAYS = HouseCalendar({d: DayHours(time(9), time(18)) for d in range(5)})
NOW = datetime(2031, 3, 1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(datetime.combine(day, time(hour, minute)))


def slot(day: date, start: tuple, end: tuple) -> Slot:
    return Slot(at(day, *start), at(day, *end))


@pytest.mark.parametrize(("a", "b", "overlap"), [
    (((10, 0), (11, 0)), ((11, 0), (12, 0)), False),   # back to back
    (((11, 0), (12, 0)), ((10, 0), (11, 0)), False),   # back to back, the other way round
    (((10, 0), (11, 0)), ((10, 59), (12, 0)), True),   # one minute overlaps
    (((10, 0), (13, 0)), ((11, 0), (12, 0)), True),    # containment
    (((11, 0), (12, 0)), ((10, 0), (13, 0)), True),    # contained
    (((10, 0), (11, 0)), ((10, 0), (11, 0)), True),    # identical
    (((9, 0), (10, 0)), ((14, 0), (15, 0)), False),    # apart
])
def test_overlap_is_half_open(a, b, overlap):
    assert slot(MONDAY, *a).overlaps(slot(MONDAY, *b)) is overlap
    assert slot(MONDAY, *b).overlaps(slot(MONDAY, *a)) is overlap


def test_local_times_are_utc_plus_five_all_year():
    # Kazakhstan has no daylight saving: 09:00 local is 04:00 UTC in January and in July
    assert local_to_utc(datetime(2031, 1, 15, 9)) == datetime(2031, 1, 15, 4)
    assert local_to_utc(datetime(2031, 7, 15, 9)) == datetime(2031, 7, 15, 4)
    # and 03:00 local is the previous day in UTC
    assert local_to_utc(datetime(2031, 7, 15, 3)) == datetime(2031, 7, 14, 22)


def test_a_session_across_midnight_is_outside_opening_hours():
    late = HouseCalendar({d: DayHours(time(0), time(23, 59)) for d in range(7)})
    assert house_clash(Slot(at(MONDAY, 23, 0), at(MONDAY + timedelta(days=1), 1, 0)), late) is ClashKind.OUTSIDE_HOURS


@pytest.mark.parametrize(("start", "end", "expected"), [
    ((9, 0), (10, 0), None),
    ((17, 0), (18, 0), None),                  # ends exactly at closing
    ((8, 30), (9, 30), ClashKind.OUTSIDE_HOURS),
    ((17, 30), (18, 30), ClashKind.OUTSIDE_HOURS),
])
def test_opening_hours_bound_the_session(start, end, expected):
    assert house_clash(slot(MONDAY, start, end), WEEKDAYS) is expected


def test_weekends_and_closures_close_the_house():
    saturday = MONDAY + timedelta(days=5)
    assert house_clash(slot(saturday, (10, 0), (11, 0)), WEEKDAYS) is ClashKind.HOUSE_CLOSED
    holiday = HouseCalendar(WEEKDAYS.hours, (DateRange(MONDAY, MONDAY),))
    assert house_clash(slot(MONDAY, (10, 0), (11, 0)), holiday) is ClashKind.HOUSE_CLOSED
    assert house_clash(slot(MONDAY + timedelta(days=1), (10, 0), (11, 0)), holiday) is None


def ctx(**overrides) -> BookingContext:
    values = {"now": NOW, "case_open": True, "house": WEEKDAYS}
    return BookingContext(**{**values, **overrides})


def test_a_clean_booking_passes():
    check = check_booking(slot(MONDAY, (10, 0), (11, 0)), room_id=1, mediator_ids=[7], ctx=ctx())
    assert check.ok and check.warnings == ()


def test_each_clash_is_named():
    wanted = slot(MONDAY, (10, 0), (11, 30))
    other = slot(MONDAY, (11, 0), (12, 0))
    check = check_booking(wanted, room_id=1, mediator_ids=[7, 8], ctx=ctx(
        room_busy=[Busy(1, other, 50)], mediator_busy=[Busy(8, other, 51)],
        mediator_absences={7: [DateRange(MONDAY, MONDAY)]}))
    kinds = {(c.kind, c.subject_id) for c in check.clashes}
    assert kinds == {(ClashKind.ROOM_BOOKED, 1), (ClashKind.MEDIATOR_BUSY, 8), (ClashKind.MEDIATOR_ABSENT, 7)}
    booked = next(c for c in check.clashes if c.kind is ClashKind.ROOM_BOOKED)
    assert booked.other == other and booked.other_session_id == 50


def test_another_room_or_a_touching_session_does_not_clash():
    wanted = slot(MONDAY, (10, 0), (11, 0))
    check = check_booking(wanted, room_id=1, mediator_ids=[7], ctx=ctx(
        room_busy=[Busy(1, slot(MONDAY, (11, 0), (12, 0)), 50), Busy(1, slot(MONDAY, (9, 0), (10, 0)), 52)],
        mediator_busy=[Busy(7, slot(MONDAY, (11, 0), (12, 0)), 51)]))
    assert check.ok


def test_a_reschedule_does_not_clash_with_itself():
    wanted = slot(MONDAY, (10, 30), (11, 30))
    check = check_booking(wanted, room_id=1, mediator_ids=[7], session_id=50, ctx=ctx(
        room_busy=[Busy(1, slot(MONDAY, (10, 0), (11, 0)), 50)],
        mediator_busy=[Busy(7, slot(MONDAY, (10, 0), (11, 0)), 50)]))
    assert check.ok


@pytest.mark.parametrize(("overrides", "kind"), [
    ({"case_open": False}, ClashKind.CASE_CLOSED),
    ({"room_active": False}, ClashKind.ROOM_INACTIVE),
    ({"room_closures": [DateRange(MONDAY - timedelta(days=30), MONDAY + timedelta(days=30))]}, ClashKind.ROOM_CLOSED),
])
def test_closed_case_inactive_or_closed_room_refuse(overrides, kind):
    check = check_booking(slot(MONDAY, (10, 0), (11, 0)), room_id=1, mediator_ids=[7], ctx=ctx(**overrides))
    assert kind in {c.kind for c in check.clashes}


@pytest.mark.parametrize(("start", "end", "now", "kind"), [
    ((10, 0), (10, 0), NOW, ClashKind.BAD_INTERVAL),
    ((11, 0), (10, 0), NOW, ClashKind.BAD_INTERVAL),
    ((10, 0), (10, 10), NOW, ClashKind.BAD_INTERVAL),          # shorter than 15 minutes
    ((9, 0), (17, 30), NOW, ClashKind.BAD_INTERVAL),           # longer than 8 hours
    ((10, 0), (11, 0), datetime(2031, 3, 4), ClashKind.IN_PAST),
])
def test_malformed_or_past_intervals(start, end, now, kind):
    check = check_booking(slot(MONDAY, start, end), room_id=1, mediator_ids=[7], ctx=ctx(now=now))
    assert [c.kind for c in check.clashes] == [kind]


def test_a_session_after_the_deadline_is_a_warning_not_a_refusal():
    check = check_booking(slot(MONDAY, (10, 0), (11, 0)), room_id=1, mediator_ids=[7],
                          ctx=ctx(deadline=MONDAY - timedelta(days=1)))
    assert check.ok and check.warnings == (WarningKind.AFTER_DEADLINE,)


def test_off_site_sessions_ignore_opening_hours_but_not_mediators():
    evening = slot(MONDAY, (19, 0), (20, 0))
    assert check_booking(evening, room_id=None, mediator_ids=[7], ctx=ctx(house=None)).ok
    busy = ctx(house=None, mediator_busy=[Busy(7, slot(MONDAY, (19, 30), (21, 0)), 9)])
    assert [c.kind for c in check_booking(evening, room_id=None, mediator_ids=[7], ctx=busy).clashes] == \
        [ClashKind.MEDIATOR_BUSY]


def test_free_slots_skip_busy_rooms_busy_mediators_and_closed_days():
    not_before = at(MONDAY, 0, 0)
    found = free_slots(house=WEEKDAYS, rooms=[1, 2], duration=timedelta(hours=1), not_before=not_before, days=7,
                       room_busy={1: [slot(MONDAY, (9, 0), (12, 0))], 2: [slot(MONDAY, (9, 0), (10, 0))]},
                       mediator_busy=[slot(MONDAY, (10, 0), (10, 30))], limit=3)
    # 09:00 both rooms taken; 09:30 room 2 taken; 10:00 and 10:30 the mediator is busy
    assert found[0] == (2, slot(MONDAY, (10, 30), (11, 30)))
    assert all(s.start >= not_before for _, s in found)
    absent = free_slots(house=WEEKDAYS, rooms=[1], duration=timedelta(hours=1), not_before=not_before, days=7,
                        room_busy={}, mediator_busy=[], absent_days={MONDAY}, limit=1)
    assert absent == [(1, slot(MONDAY + timedelta(days=1), (9, 0), (10, 0)))]


def test_free_slots_prefer_rooms_in_the_given_order_and_respect_closing_time():
    found = free_slots(house=WEEKDAYS, rooms=[5, 1], duration=timedelta(hours=2), not_before=at(MONDAY, 16, 10),
                       days=2, room_busy={}, mediator_busy=[], limit=2)
    # 16:30 + 2 h would pass 18:00, so the first slot is the next morning, in room 5 (first in order)
    assert found[0] == (5, slot(MONDAY + timedelta(days=1), (9, 0), (11, 0)))
