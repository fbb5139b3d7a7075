"""Registry list, a mediator's page, import and export."""

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..domain.case_fields import LANGUAGES
from ..domain.mediator_eligibility import eligibility_reasons
from ..domain.roles import Role
from ..extensions import db
from ..models import Mediator, Region
from ..services import org as org_service
from ..services import registry_io
from ..services.clock import utcnow
from ..services.registry import can_keep_registry, profile_of
from ..services.registry_queries import RegistryFilter, list_mediators, mediator_record, registry_scope
from ..web.access import client_ip, requires
from ..web.forms import id_value
from . import bp
from .forms import AbsenceForm, HoursForm, ImportForm, StatusForm
from .profile import eligibility_thresholds

REGISTRY_READERS = (Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
REGISTRY_KEEPERS = (Role.ADMIN, Role.MANAGER)


def registry_filter() -> RegistryFilter:
    """Filters from the query string (mediators' names are published by law, Art. 14)."""
    args = request.args
    return RegistryFilter(
        region_id=id_value(args.get("region")),
        language=args.get("language") if args.get("language") in LANGUAGES else None,
        specialization=args.get("specialization") or None, kind=args.get("kind") or None,
        status=args.get("status") if args.get("status") in ("active", "suspended", "excluded") else None,
        free_capacity=args.get("free") == "1", query=args.get("q", "")[:200])


@bp.get("/")
@requires(*REGISTRY_READERS)
def index():
    """The registry with filters, search and cursor paging."""
    flt = registry_filter()
    page = list_mediators(current_user.actor, flt, cursor=request.args.get("cursor"))
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    return render_template("mediators/list.html", page=page, flt=flt, args=args, regions=org_service.regions(),
                           can_keep=current_user.role in REGISTRY_KEEPERS)


@bp.get("/<id:mediator_id>")
@requires(*REGISTRY_READERS)
def detail(mediator_id: int):
    """A mediator's record: eligibility today, workload, history and outcomes."""
    return detail_page(mediator_id)


def detail_page(mediator_id: int, *, status_form: StatusForm | None = None, absence_form: AbsenceForm | None = None,
                hours_form: HoursForm | None = None) -> str:
    """The mediator's page; a form given (posted, with its errors) is shown as sent instead of a fresh one."""
    mediator = db.session.get(Mediator, mediator_id)
    scope = registry_scope(current_user.actor)
    if mediator is None or (scope and mediator.region_id != current_user.region_id):
        abort(404)
    today = _today()
    reasons = eligibility_reasons(profile_of(mediator), today, eligibility_thresholds())
    if hours_form is None:
        hours_form = HoursForm(formdata=None)
        for slot in mediator.weekly_hours:
            hours_form[f"day_{slot.weekday}"].data = True
            hours_form[f"start_{slot.weekday}"].data, hours_form[f"end_{slot.weekday}"].data = slot.start, slot.end
    return render_template("mediators/detail.html", mediator=mediator, record=mediator_record(mediator.id),
                           reasons=reasons, today=today, status_form=status_form or StatusForm(formdata=None),
                           absence_form=absence_form or AbsenceForm(formdata=None), hours_form=hours_form,
                           can_keep=can_keep_registry(current_user.actor, mediator.region_id))


def _today():
    from ..services.clock import local_date

    return local_date(utcnow())


@bp.get("/export.<any(csv, xlsx):fmt>")
@requires(*REGISTRY_KEEPERS)
def export(fmt: str):
    """The registry (in the user's scope, with the list's filters) as CSV or XLSX, importable back."""
    flt = registry_filter()
    mediators, cursor = [], None
    while True:  # page through the keyset so memory stays flat for a large registry
        page = list_mediators(current_user.actor, flt, cursor=cursor, page_size=1000)
        mediators += page.mediators
        cursor = page.next_cursor
        if not cursor:
            break
    kato = dict(db.session.execute(select(Region.id, Region.kato2)).all())
    rows = registry_io.export_rows(mediators, kato)
    body = registry_io.to_csv(rows) if fmt == "csv" else registry_io.to_xlsx(rows)
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # content_type, not mimetype: Werkzeug adds a second charset to a text mimetype that names one
    return Response(body, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="registry-{_today().isoformat()}.{fmt}"'})


@bp.route("/import", methods=["GET", "POST"])
@requires(*REGISTRY_KEEPERS)
def import_file():
    """Upload a CSV/XLSX file; every bad row is listed with its line and reasons."""
    form, report, file_error = ImportForm(), None, None
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
        try:
            report = registry_io.import_registry(current_user.actor, content, upload.filename or "upload.csv",
                                                 strict=bool(form.strict.data), ip=client_ip(), now=utcnow(),
                                                 today=_today())
        except registry_io.ImportFileInvalid as error:
            db.session.rollback()
            file_error = error.reason
        else:
            if report.written:
                db.session.commit()
            else:
                db.session.rollback()
    status = 422 if form.errors or file_error else 200
    return render_template("mediators/import.html", form=form, report=report, file_error=file_error), status
