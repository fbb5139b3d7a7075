"""Registering an appeal: validation, numbering, parties, consents, duplicate warning."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import literal_column, or_, select

from ..domain.case_fields import CaseCategory, Channel, PartyKind, PartyRole, TensionLevel, minimum_tension, raise_to
from ..domain.case_states import CaseState
from ..domain.errors import DomainError, NotAllowed
from ..domain.identity import is_valid_iin_bin, normalise_iin_bin
from ..domain.policies import Placement, within_scope
from ..domain.roles import Actor, Role
from ..domain.text import fold
from ..extensions import db
from ..models import Case, CaseEvent, FriendshipHouse, Party
from . import audit
from .case_lifecycle import Step, load_for_change, record_event, save
from .case_numbers import format_number, next_sequence

MIN_PARTIES = 2
# The Law on Mediation dates from 28 January 2011; an earlier "received" date is a typo (0025 for 2025).
EARLIEST_RECEIVED = date(2011, 1, 28)
MAX_PARTIES = 30


class IntakeInvalid(DomainError):
    """The appeal cannot be registered; `errors` maps form field names to reason codes."""

    code = "intake_invalid"


@dataclass(frozen=True)
class PartyData:
    """One party as the intake form hands it over (phone already normalised)."""

    kind: PartyKind
    role: PartyRole
    full_name: str
    iin_bin: str | None = None
    preferred_language: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    representative_name: str | None = None
    representative_basis: str | None = None
    is_minor: bool = False
    ethnicity: str | None = None
    ethnicity_consent_on: date | None = None
    consent_mediation_on: date | None = None
    consent_mediation_method: str | None = None
    consent_data_on: date | None = None
    consent_data_method: str | None = None


@dataclass(frozen=True)
class IntakeData:
    """A new appeal."""

    house_id: int
    category: CaseCategory
    channel: Channel
    subject: str
    received_on: date
    tension: TensionLevel
    parties: tuple[PartyData, ...]
    description: str = ""
    languages: tuple[str, ...] = ()
    interpreter_needed: bool = False
    signals: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DuplicateHit:
    """A party of an open case in the region that looks like one being registered."""

    case_id: int
    number: str
    party_name: str
    matched_on: str  # "iin" or "name"


def _check(actor: Actor, data: IntakeData, house: FriendshipHouse | None, today: date) -> None:
    errors: dict[str, str] = {}
    if house is None:
        errors["house_id"] = "unknown_house"
    elif not within_scope(actor, Placement(house.region_id, house.id)):
        errors["house_id"] = "outside_scope"
    if data.received_on > today:
        errors["received_on"] = "in_future"
    elif data.received_on < EARLIEST_RECEIVED:
        errors["received_on"] = "too_old"
    if not MIN_PARTIES <= len(data.parties) <= MAX_PARTIES:
        errors["parties"] = "too_few_parties" if len(data.parties) < MIN_PARTIES else "too_many_parties"
    for index, party in enumerate(data.parties):
        errors.update(_party_errors(party, prefix=f"parties-{index}-"))
    if errors:
        raise IntakeInvalid(errors=errors)


def _party_errors(party: PartyData, prefix: str = "") -> dict[str, str]:
    """One party's rules (the form checks them too; the service does not trust it)."""
    errors: dict[str, str] = {}
    if party.iin_bin and not is_valid_iin_bin(normalise_iin_bin(party.iin_bin)):
        errors[prefix + "iin_bin"] = "iin_invalid"
    if party.ethnicity and not party.ethnicity_consent_on:
        errors[prefix + "ethnicity_consent_on"] = "ethnicity_needs_consent"
    if party.is_minor and party.kind is not PartyKind.PERSON:
        errors[prefix + "is_minor"] = "minor_must_be_person"
    return errors


def find_duplicates(region_id: int, parties: tuple[PartyData, ...], exclude_case_id: int | None = None
                    ) -> list[DuplicateHit]:
    """Parties of open cases in the region with the same ИИН/БИН or the same normalised name."""
    iins = {normalise_iin_bin(p.iin_bin) for p in parties if p.iin_bin}
    names = {fold(p.full_name) for p in parties if p.full_name.strip()}
    if not iins and not names:
        return []
    # Only the lookups that were given: an empty `IN ()` for "no ИИН" (or any OR that SQLite cannot split
    # over the two party indexes) made SQLite read every party of the region's cases (0.7-1.2 s on 1M cases).
    matches = []
    if iins:
        matches.append(Party.iin_bin.in_(sorted(iins)))
    if names:
        matches.append(Party.name_folded.in_(sorted(names)))
    region = Case.region_id
    if db.engine.dialect.name == "sqlite":
        # SQLite (no statistics) would otherwise walk the region's cases; a unary plus keeps the region out
        # of its index choice, so the party indexes drive (MULTI-INDEX OR) and each hit is one case lookup.
        region = literal_column('+"case".region_id', type_=Case.region_id.type)
    query = (select(Party.case_id, Case.number, Party.full_name, Party.iin_bin, Party.name_folded)
             .join(Case, Case.id == Party.case_id)
             .where(region == region_id, Case.state != CaseState.CLOSED, or_(*matches))
             .order_by(Case.id.desc()).limit(20))
    if exclude_case_id is not None:
        query = query.where(Case.id != exclude_case_id)
    return [DuplicateHit(row.case_id, row.number, row.full_name, "iin" if row.iin_bin in iins else "name")
            for row in db.session.execute(query)]


def search_text_of(number: str, parties) -> str:
    """What case search matches: the number, the parties' and representatives' names, folded."""
    words = [number] + [p.full_name for p in parties] + [p.representative_name or "" for p in parties]
    return fold(" ".join(w for w in words if w))


def register_case(actor: Actor, data: IntakeData, *, ip: str | None, now: datetime, today: date) -> Case:
    """Register a new appeal at a Friendship House and give it its number."""
    if actor.role not in (Role.COORDINATOR, Role.MANAGER):
        raise NotAllowed(actor_id=actor.id, action="register_case")
    house = db.session.get(FriendshipHouse, data.house_id)
    _check(actor, data, house, today)
    year = data.received_on.year
    sequence = next_sequence(house.region_id, year)
    number = format_number(house.region.kato2, year, sequence)
    signals = sorted(set(data.signals))
    case = Case(number=number, region_id=house.region_id, house_id=house.id, year=year, sequence=sequence,
                category=data.category, channel=data.channel, subject=data.subject, description=data.description,
                languages=sorted(set(data.languages)), interpreter_needed=data.interpreter_needed,
                tension=raise_to(data.tension, minimum_tension(signals)), tension_signals=signals,
                received_on=data.received_on, state=CaseState.REGISTERED, created_at=now, created_by_id=actor.id,
                updated_at=now, updated_by_id=actor.id)
    for position, party in enumerate(data.parties):
        case.parties.append(_party_row(position, party))
    case.search_text = search_text_of(number, case.parties)
    case.events.append(CaseEvent(at=now, actor_id=actor.id, kind="registered", to_state=CaseState.REGISTERED.value,
                                 data={"channel": data.channel.value}))
    db.session.add(case)
    db.session.flush()
    audit.record("case.create", actor_id=actor.id, ip=ip, object_type="case", object_id=case.id,
                 summary={"number": number, "parties": len(data.parties)}, now=now)
    return case


def _party_row(position: int, party: PartyData) -> Party:
    return Party(position=position, kind=party.kind, role=party.role, full_name=party.full_name,
                 name_folded=fold(party.full_name),
                 iin_bin=normalise_iin_bin(party.iin_bin) if party.iin_bin else None,
                 preferred_language=party.preferred_language, phone=party.phone, email=party.email,
                 address=party.address, representative_name=party.representative_name,
                 representative_basis=party.representative_basis, is_minor=party.is_minor,
                 ethnicity=party.ethnicity if party.ethnicity_consent_on else None,
                 ethnicity_consent_on=party.ethnicity_consent_on if party.ethnicity else None,
                 consent_mediation_on=party.consent_mediation_on,
                 consent_mediation_method=party.consent_mediation_method,
                 consent_data_on=party.consent_data_on, consent_data_method=party.consent_data_method)


@dataclass(frozen=True)
class CaseEdit:
    """The details of a case that may be corrected after intake."""

    category: CaseCategory
    channel: Channel
    subject: str
    description: str
    languages: tuple[str, ...]
    interpreter_needed: bool
    tension: TensionLevel
    signals: tuple[str, ...]


def update_case(step: Step, edit: CaseEdit) -> Case:
    """Correct a case's details; refused when someone else saved it since the form was loaded."""

    case = load_for_change(step)
    if case.state is CaseState.CLOSED:
        raise NotAllowed(actor_id=step.actor.id, case_id=case.id, reason_code="case_closed")
    signals = sorted(set(edit.signals))
    new = {"category": edit.category, "channel": edit.channel, "subject": edit.subject,
           "description": edit.description, "languages": sorted(set(edit.languages)),
           "interpreter_needed": edit.interpreter_needed,
           "tension": raise_to(edit.tension, minimum_tension(signals)), "tension_signals": signals}
    changed = sorted(name for name, value in new.items() if getattr(case, name) != value)
    if not changed:
        return case
    for name in changed:
        setattr(case, name, new[name])
    # The timeline names the fields that changed, never their (possibly confidential) content.
    record_event(case, step, "edited", data={"fields": changed})
    save(case, step)
    return case


# Who corrects parties: those who register them. Party records hold identity numbers, contacts and ethnicity.
PARTY_EDITORS = (Role.COORDINATOR, Role.MANAGER)
# The Party columns a correction may change (position, case and id never do).
PARTY_COLUMNS = ("kind", "role", "full_name", "name_folded", "iin_bin", "preferred_language", "phone", "email",
                 "address", "representative_name", "representative_basis", "is_minor", "ethnicity",
                 "ethnicity_consent_on", "consent_mediation_on", "consent_mediation_method", "consent_data_on",
                 "consent_data_method")


def may_correct_parties(actor: Actor, case: Case) -> bool:
    """True if the actor's role corrects parties and the case is still open (scope is checked on loading)."""
    return actor.role in PARTY_EDITORS and case.state is not CaseState.CLOSED


def _load_for_party_change(step: Step, action: str) -> Case:
    """The case for a change to its parties: the role first, then the case's version and state."""
    if step.actor.role not in PARTY_EDITORS:
        raise NotAllowed(actor_id=step.actor.id, action=action)
    case = load_for_change(step)
    if not may_correct_parties(step.actor, case):
        raise NotAllowed(actor_id=step.actor.id, case_id=case.id, reason_code="case_closed")
    return case


class PartyNotFound(DomainError):
    """The case has no party at that position."""

    code = "party_not_found"


def update_party(step: Step, position: int, data: PartyData) -> Case:
    """Correct one party (a misspelt name, a new phone, a consent recorded later); refused on a stale version.

    The party keeps its id, so declared conflicts, sessions and assignments that name it still do.
    """
    case = _load_for_party_change(step, "update_party")
    party = next((p for p in case.parties if p.position == position), None)
    if party is None:
        raise PartyNotFound(case_id=case.id, position=position)
    if errors := _party_errors(data):
        raise IntakeInvalid(errors=errors)
    fresh = _party_row(position, data)
    changed = [name for name in PARTY_COLUMNS if getattr(party, name) != getattr(fresh, name)]
    if not changed:
        return case
    for name in changed:
        setattr(party, name, getattr(fresh, name))
    if {"full_name", "representative_name"} & set(changed):
        case.search_text = search_text_of(case.number, case.parties)
    # Field names only: the timeline and the audit trail never carry a party's identity number or ethnicity.
    record_event(case, step, "party_edited", data={"party": position + 1,
                                                   "fields": [n for n in changed if n != "name_folded"]})
    save(case, step)
    return case


def add_party(step: Step, data: PartyData) -> Case:
    """Add a party who joined after intake (a neighbour drawn in, a second employer); refused on a stale version.

    Parties are never removed: sessions, conflicts and documents name them.
    """
    case = _load_for_party_change(step, "add_party")
    errors = _party_errors(data)
    if len(case.parties) >= MAX_PARTIES:
        errors["full_name"] = "too_many_parties"
    if errors:
        raise IntakeInvalid(errors=errors)
    position = max((p.position for p in case.parties), default=-1) + 1
    case.parties.append(_party_row(position, data))
    case.search_text = search_text_of(case.number, case.parties)
    record_event(case, step, "party_added", data={"party": position + 1})
    save(case, step)
    return case
