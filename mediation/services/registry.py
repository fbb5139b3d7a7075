"""The mediator registry: create and edit records, suspend, exclude, reinstate, absences and hours."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select

from ..domain.case_fields import LANGUAGES, CaseCategory
from ..domain.errors import DomainError, NotAllowed
from ..domain.mediator_eligibility import (
    Disqualification,
    LanguageLevel,
    MediatorKind,
    MediatorProfile,
    MediatorStatus,
    default_suspension_end,
)
from ..domain.policies import Placement, within_scope
from ..domain.roles import Actor, Role
from ..domain.text import fold, has_control_characters
from ..extensions import db
from ..models import (
    FriendshipHouse,
    Mediator,
    MediatorAbsence,
    MediatorLanguage,
    MediatorSpecialization,
    MediatorWeeklyHours,
    Region,
    User,
)
from . import audit

REGISTRY_NUMBER = re.compile(r"^[A-Za-z0-9А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі/-]{2,32}$")


class RegistryInvalid(DomainError):
    """A registry record cannot be saved; `errors` maps field names to reason codes."""

    code = "registry_invalid"


class MediatorNotFound(DomainError):
    """No such mediator in the actor's reach."""

    code = "mediator_not_found"


@dataclass(frozen=True)
class MediatorData:
    """A registry record as a form or an import row hands it over."""

    registry_number: str
    full_name: str
    kind: MediatorKind
    region_id: int
    languages: tuple[tuple[str, str], ...]  # (code, level)
    specializations: tuple[str, ...] = ()
    birth_date: date | None = None
    education: str | None = None
    higher_education: bool = False
    certificate_number: str | None = None
    certificate_date: date | None = None
    retired_judge: bool = False
    house_id: int | None = None
    takes_cases_elsewhere: bool = True
    max_active_cases: int = 5
    phone: str | None = None
    email: str | None = None
    legal_address: str | None = None
    disqualifications: tuple[str, ...] = ()
    ethnicity: str | None = None
    ethnicity_consent_on: date | None = None
    user_id: int | None = None
    extra: dict = field(default_factory=dict)


def profile_of(mediator: Mediator) -> MediatorProfile:
    """The eligibility-relevant facts of a registry row."""
    return MediatorProfile(
        kind=MediatorKind(mediator.kind), birth_date=mediator.birth_date,
        higher_education=mediator.higher_education, certificate_number=mediator.certificate_number,
        certificate_date=mediator.certificate_date, retired_judge=mediator.retired_judge,
        status=MediatorStatus(mediator.status), suspended_until=mediator.suspended_until,
        suspension_reason=mediator.status_reason,
        disqualifications=frozenset(Disqualification(d) for d in mediator.disqualifications or ()))


def can_keep_registry(actor: Actor, region_id: int) -> bool:
    """Admins, and managers within their scope, keep the registry."""
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.MANAGER and within_scope(actor, Placement(region_id))


def validate(data: MediatorData, *, today: date, existing_id: int | None = None,
             known_regions: set[int] | None = None, houses: dict[int, int] | None = None) -> dict[str, str]:
    """Every problem with a record, as {field: reason code}; empty when it can be saved."""
    errors: dict[str, str] = {}
    if not REGISTRY_NUMBER.match(data.registry_number or ""):
        errors["registry_number"] = "registry_number_invalid"
    name = (data.full_name or "").strip()
    if not name or len(name) > 200 or has_control_characters(name):
        errors["full_name"] = "name_invalid"
    if data.birth_date is None:
        errors["birth_date"] = "date_required"  # Art. 9 age limits cannot be checked without it
    elif data.birth_date > today:
        errors["birth_date"] = "date_in_future"
    elif data.birth_date < date(1900, 1, 1):
        errors["birth_date"] = "date_invalid"
    if data.certificate_date and data.certificate_date > today:
        errors["certificate_date"] = "date_in_future"
    if not data.languages:
        errors["languages"] = "language_required"
    for code, level in data.languages:
        if code not in LANGUAGES:
            errors["languages"] = "language_unknown"
        if level not in LanguageLevel.__members__.values():
            errors["languages"] = "level_unknown"
    if any(s not in CaseCategory.__members__.values() for s in data.specializations):
        errors["specializations"] = "specialization_unknown"
    if any(d not in Disqualification.__members__.values() for d in data.disqualifications):
        errors["disqualifications"] = "disqualification_unknown"
    if not 0 <= data.max_active_cases <= 100:
        errors["max_active_cases"] = "capacity_invalid"
    if known_regions is not None and data.region_id not in known_regions:
        errors["region_id"] = "region_unknown"
    if data.house_id is not None and houses is not None and houses.get(data.house_id) != data.region_id:
        errors["house_id"] = "house_outside_region"
    if data.ethnicity and not data.ethnicity_consent_on:
        errors["ethnicity_consent_on"] = "ethnicity_needs_consent"
    for text_field in ("education", "certificate_number", "legal_address", "phone", "email", "ethnicity"):
        value = getattr(data, text_field)
        if value and has_control_characters(value):
            errors[text_field] = "text_invalid"
    return errors


def _check(data: MediatorData, today: date, existing_id: int | None) -> None:
    errors = problems(data, today=today, existing_id=existing_id)
    if errors:
        raise RegistryInvalid(errors=errors)


def problems(data: MediatorData, *, today: date, existing_id: int | None = None) -> dict[str, str]:
    """Every problem saving the record would find, the database's checks included, as {field: reason code}."""
    houses = dict(db.session.execute(select(FriendshipHouse.id, FriendshipHouse.region_id)).all())
    regions = set(db.session.scalars(select(Region.id)))
    errors = validate(data, today=today, existing_id=existing_id, known_regions=regions, houses=houses)
    taken = db.session.scalar(select(Mediator.id).where(Mediator.registry_number == data.registry_number))
    if taken is not None and taken != existing_id:
        errors["registry_number"] = "registry_number_taken"
    if data.user_id is not None:
        user = db.session.get(User, data.user_id)
        linked = db.session.scalar(select(Mediator.id).where(Mediator.user_id == data.user_id))
        if user is None or user.role is not Role.MEDIATOR or (linked is not None and linked != existing_id):
            errors["user_id"] = "user_not_linkable"
        elif user.region_id != data.region_id:  # the account would see another region's cases through the record
            errors["user_id"] = "user_other_region"
    return errors


def apply_data(mediator: Mediator, data: MediatorData, now: datetime) -> None:
    for name in ("registry_number", "kind", "birth_date", "education", "higher_education", "certificate_number",
                 "certificate_date", "retired_judge", "region_id", "house_id", "takes_cases_elsewhere",
                 "max_active_cases", "phone", "email", "legal_address", "user_id"):
        setattr(mediator, name, getattr(data, name))
    mediator.kind = MediatorKind(data.kind).value
    mediator.full_name = data.full_name.strip()
    mediator.name_folded = fold(mediator.full_name)
    mediator.disqualifications = sorted(set(data.disqualifications))
    mediator.ethnicity = data.ethnicity if data.ethnicity_consent_on else None
    mediator.ethnicity_consent_on = data.ethnicity_consent_on if data.ethnicity else None
    wanted_languages = dict(data.languages)
    for row in list(mediator.languages):
        if row.language not in wanted_languages:
            mediator.languages.remove(row)
        else:
            row.level = wanted_languages.pop(row.language)
    for code, level in wanted_languages.items():
        mediator.languages.append(MediatorLanguage(language=code, level=level))
    wanted = set(data.specializations)
    for row in list(mediator.specialization_rows):
        if row.category not in wanted:
            mediator.specialization_rows.remove(row)
        wanted.discard(row.category)
    for category in sorted(wanted):
        mediator.specialization_rows.append(MediatorSpecialization(category=category))
    mediator.updated_at = now


def _snapshot(mediator: Mediator) -> dict:
    """The record's fields, languages and specialisations, to tell what an edit changed."""
    values = {column.key: getattr(mediator, column.key) for column in Mediator.__table__.columns
              if column.key not in ("updated_at", "name_folded", "name_order")}
    values["languages"] = sorted((lang.language, lang.level) for lang in mediator.languages)
    values["specializations"] = sorted(mediator.specializations)
    return values


def create_mediator(actor: Actor, data: MediatorData, *, ip: str | None, now: datetime, today: date) -> Mediator:
    """Add a mediator to the registry."""
    if not can_keep_registry(actor, data.region_id):
        raise NotAllowed(actor_id=actor.id, action="create_mediator")
    _check(data, today, None)
    mediator = Mediator(created_at=now, status=MediatorStatus.ACTIVE.value)
    apply_data(mediator, data, now)
    db.session.add(mediator)
    db.session.flush()
    audit.record("mediator.create", actor_id=actor.id, ip=ip, object_type="mediator", object_id=mediator.id,
                 summary={"registry_number": mediator.registry_number}, now=now)
    return mediator


def get_mediator(actor: Actor, mediator_id: int) -> Mediator:
    """A mediator the actor may manage, or MediatorNotFound."""
    mediator = db.session.get(Mediator, mediator_id)
    if mediator is None or not can_keep_registry(actor, mediator.region_id):
        raise MediatorNotFound(mediator_id=mediator_id)
    return mediator


def update_mediator(actor: Actor, mediator_id: int, data: MediatorData, *, ip: str | None, now: datetime,
                    today: date) -> Mediator:
    """Edit a registry record; a move to another region needs rights over both."""
    mediator = get_mediator(actor, mediator_id)
    if not can_keep_registry(actor, data.region_id):
        raise NotAllowed(actor_id=actor.id, action="move_mediator")
    _check(data, today, mediator.id)
    before = _snapshot(mediator)
    apply_data(mediator, data, now)
    after = _snapshot(mediator)
    changed = sorted(name for name in after if before[name] != after[name])
    db.session.flush()
    audit.record("mediator.update", actor_id=actor.id, ip=ip, object_type="mediator", object_id=mediator.id,
                 summary={"fields": changed}, now=now)
    return mediator


def set_status(actor: Actor, mediator_id: int, status: MediatorStatus, *, reason: str, ip: str | None,
               now: datetime, today: date, until: date | None = None) -> Mediator:
    """Suspend (6 months by default, Art. 16), exclude, or reinstate a mediator, with the reason."""
    mediator = get_mediator(actor, mediator_id)
    if status is not MediatorStatus.ACTIVE and not reason.strip():
        raise RegistryInvalid(errors={"reason": "reason_required"})
    if status is MediatorStatus.SUSPENDED:
        until = until or default_suspension_end(today)
        if until <= today:
            raise RegistryInvalid(errors={"until": "suspension_end_past"})
    mediator.status = status.value
    mediator.suspended_until = until if status is MediatorStatus.SUSPENDED else None
    mediator.status_reason = reason.strip() or None
    mediator.updated_at = now
    audit.record(f"mediator.{status.value}", actor_id=actor.id, ip=ip, object_type="mediator",
                 object_id=mediator.id, summary={"until": until.isoformat() if until else None}, now=now)
    return mediator


def add_absence(actor: Actor, mediator_id: int, start: date, end: date, kind: str, *, ip: str | None,
                now: datetime) -> MediatorAbsence:
    """Record a leave or illness."""
    mediator = get_mediator(actor, mediator_id)
    if end < start:
        raise RegistryInvalid(errors={"end": "date_order"})
    if kind not in ("leave", "illness", "other"):
        raise RegistryInvalid(errors={"kind": "kind_unknown"})
    absence = MediatorAbsence(start=start, end=end, kind=kind)
    mediator.absences.append(absence)
    db.session.flush()
    audit.record("mediator.absence", actor_id=actor.id, ip=ip, object_type="mediator", object_id=mediator.id,
                 summary={"start": start.isoformat(), "end": end.isoformat()}, now=now)
    return absence


def set_weekly_hours(actor: Actor, mediator_id: int, slots: list[tuple[int, time, time]], *, ip: str | None,
                     now: datetime) -> Mediator:
    """Replace the weekly hours in which the mediator can hold sessions."""
    mediator = get_mediator(actor, mediator_id)
    for weekday, start, end in slots:
        if not 0 <= weekday <= 6 or end <= start:
            raise RegistryInvalid(errors={"weekly_hours": "slot_invalid"})
    mediator.weekly_hours.clear()
    for weekday, start, end in slots:
        mediator.weekly_hours.append(MediatorWeeklyHours(weekday=weekday, start=start, end=end))
    db.session.flush()
    audit.record("mediator.hours", actor_id=actor.id, ip=ip, object_type="mediator", object_id=mediator.id,
                 summary={"slots": len(slots)}, now=now)
    return mediator
