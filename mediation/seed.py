"""Demo data: regions, Friendship Houses, rooms, about 200 mediators and the four demo logins."""

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from importlib import resources

from sqlalchemy import func, select

from .domain.case_fields import CaseCategory
from .domain.roles import Role
from .domain.text import fold
from .extensions import db
from .models import (
    FriendshipHouse,
    MediationRoom,
    Mediator,
    MediatorAbsence,
    MediatorLanguage,
    MediatorSpecialization,
    MediatorWeeklyHours,
    Region,
    User,
)
from .seed_cases import seed_cases
from .seed_documents import seed_documents
from .seed_sessions import seed_sessions
from .services import org as org_service
from .services.houses import independence_day_closure, office_hours
from .services.passwords import hash_password

DEMO_ACCOUNTS = (
    ("admin", Role.ADMIN, "Администратор Жүйесі"),
    ("manager", Role.MANAGER, "Гүлнар Сәрсенбаева"),
    ("coordinator", Role.COORDINATOR, "Ерлан Тұрсынов"),
    ("mediator", Role.MEDIATOR, "Әйгерім Әбішқызы Бекмұханова"),
)
# Share of each community among the demo mediators (roughly the registry's make-up).
COMMUNITY_WEIGHTS = {"kazakh": 55, "russian": 14, "uzbek": 7, "uyghur": 5, "korean": 4, "german": 4,
                     "tatar": 3, "ukrainian": 3, "azerbaijani": 2, "dungan": 2, "turkish": 1}


class SeedRefused(Exception):
    """The demo seed does not run in production or on a database that already has users."""


@dataclass(frozen=True)
class SeedReport:
    """What the seed created."""

    regions: int
    houses: int
    rooms: int
    mediators: int
    users: int
    cases: int = 0
    sessions: int = 0
    documents: int = 0


def database_is_empty() -> bool:
    """True when no account exists yet (make run seeds only then)."""
    return db.session.scalar(select(func.count(User.id))) == 0


def seed_demo(*, password: str, today: date, fast_hash: bool = False, mediators: int = 200,
              case_count: int = 400, rng_seed: int = 2026) -> SeedReport:
    """Create the demo organisation, mediators and logins; refuses when users already exist."""
    if not database_is_empty():
        raise SeedRefused("the database already has accounts")
    rng = random.Random(rng_seed)
    regions = org_service.load_regions()
    houses = _seed_houses(rng, today)
    rooms = sum(len(h.rooms) for h in houses)
    created = _seed_mediators(rng, houses, mediators, today)
    users = _seed_accounts(password, houses, created, fast_hash)
    db.session.flush()
    cases = seed_cases(case_count, today=today) if case_count else 0
    sessions = seed_sessions(today) if case_count else 0
    documents = seed_documents(today) if case_count else 0
    return SeedReport(regions=regions, houses=len(houses), rooms=rooms, mediators=len(created), users=users,
                      cases=cases, sessions=sessions, documents=documents)


def _seed_houses(rng: random.Random, today: date) -> list[FriendshipHouse]:
    regions = {r.kato2: r for r in db.session.scalars(select(Region))}
    text = resources.files("mediation.data").joinpath("demo_houses.csv").read_text(encoding="utf-8")
    houses = []
    for row in csv.DictReader(text.splitlines()):
        house = FriendshipHouse(region=regions[row["kato2"]], city=row["city"], name_kk=row["name_kk"],
                                name_ru=row["name_ru"], name_en=row["name_en"], address=row["address"],
                                is_republican=row["is_republican"] == "1")
        for number in range(1, int(row["rooms"]) + 1):
            house.rooms.append(MediationRoom(
                name=f"{100 + number}", capacity=rng.choice([6, 8, 10, 12, 20]),
                has_interpreter_equipment=rng.random() < 0.35, has_video_link=rng.random() < 0.5,
                step_free_access=rng.random() < 0.7))
        # Weekday office hours, Saturday mornings at the republican house, closed on Independence Day.
        house.opening_hours.extend(office_hours())
        if house.is_republican:
            house.opening_hours.extend(office_hours([5], time(10), time(14)))
        house.closures.append(independence_day_closure(today))
        db.session.add(house)
        houses.append(house)
    db.session.flush()
    return houses


def _person(rng: random.Random, people: dict, community: str) -> tuple[str, bool]:
    data = people[community]
    female = rng.random() < 0.5
    given = rng.choice(data["female" if female else "male"])
    surname = rng.choice(data["surnames_f" if female else "surnames_m"])
    patronymic = rng.choice(data["patronymic_f" if female else "patronymic_m"]).format(
        father=rng.choice(data["fathers"]))
    return f"{surname} {given} {patronymic}", female


def _seed_mediators(rng: random.Random, houses: list[FriendshipHouse], count: int, today: date) -> list[Mediator]:
    people = json.loads(resources.files("mediation.data").joinpath("demo_people.json").read_text(encoding="utf-8"))
    communities, weights = zip(*COMMUNITY_WEIGHTS.items(), strict=True)
    categories = [c.value for c in CaseCategory]
    mediators = []
    for index in range(count):
        house = houses[index % len(houses)] if index < len(houses) else rng.choice(houses)
        community = rng.choices(communities, weights)[0]
        name, _female = _person(rng, people, community)
        kind = "professional" if rng.random() < 0.3 else "public"
        min_age = 25 if kind == "professional" else 40
        birth = today - timedelta(days=365 * rng.randint(min_age + 1, 72) + rng.randint(0, 364))
        status = rng.choices(["active", "suspended", "excluded"], [92, 6, 2])[0]
        certified = kind == "professional" or rng.random() < 0.3
        mediator = Mediator(
            registry_number=f"{house.region.kato2}-{index + 1:05d}", full_name=name, name_folded=fold(name),
            kind=kind, birth_date=birth, region_id=house.region_id, house_id=house.id, status=status,
            higher_education=kind == "professional" or rng.random() < 0.6,
            education="Жоғары заң / Высшее юридическое" if rng.random() < 0.4 else None,
            certificate_number=f"MC-{rng.randint(10000, 99999)}" if certified else None,
            certificate_date=today - timedelta(days=rng.randint(60, 2000)) if certified else None,
            takes_cases_elsewhere=rng.random() < 0.7, max_active_cases=rng.choice([3, 4, 5, 5, 6, 8]),
            suspended_until=today + timedelta(days=rng.randint(20, 170)) if status == "suspended" else None,
            status_reason="Демо: расталған бұзушылық / подтверждённое нарушение" if status != "active" else None,
            disqualifications=[], phone=f"+7702{rng.randint(1000000, 9999999)}")
        if rng.random() < 0.25:  # self-declared with consent, as the registry form records it
            mediator.ethnicity, mediator.ethnicity_consent_on = community, today - timedelta(days=30)
        for language, level in people[community]["languages"]:
            mediator.languages.append(MediatorLanguage(language=language, level=level))
        for category in rng.sample(categories, k=rng.randint(1, 3)):
            mediator.specialization_rows.append(MediatorSpecialization(category=category))
        for weekday in range(5):
            if rng.random() < 0.7:
                mediator.weekly_hours.append(MediatorWeeklyHours(weekday=weekday, start=time(9), end=time(18)))
        if rng.random() < 0.05:
            start = today + timedelta(days=rng.randint(-5, 20))
            mediator.absences.append(MediatorAbsence(start=start, end=start + timedelta(days=rng.randint(3, 20)),
                                                     kind=rng.choice(["leave", "illness"])))
        db.session.add(mediator)
        mediators.append(mediator)
    db.session.flush()
    return mediators


def _seed_accounts(password: str, houses: list[FriendshipHouse], mediators: list[Mediator], fast_hash: bool) -> int:
    republican = next(h for h in houses if h.is_republican)
    password_hash = hash_password(password, fast=fast_hash)
    for username, role, full_name in DEMO_ACCOUNTS:
        scoped = role in (Role.COORDINATOR, Role.MEDIATOR)
        user = User(username=username, full_name=full_name, role=role, password_hash=password_hash,
                    region_id=republican.region_id if scoped else None,
                    house_id=republican.id if scoped else None)
        db.session.add(user)
        if role is Role.MEDIATOR:
            db.session.flush()
            linked = Mediator(registry_number=f"{republican.region.kato2}-90001", full_name=full_name,
                              name_folded=fold(full_name), kind="professional", birth_date=date(1984, 5, 17),
                              region_id=republican.region_id, house_id=republican.id, status="active",
                              user_id=user.id, higher_education=True, certificate_number="MC-20240",
                              certificate_date=date(2022, 3, 1), max_active_cases=12, disqualifications=[],
                              education="Әл-Фараби атындағы ҚазҰУ, заң / КазНУ им. аль-Фараби, право")
            linked.specialization_rows += [MediatorSpecialization(category=c) for c in ("family", "interethnic")]
            linked.weekly_hours += [MediatorWeeklyHours(weekday=d, start=time(9), end=time(18)) for d in range(5)]
            linked.languages += [MediatorLanguage(language="kk", level="native"),
                                 MediatorLanguage(language="ru", level="fluent")]
            db.session.add(linked)
    return len(DEMO_ACCOUNTS)
