"""Views of the admin blueprint: accounts and the audit trail."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..domain.errors import NotAllowed
from ..domain.policies import can_view_audit
from ..domain.roles import Role, ScopeInvalid
from ..extensions import db
from ..models import AuditEvent, User
from ..services import org as org_service
from ..services import users as user_service
from ..services.clock import utcnow
from ..services.passwords import PasswordRejected
from ..web.access import client_ip, ensure, requires
from ..web.forms import EmptyForm, id_value, put_error
from ..web.messages import password_message, scope_message
from . import bp
from .forms import NewUserForm, ResetPasswordForm, UserForm

AUDIT_PAGE = 100


def _fast() -> bool:
    return current_app.config.get("ARGON2_FAST", False)


def _prepare(form: UserForm) -> UserForm:
    form.set_choices(org_service.regions(), org_service.houses(), str(get_locale()))
    return form


def _user_data(form: UserForm) -> user_service.UserData:
    return user_service.UserData(full_name=form.full_name.data, email=form.email.data or None,
                                 role=Role(form.role.data), region_id=form.region_id.data,
                                 house_id=form.house_id.data)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
@requires(Role.ADMIN)
def users():
    """All accounts with role, scope and state."""
    return render_template("admin/users.html", users=user_service.list_users(), action_form=EmptyForm(),
                           now=utcnow())


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def new_user():
    """Create an account."""
    form = _prepare(NewUserForm())
    if form.validate_on_submit():
        try:
            user = user_service.create_user(current_user.actor, form.username.data, form.password.data,
                                            _user_data(form), ip=client_ip(), now=utcnow(), fast_hash=_fast())
        except user_service.UsernameTaken:
            put_error(form, "username", _("This username is taken."))
        except user_service.UsernameInvalid:
            put_error(form, "username", _("Use 3–64 Latin letters, digits, dots, dashes or underscores."))
        except PasswordRejected as error:
            put_error(form, "password", password_message(error))
        except ScopeInvalid as error:
            put_error(form, "house_id" if error.reason_code == "house_outside_region" else "role",
                      scope_message(error))
        else:
            db.session.commit()
            flash(_("Account %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.users"))
        db.session.rollback()
    return render_template("admin/user_form.html", form=form, user=None), 200 if not form.errors else 422


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def edit_user(user_id: int):
    """Edit an account's name, contact, role and scope."""
    user = _user_or_404(user_id)
    form = _prepare(UserForm(obj=user if request.method == "GET" else None))
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            user_service.update_user(current_user.actor, user.id, _user_data(form), ip=client_ip(), now=utcnow())
        except ScopeInvalid as error:
            put_error(form, "house_id" if error.reason_code == "house_outside_region" else "role",
                      scope_message(error))
        except user_service.SelfLockout:
            put_error(form, "role", _("You cannot take the administrator role from yourself."))
        else:
            db.session.commit()
            flash(_("Account %(name)s saved.", name=user.username), "success")
            return redirect(url_for("admin.users"))
        db.session.rollback()
    return render_template("admin/user_form.html", form=form, user=user, reset_form=ResetPasswordForm(),
                           action_form=EmptyForm()), 200 if not form.errors else 422


@bp.post("/users/<id:user_id>/active")
@requires(Role.ADMIN)
def set_active(user_id: int):
    """Deactivate or reactivate an account (deactivation ends its sessions at once)."""
    user = _user_or_404(user_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("active") not in ("0", "1"):
        abort(400)
    active = request.form.get("active") == "1"
    try:
        user_service.set_active(current_user.actor, user.id, active, ip=client_ip(), now=utcnow())
    except user_service.SelfLockout:
        flash(_("You cannot deactivate your own account."), "danger")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(_("Account %(name)s activated.", name=user.username) if active
          else _("Account %(name)s deactivated; its sessions have ended.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<id:user_id>/password")
@requires(Role.ADMIN)
def reset_password(user_id: int):
    """Set a new password for an account; its sessions end and any lock is lifted."""
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user_service.reset_password(current_user.actor, user.id, form.password.data, ip=client_ip(),
                                        now=utcnow(), fast_hash=_fast())
        except PasswordRejected as error:
            db.session.rollback()
            put_error(form, "password", password_message(error))
        else:
            db.session.commit()
            flash(_("A new password is set for %(name)s; their sessions have ended.", name=user.username),
                  "success")
            return redirect(url_for("admin.users"))
    edit_form = _prepare(UserForm(obj=user))
    edit_form.role.data = user.role.value
    return render_template("admin/user_form.html", form=edit_form, user=user, reset_form=form,
                           action_form=EmptyForm()), 422


@bp.get("/audit")
@requires(Role.ADMIN)
def audit():
    """The latest audit events, newest first, with keyset paging on the id."""
    ensure(can_view_audit(current_user.actor))
    before = id_value(request.args.get("before"))
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)
    if before:
        query = query.where(AuditEvent.id < before)
    events = list(db.session.scalars(query))
    actors = {u.id: u.username for u in db.session.scalars(
        select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id})))}
    next_before = events[-1].id if len(events) == AUDIT_PAGE else None
    return render_template("admin/audit.html", events=events, actors=actors, next_before=next_before)


# NotAllowed from a service is a 403, whatever view raised it.
@bp.errorhandler(NotAllowed)
def not_allowed(_error):
    """A service refused the actor: answer 403."""
    abort(403)
