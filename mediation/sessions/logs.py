"""The mediator's log of a session: write it, correct it within 24 hours, append amendments after."""

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..domain.errors import NotAllowed
from ..domain.roles import Role
from ..domain.scheduling import LOCAL_OFFSET, SessionKind, local_to_utc
from ..domain.session_logs import LogInvalid, LogLocked, LogOutcome
from ..extensions import db
from ..models import Case, Party
from ..services import session_logs
from ..services.clock import utcnow
from ..services.session_logs import LogEntry
from ..web.access import client_ip, requires
from ..web.forms import put_error
from ..web.session_messages import LOG_INVALID
from . import bp
from .booking import session_context, visible_session
from .forms import AmendForm, LogForm

# Which log form field each service error belongs on.
FIELD = {"attended": "attended", "absent": "absent", "actual_start": "actual_start", "actual_end": "actual_end",
         "outcome": "outcome", "text": "outcome"}


def with_parties(form: LogForm, case: Case) -> LogForm:
    """The case's parties as choices for attendance."""
    parties = [(p.id, p.full_name) for p in db.session.scalars(
        select(Party).where(Party.case_id == case.id).order_by(Party.position))]
    form.attended.choices = form.absent.choices = parties
    return form


def _moment(form: LogForm, field) -> datetime | None:
    if form.actual_day.data is None or field.data is None:
        return None
    return local_to_utc(datetime.combine(form.actual_day.data, field.data))


def entry_from(form: LogForm) -> LogEntry:
    """The form as a log entry, times in UTC."""
    return LogEntry(outcome=LogOutcome(form.outcome.data), actual_start=_moment(form, form.actual_start),
                    actual_end=_moment(form, form.actual_end), attended_party_ids=tuple(form.attended.data or ()),
                    absent_party_ids=tuple(form.absent.data or ()), others_present=tuple(form.others.data or ()),
                    kind=SessionKind(form.kind.data), summary=form.summary.data or "",
                    next_steps=form.next_steps.data or "", confidential_notes=form.confidential_notes.data or "")


def prefilled(session, case: Case) -> LogForm:
    """A log form with the session's facts, or with the log's own when it is being corrected."""
    form = with_parties(LogForm(), case)
    form.kind.data = session.kind.value
    log = session.log
    if log is None:
        form.attended.data = [p.party_id for p in session.parties]
        form.actual_day.data = (session.starts_at + LOCAL_OFFSET).date()
        form.actual_start.data = (session.starts_at + LOCAL_OFFSET).time()
        form.actual_end.data = (session.ends_at + LOCAL_OFFSET).time()
        return form
    form.outcome.data, form.kind.data = log.outcome.value, log.kind.value
    form.attended.data, form.absent.data, form.others.data = log.attended_party_ids, log.absent_party_ids, \
        log.others_present
    if log.actual_start:
        form.actual_day.data = (log.actual_start + LOCAL_OFFSET).date()
        form.actual_start.data = (log.actual_start + LOCAL_OFFSET).time()
        form.actual_end.data = (log.actual_end + LOCAL_OFFSET).time()
    form.summary.data, form.next_steps.data = log.summary, log.next_steps
    form.confidential_notes.data = log.confidential_notes
    return form


@bp.route("/<id:session_id>/log", methods=["GET", "POST"])
@requires(Role.MEDIATOR)
def log(session_id: int):
    """Write the session's log, or correct it within 24 hours of writing it."""
    session = visible_session(session_id, edit=request.method == "POST")
    case = db.session.get(Case, session.case_id)
    if request.method == "GET":
        return render_template("sessions/log.html", form=prefilled(session, case), session=session, case=case)
    form = with_parties(LogForm(), case)
    if form.validate_on_submit():
        editing = session.log is not None
        try:
            write = session_logs.edit_log if editing else session_logs.log_session
            write(current_user.actor, session.id, entry_from(form), now=utcnow(), ip=client_ip())
        except LogInvalid as error:
            db.session.rollback()
            put_error(form, FIELD.get(error.field, "outcome"), LOG_INVALID[error.reason_code])
        except LogLocked:
            db.session.rollback()
            flash(_("More than 24 hours have passed since this log was written: add an amendment instead."),
                  "danger")
            return redirect(url_for("sessions.detail", session_id=session.id))
        except NotAllowed:
            abort(403)
        else:
            db.session.commit()
            flash(_("Log corrected.") if editing else _("Session logged."), "success")
            return redirect(url_for("sessions.detail", session_id=session.id))
    return render_template("sessions/log.html", form=form, session=session, case=case), 422


@bp.post("/<id:session_id>/amend")
@requires(Role.MEDIATOR)
def amend(session_id: int):
    """Append a correction to a log whose 24 hours have passed (or any time, as a visible addendum)."""
    session = visible_session(session_id, edit=True)
    case = db.session.get(Case, session.case_id)
    form = AmendForm()
    if form.validate_on_submit():
        try:
            session_logs.amend_log(current_user.actor, session.id, form.text.data, confidential=form.confidential.data,
                                   now=utcnow(), ip=client_ip())
        except LogInvalid as error:
            db.session.rollback()
            put_error(form, "text", LOG_INVALID[error.reason_code])
        except NotAllowed:
            abort(403)
        else:
            db.session.commit()
            flash(_("Amendment added."), "success")
            return redirect(url_for("sessions.detail", session_id=session.id))
    return render_template("sessions/detail.html", **session_context(session, case, amend_form=form)), 422

