"""The case list (scoped, filtered, searched, keyset-paged), exports, and the case page."""

from flask import Response, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..domain.case_fields import CaseCategory, TensionLevel
from ..domain.case_states import CaseState
from ..domain.roles import Role, ScopeLevel
from ..extensions import db
from ..models import Mediator
from ..services import audit, case_export
from ..services import org as org_service
from ..services.case_queries import CaseFilter, list_cases
from ..web.access import client_ip, requires
from ..web.database import writes
from ..web.forms import id_value
from . import bp
from .actions import action_forms
from .common import today, visible_case
from .context import case_assignments, detail_context
from .forms import SearchForm

CASE_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.MEDIATOR)
SEARCH_KEY = "case_search"


def _enum_arg(name: str, enum_cls):
    value = request.args.get(name, "")
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


def current_filter() -> CaseFilter:
    """Filters from the query string; the text query from the session (names stay out of URLs and logs)."""
    due = request.args.get("due")
    sort = request.args.get("sort")
    return CaseFilter(
        state=_enum_arg("state", CaseState), category=_enum_arg("category", CaseCategory),
        tension=_enum_arg("tension", TensionLevel),
        region_id=id_value(request.args.get("region")), house_id=id_value(request.args.get("house")),
        mediator_id=id_value(request.args.get("mediator")),
        due=due if due in ("overdue", "week") else None,
        received_from=_date_arg("from"), received_to=_date_arg("to"),
        query=session.get(SEARCH_KEY, "") if request.args.get("search") == "1" else "",
        sort=sort if sort in ("received", "deadline") else "received",
    )


def _date_arg(name: str):
    from datetime import date

    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def filter_args() -> dict:
    """The current query string without the cursor, for links that keep the filters."""
    return {k: v for k, v in request.args.items() if k != "cursor"}


@bp.get("/")
@requires(*CASE_ROLES)
def index():
    """The cases the user may see, filtered and paged by cursor."""
    flt = current_filter()
    page = list_cases(current_user.actor, flt, today=today(), cursor=request.args.get("cursor"),
                      exact_count=request.args.get("count") == "exact")
    search_form = SearchForm(q=flt.query)
    houses = _houses_in_scope()
    # The region filter is built from the houses (one query for both): every region has its houses.
    regions = sorted({h.region for h in houses}, key=lambda r: r.kato2) \
        if current_user.actor.scope_level is ScopeLevel.REPUBLIC else []
    mediator = db.session.get(Mediator, flt.mediator_id) if flt.mediator_id else None
    return render_template("cases/list.html", page=page, flt=flt, args=filter_args(), search_form=search_form,
                           regions=regions, houses=houses, mediator=mediator, today=today())


def _houses_in_scope():
    actor = current_user.actor
    houses = org_service.houses(with_regions=True)
    if actor.scope_level is ScopeLevel.REGION:
        return [h for h in houses if h.region_id == actor.region_id]
    if actor.scope_level is ScopeLevel.HOUSE:
        return [h for h in houses if h.id == actor.house_id]
    return houses



@bp.post("/search")
@requires(*CASE_ROLES)
def search():
    """Keep the search text in the session and show the list with it."""
    form = SearchForm()
    if form.validate_on_submit() and form.q.data:
        session[SEARCH_KEY] = form.q.data
        args = {k: v for k, v in request.args.items() if k not in ("cursor", "search")}
        return redirect(url_for("cases.index", search="1", **args))
    session.pop(SEARCH_KEY, None)
    return redirect(url_for("cases.index"))


@bp.get("/export.<any(csv, xlsx):fmt>")
@requires(Role.COORDINATOR, Role.MANAGER)
def export(fmt: str):
    """The filtered list as CSV or XLSX (never the confidential description, IIN or contacts)."""
    rows = case_export.export_rows(current_user.actor, current_filter(), today=today(),
                                   limit=current_app.config["CASE_EXPORT_LIMIT"])
    if fmt == "csv":
        body, mimetype = case_export.to_csv(rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = case_export.to_xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # content_type, not mimetype: Werkzeug adds a second charset to a text mimetype that names one
    return Response(body, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="cases-{today().isoformat()}.{fmt}"'})


@bp.get("/<id:case_id>")
@requires(*CASE_ROLES)
@writes  # the view itself is recorded (Art. 8: who read what, and when)
def detail(case_id: int):
    """The case page: details, parties, screening, mediators, timeline, and the actions the user may take."""
    case = visible_case(case_id)
    audit.record("case.view", actor_id=current_user.id, ip=client_ip(), object_type="case", object_id=case.id)
    assignments = case_assignments(case)  # also the release form's choices: one statement for both
    page = render_template("cases/detail.html", **detail_context(case, action_forms(case, assignments), assignments))
    db.session.commit()
    return page
