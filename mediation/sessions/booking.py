"""Booking, moving and cancelling a case's sessions; the session page; finding a free slot."""

from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..cases.common import visible_case
from ..domain.errors import NotAllowed
from ..domain.roles import Role
from ..domain.scheduling import LOCAL_OFFSET, BookingConflict, SessionKind, Venue, local_to_utc
from ..extensions import db
from ..models import Case, FriendshipHouse, MediationRoom, Mediator, Party
from ..services import scheduling, slot_finder
from ..services.case_access import access_of
from ..services.clock import utcnow
from ..services.scheduling import SessionChanged, SessionInvalid, SessionNotFound, SessionPlan
from ..services.session_logs import notes_visible
from ..web.access import client_ip, requires
from ..web.forms import add_field_error, id_value, put_error
from ..web.session_messages import CLASH_FIELD, INVALID, WARNING, clash_message
from . import bp
from .forms import AmendForm, CancelForm, SessionForm

SCHEDULERS = (Role.COORDINATOR, Role.MANAGER, Role.MEDIATOR)


def visible_session(session_id: int, *, edit: bool = False):
    """The session if its case is visible to the user."""
    try:
        return scheduling.session_for(current_user.actor, session_id, edit=edit)
    except SessionNotFound:
        abort(404)
    except NotAllowed:
        abort(403)


def rooms_for(case: Case, interpreter: bool) -> list[MediationRoom]:
    """Active rooms of the case's region: its own house first, interpreter-equipped first when one is needed."""
    rooms = db.session.scalars(select(MediationRoom).join(FriendshipHouse).where(
        FriendshipHouse.region_id == case.region_id, FriendshipHouse.active, MediationRoom.active))
    return sorted(rooms, key=lambda r: (interpreter and not r.has_interpreter_equipment, r.house_id != case.house_id,
                                        r.house_id, r.name))


def offer_choices(form: SessionForm, case: Case) -> SessionForm:
    """Rooms, the case's mediators and its parties as choices."""
    rooms = rooms_for(case, bool(form.interpreter_needed.data or case.interpreter_needed))
    form.room_id.choices = [("", "—")] + [(r.id, room_label(r)) for r in rooms]
    mediator_ids = scheduling.case_mediator_ids(case.id)
    names = dict(db.session.execute(select(Mediator.id, Mediator.full_name).where(Mediator.id.in_(mediator_ids))).all())
    form.mediator_ids.choices = [(m, names[m]) for m in mediator_ids]
    form.party_ids.choices = [(p.id, p.full_name) for p in db.session.scalars(
        select(Party).where(Party.case_id == case.id).order_by(Party.position))]
    return form


def room_label(room: MediationRoom) -> str:
    """A room with its house and features, for a select."""
    from ..web.filters import localname

    features = [_("interpreter equipment")] if room.has_interpreter_equipment else []
    features += [_("video link")] if room.has_video_link else []
    features += [_("step-free")] if room.step_free_access else []
    extra = f" ({', '.join(features)})" if features else ""
    return f"{localname(room.house)} — {room.name}{extra}"


def plan_from(form: SessionForm) -> SessionPlan:
    """The form's local date and times as a plan in UTC."""
    start = local_to_utc(datetime.combine(form.day.data, form.start.data))
    end = local_to_utc(datetime.combine(form.day.data, form.end.data))
    venue = Venue(form.venue.data)
    return SessionPlan(venue=venue, room_id=form.room_id.data if venue is Venue.ROOM else None,
                       offsite_address=form.offsite_address.data or None, start=start, end=end,
                       kind=SessionKind(form.kind.data), mediator_ids=tuple(form.mediator_ids.data or ()),
                       party_ids=tuple(form.party_ids.data or ()), interpreter_needed=form.interpreter_needed.data)


def show_errors(form: SessionForm, error) -> int:
    """Put a service error on the form's fields; the HTTP status to answer with."""
    if isinstance(error, SessionInvalid):
        put_error(form, error.field, INVALID.get(error.reason_code, _("This cannot be saved as it is.")))
        return 422
    rooms = {room_id: label for room_id, label in form.room_id.choices if room_id}
    mediators = dict(form.mediator_ids.choices)
    for clash in error.clashes:
        put_error(form, CLASH_FIELD[clash.kind], clash_message(clash, rooms, mediators))
    return 409


def prefill(form: SessionForm, case: Case) -> None:
    """Defaults from the calendar click (room, day, start, duration) and from the case."""
    form.room_id.data = id_value(request.args.get("room"))
    try:
        form.day.data = datetime.strptime(request.args.get("day", ""), "%Y-%m-%d").date()
        form.start.data = datetime.strptime(request.args.get("start", ""), "%H:%M").time()
    except ValueError:
        pass
    minutes = id_value(request.args.get("minutes")) or 90
    if form.start.data and 15 <= minutes <= 480:
        form.end.data = (datetime.combine(form.day.data, form.start.data) + timedelta(minutes=minutes)).time()
    if form.day.data is None or form.start.data is None:
        form.day.data, form.start.data = default_day_start()
        form.end.data = time(11, 30)
    form.mediator_ids.data = [value for value, _label in form.mediator_ids.choices]
    form.party_ids.data = [value for value, _label in form.party_ids.choices]
    form.interpreter_needed.data = case.interpreter_needed


@bp.route("/case/<id:case_id>/new", methods=["GET", "POST"])
@requires(*SCHEDULERS)
def book(case_id: int):
    """Book a session for the case."""
    case = visible_case(case_id, edit=request.method == "POST")
    form = offer_choices(SessionForm(), case)
    status = 200
    if request.method == "GET":
        prefill(form, case)
    elif form.validate_on_submit():
        try:
            session, check = scheduling.book(current_user.actor, case.id, plan_from(form), now=utcnow(),
                                             ip=client_ip())
        except (BookingConflict, SessionInvalid) as error:
            db.session.rollback()
            status = show_errors(form, error)
        except NotAllowed:
            abort(403)
        else:
            db.session.commit()
            flash(_("Session booked."), "success")
            for warning in check.warnings:
                flash(str(WARNING[warning]), "warning")
            return redirect(url_for("sessions.detail", session_id=session.id))
    else:
        status = 422
    return render_template("sessions/form.html", form=form, case=case, session=None), status


@bp.get("/case/<id:case_id>/slots")
@requires(*SCHEDULERS)
def slots(case_id: int):
    """The earliest free slots in the case's house for its mediators."""
    case = visible_case(case_id, edit=request.method == "POST")
    minutes = id_value(request.args.get("minutes")) or 90
    minutes = min(max(minutes, 15), 480)
    interpreter = request.args.get("interpreter") == "1" or case.interpreter_needed
    found = slot_finder.earliest_slots(case, minutes=minutes, interpreter=interpreter, now=utcnow())
    return render_template("sessions/slots.html", case=case, found=found, minutes=minutes, interpreter=interpreter)


@bp.get("/<id:session_id>")
@requires(*SCHEDULERS)
def detail(session_id: int):
    """A session: when, where, who is expected, its log (notes only for the case's mediators)."""
    session = visible_session(session_id)
    case = db.session.get(Case, session.case_id)
    return render_template("sessions/detail.html", **session_context(session, case))


def session_context(session, case, **forms) -> dict:
    """What the session page shows and which forms it offers."""
    from ..domain.policies import can_log_session
    from ..domain.session_logs import can_edit_log

    now = utcnow()
    mediator_of_case = can_log_session(current_user.actor, access_of(case))
    log = session.log
    editable = bool(log) and can_edit_log(actor_user_id=current_user.id, author_user_id=log.author_id,
                                          logged_at=log.logged_at, now=now)
    parties = {p.id: p.full_name for p in db.session.scalars(select(Party).where(Party.case_id == case.id))}
    mediators = dict(db.session.execute(select(Mediator.id, Mediator.full_name).where(
        Mediator.id.in_([m.mediator_id for m in session.mediators]))).all())
    movable = session.active and log is None
    return {"session": session, "case": case, "parties": parties, "mediators": mediators, "now": now,
            "show_notes": notes_visible(current_user.actor, case), "can_log": mediator_of_case and session.active,
            "log_editable": editable, "cancel_form": forms.get("cancel_form") or (
                CancelForm(version=session.version) if movable else None),
            # Within the author's 24 hours the log itself is corrected; amendments are for after.
            "amend_form": forms.get("amend_form") or (
                AmendForm() if mediator_of_case and log and not editable else None)}


@bp.route("/<id:session_id>/reschedule", methods=["GET", "POST"])
@requires(*SCHEDULERS)
def reschedule(session_id: int):
    """Move a session to another time or room."""
    session = visible_session(session_id, edit=request.method == "POST")
    case = db.session.get(Case, session.case_id)  # visible_session checked it
    form = offer_choices(SessionForm(), case)
    status = 200
    if request.method == "GET":
        local = session.starts_at + LOCAL_OFFSET
        form.version.data, form.day.data, form.start.data = session.version, local.date(), local.time()
        form.end.data = (session.ends_at + LOCAL_OFFSET).time()
        form.venue.data, form.room_id.data = session.venue.value, session.room_id
        form.offsite_address.data, form.kind.data = session.offsite_address, session.kind.value
        form.mediator_ids.data = [m.mediator_id for m in session.mediators]
        form.party_ids.data = [p.party_id for p in session.parties]
        form.interpreter_needed.data = session.interpreter_needed
    elif form.validate_on_submit() and form.reason.data:
        try:
            _session, check = scheduling.reschedule(current_user.actor, session.id, _version(form.version.data),
                                                    plan_from(form), form.reason.data, now=utcnow(), ip=client_ip())
        except (BookingConflict, SessionInvalid) as error:
            db.session.rollback()
            status = show_errors(form, error)
        except SessionChanged:
            db.session.rollback()
            flash(_("Someone changed this session a moment ago. Reload the page and try again."), "danger")
            status = 409
        else:
            db.session.commit()
            flash(_("Session moved."), "success")
            for warning in check.warnings:
                flash(str(WARNING[warning]), "warning")
            return redirect(url_for("sessions.detail", session_id=session.id))
    else:
        if not form.reason.data:
            add_field_error(form, form.reason, _("Give the reason for moving the session."))
        status = 422
    return render_template("sessions/form.html", form=form, case=case, session=session), status


def _version(raw) -> int:
    return id_value(raw) or 0


@bp.post("/<id:session_id>/cancel")
@requires(*SCHEDULERS)
def cancel(session_id: int):
    """Cancel a session with a reason."""
    session = visible_session(session_id, edit=True)
    case = db.session.get(Case, session.case_id)  # visible_session checked it
    form = CancelForm()
    if form.validate_on_submit():
        try:
            scheduling.cancel(current_user.actor, session.id, _version(form.version.data), form.reason.data,
                              now=utcnow(), ip=client_ip())
        except SessionChanged:
            db.session.rollback()
            flash(_("Someone changed this session a moment ago. Reload the page and try again."), "danger")
            return redirect(url_for("sessions.detail", session_id=session.id)), 409
        except SessionInvalid as error:
            db.session.rollback()
            add_field_error(form, form.reason, INVALID[error.reason_code])
        except NotAllowed:
            abort(403)
        else:
            db.session.commit()
            flash(_("Session cancelled."), "success")
            return redirect(url_for("sessions.detail", session_id=session.id))
    return render_template("sessions/detail.html", **session_context(session, case, cancel_form=form)), 422


def default_day_start() -> tuple:
    """Tomorrow at 10:00 local, the default for a blank booking form."""
    local_now = utcnow() + LOCAL_OFFSET
    return (local_now + timedelta(days=1)).date(), time(10, 0)
