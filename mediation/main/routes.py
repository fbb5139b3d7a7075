"""Views of the main blueprint."""

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from ..cases.common import deadline_policy, today
from ..domain.roles import Role
from ..extensions import db
from ..services import case_home, session_logs
from ..services import org as org_service
from ..services import users as user_service
from ..services.clock import utcnow
from ..web.access import is_safe_next
from ..web.forms import EmptyForm
from . import bp


@bp.get("/")
def home():
    """The signed-in user's start page: their scope and what the system holds there."""
    overview = org_service.scope_overview(current_user.actor)
    work = case_home.my_work(current_user.actor, today(), deadline_policy())
    to_log = session_logs.to_log_for(current_user.id, utcnow()) if current_user.role is Role.MEDIATOR else []
    return render_template("main/home.html", overview=overview, work=work, today=today(), to_log=to_log)


@bp.post("/language")
def set_language():
    """Switch the interface language; remembered per user (and per browser before sign-in)."""
    form = EmptyForm()
    lang = request.form.get("lang", "")
    if form.validate_on_submit() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            user_service.set_locale(current_user._get_current_object(), lang)
            db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_next(target) else url_for("main.home"))


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability for a load balancer; no data."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
