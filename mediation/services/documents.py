"""Drafting settlement documents: create a draft from the case, edit its fields and terms, start a correction.

Only the case's mediators draft (domain/policies.py). Every save is a new draft version (optimistic lock:
a stale form is refused with who changed it and when) and is audited.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm.exc import StaleDataError

from ..domain.agreement import (
    DocumentKind,
    DocumentLanguage,
    DocumentPolicy,
    DocumentStatus,
    Term,
    TermInvalid,
    check_term,
)
from ..domain.errors import DomainError, NotAllowed
from ..domain.policies import can_draft_document, can_read_documents
from ..domain.roles import Actor
from ..extensions import db
from ..models import Case, Document, User
from . import audit
from .case_access import CaseNotFound, access_of, case_for
from .clock import local_date
from .document_facts import iso, number_of, parse_date

# The draft fields each kind has (besides its terms); anything else in a submitted change is ignored.
FIELDS = {
    DocumentKind.AGREEMENT: ("place", "signed_on", "subject", "performance_check", "non_performance", "partial",
                             "unresolved"),
    DocumentKind.CONTRACT: ("place", "signed_on", "subject", "meeting_time", "fee", "procedure"),
    DocumentKind.TERMINATION: ("place", "signed_on", "ground", "effective_on"),
    DocumentKind.EXTENSION: ("place", "signed_on", "extension_days", "extension_reason", "agreed_on"),
}
DATE_FIELDS = ("signed_on", "effective_on", "agreed_on")
DEFAULT_POLICY = DocumentPolicy()


class DocumentNotFound(DomainError):
    """No such document, or one the actor may not know exists."""

    code = "document_not_found"


class StaleDocument(DomainError):
    """Someone saved the draft since this form was loaded (changed_by, changed_at)."""

    code = "stale_document"


class NotADraft(DomainError):
    """The document is finalised: it never changes; a correction is a new version."""

    code = "not_a_draft"


@dataclass(frozen=True)
class Act:
    """Who acts, when and from where."""

    actor: Actor
    now: datetime
    ip: str | None = None


def load(actor: Actor, document_id: int, *, lock: bool = False) -> tuple[Document, Case]:
    """The document and its case if the actor may read them; DocumentNotFound otherwise (existence stays private)."""
    document = db.session.get(Document, document_id, with_for_update=lock or None, populate_existing=lock)
    if document is None:
        raise DocumentNotFound(document_id=document_id)
    case = db.session.get(Case, document.case_id)
    if not can_read_documents(actor, access_of(case)):
        raise DocumentNotFound(document_id=document_id)
    return document, case


def load_draft(act: Act, document_id: int, version: int) -> tuple[Document, Case]:
    """A draft the actor may edit, at the version the form was loaded with."""
    document, case = load(act.actor, document_id, lock=True)
    if not can_draft_document(act.actor, access_of(case)):
        raise NotAllowed(actor_id=act.actor.id, document_id=document_id)
    if document.status is not DocumentStatus.DRAFT:
        raise NotADraft(document_id=document_id)
    if document.version != version:
        raise stale(document)
    return document, case


def stale(document: Document) -> StaleDocument:
    """The refusal of a stale save, naming who saved last and when."""
    editor = db.session.get(User, document.updated_by_id) if document.updated_by_id else None
    return StaleDocument(document_id=document.id, changed_by=editor.full_name if editor else "—",
                         changed_at=document.updated_at)


def create_draft(act: Act, case_id: int, kind: DocumentKind, language: DocumentLanguage) -> Document:
    """A new draft of the kind, prefilled from the case (place, date, subject, Art. 26 ground, extension)."""
    try:
        case = case_for(act.actor, case_id)
    except CaseNotFound:
        raise DocumentNotFound(case_id=case_id) from None
    if not can_draft_document(act.actor, access_of(case)):
        raise NotAllowed(actor_id=act.actor.id, case_id=case_id)
    today = local_date(act.now)
    content = {"place": case.house.city if case.house.city not in ("", "—") else "", "signed_on": iso(today),
               "subject": case.subject, "terms": []}
    if kind is DocumentKind.TERMINATION:
        content.update(ground=case.termination_ground.value if case.termination_ground else "",
                       effective_on=iso(case.terminated_on))
    if kind is DocumentKind.EXTENSION and case.extension_days:
        content.update(extension_days=case.extension_days, extension_reason=case.extension_reason or "")
    if kind is DocumentKind.CONTRACT and case.contract_signed_on:
        content["signed_on"] = iso(case.contract_signed_on)
    document = Document(case_id=case.id, region_id=case.region_id, house_id=case.house_id, kind=kind,
                        language=language, status=DocumentStatus.DRAFT, content=_with_deadlines(content, case),
                        created_at=act.now, created_by_id=act.actor.id, updated_at=act.now,
                        updated_by_id=act.actor.id)
    db.session.add(document)
    db.session.flush()
    audit.record("document.draft_created", actor_id=act.actor.id, ip=act.ip, object_type="document",
                 object_id=document.id, summary={"case": case.id, "kind": kind.value}, now=act.now)
    return document


def _with_deadlines(content: dict, case: Case) -> dict:
    """Extensions print the old and new last day of the term, computed from the case."""
    days = content.get("extension_days")
    if case.deadline and isinstance(days, int):
        old = case.deadline - timedelta(days=case.extension_days) if case.extension_days else case.deadline
        content = {**content, "old_deadline": iso(old), "new_deadline": iso(old + timedelta(days=days))}
    return content


def save_fields(act: Act, document_id: int, version: int, changes: dict, language: DocumentLanguage) -> Document:
    """Save the draft's own fields (dates as dates, the rest as text); other keys are ignored."""
    document, case = load_draft(act, document_id, version)
    content = dict(document.content or {})
    for name in FIELDS[document.kind]:
        if name not in changes:
            continue
        value = changes[name]
        content[name] = iso(value) if name in DATE_FIELDS else value
    document.language = language
    document.content = _with_deadlines(content, case)
    return _saved(act, document, "document.draft_saved", {"fields": sorted(set(changes) & set(FIELDS[document.kind]))})


def add_term(act: Act, document_id: int, version: int, term: Term, policy: DocumentPolicy = DEFAULT_POLICY) -> Document:
    """Append a term after checking its party, action and due date (TermInvalid names the field)."""
    document, case = load_draft(act, document_id, version)
    content = dict(document.content or {})
    terms = list(content.get("terms", []))
    if len(terms) >= policy.max_terms:
        raise TermInvalid(field="action", reason_code="too_many_terms", limit=policy.max_terms)
    check_term(term, positions={number_of(p) for p in case.parties}, signed_on=parse_date(content.get("signed_on")),
               today=local_date(act.now), policy=policy)
    terms.append({"obliged": term.obliged, "action": term.action.strip(), "due_on": iso(term.due_on)})
    content["terms"] = terms
    document.content = content
    return _saved(act, document, "document.term_added", {"count": len(terms)})


def move_term(act: Act, document_id: int, version: int, index: int, delta: int) -> Document:
    """Move a term one place up (delta -1) or down (+1); out-of-range moves change nothing."""
    document, _case = load_draft(act, document_id, version)
    content = dict(document.content or {})
    terms = list(content.get("terms", []))
    target = index + delta
    if 0 <= index < len(terms) and 0 <= target < len(terms):
        terms[index], terms[target] = terms[target], terms[index]
    content["terms"] = terms
    document.content = content
    return _saved(act, document, "document.term_moved", {"from": index, "to": target})


def remove_term(act: Act, document_id: int, version: int, index: int) -> Document:
    """Remove the term at the index (no-op when it is not there)."""
    document, _case = load_draft(act, document_id, version)
    content = dict(document.content or {})
    terms = list(content.get("terms", []))
    if 0 <= index < len(terms):
        del terms[index]
    content["terms"] = terms
    document.content = content
    return _saved(act, document, "document.term_removed", {"index": index})


def start_correction(act: Act, document_id: int) -> Document:
    """A new draft version of a final document, copying its content; finalising it supersedes the original."""
    document, case = load(act.actor, document_id, lock=True)
    if not can_draft_document(act.actor, access_of(case)):
        raise NotAllowed(actor_id=act.actor.id, document_id=document_id)
    if document.status is not DocumentStatus.FINAL:
        raise NotADraft(document_id=document_id, reason_code="not_final")
    existing = db.session.query(Document).filter_by(supersedes_id=document.id).first()
    if existing is not None:
        return existing  # one correction at a time: reopen the draft already started
    draft = Document(case_id=case.id, region_id=document.region_id, house_id=document.house_id, kind=document.kind,
                     language=document.language, status=DocumentStatus.DRAFT, revision=document.revision + 1,
                     supersedes_id=document.id, content=dict(document.content or {}), created_at=act.now,
                     created_by_id=act.actor.id, updated_at=act.now, updated_by_id=act.actor.id)
    db.session.add(draft)
    db.session.flush()
    audit.record("document.correction_started", actor_id=act.actor.id, ip=act.ip, object_type="document",
                 object_id=draft.id, summary={"supersedes": document.id}, now=act.now)
    return draft


def _saved(act: Act, document: Document, action: str, summary: dict) -> Document:
    document.updated_at, document.updated_by_id = act.now, act.actor.id
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise stale(db.session.get(Document, document.id)) from None
    audit.record(action, actor_id=act.actor.id, ip=act.ip, object_type="document", object_id=document.id,
                 summary={"version": document.version, **summary}, now=act.now)
    return document

