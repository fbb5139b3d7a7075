"""The managers' documents registry: filters, open and download, batch print as one PDF or a ZIP."""

from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..domain.agreement import DocumentKind, DocumentStatus
from ..domain.roles import Role, ScopeLevel
from ..extensions import db
from ..services import audit
from ..services import org as org_service
from ..services.clock import local_date, utcnow
from ..services.document_queries import DocumentFilter, list_registry, merged_pdf, printable, stored_pdfs, zip_of
from ..web.access import client_ip, requires
from ..web.forms import EmptyForm, id_value
from . import bp


def _enum(name: str, enum_cls):
    try:
        return enum_cls(request.args.get(name, "")) if request.args.get(name) else None
    except ValueError:
        return None


def _date(name: str) -> date | None:
    raw = request.args.get(name, "")
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


def current_filter() -> DocumentFilter:
    """Filters from the query string (ids, codes and dates only: no names travel in URLs)."""
    return DocumentFilter(region_id=id_value(request.args.get("region")), house_id=id_value(request.args.get("house")),
                          kind=_enum("kind", DocumentKind), status=_enum("status", DocumentStatus),
                          date_from=_date("from"), date_to=_date("to"))


def _houses_in_scope():
    actor = current_user.actor
    houses = org_service.houses(with_regions=True)
    if actor.scope_level is ScopeLevel.REGION:
        return [h for h in houses if h.region_id == actor.region_id]
    return houses


@bp.get("/")
@requires(Role.MANAGER)
def index():
    """The registry of the manager's scope, newest first, with the filters applied."""
    flt = current_filter()
    houses = _houses_in_scope()
    regions = sorted({h.region for h in houses}, key=lambda r: r.kato2) \
        if current_user.actor.scope_level is ScopeLevel.REPUBLIC else []
    return render_template("documents/registry.html", documents=list_registry(current_user.actor, flt), flt=flt,
                           houses=houses, regions=regions, args=request.args.to_dict(), form=EmptyForm())


@bp.post("/print")
@requires(Role.MANAGER)
def batch_print():
    """The filtered set as one merged PDF or a ZIP of the stored PDFs (never re-rendered)."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("documents.index", **request.args))
    limit = current_app.config["DOCUMENT_BATCH_LIMIT"]
    documents = printable(current_user.actor, current_filter(), limit=limit)
    if not documents:
        flash(_("No finalised documents match the filters."), "warning")
        return redirect(url_for("documents.index", **request.args))
    if len(documents) > limit:
        flash(_("More than %(limit)d documents match: narrow the filters (or use the command line).", limit=limit),
              "warning")
        return redirect(url_for("documents.index", **request.args))
    zipped = request.form.get("format") == "zip"
    body = zip_of(stored_pdfs(documents)) if zipped else merged_pdf(stored_pdfs(documents))
    audit.record("document.batch_printed", actor_id=current_user.id, ip=client_ip(), object_type="document",
                 summary={"count": len(documents), "format": "zip" if zipped else "pdf"})
    db.session.commit()
    stamp = local_date(utcnow()).isoformat()
    name, mime = (f"documents-{stamp}.zip", "application/zip") if zipped else (f"documents-{stamp}.pdf",
                                                                            "application/pdf")
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})
