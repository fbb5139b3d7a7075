"""Editing a draft: its fields, and its terms (add, move up or down, remove). Mediators of the case only."""

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..domain.agreement import DocumentLanguage, Term, TermInvalid
from ..domain.errors import NotAllowed
from ..domain.roles import Role
from ..extensions import db
from ..services import documents as drafting
from ..web.access import requires
from ..web.document_messages import refusal_message
from ..web.forms import add_field_error
from . import bp
from .common import act, document_page, fields_form, visible_document, with_parties
from .forms import TermForm, TermRowForm


def _perform(document_id: int, form, name: str, perform: Callable, on_error: Callable | None = None):
    """Validate, perform, commit once; otherwise the page again with the message on the field (422/409)."""
    visible_document(document_id)  # 404 before anything else when the user may not know it
    if form.validate_on_submit():
        try:
            perform(form)
        except NotAllowed:
            abort(403)
        except drafting.StaleDocument as error:
            db.session.rollback()
            flash(_("%(who)s changed this draft at %(when)s. Your change was not saved; the latest version is shown.",
                    who=error.changed_by, when=error.changed_at.strftime("%H:%M")), "danger")
            return document_page(*visible_document(document_id), status=409)
        except drafting.NotADraft:
            db.session.rollback()
            flash(_("This document is finalised and cannot change; start a correction instead."), "warning")
            return redirect(url_for("documents.detail", document_id=document_id))
        except TermInvalid as error:
            db.session.rollback()
            add_field_error(form, form._fields.get(error.field, form.action),
                            refusal_message(error.reason_code))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("documents.detail", document_id=document_id, _anchor=name))
    document, case = visible_document(document_id)
    if on_error:
        on_error(form, case)
    return document_page(document, case, forms={name: form}, status=422)


@bp.post("/<id:document_id>/fields")
@requires(Role.MEDIATOR)
def save_fields(document_id: int):
    """Save the draft's own fields."""
    document, _case = visible_document(document_id)
    form = fields_form(document, formdata=request.form)

    def perform(form):
        changes = {name: form[name].data for name in drafting.FIELDS[document.kind] if name in form}
        changes = {k: (v if v is not None else "") if k not in drafting.DATE_FIELDS else v for k, v in changes.items()}
        drafting.save_fields(act(), document_id, form.version.data, changes, DocumentLanguage(form.language.data))
    return _perform(document_id, form, "fields", perform)


@bp.post("/<id:document_id>/terms")
@requires(Role.MEDIATOR)
def add_term(document_id: int):
    """Add a term: the obliged party, what they do, the due date."""
    _document, case = visible_document(document_id)
    form = with_parties(TermForm(), case)

    def perform(form):
        drafting.add_term(act(), document_id, form.version.data,
                          Term(obliged=form.obliged.data, action=form.action.data, due_on=form.due_on.data))
    return _perform(document_id, form, "term", perform, on_error=with_parties)


@bp.post("/<id:document_id>/terms/<int:index>/<any(up, down, remove):op>")
@requires(Role.MEDIATOR)
def change_term(document_id: int, index: int, op: str):
    """Move a term up or down, or remove it."""
    form = TermRowForm()

    def perform(form):
        if op == "remove":
            drafting.remove_term(act(), document_id, form.version.data, index)
        else:
            drafting.move_term(act(), document_id, form.version.data, index, -1 if op == "up" else 1)
    return _perform(document_id, form, "row", perform)
