"""The houses and rooms screens: who sees which house, who may change it, errors on the right field in the
user's language, all-or-nothing opening hours, closures, room deactivation, audit rows and CSRF."""

from datetime import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from mediation.extensions import db
from mediation.models import AuditEvent, HouseClosure, HouseOpeningHours, MediationRoom, RoomClosure
from mediation.services import scheduling
from mediation.services.clock import utcnow
from tests import session_factories as sf
from tests.web.pages import invalid_fields, person, sign_in, text_of

OFFICE = {d: (time(9), time(18)) for d in range(5)}


@pytest.fixture
def staff(org):
    return SimpleNamespace(
        admin=person("admin", org), manager=person("manager", org),
        almaty_manager=person("manager", org, region=org.almaty),
        abai_manager=person("manager", org, region=org.abai),
        coordinator=person("coordinator", org, house=org.republican_house),
        abai_mediator=person("mediator", org, house=org.semey_house))


def hours_of(house) -> dict:
    rows = db.session.scalars(select(HouseOpeningHours).where(HouseOpeningHours.house_id == house.id))
    return {r.weekday: (r.opens, r.closes) for r in rows}


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("house.%")
                                                                   | AuditEvent.action.like("room.%"))))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- seeing ------------------------------------------------------------------------------------------

def test_region_manager_lists_only_their_region(client, org, staff):
    sign_in(client, staff.abai_manager)
    page = text_of(client.get("/rooms/"))
    assert "Семей Достық үйі" in page and "Республикалық Достық үйі" not in page
    assert 'name="region"' not in page  # one region only: no filter to offer


def test_region_filter_for_the_republic(client, org, staff):
    sign_in(client, staff.manager)
    page = text_of(client.get(f"/rooms/?region={org.abai.id}"))
    assert "Семей Достық үйі" in page and "Республикалық Достық үйі" not in page
    assert "Республикалық Достық үйі" in text_of(client.get("/rooms/?region=not-a-number"))


def test_mediator_reads_own_house_without_forms(client, org, staff):
    sign_in(client, staff.abai_mediator)
    page = text_of(client.get(f"/rooms/houses/{org.semey_house.id}"))
    assert "09:00–18:00" in page and "Closed all day" in page and "101" in page
    assert 'action="/rooms/houses/' not in page
    assert client.get(f"/rooms/houses/{org.republican_house.id}").status_code == 404


def test_nav_links_houses_for_managers_only(client, org, staff):
    sign_in(client, staff.almaty_manager)
    assert 'href="/rooms/"' in client.get("/").get_data(as_text=True)
    other = client.application.test_client()
    sign_in(other, staff.coordinator)
    assert 'href="/rooms/"' not in other.get("/").get_data(as_text=True)


# --- changing ----------------------------------------------------------------------------------------

def test_region_manager_gets_404_on_another_regions_house(client, org, staff):
    token = sign_in(client, staff.abai_manager)
    house, room = org.republican_house, org.republican_house.rooms[0]
    posts = [(f"/rooms/houses/{house.id}", {"address": "x", "active": "y"}),
             (f"/rooms/houses/{house.id}/hours", {}),
             (f"/rooms/houses/{house.id}/closures", {"start": "2025-05-01", "end": "2025-05-01", "reason": "x"}),
             (f"/rooms/houses/{house.id}/rooms/new", {"name": "9", "capacity": "5"}),
             (f"/rooms/{room.id}", {"name": "9", "capacity": "5"}),
             (f"/rooms/{room.id}/closures", {"start": "2025-05-01", "end": "2025-05-01", "reason": "x"})]
    for url, body in posts:
        assert client.post(url, data={"csrf_token": token, **body}).status_code == 404, url
    assert client.get(f"/rooms/{room.id}").status_code == 404
    assert hours_of(house) == OFFICE and count(HouseClosure) == 0 and count(MediationRoom) == 2
    assert actions() == []


def test_coordinator_gets_403_on_changes(client, org, staff):
    token = sign_in(client, staff.coordinator)
    response = client.post(f"/rooms/houses/{org.republican_house.id}/hours", data={"csrf_token": token})
    assert response.status_code == 403
    assert hours_of(org.republican_house) == OFFICE


def test_opening_hours_saved_and_audited(client, org, staff):
    token = sign_in(client, staff.almaty_manager)
    house = org.republican_house
    body = {"csrf_token": token, "open_0": "y", "opens_0": "08:30", "closes_0": "17:00",
            "open_5": "y", "opens_5": "10:00:00", "closes_5": "14:00",
            "opens_1": "09:00", "closes_1": "18:00"}  # Tuesday's times without the tick: closed
    response = client.post(f"/rooms/houses/{house.id}/hours", data=body)
    assert response.status_code == 302
    assert hours_of(house) == {0: (time(8, 30), time(17)), 5: (time(10), time(14))}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "house.hours")).one()
    assert event.actor_id == staff.almaty_manager.id and event.summary == {"open_days": [0, 5]}


def test_one_bad_row_writes_nothing_and_marks_its_field(client, org, staff):
    token = sign_in(client, staff.manager)
    house = org.republican_house
    body = {"csrf_token": token, "open_0": "y", "opens_0": "08:00", "closes_0": "12:00",
            "open_3": "y", "opens_3": "18:00", "closes_3": "09:00", "open_4": "y", "opens_4": "25:99",
            "closes_4": "12:00"}
    response = client.post(f"/rooms/houses/{house.id}/hours", data=body)
    assert response.status_code == 422
    assert invalid_fields(response) == {"opens_4"}  # the form refuses the unreadable time first
    body["opens_4"] = "09:00"
    response = client.post(f"/rooms/houses/{house.id}/hours", data=body)
    assert response.status_code == 422
    assert invalid_fields(response) == {"closes_3"}
    assert "The closing time must be after the opening time." in text_of(response)
    assert hours_of(house) == OFFICE and actions() == []


def test_errors_come_in_the_users_language(client, org):
    manager = person("manager", org, locale="ru")
    token = sign_in(client, manager)
    response = client.post(f"/rooms/houses/{org.semey_house.id}/hours",
                           data={"csrf_token": token, "open_2": "y", "opens_2": "10:00"})
    assert response.status_code == 422 and invalid_fields(response) == {"closes_2"}
    assert '<html lang="ru">' in response.get_data(as_text=True)
    assert "Исправьте отмеченные ниже поля." in text_of(response)


def test_house_closure_added_refused_and_removed(client, org, staff):
    token = sign_in(client, staff.abai_manager)
    url = f"/rooms/houses/{org.semey_house.id}/closures"
    response = client.post(url, data={"csrf_token": token, "start": "2025-12-17", "end": "2025-12-16",
                                      "reason": "Тәуелсіздік күні"})
    assert response.status_code == 422 and invalid_fields(response) == {"end"}
    assert count(HouseClosure) == 0
    response = client.post(url, data={"csrf_token": token, "start": "2025-12-16", "end": "2025-12-17",
                                      "reason": "Тәуелсіздік күні"})
    assert response.status_code == 302
    closure = db.session.scalars(select(HouseClosure)).one()
    assert "Тәуелсіздік күні" in text_of(client.get(f"/rooms/houses/{org.semey_house.id}"))
    assert client.post(f"{url}/{closure.id}/delete", data={"csrf_token": token}).status_code == 302
    assert count(HouseClosure) == 0
    assert actions() == ["house.closure_add", "house.closure_remove"]


def test_house_details_edited(client, org, staff):
    token = sign_in(client, staff.admin)
    response = client.post(f"/rooms/houses/{org.semey_house.id}",
                           data={"csrf_token": token, "address": "Семей қ., Абай к-сі, 96"})
    assert response.status_code == 302
    db.session.refresh(org.semey_house)
    assert org.semey_house.address == "Семей қ., Абай к-сі, 96" and org.semey_house.active is False
    summary = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "house.update")).one()
    assert summary == {"fields": ["address", "active"]}


# --- rooms -------------------------------------------------------------------------------------------

def test_room_created_with_field_errors_first(client, org, staff):
    token = sign_in(client, staff.abai_manager)
    url = f"/rooms/houses/{org.semey_house.id}/rooms/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"csrf_token": token, "name": "101", "capacity": "501"})
    assert response.status_code == 422 and invalid_fields(response) == {"capacity"}
    response = client.post(url, data={"csrf_token": token, "name": "101", "capacity": "10"})
    assert response.status_code == 422 and invalid_fields(response) == {"name"}
    assert "This house already has a room with this name." in text_of(response)
    assert count(MediationRoom) == 2
    response = client.post(url, data={"csrf_token": token, "name": "Кіші зал", "capacity": "10",
                                      "has_interpreter_equipment": "y", "active": "y"})
    assert response.status_code == 302
    room = db.session.scalars(select(MediationRoom).where(MediationRoom.name == "Кіші зал")).one()
    assert room.has_interpreter_equipment and not room.has_video_link and room.active
    page = text_of(client.get(f"/rooms/houses/{org.semey_house.id}"))
    assert "Кіші зал" in page and "Interpreter equipment" in page


def test_room_deactivated_not_deleted(client, org, staff):
    token = sign_in(client, staff.manager)
    room = org.republican_house.rooms[0]
    page = text_of(client.get(f"/rooms/{room.id}"))
    assert "Delete" not in page
    response = client.post(f"/rooms/{room.id}", data={"csrf_token": token, "name": "101", "capacity": "8"})
    assert response.status_code == 302
    db.session.refresh(room)
    assert room.active is False
    assert "Inactive" in text_of(client.get(f"/rooms/houses/{org.republican_house.id}"))
    summary = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "room.update")).one()
    assert summary == {"fields": ["active"]}


def test_room_closed_for_renovation(client, org, staff):
    token = sign_in(client, staff.almaty_manager)
    room = org.republican_house.rooms[0]
    response = client.post(f"/rooms/{room.id}/closures", data={"csrf_token": token, "start": "2025-04-01",
                                                                "end": "2025-04-30", "reason": ""})
    assert response.status_code == 422 and invalid_fields(response) == {"reason"}
    response = client.post(f"/rooms/{room.id}/closures", data={"csrf_token": token, "start": "2025-04-01",
                                                                "end": "2025-04-30", "reason": "Жөндеу"})
    assert response.status_code == 302
    closure = db.session.scalars(select(RoomClosure)).one()
    assert (closure.room_id, closure.reason) == (room.id, "Жөндеу")
    assert client.post(f"/rooms/{room.id}/closures/{closure.id}/delete",
                       data={"csrf_token": token}).status_code == 302
    assert count(RoomClosure) == 0 and db.session.get(MediationRoom, room.id).active
    assert actions() == ["room.closure_add", "room.closure_remove"]


def test_deactivating_a_booked_room_lists_the_sessions_to_move(client, org, staff):
    case, coordinator, _user, mediator = sf.case_in_mediation(org)
    room, monday = case.house.rooms[0], sf.next_monday(1)
    scheduling.book(coordinator.actor, case.id, sf.plan(case, mediator, sf.local(monday, 10)), now=utcnow())
    db.session.commit()
    token = sign_in(client, staff.manager)
    assert "stranded-sessions" not in text_of(client.get(f"/rooms/{room.id}"))
    response = client.post(f"/rooms/{room.id}", data={"csrf_token": token, "name": room.name, "capacity": "8"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rooms/{room.id}")
    page = text_of(client.get(f"/rooms/{room.id}"))
    assert "1 session is still booked for a time its room is out of use: it must be moved." in page
    assert 'id="stranded-sessions"' in page and case.number in page
    # Back in use: the warning goes, and a closure over that Monday brings it back.
    client.post(f"/rooms/{room.id}", data={"csrf_token": token, "name": room.name, "capacity": "8", "active": "y"})
    assert "stranded-sessions" not in text_of(client.get(f"/rooms/{room.id}"))
    client.post(f"/rooms/{room.id}/closures", data={"csrf_token": token, "start": monday.isoformat(),
                                                     "end": monday.isoformat(), "reason": "Жөндеу"})
    page = text_of(client.get(f"/rooms/{room.id}"))
    assert "1 session is still booked" in page and case.number in page


def test_the_stranded_sessions_warning_comes_in_the_users_language(client, org):
    case, coordinator, _user, mediator = sf.case_in_mediation(org)
    room = case.house.rooms[0]
    scheduling.book(coordinator.actor, case.id, sf.plan(case, mediator, sf.local(sf.next_monday(1), 10)),
                    now=utcnow())
    manager = person("manager", org, locale="kk")
    token = sign_in(client, manager)
    client.post(f"/rooms/{room.id}", data={"csrf_token": token, "name": room.name, "capacity": "8"})
    page = text_of(client.get(f"/rooms/{room.id}"))
    assert "out of use" not in page and case.number in page
    assert "әлі 1 кездесу жазылып" in page


def test_closing_a_house_lists_its_stranded_sessions_to_keepers_only(client, org, staff):
    case, coordinator, _user, mediator = sf.case_in_mediation(org)
    house, monday = case.house, sf.next_monday(1)
    scheduling.book(coordinator.actor, case.id, sf.plan(case, mediator, sf.local(monday, 10)), now=utcnow())
    db.session.commit()
    token = sign_in(client, staff.manager)
    response = client.post(f"/rooms/houses/{house.id}/closures", data={
        "csrf_token": token, "start": monday.isoformat(), "end": monday.isoformat(), "reason": "Мереке"})
    assert response.status_code == 302
    page = text_of(client.get(f"/rooms/houses/{house.id}"))
    assert "1 session is still booked for a time its room is out of use" in page
    assert 'id="stranded-sessions"' in page and f"{case.number} — " in page and house.rooms[0].name in page
    reader = client.application.test_client()
    sign_in(reader, coordinator)  # reads the house page, changes nothing: no case numbers of the house there
    page = text_of(reader.get(f"/rooms/houses/{house.id}"))
    assert house.rooms[0].name in page and "stranded-sessions" not in page
    admin = client.application.test_client()
    sign_in(admin, staff.admin)  # keeps the house, does not see cases: the times and rooms, no numbers
    page = text_of(admin.get(f"/rooms/houses/{house.id}"))
    assert 'id="stranded-sessions"' in page and house.rooms[0].name in page and case.number not in page

# --- CSRF --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/rooms/houses/{house}/hours", "/rooms/houses/{house}/closures",
                                  "/rooms/houses/{house}", "/rooms/{room}", "/rooms/houses/{house}/rooms/new"])
def test_posts_without_csrf_are_refused(client, org, staff, path):
    sign_in(client, staff.admin)
    url = path.format(house=org.republican_house.id, room=org.republican_house.rooms[0].id)
    body = {"open_6": "y", "opens_6": "10:00", "closes_6": "12:00", "start": "2025-05-01", "end": "2025-05-01",
            "reason": "x", "name": "Жаңа", "capacity": "5", "address": "x"}
    assert client.post(url, data=body).status_code == 400
    assert hours_of(org.republican_house) == OFFICE and count(HouseClosure) == 0 and count(MediationRoom) == 2
    assert actions() == []
