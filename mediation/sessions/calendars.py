"""Calendar views (a house's week, a room's week, a mediator's agenda) and the private iCalendar feed."""

from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..domain.policies import Placement, can_view_house
from ..domain.roles import Role
from ..extensions import db
from ..models import Case, FriendshipHouse, MediationRoom, Mediator
from ..services import audit, calendar_feed, calendar_views
from ..services.case_access import CaseNotFound, case_for
from ..services.clock import utcnow
from ..web.access import client_ip, public, requires
from ..web.filters import localname
from ..web.forms import EmptyForm, id_value
from ..web.session_messages import KIND
from . import bp

VIEWERS = (Role.COORDINATOR, Role.MANAGER, Role.MEDIATOR)


def week_start() -> date:
    """The Monday of the week asked for (?week=YYYY-MM-DD), else of this week."""
    try:
        asked = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        asked = calendar_views.local_today(utcnow())
    return calendar_views.monday_of(asked)


def house_in_scope(house_id: int) -> FriendshipHouse:
    """A house the user may see; 404 otherwise."""
    house = db.session.get(FriendshipHouse, house_id)
    if house is None or not can_view_house(current_user.actor, Placement(house.region_id, house.id)):
        abort(404)
    return house


def booking_case() -> Case | None:
    """The case a coordinator is booking for (?case=id), when it is one they may see."""
    case_id = id_value(request.args.get("case"))
    if not case_id:
        return None
    try:
        return case_for(current_user.actor, case_id)
    except CaseNotFound:
        return None


def visible_case_ids(sessions) -> set[int]:
    """Of the sessions' cases, those whose numbers the user may see on the grid."""
    from ..services.case_access import cases_of_mediator_user

    ids = {s.case_id for s in sessions}
    if current_user.actor.role is not Role.MEDIATOR:
        return ids  # the house is in the user's scope, so are its cases
    own = set(db.session.scalars(cases_of_mediator_user(current_user.id)))
    return ids & own


def _week_page(house: FriendshipHouse, rooms: list[MediationRoom], template_room=None):
    monday = week_start()
    grid = calendar_views.week_grid(house.id, monday, rooms, utcnow())
    sessions = [cell.session for day in grid for _t, cells in day.rows for cell in cells if cell.session]
    return render_template("sessions/week.html", house=house, rooms=rooms, grid=grid, monday=monday,
                           prev_week=monday - timedelta(days=7), next_week=monday + timedelta(days=7),
                           case=booking_case(), visible=visible_case_ids(sessions), room=template_room)


@bp.get("/house/<id:house_id>/week")
@requires(*VIEWERS)
def house_week(house_id: int):
    """A house's week, rooms as columns; free half hours link to the booking form when booking for a case."""
    house = house_in_scope(house_id)
    rooms = list(db.session.scalars(select(MediationRoom).where(MediationRoom.house_id == house.id,
                                                                MediationRoom.active).order_by(MediationRoom.name)))
    return _week_page(house, rooms)


@bp.get("/room/<id:room_id>/week")
@requires(*VIEWERS)
def room_week(room_id: int):
    """One room's week."""
    room = db.session.get(MediationRoom, room_id)
    if room is None:
        abort(404)
    house = house_in_scope(room.house_id)
    return _week_page(house, [room], template_room=room)


@bp.get("/agenda")
@requires(*VIEWERS)
def agenda():
    """A mediator's coming sessions: one's own, or (coordinators, managers) a mediator of their scope."""
    mediator = calendar_views.mediator_of_user(current_user.id)
    asked = id_value(request.args.get("mediator"))
    if current_user.actor.role is not Role.MEDIATOR and asked:
        mediator = db.session.get(Mediator, asked)
        if mediator is None or not can_view_house(current_user.actor, Placement(mediator.region_id,
                                                                                 mediator.house_id)):
            abort(404)
    elif current_user.actor.role is not Role.MEDIATOR:
        mediator = None
    now = utcnow()
    sessions = calendar_views.agenda([mediator.id], now - timedelta(hours=12)) if mediator else []
    return render_template("sessions/agenda.html", mediator=mediator, sessions=sessions, now=now,
                           feed_form=EmptyForm() if current_user.actor.role is Role.MEDIATOR else None)


@bp.post("/feed")
@requires(Role.MEDIATOR)
def reset_feed():
    """Create or reset the mediator's private calendar link; it is shown once."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    now = utcnow()
    token = calendar_feed.reset_token(current_user.id, now)
    audit.record("calendar_feed.reset", actor_id=current_user.id, ip=client_ip(), object_type="user",
                 object_id=current_user.id, now=now)
    db.session.commit()
    link = url_for("sessions.feed", token=token, _external=True)
    flash(_("Your private calendar link (copy it now; it is shown only once): %(link)s", link=link), "info")
    return redirect(url_for("sessions.agenda"))


@bp.get("/feed/<token>.ics")
@public
def feed(token: str):
    """The iCalendar feed behind an unguessable token: case numbers and rooms, never party names."""
    user = calendar_feed.user_for_token(token)
    if user is None:
        abort(404)
    now = utcnow()
    mediator = calendar_views.mediator_of_user(user.id)
    sessions = calendar_views.agenda([mediator.id], now - timedelta(days=calendar_feed.PAST_DAYS),
                                     calendar_feed.PAST_DAYS + calendar_feed.FUTURE_DAYS) if mediator else []
    body = calendar_feed.ics_for(sessions, place_names={s.id: place_of(s) for s in sessions},
                                 kind_names={k: str(v) for k, v in KIND.items()}, title=_("Mediation sessions"))
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, no-store"})


def place_of(session) -> str:
    """Where a session is held, without an off-site address (it may be a party's home)."""
    if session.room is not None:
        return f"{localname(session.house)}, {session.room.name}"
    return _("Online") if session.venue.value == "online" else _("Off-site")
