"""From a case and a draft to plain data: the facts the completeness rules read and the snapshot that is printed."""

from datetime import date

from sqlalchemy import select

from ..domain.agreement import ALL_PARTIES, DocumentFacts, DocumentKind, PartyFacts, Term
from ..extensions import db
from ..models import Case, CaseAssignment, Document, Mediator
from .case_access import WORKING_STATUSES


def iso(value: date | None) -> str | None:
    """A date as stored in JSON."""
    return value.isoformat() if value else None


def parse_date(value) -> date | None:
    """A date back from JSON (None for empty or malformed values, which the rules then report as missing)."""
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def case_mediators(case_id: int) -> list[Mediator]:
    """The mediators working on the case, lead first."""
    return list(db.session.scalars(
        select(Mediator).join(CaseAssignment, CaseAssignment.mediator_id == Mediator.id)
        .where(CaseAssignment.case_id == case_id, CaseAssignment.status.in_(WORKING_STATUSES))
        .order_by(CaseAssignment.role.desc(), CaseAssignment.id)))


def terms_of(content: dict) -> tuple[Term, ...]:
    """The draft's terms as domain values."""
    return tuple(Term(obliged=str(t.get("obliged", "")), action=str(t.get("action", "")),
                      due_on=parse_date(t.get("due_on"))) for t in content.get("terms", []))


def number_of(party) -> int:
    """A party's number in documents ("Party 1"): its 0-based position on the case plus one."""
    return party.position + 1


def facts_for(document: Document, case: Case, mediators: list[Mediator]) -> DocumentFacts:
    """What domain/agreement.py needs to decide whether the document is complete."""
    c = document.content or {}
    parties = tuple(PartyFacts(position=number_of(p), name=p.full_name, kind=p.kind.value, iin_bin=p.iin_bin,
                               address=p.address, phone=p.phone, representative_name=p.representative_name,
                               representative_basis=p.representative_basis) for p in case.parties)
    days = c.get("extension_days")
    return DocumentFacts(
        kind=document.kind, parties=parties, mediator_names=tuple(m.full_name for m in mediators),
        professional_mediator=any(m.kind == "professional" for m in mediators),
        subject=c.get("subject", ""), place=c.get("place", ""), signed_on=parse_date(c.get("signed_on")),
        received_on=case.received_on, contract_signed_on=case.contract_signed_on,
        mediation_languages=tuple(case.languages or ()), meeting_time=c.get("meeting_time", ""),
        fee=c.get("fee", ""), terms=terms_of(c), performance_check=c.get("performance_check", ""),
        non_performance=c.get("non_performance", ""), partial=bool(c.get("partial")),
        unresolved=c.get("unresolved", ""), ground=c.get("ground") or None,
        effective_on=parse_date(c.get("effective_on")), extension_days=days if isinstance(days, int) else None,
        extension_reason=c.get("extension_reason", ""), agreed_on=parse_date(c.get("agreed_on")),
        deadline=case.deadline)


def snapshot_of(document: Document, case: Case, mediators: list[Mediator], *, number: str | None,
                verify_url: str | None, supersedes_number: str | None = None) -> dict:
    """Everything the print template shows, as JSON-safe primitives: frozen on finalising, printed as is."""
    c = document.content or {}
    names = {str(number_of(p)): p.full_name for p in case.parties}
    house = case.house
    snap = {
        "kind": document.kind.value, "language": document.language.value, "number": number,
        "revision": document.revision, "supersedes_number": supersedes_number, "verify_url": verify_url,
        "place": c.get("place", ""), "date": c.get("signed_on"), "case_number": case.number,
        "house": {"kk": house.name_kk, "ru": house.name_ru}, "subject": c.get("subject", ""),
        "contract_signed_on": iso(case.contract_signed_on),
        "parties": [{"position": number_of(p), "name": p.full_name, "kind": p.kind.value, "iin_bin": p.iin_bin,
                     "address": p.address, "phone": p.phone, "representative_name": p.representative_name,
                     "representative_basis": p.representative_basis} for p in case.parties],
        "mediators": [{"name": m.full_name, "kind": m.kind, "registry_number": m.registry_number}
                      for m in mediators],
    }
    if document.kind is DocumentKind.AGREEMENT:
        snap.update(terms=[{"obliged": t.get("obliged"), "action": t.get("action", ""), "due_on": t.get("due_on"),
                            "obliged_name": "" if t.get("obliged") == ALL_PARTIES else names.get(t.get("obliged"), "")}
                           for t in c.get("terms", [])],
                    performance_check=c.get("performance_check", ""), non_performance=c.get("non_performance", ""),
                    partial=bool(c.get("partial")), unresolved=c.get("unresolved", ""))
    elif document.kind is DocumentKind.CONTRACT:
        professional = any(m.kind == "professional" for m in mediators)
        snap["contract"] = {"meeting_time": c.get("meeting_time", ""), "fee": c.get("fee", "") if professional else "",
                            "languages": list(case.languages or ()), "term_days": c.get("term_days", 30),
                            "procedure": c.get("procedure", "")}
    elif document.kind is DocumentKind.TERMINATION:
        snap["termination"] = {"ground": c.get("ground"), "effective_on": c.get("effective_on")}
    else:
        snap["extension"] = {"days": c.get("extension_days"), "reason": c.get("extension_reason", ""),
                             "agreed_on": c.get("agreed_on"), "old_deadline": c.get("old_deadline"),
                             "new_deadline": c.get("new_deadline")}
    return snap
