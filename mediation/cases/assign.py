"""Suggestions and assignment, and the mediator's answer: accept with a declaration, decline or recuse."""

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..domain.case_states import CaseState, TransitionRefused
from ..domain.errors import NotAllowed
from ..domain.roles import Role
from ..extensions import db
from ..mediators.profile import eligibility_thresholds
from ..models import Case
from ..services import assignment as assignment_service
from ..services.case_access import CaseNotFound
from ..services.case_lifecycle import DateInvalid, MediatorUnavailable, StaleCase
from ..web.access import requires
from ..web.case_messages import MEDIATOR, TRANSITION, message, stale_message
from ..web.forms import add_field_error
from . import bp
from .common import step, today, visible_case
from .forms import AcceptForm, DeclineForm, SuggestedAssignForm

SUPERVISORS = (Role.COORDINATOR, Role.MANAGER)
# Excluded mediators listed by name before "show all"; the counts per reason cover everyone, and the name
# search and the full list keep the "why not" of every excluded mediator one click away.
EXCLUDED_SHOWN = 20
# Ranked mediators offered in the lead and co-mediator lists: a list of 400 names is unreadable and was a
# third of the page's time (bench/RESULTS.md); the preselected pair and a posted choice are always offered,
# and ?ranked=all offers every ranked mediator (the parties may have asked for one further down).
CHOICES_SHOWN = 50


def _view(case_id: int):
    try:
        return assignment_service.suggestions_for(current_user.actor, case_id, today=today(),
                                                  thresholds=eligibility_thresholds())
    except CaseNotFound:
        abort(404)
    except NotAllowed:
        abort(403)


def _form(view, case, *, preselect: bool, offer_all: bool = False) -> SuggestedAssignForm:
    form = SuggestedAssignForm(version=case.version)
    names = view.mediators
    pair = view.suggestions.pair.mediator_ids if view.suggestions.pair else ()
    wanted = {*pair, *(form.lead_id.data, form.co_id.data)} if not preselect else set(pair)
    ranked_list = view.suggestions.ranked
    shown = len(ranked_list) if offer_all else CHOICES_SHOWN
    # The first `shown` in rank order, and any wanted one further down in its place: entries are built when read,
    # so only these are.
    ranks = (ranked_list.index_of(m) for m in wanted if m is not None)
    further = sorted(i for i in ranks if i is not None and i >= shown)
    ranked = [(s.mediator_id, f"{names[s.mediator_id]} · {s.total:.2f}")
              for s in (*ranked_list[:shown], *(ranked_list[i] for i in further))]
    form.lead_id.choices = ranked
    form.co_id.choices = [(None, "—")] + ranked
    if view.suggestions.needs_co_mediator and len(ranked_list) >= 2:  # as assignment_service.assign requires it
        form.co_id.label.text = _("Co-mediator (required by the region's policy)")
    if not preselect:
        return form  # a posted form keeps exactly what the coordinator chose
    if view.top:
        form.lead_id.data = view.top.mediator_id
    if view.suggestions.pair:
        form.lead_id.data, form.co_id.data = view.suggestions.pair.mediator_ids
    return form


@bp.route("/<id:case_id>/suggestions", methods=["GET", "POST"])
@requires(*SUPERVISORS)
def suggestions(case_id: int):
    """Ranked candidates with their score breakdown, the excluded ones with reasons, and the choice."""
    case = visible_case(case_id, edit=True, lock=request.method == "POST")
    if case.state is not CaseState.AWAITING_ASSIGNMENT:
        flash(_("Mediators can be chosen only while the case awaits assignment."), "warning")
        return redirect(url_for("cases.detail", case_id=case.id))
    view = _view(case.id)
    offer_all = request.args.get("ranked") == "all"
    form = _form(view, case, preselect=request.method == "GET", offer_all=offer_all)
    status = 200
    if form.validate_on_submit():
        try:
            assignment_service.assign(step(case.id, form.version.data), form.lead_id.data, form.co_id.data,
                                      note=form.note.data or None, override_reason=form.override_reason.data,
                                      view=view)
        except assignment_service.OverrideReasonRequired:
            db.session.rollback()
            add_field_error(form, form.override_reason, _("Say why you pass over the top candidate."))
        except MediatorUnavailable as error:
            db.session.rollback()
            field = form.co_id if error.mediator_id == form.co_id.data and form.co_id.data else form.lead_id
            full = error.reason_code == "at_capacity" or "at_capacity" in error.data.get("reasons", [])
            add_field_error(form, field, _("This mediator has just reached full caseload. Choose another.") if full
                            else message(MEDIATOR, error))
        except assignment_service.CoMediatorRequired:
            db.session.rollback()
            add_field_error(form, form.co_id, _("The region's policy asks for two mediators on this case."))
        except StaleCase as error:
            db.session.rollback()
            flash(stale_message(error), "danger")
            status = 409
        except TransitionRefused as error:
            db.session.rollback()
            add_field_error(form, form.lead_id, message(TRANSITION, error))
        else:
            db.session.commit()
            flash(_("Mediators assigned; they are asked to accept and declare any conflict of interest."), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
        status = status if status == 409 else 422
    elif form.errors:
        status = 422
    return render_template("cases/suggestions.html", case=case, view=view, form=form,
                           excluded=_excluded_listing(view), offer_all=offer_all,
                           choices_cut=not offer_all and len(view.suggestions.ranked) > CHOICES_SHOWN), status


def _excluded_listing(view) -> dict:
    """Which excluded mediators the page lists: the first few, those matching ?who= / ?reason=, or ?excluded=all."""
    who = (request.args.get("who") or "").strip()[:100]
    reason = request.args.get("reason") or ""
    if reason not in {r.value for r, _ in view.excluded_reason_counts}:
        reason = ""
    show_all = request.args.get("excluded") == "all"
    matching = view.excluded_matching(who, reason) if who or reason else view.suggestions.excluded
    rows = matching if show_all else matching[:EXCLUDED_SHOWN]
    return {"rows": rows, "matching": len(matching), "who": who, "reason": reason, "all": show_all,
            "filtered": bool(who or reason)}


def _answer(case_id: int, form, perform, *, done: Callable[[str, Case], str] | None = None):
    """Validate and perform the mediator's answer; back to the case, or, once `done` says the mediator has left it
    (they no longer see it), to their start page with `done`'s message for the case number and the case as it now
    is. A refusal shows the case again with the form as sent and the error on its field."""
    case = visible_case(case_id, edit=True)
    number = case.number
    if form.validate_on_submit():
        try:
            after = perform(form, step(case.id, form.version.data))
        except StaleCase as error:
            db.session.rollback()
            flash(stale_message(error), "danger")
        except assignment_service.ConflictDeclared:
            db.session.rollback()
            add_field_error(form, form.ties, _("You declared a tie with a party: you cannot accept this case. "
                                               "Decline it instead, giving the reason."))
            return _answer_again(case_id, form)
        except assignment_service.DeclarationMissing:
            db.session.rollback()
            add_field_error(form, form.no_conflict, _("Tick the declaration that nothing impedes your impartiality, "
                                                      "or decline the case."))
            return _answer_again(case_id, form)
        except assignment_service.NotYourAssignment:
            db.session.rollback()
            abort(403)
        except (TransitionRefused, DateInvalid) as error:
            db.session.rollback()
            flash(message(TRANSITION, error), "danger")
        else:
            db.session.commit()
            if done is not None:
                flash(done(number, after), "success")
                return redirect(url_for("main.home"))
            flash(_("Saved."), "success")
    elif form.is_submitted() and not form.errors.get("csrf_token"):
        return _answer_again(case_id, form)
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
    return redirect(url_for("cases.detail", case_id=case.id))


def _answer_again(case_id: int, form):
    """The case page with the mediator's answer form as sent, its errors on their fields (422): under "decline"
    while the answer is pending, "recuse" once the mediator has accepted."""
    from .actions import action_forms, case_page_again

    if isinstance(form, AcceptForm):
        return case_page_again(case_id, "accept", form)
    return case_page_again(case_id, "decline" if "decline" in action_forms(visible_case(case_id)) else "recuse", form)


@bp.post("/<id:case_id>/accept")
@requires(Role.MEDIATOR)
def accept(case_id: int):
    """The mediator accepts the case with a conflict-of-interest declaration."""
    def perform(form, st):
        assignment_service.accept(st, list(form.ties.data or []), form.note.data or None,
                                  declared_no_conflict=bool(form.no_conflict.data))
    return _answer(case_id, AcceptForm(), perform)


@bp.post("/<id:case_id>/decline")
@requires(Role.MEDIATOR)
def decline(case_id: int):
    """The mediator declines or recuses; the case returns for reassignment and they never return to it."""
    def perform(form, st):
        return assignment_service.decline(st, form.reason.data, list(form.ties.data or []),
                                          recusal=bool(form.recusal.data))

    form = DeclineForm()

    def done(number: str, case: Case) -> str:
        if case.state is not CaseState.AWAITING_ASSIGNMENT:  # a co-mediator stays on it, now as the lead
            if form.recusal.data:
                return _("You recused yourself from case %(number)s; the other mediator goes on with it.",
                         number=number)
            return _("You declined case %(number)s; the other mediator goes on with it.", number=number)
        if form.recusal.data:
            return _("You recused yourself from case %(number)s; it returns to the coordinator for a new mediator.",
                     number=number)
        return _("You declined case %(number)s; it returns to the coordinator for a new mediator.", number=number)
    return _answer(case_id, form, perform, done=done)
