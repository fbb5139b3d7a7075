"""Case builders for tests: parties, intake data, mediators, and walking a case through the real services.

Like tests/factories.py these flush but never commit; the caller commits before any request.
"""

import itertools
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from mediation.domain.case_fields import CaseCategory, Channel, PartyKind, PartyRole, TensionLevel
from mediation.domain.case_states import CaseState, Outcome, TerminationGround
from mediation.domain.deadlines import DeadlinePolicy
from mediation.domain.eligibility import ExclusionQuestion
from mediation.domain.identity import make_iin
from mediation.domain.roles import Actor
from mediation.domain.text import fold
from mediation.extensions import db
from mediation.models import (
    AuditEvent,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseNumberCounter,
    FriendshipHouse,
    Mediator,
    MediatorLanguage,
    MediatorSpecialization,
    MediatorWeeklyHours,
    Party,
    Region,
    User,
)
from mediation.services import case_intake, case_lifecycle
from mediation.services.case_intake import IntakeData, PartyData
from mediation.services.case_lifecycle import Closure, Step
from mediation.services.clock import local_date, utcnow
from tests import factories

POLICY = DeadlinePolicy()
ALL_NO = {question: False for question in ExclusionQuestion}
_serial = itertools.count(1)
_registry = itertools.count(1)


def today() -> date:
    """Today in Kazakhstan, as the app computes it."""
    return local_date(utcnow())


def at(day: date, hour: int = 6) -> datetime:
    """A naive-UTC moment on a Kazakh calendar day (06:00 UTC is 11:00 in Almaty, the same day)."""
    return datetime.combine(day, time(hour, 0))


def iin(birth: date = date(1985, 4, 12), *, female: bool = False) -> str:
    """A fresh valid ИИН (a new serial each call)."""
    return make_iin(birth, female, next(_serial) % 9000 + 1)


def party(full_name: str, role: PartyRole = PartyRole.APPLICANT, **fields) -> PartyData:
    """One party as the intake form would hand it over."""
    return PartyData(kind=fields.pop("kind", PartyKind.PERSON), role=role, full_name=full_name, **fields)


def two_parties(first: str = "Әлия Нұрова", second: str = "Иван Петров", **first_fields) -> tuple[PartyData, ...]:
    """An applicant and a respondent."""
    return (party(first, PartyRole.APPLICANT, **first_fields), party(second, PartyRole.RESPONDENT))


def intake(house: FriendshipHouse | int, *, received_on: date, parties: tuple[PartyData, ...] | None = None,
           **fields) -> IntakeData:
    """A valid appeal at the house; any field can be overridden."""
    values = {"category": CaseCategory.NEIGHBOURS_LAND, "channel": Channel.WALK_IN,
              "subject": "Спор соседей о границе участка", "tension": TensionLevel.LOW,
              "description": "Құпия сипаттама / конфиденциальное описание", "languages": ("kk", "ru")}
    values.update(fields)
    house_id = house if isinstance(house, int) else house.id
    return IntakeData(house_id=house_id, received_on=received_on,
                      parties=parties if parties is not None else two_parties(), **values)


def register(actor: Actor | User, house: FriendshipHouse | int, *, received_on: date,
             now: datetime | None = None, **fields) -> Case:
    """Register an appeal through the service (flushed, not committed)."""
    actor = actor.actor if isinstance(actor, User) else actor
    now = now or at(received_on)
    return case_intake.register_case(actor, intake(house, received_on=received_on, **fields), ip="127.0.0.1",
                                     now=now, today=local_date(now))


def make_mediator(region: Region, *, user: User | None = None, house: FriendshipHouse | None = None,
                  status: str = "active", full_name: str = "Медиатор Тестов") -> Mediator:
    """A professional mediator of the region who passes every eligibility rule (age, education, certificate,
    Kazakh and Russian, every category, weekday hours), optionally linked to a user account."""
    mediator = Mediator(registry_number=f"T-{next(_registry):06d}", full_name=full_name,
                        name_folded=fold(full_name), kind="professional", birth_date=date(1975, 5, 5),
                        higher_education=True, education="Жоғары заң", certificate_number="MC-10001",
                        certificate_date=date(2020, 1, 15), region_id=region.id,
                        house_id=house.id if house else None, status=status, max_active_cases=50,
                        disqualifications=[], user_id=user.id if user else None)
    for language, level in (("kk", "native"), ("ru", "fluent")):
        mediator.languages.append(MediatorLanguage(language=language, level=level))
    for category in CaseCategory:
        mediator.specialization_rows.append(MediatorSpecialization(category=category.value))
    for weekday in range(5):
        mediator.weekly_hours.append(MediatorWeeklyHours(weekday=weekday, start=time(9), end=time(18)))
    db.session.add(mediator)
    db.session.flush()
    return mediator


def make_mediator_user(org, *, house: FriendshipHouse | None = None,
                       full_name: str = "Медиатор Тестов") -> tuple[User, Mediator]:
    """A mediator account with its registry entry, in the house's region."""
    house = house or org.republican_house
    user = factories.make_user("mediator", org=org, house=house, full_name=full_name)
    return user, make_mediator(house.region, user=user, house=house, full_name=full_name)


def step(actor: Actor | User, case: Case, now: datetime) -> Step:
    """The actor acting on the case's current version at `now`."""
    actor = actor.actor if isinstance(actor, User) else actor
    return Step(actor=actor, case_id=case.id, version=case.version, now=now, ip="127.0.0.1")


def accept_as_mediators(case: Case, now: datetime) -> None:
    """Each proposed mediator with an account accepts the case, declaring no conflict (as before a contract)."""
    from mediation.domain.roles import Role
    from mediation.services import assignment

    answering = db.session.scalars(
        select(Mediator.user_id).join(CaseAssignment, CaseAssignment.mediator_id == Mediator.id)
        .where(CaseAssignment.case_id == case.id, CaseAssignment.ended_at.is_(None),
               CaseAssignment.status == "proposed", Mediator.user_id.is_not(None))).all()
    for user_id in answering:
        assignment.accept(step(Actor(id=user_id, role=Role.MEDIATOR), case, now), [], None, declared_no_conflict=True)


STAGES = ("registered", "screening", "awaiting_assignment", "assigned", "in_mediation", "closed")


def advance(case: Case, stage: str, actor: Actor | User, *, lead_id: int | None = None,
            signed_on: date | None = None, now: datetime | None = None) -> Case:
    """Walk a registered case through the services up to `stage` (closed = full agreement on the ground
    of a signed settlement, the day after the contract)."""
    target = STAGES.index(stage)
    now = now or at(case.received_on)
    if target >= 1:
        case_lifecycle.start_screening(step(actor, case, now))
    if target >= 2:
        case_lifecycle.record_screening(step(actor, case, now), ALL_NO, None, None)
    if target >= 3:
        if lead_id is None:
            raise ValueError("assignment needs lead_id")
        case_lifecycle.assign_mediators(step(actor, case, now), lead_id, None, None)
    if target >= 4:
        signed_on = signed_on or case.received_on
        later = max(now, at(signed_on))
        accept_as_mediators(case, later)
        case_lifecycle.sign_contract(step(actor, case, later), signed_on, POLICY)
    if target >= 5:
        effective = case.contract_signed_on + timedelta(days=1)
        later = max(now, at(effective))
        case_lifecycle.close_case(step(actor, case, later), Closure(
            outcome=Outcome.FULL_AGREEMENT, ground=TerminationGround.AGREEMENT_SIGNED, effective_on=effective))
    assert case.state is CaseState(stage)
    return case


def row_counts() -> dict[str, int]:
    """How many rows each table touched by intake holds (what "nothing written" compares)."""
    models = {"case": Case, "party": Party, "case_event": CaseEvent, "audit_event": AuditEvent,
              "counter": CaseNumberCounter, "assignment": CaseAssignment}
    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in models.items()}


def counter_last(region: Region, year: int) -> int | None:
    """The last sequence issued for the region and year."""
    return db.session.scalar(select(CaseNumberCounter.last).where(CaseNumberCounter.region_id == region.id,
                                                                  CaseNumberCounter.year == year))
