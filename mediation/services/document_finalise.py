"""Finalising: registry number, frozen snapshot, the PDF rendered once with its SHA-256, and who did it."""

import hashlib
import secrets

from sqlalchemy.dialects import postgresql, sqlite

from ..domain.agreement import DocumentPolicy, DocumentStatus, Missing, Numbering, missing_items
from ..domain.errors import DomainError, NotAllowed
from ..domain.policies import can_finalise_document
from ..extensions import db
from ..models import Document, DocumentNumberCounter
from . import audit
from .case_access import access_of
from .clock import local_date
from .document_facts import case_mediators, facts_for, snapshot_of
from .documents import Act, NotADraft, load, stale


class Incomplete(DomainError):
    """Required items are missing (missing: list of domain Missing)."""

    code = "document_incomplete"


def missing_for(document: Document, case, today) -> list[Missing]:
    """What the draft still lacks, per domain/agreement.py."""
    return missing_items(facts_for(document, case, case_mediators(case.id)), today=today, policy=DocumentPolicy())


def next_sequence(region_id: int, year: int) -> int:
    """Take the next document sequence of the region and year (one atomic upsert; the row stays locked)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = DocumentNumberCounter.__table__
    statement = (dialect.insert(table).values(region_id=region_id, year=year, last=1)
                 .on_conflict_do_update(index_elements=[table.c.region_id, table.c.year],
                                        set_={"last": table.c.last + 1})
                 .returning(table.c.last))
    return db.session.execute(statement).scalar_one()


def finalise(act: Act, document_id: int, version: int, *, render, verify_url) -> Document:
    """Number, freeze, render once and store the document; the superseded original is marked as such.

    `render(snapshot) -> Rendered` and `verify_url(token) -> str` come from the caller (the print module),
    so this use case stays free of templates and configuration.
    """
    document, case = load(act.actor, document_id, lock=True)
    if not can_finalise_document(act.actor, access_of(case)):
        raise NotAllowed(actor_id=act.actor.id, document_id=document_id)
    if document.status is not DocumentStatus.DRAFT:
        raise NotADraft(document_id=document_id)
    if document.version != version:
        raise stale(document)
    today = local_date(act.now)
    missing = missing_for(document, case, today)
    if missing:
        raise Incomplete(document_id=document_id, missing=missing)
    original = db.session.get(Document, document.supersedes_id, with_for_update=True) \
        if document.supersedes_id else None
    if original is not None and original.status is not DocumentStatus.FINAL:
        raise NotADraft(document_id=original.id, reason_code="already_superseded")
    if original is not None:  # a correction keeps the original's number, with its revision appended
        year, sequence = original.year, original.sequence
    else:
        year, sequence = today.year, next_sequence(case.region_id, today.year)
    number = Numbering(case.region.kato2, year, sequence, document.kind, document.revision).text()
    token = secrets.token_urlsafe(24)
    snapshot = snapshot_of(document, case, case_mediators(case.id), number=number, verify_url=verify_url(token),
                           supersedes_number=original.number if original else None)
    rendered = render(snapshot)  # DocumentTooLong beyond the page cap: nothing has been written yet
    document.snapshot, document.number, document.year, document.sequence = snapshot, number, year, sequence
    document.verify_token, document.pdf, document.page_count = token, rendered.pdf, rendered.pages
    document.sha256 = hashlib.sha256(rendered.pdf).hexdigest()
    document.status, document.finalised_at, document.finalised_by_id = DocumentStatus.FINAL, act.now, act.actor.id
    document.updated_at, document.updated_by_id = act.now, act.actor.id
    if original is not None:
        original.status = DocumentStatus.SUPERSEDED
        original.updated_at, original.updated_by_id = act.now, act.actor.id
    db.session.flush()
    audit.record("document.finalised", actor_id=act.actor.id, ip=act.ip, object_type="document",
                 object_id=document.id, summary={"number": number, "kind": document.kind.value,
                                                 "pages": rendered.pages, "sha256": document.sha256,
                                                 "supersedes": original.id if original else None}, now=act.now)
    return document
