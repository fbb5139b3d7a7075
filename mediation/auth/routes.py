"""Views of the auth blueprint: thin, the services do the work."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..domain.lockout import LockoutPolicy
from ..extensions import db, limiter
from ..services import auth as auth_service
from ..services import users as user_service
from ..services.clock import utcnow
from ..services.passwords import PasswordRejected
from ..web.access import client_ip, end_session, is_safe_next, start_session
from ..web.forms import EmptyForm, put_error
from ..web.messages import login_message, password_message
from . import bp
from .forms import ChangePasswordForm, LoginForm


def _lockout_policy() -> LockoutPolicy:
    cfg = current_app.config
    return LockoutPolicy(cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_FAILURE_WINDOW"], cfg["LOGIN_LOCK_DURATION"])


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    """Show the sign-in form; on success start a fresh session and go where the user was heading."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        attempt = auth_service.LoginAttempt(form.username.data, form.password.data, client_ip())
        try:
            user = auth_service.authenticate(attempt, now=utcnow(), policy=_lockout_policy(),
                                             fast_hash=current_app.config.get("ARGON2_FAST", False))
        except auth_service.LoginFailed as error:
            db.session.commit()  # keep the failure count and the audit entry
            put_error(form, "password", login_message(error))
        else:
            db.session.commit()
            target = form.next.data if is_safe_next(form.next.data) else url_for("main.home")
            start_session(user)
            return redirect(target)
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
def logout():
    """Sign out: the user's session token rotates, so every copy of the cookie stops working."""
    form = EmptyForm()
    if form.validate_on_submit():
        from ..services import audit

        current_user.rotate_session_token()
        audit.record("auth.logout", actor_id=current_user.id, ip=client_ip(), object_type="user",
                     object_id=current_user.id)
        db.session.commit()
        end_session()
        flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    """Change one's own password; other sessions end, this one continues with the new token."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = user_service.change_own_password(
                current_user._get_current_object(), form.current.data, form.new.data, ip=client_ip(), now=utcnow(),
                fast_hash=current_app.config.get("ARGON2_FAST", False))
        except user_service.WrongPassword:
            db.session.rollback()
            put_error(form, "current", _("The current password is wrong."))
        except PasswordRejected as error:
            db.session.rollback()
            put_error(form, "new", password_message(error))
        else:
            db.session.commit()
            start_session(user)
            flash(_("Your password has been changed. Other sessions have been signed out."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form), 200 if not form.errors else 422
