"""Views of the assignment blueprint: a region's policy, and batch auto-assign with a preview."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..domain.assignment_filters import DEFAULT_WEIGHTS, AssignmentPolicy, InvalidAssignmentPolicy
from ..domain.errors import NotAllowed
from ..domain.roles import Role, ScopeLevel
from ..extensions import db
from ..mediators.profile import eligibility_thresholds
from ..services import assignment_batch, assignment_policy
from ..services import org as org_service
from ..services.assignment_inputs import policy_for
from ..services.clock import local_date, utcnow
from ..web.access import client_ip, requires
from ..web.forms import id_value
from . import bp
from .forms import BatchForm, PolicyForm


def _regions_for_actor():
    actor = current_user.actor
    regions = org_service.regions()
    if actor.scope_level is ScopeLevel.REPUBLIC:
        return regions
    return [r for r in regions if r.id == actor.region_id]


def _region_id() -> int:
    regions = _regions_for_actor()
    wanted = id_value(request.values.get("region"))
    chosen = next((r for r in regions if r.id == wanted), regions[0] if regions else None)
    if chosen is None:
        abort(404)
    return chosen.id


@bp.route("/policy", methods=["GET", "POST"])
@requires(Role.MANAGER)
def policy():
    """Edit a region's weights, horizon, co-mediation rules, republic pool and ethnicity mode."""
    region_id = _region_id()
    form = PolicyForm()
    if request.method == "GET":
        current = policy_for(region_id)
        form.horizon_days.data = current.horizon_days
        form.co_mediation_for_interethnic.data = current.co_mediation_required_for_interethnic
        form.co_mediation_for_high_tension.data = current.co_mediation_required_for_high_tension
        form.allow_republic_pool.data = current.allow_republic_pool
        form.ethnicity_mode.data = str(current.ethnicity_mode)
        for factor in DEFAULT_WEIGHTS:
            form[f"weight_{factor.value}"].data = current.weight(factor)
    elif form.validate_on_submit():
        new = AssignmentPolicy(
            weights={f.value: float(form[f"weight_{f.value}"].data) for f in DEFAULT_WEIGHTS},
            horizon_days=form.horizon_days.data,
            co_mediation_required_for_interethnic=bool(form.co_mediation_for_interethnic.data),
            co_mediation_required_for_high_tension=bool(form.co_mediation_for_high_tension.data),
            allow_republic_pool=bool(form.allow_republic_pool.data), ethnicity_mode=form.ethnicity_mode.data)
        try:
            assignment_policy.save_policy(current_user.actor, region_id, new, ip=client_ip(), now=utcnow())
        except NotAllowed:
            abort(403)
        except InvalidAssignmentPolicy:
            db.session.rollback()
            flash(_("The policy has a value out of range."), "danger")
        else:
            db.session.commit()
            flash(_("Policy saved."), "success")
            return redirect(url_for("assignment.policy", region=region_id))
    locale = str(get_locale())
    return render_template("assignment/policy.html", form=form, region_id=region_id,
                           regions=[(r.id, r.name(locale)) for r in _regions_for_actor()]), 422 if form.errors else 200


@bp.route("/batch", methods=["GET", "POST"])
@requires(Role.COORDINATOR, Role.MANAGER)
def batch():
    """Preview the automatic assignment of every waiting case in scope; commit writes it."""
    region_id = _region_id()
    form = BatchForm()
    locale = str(get_locale())
    form.region_id.choices = [(r.id, r.name(locale)) for r in _regions_for_actor()]
    today = local_date(utcnow())
    try:
        if request.method == "POST" and form.validate_on_submit():
            plan = assignment_batch.apply_scope(current_user.actor, form.region_id.data, now=utcnow(), today=today,
                                                thresholds=eligibility_thresholds(), ip=client_ip())
            db.session.commit()
            flash(_("%(n)d cases assigned; each mediator is asked to accept.", n=plan.staffed), "success")
            return redirect(url_for("assignment.batch", region=form.region_id.data))
        plan = assignment_batch.plan_scope(current_user.actor, region_id, today=today,
                                           thresholds=eligibility_thresholds())
    except NotAllowed:
        abort(403)
    form.region_id.data = region_id
    return render_template("assignment/batch.html", form=form, plan=plan)
