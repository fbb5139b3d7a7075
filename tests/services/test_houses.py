"""The houses service: scoped lists agree with the view predicate, opening hours all-or-nothing, closures,
rooms created, edited and deactivated (never deleted), and an audit row for every change."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from mediation.domain.errors import NotAllowed
from mediation.domain.houses import DayHours, hours_errors, room_errors
from mediation.domain.policies import can_view_house
from mediation.extensions import db
from mediation.models import AuditEvent, HouseClosure, HouseOpeningHours, MediationRoom, RoomClosure
from mediation.services import houses
from mediation.services.houses import HouseData, HouseInvalid, HouseNotFound, RoomData, RoomNotFound
from tests import factories

NOW = datetime(2025, 3, 12, 6, 0)
KW = {"ip": "127.0.0.1", "now": NOW}


def actor(role, org, **scope):
    user = factories.make_user(role, org=org, **scope)
    db.session.commit()
    return user.actor


def audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def hours_of(house) -> dict[int, tuple[time, time]]:
    db.session.expire_all()
    rows = db.session.scalars(select(HouseOpeningHours).where(HouseOpeningHours.house_id == house.id))
    return {r.weekday: (r.opens, r.closes) for r in rows}


# --- scope -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "scope", "expected"), [
    ("admin", {}, {"republican", "semey"}),
    ("manager", {}, {"republican", "semey"}),
    ("manager", {"region": "abai"}, {"semey"}),
    ("coordinator", {"house": "republican"}, {"republican"}),
    ("mediator", {"region": "abai"}, {"semey"}),
])
def test_list_is_scoped_like_the_detail_view(org, role, scope, expected):
    names = {"republican": org.republican_house, "semey": org.semey_house, "abai": org.abai}
    who = actor(role, org, **{k: names[v] for k, v in scope.items()})
    listing = houses.list_houses(who)
    by_name = {"republican": org.republican_house.id, "semey": org.semey_house.id}
    assert {h.id for h in listing.houses} == {by_name[n] for n in expected}
    # Every listed house passes the predicate, every other one does not.
    for house in (org.republican_house, org.semey_house):
        assert can_view_house(who, houses.place_of(house)) == (house.id in {h.id for h in listing.houses})
    assert listing.active_rooms == {h.id: 1 for h in listing.houses}


def test_region_filter_and_inactive_rooms_not_counted(org):
    admin = actor("admin", org)
    org.semey_house.rooms.append(MediationRoom(name="102", capacity=4, active=False))
    db.session.commit()
    listing = houses.list_houses(admin, region_id=org.abai.id)
    assert [h.id for h in listing.houses] == [org.semey_house.id]
    assert listing.active_rooms == {org.semey_house.id: 1}


def test_region_manager_cannot_see_or_change_another_region(org):
    abai = actor("manager", org, region=org.abai)
    with pytest.raises(HouseNotFound):
        houses.get_house(abai, org.republican_house.id)
    with pytest.raises(HouseNotFound):
        houses.update_house(abai, org.republican_house.id, HouseData(address="x", active=False), **KW)
    with pytest.raises(RoomNotFound):
        houses.get_room(abai, org.republican_house.rooms[0].id)
    assert houses.get_house(abai, org.semey_house.id) is org.semey_house


def test_coordinator_sees_own_house_but_may_not_change_it(org):
    coordinator = actor("coordinator", org, house=org.republican_house)
    assert houses.get_house(coordinator, org.republican_house.id) is org.republican_house
    with pytest.raises(NotAllowed):
        houses.add_house_closure(coordinator, org.republican_house.id, date(2025, 3, 21), date(2025, 3, 23),
                                 "Наурыз", **KW)
    with pytest.raises(NotAllowed):
        houses.get_room(coordinator, org.republican_house.rooms[0].id)


# --- house details and opening hours -----------------------------------------------------------------

def test_update_house_audits_changed_fields_only(org):
    manager = actor("manager", org, region=org.almaty)
    houses.update_house(manager, org.republican_house.id, HouseData(address="Мәметова к-сі, 57", active=True), **KW)
    db.session.commit()
    assert org.republican_house.address == "Мәметова к-сі, 57"
    [event] = audits("house.update")
    assert event.actor_id == manager.id and event.summary == {"fields": ["address"]}
    assert event.object_id == str(org.republican_house.id)


def test_opening_hours_replace_the_week(org):
    manager = actor("manager", org)
    house = org.republican_house
    assert hours_of(house) == {d: (time(9), time(18)) for d in range(5)}  # the factory's default
    week = [DayHours(0, time(8, 30), time(17)), DayHours(2, time(9), time(13)), DayHours(5, time(10), time(14))]
    houses.set_opening_hours(manager, house.id, week, **KW)
    db.session.commit()
    assert hours_of(house) == {0: (time(8, 30), time(17)), 2: (time(9), time(13)), 5: (time(10), time(14))}
    [event] = audits("house.hours")
    assert event.summary == {"open_days": [0, 2, 5]}


def test_one_bad_row_writes_nothing(org):
    manager = actor("manager", org)
    house = org.republican_house
    before = hours_of(house)
    week = [DayHours(0, time(8), time(12)), DayHours(3, time(18), time(9)), DayHours(4, None, time(12))]
    with pytest.raises(HouseInvalid) as caught:
        houses.set_opening_hours(manager, house.id, week, **KW)
    db.session.rollback()
    assert caught.value.errors == {"closes_3": "closes_before_opens", "opens_4": "time_required"}
    assert hours_of(house) == before
    assert audits("house.hours") == []


def test_hours_rules():
    assert hours_errors([DayHours(1, time(9), time(9))]) == {"closes_1": "closes_before_opens"}
    assert hours_errors([DayHours(1, time(9), time(9, 1)), DayHours(6, time(0), time(23, 59))]) == {}
    assert hours_errors([DayHours(7, time(9), time(10))]) == {"weekday": "weekday_invalid"}
    assert hours_errors([DayHours(1, time(9), time(10)), DayHours(1, time(11), time(12))]) == \
        {"weekday": "weekday_invalid"}


# --- closures ----------------------------------------------------------------------------------------

def test_house_closure_added_and_removed(org):
    manager = actor("manager", org, region=org.abai)
    house = org.semey_house
    closure = houses.add_house_closure(manager, house.id, date(2025, 12, 16), date(2025, 12, 17),
                                       "Тәуелсіздік күні", **KW)
    db.session.commit()
    assert [(c.start, c.end, c.reason) for c in house.closures] == \
        [(date(2025, 12, 16), date(2025, 12, 17), "Тәуелсіздік күні")]
    houses.remove_house_closure(manager, house.id, closure.id, **KW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(HouseClosure)) == 0
    assert [e.summary for e in audits("house.closure_add")] == [{"start": "2025-12-16", "end": "2025-12-17"}]
    assert len(audits("house.closure_remove")) == 1


@pytest.mark.parametrize(("start", "end", "reason", "errors"), [
    (date(2025, 5, 2), date(2025, 5, 1), "Мереке", {"end": "end_before_start"}),
    (date(2025, 5, 1), date(2025, 5, 1), "   ", {"reason": "text_required"}),
    (date(2025, 5, 1), date(2025, 5, 1), "a\x00b", {"reason": "text_invalid"}),
    (date(2025, 5, 1), date(2025, 5, 1), "x" * 301, {"reason": "text_too_long"}),
])
def test_bad_closures_are_refused(org, start, end, reason, errors):
    manager = actor("manager", org)
    with pytest.raises(HouseInvalid) as caught:
        houses.add_house_closure(manager, org.semey_house.id, start, end, reason, **KW)
    assert caught.value.errors == errors


def test_a_closure_of_another_house_cannot_be_removed_through_this_one(org):
    manager = actor("manager", org)
    closure = houses.add_house_closure(manager, org.semey_house.id, date(2025, 5, 1), date(2025, 5, 1), "1 мамыр",
                                       **KW)
    db.session.commit()
    with pytest.raises(HouseNotFound):
        houses.remove_house_closure(manager, org.republican_house.id, closure.id, **KW)


def test_room_closure_keeps_the_room(org):
    manager = actor("manager", org)
    room = org.republican_house.rooms[0]
    closure = houses.add_room_closure(manager, room.id, date(2025, 4, 1), date(2025, 4, 30), "Жөндеу", **KW)
    db.session.commit()
    assert room.active and [c.id for c in room.closures] == [closure.id]
    houses.remove_room_closure(manager, room.id, closure.id, **KW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RoomClosure)) == 0
    assert db.session.get(MediationRoom, room.id) is not None
    assert [e.object_id for e in audits("room.closure_add")] == [str(room.id)]


# --- rooms -------------------------------------------------------------------------------------------

def test_room_created_and_deactivated(org):
    manager = actor("manager", org, region=org.abai)
    room = houses.create_room(manager, org.semey_house.id, RoomData(name="Кіші зал", capacity=12,
                                                                     has_video_link=True), **KW)
    db.session.commit()
    assert (room.house_id, room.capacity, room.has_video_link, room.active) == (org.semey_house.id, 12, True, True)
    houses.update_room(manager, room.id, RoomData(name="Кіші зал", capacity=12, has_video_link=True,
                                                  active=False), **KW)
    db.session.commit()
    assert db.session.get(MediationRoom, room.id).active is False
    [created] = audits("room.create")
    assert created.object_id == str(room.id) and created.summary == {"house_id": org.semey_house.id}
    assert [e.summary for e in audits("room.update")] == [{"fields": ["active"]}]


def test_room_names_are_unique_per_house_ignoring_case(org):
    manager = actor("manager", org)
    houses.create_room(manager, org.semey_house.id, RoomData(name="Зал", capacity=5), **KW)
    with pytest.raises(HouseInvalid) as caught:
        houses.create_room(manager, org.semey_house.id, RoomData(name="ЗАЛ", capacity=5), **KW)
    assert caught.value.errors == {"name": "room_name_taken"}
    # The same name in another house is fine.
    houses.create_room(manager, org.republican_house.id, RoomData(name="Зал", capacity=5), **KW)


@pytest.mark.parametrize(("capacity", "ok"), [(0, False), (1, True), (500, True), (501, False)])
def test_capacity_range(capacity, ok):
    assert ("capacity" not in room_errors("101", capacity, [])) is ok


def test_independence_day_closure_is_the_next_one():
    assert houses.independence_day_closure(date(2025, 12, 17)).start == date(2025, 12, 16)
    assert houses.independence_day_closure(date(2025, 12, 18)).start == date(2026, 12, 16)


def test_demo_seed_gives_houses_hours_and_a_holiday(app):
    from mediation.seed import seed_demo

    seed_demo(password="demo password 42", today=date(2025, 3, 12), fast_hash=True, mediators=5, case_count=0)
    all_houses = houses.list_houses(factories.make_user("admin").actor).houses
    for house in all_houses:
        expected = {d: (time(9), time(18)) for d in range(5)}
        if house.is_republican:
            expected[5] = (time(10), time(14))
        assert {r.weekday: (r.opens, r.closes) for r in house.opening_hours} == expected
        assert [(c.start, c.end) for c in house.closures] == [(date(2025, 12, 16), date(2025, 12, 17))]
    assert any(h.is_republican for h in all_houses)
