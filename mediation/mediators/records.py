"""Creating and editing registry records, status changes and absences."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..domain.case_fields import LANGUAGES
from ..domain.errors import NotAllowed
from ..domain.mediator_eligibility import MediatorKind, MediatorStatus
from ..domain.roles import Role
from ..extensions import db
from ..models import Mediator, User
from ..services import org as org_service
from ..services import registry
from ..services.clock import local_date, utcnow
from ..web.access import client_ip, requires
from ..web.forms import add_field_error
from ..web.registry_messages import REGISTRY
from . import bp
from .forms import AbsenceForm, HoursForm, MediatorForm, StatusForm

KEEPERS = (Role.ADMIN, Role.MANAGER)


def _prepare(form: MediatorForm, mediator: Mediator | None) -> MediatorForm:
    locale = str(get_locale())
    actor = current_user.actor
    regions = [r for r in org_service.regions() if registry.can_keep_registry(actor, r.id)]
    form.region_id.choices = [(r.id, f"{r.kato2} · {r.name(locale)}") for r in regions]
    form.house_id.choices = [(None, "—")] + [(h.id, h.name(locale)) for h in org_service.houses()
                                             if registry.can_keep_registry(actor, h.region_id)]
    linked = set(db.session.scalars(select(Mediator.user_id).where(Mediator.user_id.is_not(None))))
    users = db.session.scalars(select(User).where(User.role == Role.MEDIATOR).order_by(User.full_name))
    # Only accounts of a region this keeper holds: a regional manager never sees another region's people.
    # The account already linked stays offered whatever its region, so an unrelated edit does not unlink it (the
    # registry then says if it may stay).
    kept = [u for u in users if (mediator is not None and u.id == mediator.user_id)
            or (u.region_id is not None and registry.can_keep_registry(actor, u.region_id))]
    form.user_id.choices = [(None, "—")] + [(u.id, f"{u.full_name} ({u.username})") for u in kept
                                            if u.id not in linked or (mediator and u.id == mediator.user_id)]
    return form


def _data(form: MediatorForm) -> registry.MediatorData:
    languages = tuple((code, form[f"lang_{code}"].data) for code in LANGUAGES if form[f"lang_{code}"].data)
    return registry.MediatorData(
        registry_number=form.registry_number.data, full_name=form.full_name.data, kind=MediatorKind(form.kind.data),
        region_id=form.region_id.data, languages=languages, specializations=tuple(form.specializations.data or ()),
        birth_date=form.birth_date.data, education=form.education.data or None,
        higher_education=bool(form.higher_education.data), certificate_number=form.certificate_number.data or None,
        certificate_date=form.certificate_date.data, retired_judge=bool(form.retired_judge.data),
        house_id=form.house_id.data, takes_cases_elsewhere=bool(form.takes_cases_elsewhere.data),
        max_active_cases=form.max_active_cases.data, phone=form.phone.data or None, email=form.email.data or None,
        legal_address=form.legal_address.data or None, disqualifications=tuple(form.disqualifications.data or ()),
        ethnicity=form.ethnicity.data or None, ethnicity_consent_on=form.ethnicity_consent_on.data,
        user_id=form.user_id.data)


def _fill(form: MediatorForm, mediator: Mediator) -> None:
    form.kind.data = mediator.kind
    form.specializations.data = mediator.specializations
    form.disqualifications.data = list(mediator.disqualifications or [])
    levels = {lang.language: lang.level for lang in mediator.languages}
    for code in LANGUAGES:
        form[f"lang_{code}"].data = levels.get(code, "")


def _show_problems(form, errors: dict[str, str]) -> None:
    """The registry's reason codes as messages on the fields they concern: the languages on the first language's
    select, a field the form does not have on the name (the record's form) or the button (the page's small forms)."""
    for name, code in errors.items():
        field = form._fields.get(name)
        if field is None:
            first_language = form._fields.get(f"lang_{LANGUAGES[0]}")
            field = first_language if name == "languages" and first_language else form._fields.get("full_name")
        add_field_error(form, field or form.submit, str(REGISTRY.get(code, code)))


def _all_problems(form: MediatorForm, mediator: Mediator | None) -> None:
    """After the form's own errors, the registry's checks of every field the form found nothing wrong with, so one
    submit shows every problem (they showed only once the form's were fixed)."""
    if form.max_active_cases.data is None or form.kind.errors or form.region_id.data is None:
        return  # the record cannot be put together to check; the form's own errors come first
    problems = registry.problems(_data(form), today=local_date(utcnow()), existing_id=mediator.id if mediator else None)
    flagged = {name for name, errors in form.errors.items() if errors}
    if any(name.startswith("lang_") for name in flagged):
        flagged.add("languages")
    _show_problems(form, {name: code for name, code in problems.items() if name not in flagged})


def _save(form: MediatorForm, mediator: Mediator | None):
    today = local_date(utcnow())
    try:
        if mediator is None:
            saved = registry.create_mediator(current_user.actor, _data(form), ip=client_ip(), now=utcnow(),
                                             today=today)
        else:
            saved = registry.update_mediator(current_user.actor, mediator.id, _data(form), ip=client_ip(),
                                             now=utcnow(), today=today)
    except registry.RegistryInvalid as error:
        db.session.rollback()
        _show_problems(form, error.errors)
        return None
    except NotAllowed:
        abort(403)
    db.session.commit()
    return saved


@bp.route("/new", methods=["GET", "POST"])
@requires(*KEEPERS)
def new():
    """Add a mediator to the registry."""
    form = _prepare(MediatorForm(), None)
    if form.validate_on_submit():
        if saved := _save(form, None):
            flash(_("Mediator %(name)s added to the registry.", name=saved.full_name), "success")
            return redirect(url_for("mediators.detail", mediator_id=saved.id))
    elif request.method == "POST":
        _all_problems(form, None)
    return render_template("mediators/form.html", form=form, mediator=None), 422 if form.errors else 200


@bp.route("/<id:mediator_id>/edit", methods=["GET", "POST"])
@requires(*KEEPERS)
def edit(mediator_id: int):
    """Edit a registry record."""
    try:
        mediator = registry.get_mediator(current_user.actor, mediator_id)
    except registry.MediatorNotFound:
        abort(404)
    form = _prepare(MediatorForm(obj=mediator if request.method == "GET" else None), mediator)
    if request.method == "GET":
        _fill(form, mediator)
    elif form.validate_on_submit():
        if _save(form, mediator):
            flash(_("Saved."), "success")
            return redirect(url_for("mediators.detail", mediator_id=mediator.id))
    else:
        _all_problems(form, mediator)
    return render_template("mediators/form.html", form=form, mediator=mediator), 422 if form.errors else 200


def _change(mediator_id: int, form, perform, done: str, page_form: str):
    """Run one change of the mediator's page: 404 if out of reach; otherwise commit and back to the record, or the
    page again (422) with the form as sent and each error on its field."""
    from .routes import detail_page

    valid = form.validate_on_submit()
    if form.errors.get("csrf_token"):  # the form has no field to show it on (an expired page, say)
        flash(str(form.errors["csrf_token"][0]), "danger")
    if valid:
        try:
            perform()
        except registry.MediatorNotFound:
            abort(404)
        except registry.RegistryInvalid as error:
            db.session.rollback()
            _show_problems(form, error.errors)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("mediators.detail", mediator_id=mediator_id))
    return detail_page(mediator_id, **{page_form: form}), 422


@bp.post("/<id:mediator_id>/status")
@requires(*KEEPERS)
def status(mediator_id: int):
    """Suspend (6 months by default), exclude or reinstate, with a reason."""
    form = StatusForm()
    return _change(mediator_id, form, lambda: registry.set_status(
        current_user.actor, mediator_id, MediatorStatus(form.status.data), reason=form.reason.data or "",
        until=form.until.data, ip=client_ip(), now=utcnow(), today=local_date(utcnow())), _("Status changed."),
        "status_form")


@bp.post("/<id:mediator_id>/absences")
@requires(*KEEPERS)
def add_absence(mediator_id: int):
    """Record a leave or illness."""
    form = AbsenceForm()
    return _change(mediator_id, form, lambda: registry.add_absence(
        current_user.actor, mediator_id, form.start.data, form.end.data, form.kind.data, ip=client_ip(),
        now=utcnow()), _("Absence recorded."), "absence_form")


@bp.post("/<id:mediator_id>/hours")
@requires(*KEEPERS)
def hours(mediator_id: int):
    """Replace the weekly hours in which the mediator takes sessions."""
    form = HoursForm()
    return _change(mediator_id, form, lambda: registry.set_weekly_hours(
        current_user.actor, mediator_id, form.slots(), ip=client_ip(), now=utcnow()), _("Weekly hours saved."),
        "hours_form")
