"""The paper side of a finalised document: marking it signed, filing its scan, and public verification."""

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain.agreement import DocumentKind, DocumentStatus
from ..domain.errors import DomainError, NotAllowed
from ..domain.policies import can_file_paper
from ..extensions import db
from ..models import Document, DocumentScan, FriendshipHouse
from . import audit
from .case_access import access_of
from .clock import local_date
from .documents import Act, NotADraft, load

# Magic numbers: the type is decided by the content, never by the file name or the browser's claim.
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


class FileRefused(DomainError):
    """A signed date or scan cannot be accepted (field, reason_code)."""

    code = "file_refused"


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes really are (PDF, PNG, JPEG), or None."""
    for magic, mime in SIGNATURES:
        if data.startswith(magic):
            return mime
    return None


def _final(act: Act, document_id: int) -> Document:
    document, case = load(act.actor, document_id, lock=True)
    if not can_file_paper(act.actor, access_of(case)):
        raise NotAllowed(actor_id=act.actor.id, document_id=document_id)
    if document.status is DocumentStatus.DRAFT:
        raise NotADraft(document_id=document_id, reason_code="not_final")
    return document


def mark_signed(act: Act, document_id: int, signed_on: date) -> Document:
    """Record that the parties signed the paper copy on that day (not before finalising, not in the future)."""
    document = _final(act, document_id)
    if signed_on > local_date(act.now):
        raise FileRefused(field="signed_on", reason_code="in_future")
    if signed_on < local_date(document.finalised_at):
        raise FileRefused(field="signed_on", reason_code="before_finalised")
    document.signed_on, document.signed_marked_at, document.signed_marked_by_id = signed_on, act.now, act.actor.id
    db.session.flush()
    audit.record("document.marked_signed", actor_id=act.actor.id, ip=act.ip, object_type="document",
                 object_id=document.id, summary={"signed_on": signed_on.isoformat()}, now=act.now)
    return document


def attach_scan(act: Act, document_id: int, data: bytes, *, max_bytes: int) -> DocumentScan:
    """File a scan of the signed copy: size-limited, PDF/PNG/JPEG by content; stored in the database."""
    document = _final(act, document_id)
    if not data:
        raise FileRefused(field="scan", reason_code="empty")
    if len(data) > max_bytes:
        raise FileRefused(field="scan", reason_code="too_large", limit=max_bytes)
    mime = sniff(data)
    if mime is None:
        raise FileRefused(field="scan", reason_code="wrong_type")
    scan = DocumentScan(document_id=document.id, mime_type=mime, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_at=act.now,
                        uploaded_by_id=act.actor.id)
    db.session.add(scan)
    db.session.flush()
    audit.record("document.scan_attached", actor_id=act.actor.id, ip=act.ip, object_type="document",
                 object_id=document.id, summary={"scan": scan.id, "mime": mime, "size": len(data)}, now=act.now)
    return scan


def scan_for(act: Act, document_id: int, scan_id: int) -> DocumentScan:
    """A scan the actor may download (readers of the case only); audited, since it carries signatures."""
    document, _case = load(act.actor, document_id)
    scan = db.session.get(DocumentScan, scan_id)
    if scan is None or scan.document_id != document.id:
        raise FileRefused(field="scan", reason_code="not_found")
    audit.record("document.scan_downloaded", actor_id=act.actor.id, ip=act.ip, object_type="document",
                 object_id=document.id, summary={"scan": scan.id}, now=act.now)
    return scan


@dataclass(frozen=True)
class Verification:
    """What the public verification page may say: no names, no content."""

    number: str
    kind: DocumentKind
    finalised_on: date
    house_kk: str
    house_ru: str
    house_en: str
    current: bool
    superseded_by: str | None
    sha256: str


def verification(token: str) -> Verification | None:
    """The public facts of the document with this token, or None (unknown tokens and drafts look the same)."""
    if not token or len(token) > 64:
        return None
    document = db.session.scalar(select(Document).where(Document.verify_token == token))
    if document is None or document.status is DocumentStatus.DRAFT:
        return None
    house = db.session.get(FriendshipHouse, document.house_id)
    newer = db.session.scalar(select(Document.number).where(Document.supersedes_id == document.id,
                                                            Document.status != DocumentStatus.DRAFT))
    return Verification(number=document.number, kind=document.kind, finalised_on=local_date(document.finalised_at),
                        house_kk=house.name_kk, house_ru=house.name_ru, house_en=house.name_en,
                        current=document.status is DocumentStatus.FINAL, superseded_by=newer,
                        sha256=document.sha256)


def matches(found: Verification, data: bytes) -> bool:
    """True when the uploaded file is byte-identical to the registered PDF."""
    return hashlib.sha256(data).hexdigest() == found.sha256
