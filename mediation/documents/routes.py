"""The documents of a case, a new draft, the document page, its PDF (stored or draft preview) and scans."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import document_print
from ..cases.common import visible_case
from ..domain.agreement import DocumentKind, DocumentLanguage, DocumentStatus
from ..domain.errors import NotAllowed
from ..domain.policies import can_draft_document
from ..domain.roles import Role
from ..extensions import db
from ..services import audit
from ..services.case_access import access_of
from ..services.document_facts import case_mediators, snapshot_of
from ..services.document_files import FileRefused, scan_for
from ..services.document_queries import documents_of_case
from ..services.documents import DocumentNotFound, create_draft
from ..web.access import client_ip, requires
from ..web.database import writes
from . import bp
from .common import act, document_page, visible_document
from .forms import NewDocumentForm

READERS = (Role.COORDINATOR, Role.MANAGER, Role.MEDIATOR)


def _case_page(case_id: int, form: NewDocumentForm | None = None, status: int = 200):
    case = visible_case(case_id)
    may_draft = can_draft_document(current_user.actor, access_of(case))
    return render_template("documents/case.html", case=case, documents=documents_of_case(case.id),
                           form=form or (NewDocumentForm() if may_draft else None)), status


@bp.get("/case/<id:case_id>")
@requires(*READERS)
def case_documents(case_id: int):
    """The documents of one case, and a new draft for its mediators."""
    return _case_page(case_id)


@bp.post("/case/<id:case_id>")
@requires(Role.MEDIATOR)
def new_draft(case_id: int):
    """Start a draft (only the case's mediators draft)."""
    form = NewDocumentForm()
    if not form.validate_on_submit():
        return _case_page(case_id, form, 422)
    try:
        document = create_draft(act(), case_id, DocumentKind(form.kind.data), DocumentLanguage(form.language.data))
    except DocumentNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    db.session.commit()
    return redirect(url_for("documents.detail", document_id=document.id))


@bp.get("/<id:document_id>")
@requires(*READERS)
def detail(document_id: int):
    """The document: the draft editor with what is missing, or the finalised record and its paper copy."""
    document, case = visible_document(document_id)
    return document_page(document, case)


@bp.get("/<id:document_id>/pdf")
@requires(*READERS)
@writes  # every download is recorded: the PDF carries the parties' names
def pdf(document_id: int):
    """The stored PDF of a finalised document, byte for byte as registered."""
    document, _case = visible_document(document_id)
    if document.status is DocumentStatus.DRAFT:
        abort(404)
    audit.record("document.downloaded", actor_id=current_user.id, ip=client_ip(), object_type="document",
                 object_id=document.id)
    db.session.commit()
    return Response(document.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{document.number}.pdf"'})


@bp.get("/<id:document_id>/preview")
@requires(*READERS)
@writes  # a preview carries the parties' names too: recorded like a download
def preview(document_id: int):
    """A draft rendered for reading, marked DRAFT, without a number or QR code; nothing else is stored."""
    document, case = visible_document(document_id)
    if document.status is not DocumentStatus.DRAFT:
        return redirect(url_for("documents.pdf", document_id=document.id))
    audit.record("document.previewed", actor_id=current_user.id, ip=client_ip(), object_type="document",
                 object_id=document.id)
    db.session.commit()
    snapshot = snapshot_of(document, case, case_mediators(case.id), number=None, verify_url=None)
    try:
        rendered = document_print.print_document(snapshot, draft=True)
    except document_print.TooManyPages as error:
        flash(_("The document would have %(pages)d pages; at most %(cap)d are allowed. Shorten the terms.",
                pages=error.pages, cap=error.cap), "danger")
        return redirect(url_for("documents.detail", document_id=document.id))
    return Response(rendered.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="draft-{document.id}.pdf"'})


@bp.get("/<id:document_id>/scans/<id:scan_id>")
@requires(*READERS)
@writes
def scan(document_id: int, scan_id: int):
    """A filed scan, for those who may read the case (audited)."""
    try:
        found = scan_for(act(), document_id, scan_id)
    except (DocumentNotFound, FileRefused):
        abort(404)
    db.session.commit()
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[found.mime_type]
    return Response(found.data, mimetype=found.mime_type, headers={
        "Content-Disposition": f'attachment; filename="scan-{document_id}-{found.id}.{extension}"'})
