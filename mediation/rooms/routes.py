"""The houses list and a house's page: details, opening hours and closures."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..domain.errors import NotAllowed
from ..domain.roles import Role
from ..extensions import db
from ..services import houses as house_service
from ..services import org as org_service
from ..services.clock import local_date, utcnow
from ..web.access import client_ip, requires
from ..web.forms import EmptyForm, id_value, put_error
from . import bp
from .forms import ClosureForm, HouseForm, OpeningHoursForm
from .messages import house_error

# Everyone signed in may look at the houses of their scope (coordinators book rooms, mediators go there);
# only admins and managers change them.
READERS = (Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.MEDIATOR)
KEEPERS = (Role.ADMIN, Role.MANAGER)


@bp.get("/")
@requires(*READERS)
def index():
    """Houses in the actor's scope, with a region filter for those who see more than one region."""
    region_id = id_value(request.args.get("region"))
    listing = house_service.list_houses(current_user.actor, region_id=region_id)
    regions = org_service.regions() if current_user.region_id is None else []
    return render_template("rooms/index.html", listing=listing, regions=regions, region_id=region_id)


def house_or_404(house_id: int):
    """The house if the actor may see it; 404 otherwise, as for cases and registry records."""
    try:
        return house_service.get_house(current_user.actor, house_id)
    except house_service.HouseNotFound:
        abort(404)


def shows_case_numbers() -> bool:
    """Stranded sessions are listed by case number except to admins, who keep houses but do not see cases."""
    return current_user.role is not Role.ADMIN


def warn_if_stranded(rooms) -> bool:
    """After a change: flash how many booked sessions now fall while their room is out of use; True if any."""
    count = len(house_service.stranded_sessions(rooms, utcnow()))
    if count:
        flash(ngettext("%(num)d session is still booked for a time its room is out of use: it must be moved.",
                       "%(num)d sessions are still booked for a time their rooms are out of use: they must be moved.",
                       count), "warning")
    return bool(count)


def render_house(house, *, house_form=None, hours_form=None, closure_form=None):
    """The house page; a form passed in (with its errors) replaces the fresh one, and answers 422."""
    failed = any(f is not None and f.errors for f in (house_form, hours_form, closure_form))
    if hours_form is None:
        hours_form = OpeningHoursForm(formdata=None)
        hours_form.fill(house.opening_hours)
    today = local_date(utcnow())
    can_manage = house_service.can_manage(current_user.actor, house)  # case numbers only for the house's keepers
    return render_template(
        "rooms/house.html", house=house, today=today, can_manage=can_manage,
        house_form=house_form or HouseForm(formdata=None, obj=house),
        hours_form=hours_form, closure_form=closure_form or ClosureForm(formdata=None),
        action_form=EmptyForm(formdata=None), hours_by_day={row.weekday: row for row in house.opening_hours},
        stranded=house_service.stranded_sessions(house.rooms, utcnow()) if can_manage else [],
        case_numbers=shows_case_numbers(),
        upcoming=[c for c in house.closures if c.end >= today],
        past=[c for c in house.closures if c.end < today],
    ), 422 if failed else 200


@bp.get("/houses/<id:house_id>")
@requires(*READERS)
def house(house_id: int):
    """A house: address, opening hours, closures and its rooms with their features."""
    return render_house(house_or_404(house_id))


def apply_change(house_id: int, form, slot: str, perform, done: str):
    """Run one house change: 404 out of scope, 403 without rights, field errors shown, else one commit."""
    house = house_or_404(house_id)
    if form.validate_on_submit():
        try:
            perform(form)
        except house_service.HouseNotFound:
            abort(404)
        except NotAllowed:
            abort(403)
        except house_service.HouseInvalid as error:
            db.session.rollback()
            for name, code in error.errors.items():
                put_error(form, name if name in form._fields else "submit", house_error(code))
        else:
            db.session.commit()
            flash(done, "success")
            warn_if_stranded(house.rooms)
            return redirect(url_for("rooms.house", house_id=house_id))
    db.session.rollback()  # nothing half written reaches the page
    return render_house(house, **{slot: form})


@bp.post("/houses/<id:house_id>")
@requires(*KEEPERS)
def edit_house(house_id: int):
    """Change the address and the active flag."""
    form = HouseForm()
    return apply_change(house_id, form, "house_form", lambda f: house_service.update_house(
        current_user.actor, house_id, house_service.HouseData(address=f.address.data or "", active=f.active.data),
        ip=client_ip(), now=utcnow()), _("Saved."))


@bp.post("/houses/<id:house_id>/hours")
@requires(*KEEPERS)
def hours(house_id: int):
    """Replace the weekly opening hours; one bad row writes nothing."""
    form = OpeningHoursForm()
    return apply_change(house_id, form, "hours_form", lambda f: house_service.set_opening_hours(
        current_user.actor, house_id, f.days(), ip=client_ip(), now=utcnow()), _("Opening hours saved."))


@bp.post("/houses/<id:house_id>/closures")
@requires(*KEEPERS)
def add_closure(house_id: int):
    """Close the house for a holiday or an event."""
    form = ClosureForm()
    return apply_change(house_id, form, "closure_form", lambda f: house_service.add_house_closure(
        current_user.actor, house_id, f.start.data, f.end.data, f.reason.data, ip=client_ip(), now=utcnow()),
        _("Closure added."))


@bp.post("/houses/<id:house_id>/closures/<id:closure_id>/delete")
@requires(*KEEPERS)
def remove_closure(house_id: int, closure_id: int):
    """Withdraw a house closure."""
    house_or_404(house_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        house_service.remove_house_closure(current_user.actor, house_id, closure_id, ip=client_ip(), now=utcnow())
    except house_service.HouseNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    db.session.commit()
    flash(_("Closure removed."), "success")
    return redirect(url_for("rooms.house", house_id=house_id))
