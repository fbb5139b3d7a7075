"""Finalising (managers), corrections (mediators), the signed paper copy and its scan."""

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _

from .. import document_print
from ..domain.agreement import DocumentTooLong
from ..domain.errors import NotAllowed
from ..domain.roles import Role
from ..extensions import db
from ..services import document_files
from ..services.document_finalise import Incomplete, finalise
from ..services.documents import DocumentNotFound, NotADraft, StaleDocument, start_correction
from ..web.access import requires
from ..web.document_messages import missing_message, refusal_message
from ..web.forms import add_field_error
from . import bp
from .common import act, document_page, visible_document
from .forms import CorrectionForm, FinaliseForm, ScanForm, SignedForm

FILERS = (Role.COORDINATOR, Role.MANAGER, Role.MEDIATOR)


@bp.post("/<id:document_id>/finalise")
@requires(Role.MANAGER)
def finalise_document(document_id: int):
    """Give the document its number, freeze it, render and store the PDF (managers of the case's scope)."""
    visible_document(document_id)
    form = FinaliseForm()
    if not form.validate_on_submit():
        return document_page(*visible_document(document_id), forms={"finalise": form}, status=422)
    try:
        document = finalise(act(), document_id, form.version.data, render=document_print.render_final,
                            verify_url=document_print.verify_url)
    except NotAllowed:
        abort(403)
    except StaleDocument as error:
        db.session.rollback()
        flash(_("%(who)s changed this draft at %(when)s. Check the latest version before finalising.",
                who=error.changed_by, when=error.changed_at.strftime("%H:%M")), "danger")
        return document_page(*visible_document(document_id), status=409)
    except NotADraft:
        db.session.rollback()
        flash(_("This document is already finalised."), "warning")
        return redirect(url_for("documents.detail", document_id=document_id))
    except Incomplete as error:
        db.session.rollback()
        add_field_error(form, form.submit, _("The document cannot be finalised yet: %(items)s",
                                             items=" ".join(missing_message(m) for m in error.missing)))
        return document_page(*visible_document(document_id), forms={"finalise": form}, status=422)
    except DocumentTooLong as error:
        db.session.rollback()
        add_field_error(form, form.submit, _("The document would have %(pages)d pages; at most %(cap)d are allowed. "
                                             "Shorten the terms or split the agreement.", pages=error.pages,
                                             cap=error.cap))
        return document_page(*visible_document(document_id), forms={"finalise": form}, status=422)
    db.session.commit()
    flash(_("Registered as № %(number)s.", number=document.number), "success")
    return redirect(url_for("documents.detail", document_id=document.id))


@bp.post("/<id:document_id>/correct")
@requires(Role.MEDIATOR)
def correct(document_id: int):
    """Start a corrected version; the original stays on file and is superseded when the correction is finalised."""
    visible_document(document_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return document_page(*visible_document(document_id), forms={"correct": form}, status=422)
    try:
        draft = start_correction(act(), document_id)
    except (NotAllowed, DocumentNotFound):
        abort(403)
    except NotADraft:
        db.session.rollback()
        flash(_("Only the current finalised version can be corrected."), "warning")
        return redirect(url_for("documents.detail", document_id=document_id))
    db.session.commit()
    return redirect(url_for("documents.detail", document_id=draft.id))


@bp.post("/<id:document_id>/signed")
@requires(*FILERS)
def mark_signed(document_id: int):
    """Record the date the parties signed the paper copy."""
    visible_document(document_id)
    form = SignedForm()
    if form.validate_on_submit():
        try:
            document_files.mark_signed(act(), document_id, form.signed_on.data)
        except NotAllowed:
            abort(403)
        except (document_files.FileRefused, NotADraft) as error:
            db.session.rollback()
            add_field_error(form, form.signed_on, refusal_message(error.data.get("reason_code", "")))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("documents.detail", document_id=document_id))
    return document_page(*visible_document(document_id), forms={"signed": form}, status=422)


@bp.post("/<id:document_id>/scans")
@requires(*FILERS)
def upload_scan(document_id: int):
    """File the scan of the signed copy (type checked by content, size-limited, kept out of static/)."""
    visible_document(document_id)
    form = ScanForm()
    limit = current_app.config["DOCUMENT_SCAN_MAX_BYTES"]
    if form.validate_on_submit():
        upload = form.scan.data
        data = upload.read(limit + 1) if upload else b""
        try:
            document_files.attach_scan(act(), document_id, data, max_bytes=limit)
        except NotAllowed:
            abort(403)
        except (document_files.FileRefused, NotADraft) as error:
            db.session.rollback()
            add_field_error(form, form.scan, refusal_message(error.data.get("reason_code", ""),
                                                             mb=limit // (1024 * 1024)))
        else:
            db.session.commit()
            flash(_("The scan is filed."), "success")
            return redirect(url_for("documents.detail", document_id=document_id))
    return document_page(*visible_document(document_id), forms={"scan": form}, status=422)
