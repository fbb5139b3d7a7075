"""Reading documents: a case's documents, the managers' registry (scoped like cases), batch print bundles."""

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..domain.agreement import DocumentKind, DocumentStatus
from ..domain.roles import Actor, ScopeLevel
from ..extensions import db
from ..models import Document
from .clock import ALMATY_OFFSET_HOURS


@dataclass(frozen=True)
class DocumentFilter:
    """Registry filters; every one optional. Dates are Kazakh calendar days of finalising."""

    region_id: int | None = None
    house_id: int | None = None
    kind: DocumentKind | None = None
    status: DocumentStatus | None = None
    date_from: date | None = None
    date_to: date | None = None


def documents_of_case(case_id: int) -> list[Document]:
    """Every document of the case, newest first (the caller has already checked the case)."""
    return list(db.session.scalars(select(Document).where(Document.case_id == case_id)
                                   .order_by(Document.id.desc())))


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0)) - timedelta(hours=ALMATY_OFFSET_HOURS)


def registry_query(actor: Actor, flt: DocumentFilter):
    """The select of the registry: the actor's scope first (as for cases), then the filters; drafts excluded
    unless asked for."""
    query = select(Document)
    if actor.scope_level is ScopeLevel.REGION:
        query = query.where(Document.region_id == actor.region_id)
    elif actor.scope_level is ScopeLevel.HOUSE:
        query = query.where(Document.house_id == actor.house_id)
    if flt.region_id:
        query = query.where(Document.region_id == flt.region_id)
    if flt.house_id:
        query = query.where(Document.house_id == flt.house_id)
    if flt.kind:
        query = query.where(Document.kind == flt.kind)
    if flt.status:
        query = query.where(Document.status == flt.status)
    else:
        query = query.where(Document.status != DocumentStatus.DRAFT)
    if flt.date_from:
        query = query.where(Document.finalised_at >= _utc(flt.date_from))
    if flt.date_to:
        query = query.where(Document.finalised_at < _utc(flt.date_to + timedelta(days=1)))
    return query


def list_registry(actor: Actor, flt: DocumentFilter, *, limit: int = 200) -> list[Document]:
    """One page of the registry, newest first."""
    return list(db.session.scalars(registry_query(actor, flt).order_by(Document.finalised_at.desc().nulls_last(),
                                                                       Document.id.desc()).limit(limit)))


def printable(actor: Actor, flt: DocumentFilter, *, limit: int) -> list[tuple[int, str]]:
    """(id, number) of the finalised or superseded documents of the filtered set, oldest first; one more than
    the limit is returned so the caller can tell the set is too large."""
    query = registry_query(actor, flt).where(Document.number.is_not(None))
    rows = db.session.execute(query.with_only_columns(Document.id, Document.number)
                              .order_by(Document.finalised_at, Document.id).limit(limit + 1))
    return [(row.id, row.number) for row in rows]


def stored_pdfs(items: Iterable[tuple[int, str]]) -> Iterator[tuple[str, bytes]]:
    """(number, PDF bytes) one document at a time, so a batch of thousands never sits in memory whole."""
    for document_id, number in items:
        yield number, db.session.scalar(select(Document.pdf).where(Document.id == document_id))


def merged_pdf(pdfs: Iterable[tuple[str, bytes]], progress: Callable[[int], None] | None = None) -> bytes:
    """One PDF of every document in order (the stored bytes, never re-rendered)."""
    from pypdf import PdfReader, PdfWriter  # here, not at import: only merging needs it (0.08 s at every start)

    writer = PdfWriter()
    for _number, data in pdfs:
        writer.append(PdfReader(io.BytesIO(data)))
        if progress:
            progress(1)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_of(pdfs: Iterable[tuple[str, bytes]], progress: Callable[[int], None] | None = None) -> bytes:
    """A ZIP of the stored PDFs, one file per document named by its number (numbers are ASCII)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, data in pdfs:
            archive.writestr(f"{number}.pdf", data)
            if progress:
                progress(1)
    return buffer.getvalue()
