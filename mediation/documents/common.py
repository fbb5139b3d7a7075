"""Helpers shared by the document views: the acting user, loading a document or 404, the page's context."""

from datetime import date

from flask import abort, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from ..domain.agreement import DocumentKind, DocumentStatus
from ..domain.policies import can_draft_document, can_file_paper, can_finalise_document
from ..services.case_access import access_of
from ..services.clock import local_date, utcnow
from ..services.document_facts import number_of
from ..services.document_finalise import missing_for
from ..services.documents import Act, DocumentNotFound, load
from ..web.access import client_ip
from ..web.document_messages import missing_message
from .forms import (
    FIELD_FORMS,
    CorrectionForm,
    FinaliseForm,
    ScanForm,
    SignedForm,
    TermForm,
    TermRowForm,
)


def act() -> Act:
    """The signed-in user acting now."""
    return Act(actor=current_user.actor, now=utcnow(), ip=client_ip())


def visible_document(document_id: int):
    """The document and its case if the user may read them; 404 otherwise."""
    try:
        return load(current_user.actor, document_id)
    except DocumentNotFound:
        abort(404)


def with_parties(form: TermForm, case) -> TermForm:
    """Offer the case's parties (by number, names as data) and "all parties" as the obliged party."""
    form.obliged.choices = [("", "—")] + [(str(number_of(p)), f"{number_of(p)}. {p.full_name}") for p in case.parties] \
        + [("all", _("All parties"))]
    return form


def fields_form(document, formdata=None):
    """The draft-fields form of the document's kind, prefilled from the draft."""
    content = dict(document.content or {})
    form_cls = FIELD_FORMS[document.kind]
    data = {**content, "language": document.language.value, "version": document.version}
    for name in ("signed_on", "effective_on", "agreed_on"):
        if content.get(name):
            data[name] = date.fromisoformat(content[name])
    return form_cls(formdata=formdata, data=data) if formdata is not None else form_cls(data=data)


def document_page(document, case, *, forms: dict | None = None, status: int = 200):
    """Render the document page with the forms the user may use; `forms` replaces some with submitted ones."""
    access = access_of(case)
    actor = current_user.actor
    draft = document.status is DocumentStatus.DRAFT
    may_draft = draft and can_draft_document(actor, access)
    page_forms: dict = {}
    if may_draft:
        page_forms["fields"] = fields_form(document)
        if document.kind is DocumentKind.AGREEMENT:
            page_forms["term"] = with_parties(TermForm(version=document.version), case)
            page_forms["row"] = TermRowForm(version=document.version)
    if draft and can_finalise_document(actor, access):
        page_forms["finalise"] = FinaliseForm(version=document.version)
    if not draft and can_file_paper(actor, access):
        page_forms["signed"] = SignedForm()
        page_forms["scan"] = ScanForm()
    if document.status is DocumentStatus.FINAL and can_draft_document(actor, access):
        page_forms["correct"] = CorrectionForm()
    page_forms.update(forms or {})
    missing = [missing_message(m) for m in missing_for(document, case, local_date(utcnow()))] if draft else []
    names = {str(number_of(p)): p.full_name for p in case.parties}
    return render_template("documents/document.html", document=document, case=case, forms=page_forms,
                           missing=missing, party_names=names,
                           scan_limit_mb=current_app.config["DOCUMENT_SCAN_MAX_BYTES"] // (1024 * 1024)), status


def register_labels(bp) -> None:
    """The label tables the document templates use (kinds, statuses, languages)."""
    from ..web.document_messages import KIND, LANGUAGE, STATUS

    @bp.context_processor
    def document_labels():
        return {"doc_kind": KIND, "doc_status": STATUS, "doc_language": LANGUAGE}
