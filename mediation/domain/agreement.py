"""Settlement documents: kinds, the facts each needs, and what is still missing before it can be finalised.

Pure rules (no Flask, no database): the services gather the facts from the case and the draft, this module
says which required items are absent or invalid, as codes the web edge turns into messages.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .case_states import TerminationGround
from .errors import DomainError


class DocumentKind(StrEnum):
    """The documents the law asks for (Art. 21, 26, 27) and the extension of the term (Art. 20)."""

    CONTRACT = "contract"
    AGREEMENT = "agreement"
    TERMINATION = "termination"
    EXTENSION = "extension"


class DocumentStatus(StrEnum):
    """A draft is edited; a final document never changes; a corrected one stays on file as superseded."""

    DRAFT = "draft"
    FINAL = "final"
    SUPERSEDED = "superseded"


class DocumentLanguage(StrEnum):
    """Kazakh, Russian, or both side by side."""

    KK = "kk"
    RU = "ru"
    BOTH = "both"


# The letter of each kind in the registry number (75-2026-A-00012): ASCII, so numbers work in file names.
KIND_LETTER = {DocumentKind.CONTRACT: "C", DocumentKind.AGREEMENT: "A", DocumentKind.TERMINATION: "T",
               DocumentKind.EXTENSION: "E"}
ALL_PARTIES = "all"  # a term every party performs together


@dataclass(frozen=True)
class DocumentPolicy:
    """Limits on drafts (configuration: practice may ask for other values)."""

    max_terms: int = 250
    max_action_length: int = 2000
    due_horizon_days: int = 5 * 366  # a term due more than five years after signing is surely a typo
    date_ahead_days: int = 30  # the signing may be planned, but not months ahead
    max_extension_days: int = 30


@dataclass(frozen=True)
class PartyFacts:
    """A party as the document prints it; the name is never translated."""

    position: int
    name: str
    kind: str = "person"
    iin_bin: str | None = None
    address: str | None = None
    phone: str | None = None
    representative_name: str | None = None
    representative_basis: str | None = None


@dataclass(frozen=True)
class Term:
    """One agreed term: who (a party position or ALL_PARTIES) does what, by when."""

    obliged: str
    action: str
    due_on: date | None


@dataclass(frozen=True)
class DocumentFacts:
    """Everything the completeness rules look at, for any kind of document."""

    kind: DocumentKind
    parties: tuple[PartyFacts, ...] = ()
    mediator_names: tuple[str, ...] = ()
    professional_mediator: bool = False
    subject: str = ""
    place: str = ""
    signed_on: date | None = None
    received_on: date | None = None
    contract_signed_on: date | None = None
    mediation_languages: tuple[str, ...] = ()
    meeting_time: str = ""
    fee: str = ""
    terms: tuple[Term, ...] = ()
    performance_check: str = ""
    non_performance: str = ""
    partial: bool = False
    unresolved: str = ""
    ground: str | None = None
    effective_on: date | None = None
    extension_days: int | None = None
    extension_reason: str = ""
    agreed_on: date | None = None
    deadline: date | None = None


@dataclass(frozen=True)
class Missing:
    """One thing that blocks finalising: a code, the draft field it concerns, and the item's index if any."""

    code: str
    field: str
    index: int | None = None


class TermInvalid(DomainError):
    """A term cannot be added or kept as it is (field, reason_code)."""

    code = "term_invalid"


class DocumentTooLong(DomainError):
    """The laid-out document exceeds the page cap (pages, cap)."""

    code = "document_too_long"


def check_due_date(due_on: date | None, *, signed_on: date | None, today: date,
                   policy: DocumentPolicy = DocumentPolicy()) -> str | None:
    """The reason a term's due date is wrong (a code), or None when it is acceptable."""
    if due_on is None:
        return "due_required"
    start = signed_on or today
    if signed_on is not None and due_on < signed_on:
        return "due_before_signing"
    if due_on > start + timedelta(days=policy.due_horizon_days):
        return "due_too_far"
    return None


def check_term(term: Term, *, positions: set[int], signed_on: date | None, today: date,
               policy: DocumentPolicy = DocumentPolicy()) -> None:
    """Refuse a term with no obliged party, no action or a wrong due date (TermInvalid)."""
    if term.obliged != ALL_PARTIES and not (term.obliged.isdigit() and int(term.obliged) in positions):
        raise TermInvalid(field="obliged", reason_code="obliged_required")
    if not term.action.strip():
        raise TermInvalid(field="action", reason_code="action_required")
    if len(term.action) > policy.max_action_length:
        raise TermInvalid(field="action", reason_code="action_too_long", limit=policy.max_action_length)
    reason = check_due_date(term.due_on, signed_on=signed_on, today=today, policy=policy)
    if reason:
        raise TermInvalid(field="due_on", reason_code=reason)


def missing_items(facts: DocumentFacts, *, today: date, policy: DocumentPolicy = DocumentPolicy()) -> list[Missing]:
    """List what the document still lacks; an empty list means it may be finalised."""
    found: list[Missing] = []
    found += _common(facts, today, policy)
    found += {DocumentKind.AGREEMENT: _agreement, DocumentKind.CONTRACT: _contract,
              DocumentKind.TERMINATION: _termination, DocumentKind.EXTENSION: _extension}[facts.kind](
        facts, today, policy)
    return found


def _common(facts: DocumentFacts, today: date, policy: DocumentPolicy) -> list[Missing]:
    found = []
    if len(facts.parties) < 2:
        found.append(Missing("parties_too_few", "parties"))
    for index, party in enumerate(facts.parties):
        if not party.iin_bin:
            found.append(Missing("party_id", "parties", index))
        if party.representative_name and not party.representative_basis:
            found.append(Missing("party_representative_basis", "parties", index))
    if not facts.place.strip():
        found.append(Missing("place", "place"))
    if facts.signed_on is None:
        found.append(Missing("signed_on", "signed_on"))
    else:
        if facts.signed_on > today + timedelta(days=policy.date_ahead_days):
            found.append(Missing("date_too_far", "signed_on"))
        if facts.received_on and facts.signed_on < facts.received_on:
            found.append(Missing("date_before_received", "signed_on"))
    if facts.kind is not DocumentKind.CONTRACT and facts.contract_signed_on is None:
        found.append(Missing("mediation_not_started", "signed_on"))
    return found


def _agreement(facts: DocumentFacts, today: date, policy: DocumentPolicy) -> list[Missing]:
    found = []
    if not facts.subject.strip():
        found.append(Missing("subject", "subject"))
    if not facts.mediator_names:
        found.append(Missing("mediator", "mediators"))
    if facts.signed_on and facts.contract_signed_on and facts.signed_on < facts.contract_signed_on:
        found.append(Missing("date_before_contract", "signed_on"))
    if not facts.terms:
        found.append(Missing("terms", "terms"))
    if len(facts.terms) > policy.max_terms:
        found.append(Missing("too_many_terms", "terms"))
    positions = {p.position for p in facts.parties}
    for index, term in enumerate(facts.terms):
        try:
            check_term(term, positions=positions, signed_on=facts.signed_on, today=today, policy=policy)
        except TermInvalid as error:
            found.append(Missing(f"term_{error.reason_code}", "terms", index))
    if not facts.performance_check.strip():
        found.append(Missing("performance_check", "performance_check"))
    if not facts.non_performance.strip():
        found.append(Missing("non_performance", "non_performance"))
    if facts.partial and not facts.unresolved.strip():
        found.append(Missing("unresolved", "unresolved"))
    return found


def _contract(facts: DocumentFacts, today: date, policy: DocumentPolicy) -> list[Missing]:
    found = []
    for index, party in enumerate(facts.parties):
        if not party.address:
            found.append(Missing("party_address", "parties", index))
        if not party.phone:
            found.append(Missing("party_phone", "parties", index))
    if not facts.subject.strip():
        found.append(Missing("subject", "subject"))
    if not facts.mediator_names:
        found.append(Missing("mediator", "mediators"))
    if not facts.meeting_time.strip():
        found.append(Missing("meeting_time", "meeting_time"))
    if not facts.mediation_languages:
        found.append(Missing("mediation_language", "mediation_language"))
    # Public mediators of the Assembly work free of charge; a professional mediator's fee must be stated.
    if facts.professional_mediator and not facts.fee.strip():
        found.append(Missing("fee", "fee"))
    return found


def _termination(facts: DocumentFacts, today: date, policy: DocumentPolicy) -> list[Missing]:
    found = []
    if facts.ground not in {g.value for g in TerminationGround}:
        found.append(Missing("ground", "ground"))
    if facts.effective_on is None:
        found.append(Missing("effective_on", "effective_on"))
    elif facts.contract_signed_on and facts.effective_on < facts.contract_signed_on:
        found.append(Missing("effective_before_contract", "effective_on"))
    return found


def _extension(facts: DocumentFacts, today: date, policy: DocumentPolicy) -> list[Missing]:
    found = []
    if not facts.extension_days or not 0 < facts.extension_days <= policy.max_extension_days:
        found.append(Missing("extension_days", "extension_days"))
    if not facts.extension_reason.strip():
        found.append(Missing("extension_reason", "extension_reason"))
    if facts.agreed_on is None:
        found.append(Missing("agreed_on", "agreed_on"))
    elif facts.deadline and facts.agreed_on > facts.deadline:
        found.append(Missing("agreed_after_deadline", "agreed_on"))
    return found


@dataclass(frozen=True)
class Numbering:
    """A registry number: region, year, sequence and the revision of a corrected document."""

    kato2: str
    year: int
    sequence: int
    kind: DocumentKind
    revision: int = 1

    def text(self) -> str:
        """75-2026-A-00012, and 75-2026-A-00012-2 for its first correction."""
        base = f"{self.kato2}-{self.year}-{KIND_LETTER[self.kind]}-{self.sequence:05d}"
        return base if self.revision == 1 else f"{base}-{self.revision}"
