"""Booking, rescheduling and cancelling through the services, on the test database (SQLite or PostgreSQL)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mediation.domain.case_states import CaseState
from mediation.domain.errors import NotAllowed
from mediation.domain.scheduling import BookingConflict, ClashKind, SessionKind, Venue
from mediation.extensions import db
from mediation.models import CaseEvent, HouseClosure, MediationRoom, MediationSession, RoomClosure
from mediation.services import scheduling, slot_finder
from mediation.services.case_access import CaseNotFound
from mediation.services.clock import utcnow
from mediation.services.scheduling import SessionChanged, SessionInvalid
from tests import case_factories as cf
from tests import factories
from tests import session_factories as sf
from tests.registry_factories import absence

MONDAY = sf.next_monday()


@pytest.fixture
def setting(app, org):
    case, coordinator, mediator_user, mediator = sf.case_in_mediation(org)
    db.session.commit()
    return case, coordinator.actor, mediator_user, mediator


def book(setting, start, minutes=90, **kwargs):
    case, actor, _user, mediator = setting
    return scheduling.book(actor, case.id, sf.plan(case, mediator, start, minutes, **kwargs), now=utcnow())


def test_booking_writes_the_session_its_people_and_a_timeline_event(setting):
    case, _actor, _user, mediator = setting
    session, check = book(setting, sf.local(MONDAY, 10))
    db.session.commit()
    assert check.ok and session.room_id == case.house.rooms[0].id and session.house_id == case.house_id
    assert [m.mediator_id for m in session.mediators] == [mediator.id]
    assert sorted(p.party_id for p in session.parties) == sorted(sf.party_ids(case))
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "session_booked"))
    assert event.data["session_id"] == session.id
    assert "Нұрова" not in str(event.data)  # no names on the timeline data


def test_back_to_back_sessions_are_allowed_and_an_overlap_is_named(setting):
    book(setting, sf.local(MONDAY, 10), 60)
    book(setting, sf.local(MONDAY, 11), 60)  # starts when the first ends
    with pytest.raises(BookingConflict) as refused:
        book(setting, sf.local(MONDAY, 11, 30), 60)
    kinds = {c.kind for c in refused.value.clashes}
    assert kinds == {ClashKind.ROOM_BOOKED, ClashKind.MEDIATOR_BUSY}
    room_clash = next(c for c in refused.value.clashes if c.kind is ClashKind.ROOM_BOOKED)
    assert room_clash.other.start == sf.local(MONDAY, 11)


def test_the_same_room_for_another_case_at_the_same_time_is_refused(app, org, setting):
    other_case, other_coordinator, _u, other_mediator = sf.case_in_mediation(org, mediator_name="Басқа Медиатор")
    db.session.commit()
    book(setting, sf.local(MONDAY, 14))
    with pytest.raises(BookingConflict) as refused:
        scheduling.book(other_coordinator.actor, other_case.id,
                        sf.plan(other_case, other_mediator, sf.local(MONDAY, 14, 30)), now=utcnow())
    assert [c.kind for c in refused.value.clashes] == [ClashKind.ROOM_BOOKED]


def test_a_second_room_is_free_at_the_same_time(setting):
    case = setting[0]
    second = MediationRoom(house_id=case.house_id, name="102", capacity=6)
    db.session.add(second)
    db.session.commit()
    book(setting, sf.local(MONDAY, 10))
    other_case, other_coordinator, _u, other_mediator = sf.case_in_mediation(
        factories.Org(*_org_of(case)), mediator_name="Екінші Медиатор")
    db.session.commit()
    session, _check = scheduling.book(other_coordinator.actor, other_case.id,
                                      sf.plan(other_case, other_mediator, sf.local(MONDAY, 10), room=second),
                                      now=utcnow())
    assert session.room_id == second.id


def _org_of(case):
    from mediation.models import FriendshipHouse, Region

    almaty = db.session.scalar(select(Region).where(Region.kato2 == "75"))
    abai = db.session.scalar(select(Region).where(Region.kato2 == "10"))
    semey = db.session.scalar(select(FriendshipHouse).where(FriendshipHouse.region_id == abai.id))
    return almaty, abai, case.house, semey


@pytest.mark.parametrize(("hour", "day_offset", "kind"), [
    (8, 0, ClashKind.OUTSIDE_HOURS),
    (17, 0, ClashKind.OUTSIDE_HOURS),   # 17:00 + 90 min passes 18:00
    (10, 5, ClashKind.HOUSE_CLOSED),    # Saturday
])
def test_opening_hours_refuse(setting, hour, day_offset, kind):
    with pytest.raises(BookingConflict) as refused:
        book(setting, sf.local(MONDAY + timedelta(days=day_offset), hour))
    assert kind in {c.kind for c in refused.value.clashes}


def test_holiday_room_closure_and_absence_refuse(setting):
    case, _actor, _user, mediator = setting
    db.session.add(HouseClosure(house_id=case.house_id, start=MONDAY, end=MONDAY, reason="Мереке"))
    db.session.add(RoomClosure(room_id=case.house.rooms[0].id, start=MONDAY + timedelta(days=1),
                               end=MONDAY + timedelta(days=1), reason="Жөндеу"))
    absence(mediator, MONDAY + timedelta(days=2), MONDAY + timedelta(days=2))
    db.session.commit()
    for offset, kind in ((0, ClashKind.HOUSE_CLOSED), (1, ClashKind.ROOM_CLOSED), (2, ClashKind.MEDIATOR_ABSENT)):
        with pytest.raises(BookingConflict) as refused:
            book(setting, sf.local(MONDAY + timedelta(days=offset), 10))
        assert kind in {c.kind for c in refused.value.clashes}
    book(setting, sf.local(MONDAY + timedelta(days=3), 10))


def test_after_the_deadline_warns_and_a_closed_case_refuses(setting):
    case = setting[0]
    late = case.deadline + timedelta(days=7 - case.deadline.weekday())  # the Monday after the deadline
    _session, check = book(setting, sf.local(late, 10))
    assert check.warnings and check.ok
    db.session.rollback()
    case = db.session.get(type(case), case.id)
    case.state = CaseState.CLOSED
    db.session.commit()
    with pytest.raises(BookingConflict) as refused:
        book(setting, sf.local(MONDAY, 10))
    assert ClashKind.CASE_CLOSED in {c.kind for c in refused.value.clashes}


def test_plans_that_contradict_the_case_are_refused_on_their_field(app, org, setting):
    case, actor, _user, mediator = setting
    stranger = cf.make_mediator(case.region, full_name="Бөтен Медиатор")
    db.session.commit()
    cases = [
        (sf.plan(case, mediator, sf.local(MONDAY, 10), mediators=(stranger.id,)), "mediator_ids", "not_on_case"),
        (sf.plan(case, mediator, sf.local(MONDAY, 10), parties=(999999,)), "party_ids", "unknown_party"),
        (sf.plan(case, mediator, sf.local(MONDAY, 10), kind=SessionKind.SEPARATE), "party_ids",
         "separate_needs_one_party"),
        (sf.plan(case, mediator, sf.local(MONDAY, 10), venue=Venue.OFFSITE), "offsite_address", "address_needed"),
        (sf.plan(case, mediator, sf.local(MONDAY, 10), room=org.semey_house.rooms[0]), "room_id", "unknown_room"),
    ]
    for plan, field, reason in cases:
        with pytest.raises(SessionInvalid) as refused:
            scheduling.book(actor, case.id, plan, now=utcnow())
        assert (refused.value.field, refused.value.reason_code) == (field, reason)
    assert db.session.scalar(select(func.count(MediationSession.id))) == 0


def test_off_site_and_online_sessions_need_no_room(setting):
    session, _ = book(setting, sf.local(MONDAY, 19), venue=Venue.OFFSITE, address="Абай к-сі, 10")
    online, _ = book(setting, sf.local(MONDAY, 8), venue=Venue.ONLINE)
    assert session.room_id is None and session.offsite_address and online.room_id is None


def test_reschedule_moves_and_keeps_the_rules(setting):
    case, actor, _user, _mediator = setting
    first, _ = book(setting, sf.local(MONDAY, 10), 60)
    second, _ = book(setting, sf.local(MONDAY, 12), 60)
    db.session.commit()
    # moving into its own old interval, partly, is fine
    moved, _ = scheduling.reschedule(actor, first.id, first.version,
                                     sf.plan(case, setting[3], sf.local(MONDAY, 10, 30), 60), "Тарап кешігеді",
                                     now=utcnow())
    db.session.commit()
    assert moved.starts_at == sf.local(MONDAY, 10, 30) and moved.mediators[0].starts_at == sf.local(MONDAY, 10, 30)
    with pytest.raises(BookingConflict):
        scheduling.reschedule(actor, moved.id, moved.version, sf.plan(case, setting[3], sf.local(MONDAY, 12, 30), 60),
                              "себеп", now=utcnow())
    db.session.rollback()
    with pytest.raises(SessionChanged):
        scheduling.reschedule(actor, second.id, second.version - 1,
                              sf.plan(case, setting[3], sf.local(MONDAY, 15), 60), "себеп", now=utcnow())


def test_cancel_frees_the_room_and_the_mediator(setting):
    case, actor, _user, mediator = setting
    session, _ = book(setting, sf.local(MONDAY, 10))
    db.session.commit()
    scheduling.cancel(actor, session.id, session.version, "Тараптардың өтініші бойынша", now=utcnow())
    db.session.commit()
    assert session.status == "cancelled" and not session.mediators[0].active
    again, _ = book(setting, sf.local(MONDAY, 10))
    assert again.id != session.id
    with pytest.raises(SessionInvalid):
        scheduling.cancel(actor, session.id, session.version, "екінші рет", now=utcnow())


def test_people_outside_the_case_cannot_book(app, org, setting):
    case, _actor, _user, mediator = setting
    other_mediator = factories.make_user("mediator", org=org)
    outsider = factories.make_user("coordinator", org=org, house=org.semey_house)
    admin = factories.make_user("admin", org=org)
    db.session.commit()
    plan = sf.plan(case, mediator, sf.local(MONDAY, 10))
    for who in (other_mediator, outsider):
        with pytest.raises(CaseNotFound):
            scheduling.book(who.actor, case.id, plan, now=utcnow())
    with pytest.raises((CaseNotFound, NotAllowed)):
        scheduling.book(admin.actor, case.id, plan, now=utcnow())


def test_find_a_slot_proposes_free_times_in_opening_hours(setting):
    case = setting[0]
    book(setting, sf.local(MONDAY, 9), 120)
    db.session.commit()
    now = sf.local(MONDAY, 8)
    found = slot_finder.earliest_slots(case, minutes=60, interpreter=False, now=now, limit=3)
    assert found and found[0][1].start == sf.local(MONDAY, 11)  # 09:00–11:00 is taken by the mediator
    assert all(s.local_start.hour >= 9 and s.local_end.hour <= 18 for _r, s in found)


def test_postgres_exclusion_constraint_catches_a_race_the_check_lost(setting, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only; SQLite serialises writers instead")
    # Given a booked room, and a check that (as in a lost race) saw nothing yet
    book(setting, sf.local(MONDAY, 10))
    db.session.commit()
    from mediation.domain.scheduling import BookingCheck

    monkeypatch.setattr(scheduling, "check_plan", lambda *args, **kwargs: BookingCheck((), ()))
    # When the same room is booked again for an overlapping time
    with pytest.raises(BookingConflict) as refused:
        book(setting, sf.local(MONDAY, 10, 30))
    # Then the database refused it and the refusal is the usual conflict, marked as a race
    assert refused.value.raced and refused.value.clashes[0].kind is ClashKind.ROOM_BOOKED
    db.session.rollback()
    assert db.session.scalar(select(func.count(MediationSession.id))) == 1


def test_a_room_out_of_use_or_in_a_house_out_of_use_is_refused(setting):
    case = setting[0]
    room = case.house.rooms[0]
    room.active = False
    db.session.commit()
    with pytest.raises(BookingConflict) as refused:
        book(setting, sf.local(MONDAY, 10))
    assert ClashKind.ROOM_INACTIVE in {c.kind for c in refused.value.clashes}
    room.active, case.house.active = True, False
    db.session.commit()
    with pytest.raises(BookingConflict) as refused:
        book(setting, sf.local(MONDAY, 10))
    assert ClashKind.ROOM_INACTIVE in {c.kind for c in refused.value.clashes}
