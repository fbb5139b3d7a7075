"""Adding and editing rooms, and closing a room for a period (renovation)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..domain.errors import NotAllowed
from ..extensions import db
from ..services import houses as house_service
from ..services.clock import local_date, utcnow
from ..web.access import client_ip, requires
from ..web.forms import EmptyForm, put_error
from . import bp
from .forms import ClosureForm, RoomForm
from .messages import house_error
from .routes import KEEPERS, house_or_404, shows_case_numbers, warn_if_stranded


def _room_data(form: RoomForm) -> house_service.RoomData:
    return house_service.RoomData(
        name=form.name.data, capacity=form.capacity.data,
        has_interpreter_equipment=form.has_interpreter_equipment.data, has_video_link=form.has_video_link.data,
        step_free_access=form.step_free_access.data, active=form.active.data)


def _room_or_404(room_id: int):
    try:
        return house_service.get_room(current_user.actor, room_id)
    except house_service.RoomNotFound:
        abort(404)
    except NotAllowed:
        abort(403)


def _put_errors(form, error: house_service.HouseInvalid) -> None:
    db.session.rollback()
    for name, code in error.errors.items():
        put_error(form, name if name in form._fields else "submit", house_error(code))


def _render_room(house, room, form, closure_form=None):
    failed = bool(form.errors or (closure_form is not None and closure_form.errors))
    stranded = house_service.stranded_sessions([room], utcnow()) if room is not None else []
    return render_template("rooms/room_form.html", house=house, room=room, form=form, today=local_date(utcnow()),
                           closure_form=closure_form or ClosureForm(formdata=None),
                           action_form=EmptyForm(formdata=None), stranded=stranded,
                           case_numbers=shows_case_numbers()), 422 if failed else 200


@bp.route("/houses/<id:house_id>/rooms/new", methods=["GET", "POST"])
@requires(*KEEPERS)
def new_room(house_id: int):
    """Add a room to a house."""
    house = house_or_404(house_id)
    if not house_service.can_manage(current_user.actor, house):
        abort(403)
    form = RoomForm()
    if form.validate_on_submit():
        try:
            room = house_service.create_room(current_user.actor, house_id, _room_data(form), ip=client_ip(),
                                             now=utcnow())
        except house_service.HouseInvalid as error:
            _put_errors(form, error)
        else:
            db.session.commit()
            flash(_("Room %(name)s added.", name=room.name), "success")
            return redirect(url_for("rooms.house", house_id=house_id))
    return _render_room(house, None, form)


@bp.route("/<id:room_id>", methods=["GET", "POST"])
@requires(*KEEPERS)
def edit_room(room_id: int):
    """Edit a room's name, capacity, features and active flag; closures are listed below."""
    room = _room_or_404(room_id)
    form = RoomForm(obj=room if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            house_service.update_room(current_user.actor, room_id, _room_data(form), ip=client_ip(), now=utcnow())
        except house_service.HouseInvalid as error:
            _put_errors(form, error)
        else:
            db.session.commit()
            flash(_("Room %(name)s saved.", name=room.name), "success")
            if warn_if_stranded([room]):  # the room's page lists them
                return redirect(url_for("rooms.edit_room", room_id=room_id))
            return redirect(url_for("rooms.house", house_id=room.house_id))
    db.session.rollback()
    return _render_room(room.house, room, form)


@bp.post("/<id:room_id>/closures")
@requires(*KEEPERS)
def add_room_closure(room_id: int):
    """Close the room for a period; bookings already made stay in its history."""
    room = _room_or_404(room_id)
    closure_form = ClosureForm()
    if closure_form.validate_on_submit():
        try:
            house_service.add_room_closure(current_user.actor, room_id, closure_form.start.data,
                                           closure_form.end.data, closure_form.reason.data, ip=client_ip(),
                                           now=utcnow())
        except house_service.HouseInvalid as error:
            _put_errors(closure_form, error)
        else:
            db.session.commit()
            flash(_("Closure added."), "success")
            warn_if_stranded([room])
            return redirect(url_for("rooms.edit_room", room_id=room_id))
    db.session.rollback()
    return _render_room(room.house, room, RoomForm(formdata=None, obj=room), closure_form)


@bp.post("/<id:room_id>/closures/<id:closure_id>/delete")
@requires(*KEEPERS)
def remove_room_closure(room_id: int, closure_id: int):
    """Withdraw a room closure."""
    _room_or_404(room_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        house_service.remove_room_closure(current_user.actor, room_id, closure_id, ip=client_ip(), now=utcnow())
    except house_service.RoomNotFound:
        abort(404)
    db.session.commit()
    flash(_("Closure removed."), "success")
    return redirect(url_for("rooms.edit_room", room_id=room_id))
