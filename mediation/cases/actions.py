"""The steps of a case's life, one small form each; errors land on the field they concern."""

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..domain.case_states import CaseState, MissingDate, Outcome, TerminationGround, TransitionRefused
from ..domain.deadlines import ExtensionRefused
from ..domain.eligibility import ExclusionQuestion
from ..domain.errors import NotAllowed
from ..domain.roles import Role
from ..extensions import db
from ..models import Case, CaseAssignment, Mediator
from ..services import case_lifecycle as lifecycle
from ..services.case_lifecycle import DateInvalid, MediatorUnavailable, SessionsUnlogged, StaleCase
from ..web.access import requires
from ..web.case_messages import DATES, EXTENSION, MEDIATOR, TRANSITION, message, stale_message
from ..web.forms import add_field_error
from . import bp
from .common import deadline_policy, step, visible_case
from .context import detail_context
from .forms import (
    AcceptForm,
    CloseForm,
    ContractForm,
    DeclineForm,
    ExtensionForm,
    ProposalForm,
    ReleaseForm,
    ScreeningForm,
)

CASE_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.MEDIATOR)
SUPERVISORS = (Role.COORDINATOR, Role.MANAGER)
ANSWERS = {"yes": True, "no": False}



def own_pending(case: Case, assignments: list | None = None) -> bool:
    """True when the signed-in mediator has a proposed (unanswered) assignment on the case (read from
    `assignments`, with their mediators loaded, when given)."""
    if assignments is not None:
        return any(a.status == "proposed" and a.ended_at is None and a.mediator.user_id == current_user.id
                   for a in assignments)
    return db.session.scalar(
        select(CaseAssignment.id).join(Mediator, Mediator.id == CaseAssignment.mediator_id)
        .where(CaseAssignment.case_id == case.id, Mediator.user_id == current_user.id,
               CaseAssignment.status == "proposed", CaseAssignment.ended_at.is_(None))) is not None


def with_mediators(form: ReleaseForm, case: Case, assignments: list | None = None) -> ReleaseForm:
    """Offer the mediators now on the case (the lead first); from `assignments` (the case's, with their
    mediators loaded, as the case page has them) without a query."""
    if assignments is not None:
        current = sorted((a for a in assignments if a.ended_at is None and a.status in ("proposed", "accepted")),
                         key=lambda a: a.role, reverse=True)
        form.mediator_id.choices = [(a.mediator.id, a.mediator.full_name) for a in current]
        return form
    rows = db.session.execute(
        select(Mediator.id, Mediator.full_name, CaseAssignment.role).join(CaseAssignment, CaseAssignment.mediator_id
                                                                         == Mediator.id)
        .where(CaseAssignment.case_id == case.id, CaseAssignment.ended_at.is_(None),
               CaseAssignment.status.in_(("proposed", "accepted"))).order_by(CaseAssignment.role.desc())).all()
    form.mediator_id.choices = [(row.id, row.full_name) for row in rows]
    return form


def action_forms(case: Case, assignments: list | None = None) -> dict:
    """The forms the user may use on this case now, prefilled with its version (`assignments`: the case's
    assignments with their mediators, when the caller has them loaded)."""
    role, state, forms = current_user.role, case.state, {}
    supervising = role in SUPERVISORS
    if supervising and state in (CaseState.REGISTERED, CaseState.SCREENING):
        form = ScreeningForm(version=case.version)
        for question, column in lifecycle.SCREENING_COLUMNS.items():
            value = getattr(case, column)
            form[question.value].data = "" if value is None else ("yes" if value else "no")
        form.note.data, form.referred_to.data = case.screening_note, case.referred_to
        forms["screening"] = form
    if role is Role.MEDIATOR and state is CaseState.ASSIGNED and own_pending(case, assignments):
        forms["accept"] = AcceptForm(version=case.version)
        forms["decline"] = DeclineForm(version=case.version)
    if supervising and state in (CaseState.ASSIGNED, CaseState.IN_MEDIATION):
        forms["release"] = with_mediators(ReleaseForm(version=case.version), case, assignments)
    if role is Role.MEDIATOR and state in (CaseState.ASSIGNED, CaseState.IN_MEDIATION) and "decline" not in forms:
        form = DeclineForm(version=case.version, recusal=True)
        forms["recuse"] = form
    if state in (CaseState.AWAITING_ASSIGNMENT, CaseState.ASSIGNED):
        forms["proposal"] = ProposalForm(version=case.version, sent_on=case.proposal_sent_on,
                                         accepted_on=case.proposal_accepted_on)
    if state is CaseState.ASSIGNED:
        forms["contract"] = ContractForm(version=case.version)
    if state is CaseState.IN_MEDIATION and not case.extension_days:
        forms["extension"] = ExtensionForm(version=case.version)
    if state is not CaseState.CLOSED and (supervising or state is CaseState.IN_MEDIATION):
        forms["close"] = CloseForm(version=case.version)
    return forms


def _run(case_id: int, name: str, form_cls, perform: Callable, field_for: Callable):
    """Validate, perform, commit once; or show the case again with the error on the right field."""
    case = visible_case(case_id, edit=True)
    form = form_cls()
    if name == "release":
        with_mediators(form, case)
    status = 422
    if form.validate_on_submit():
        try:
            perform(form, step(case.id, form.version.data))
        except StaleCase as error:
            db.session.rollback()
            flash(stale_message(error), "danger")
            status = 409
        except TransitionRefused as error:
            db.session.rollback()
            if error.reason_code == "role_not_allowed":
                abort(403)
            add_field_error(form, field_for(form, error), message(TRANSITION, error))
        except NotAllowed:
            abort(403)
        except SessionsUnlogged as error:
            db.session.rollback()
            add_field_error(form, form.outcome, _(
                "%(count)d session(s) of this case ended without a log: the mediator logs them before the case "
                "closes with an agreement.", count=error.count))
        except (DateInvalid, ExtensionRefused, MediatorUnavailable, MissingDate) as error:
            db.session.rollback()
            table = {DateInvalid: DATES, ExtensionRefused: EXTENSION, MediatorUnavailable: MEDIATOR}.get(type(error))
            text = message(table, error) if table else _("Give the date that fixes the termination.")
            add_field_error(form, field_for(form, error), text)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return case_page_again(case_id, name, form, status)


def case_page_again(case_id: int, name: str, form, status: int = 422):
    """The case page with one action form as it was sent, its errors on their fields."""
    case = visible_case(case_id)
    forms = action_forms(case)
    forms[name] = form
    return render_template("cases/detail.html", **detail_context(case, forms)), status


def _first_field(form, error):
    """Put an error on the field it names, else on the form's first visible field."""
    name = error.data.get("field")
    if name and name in form:
        return form[name]
    return next(f for f in form if f.type not in ("CSRFTokenField", "IntegerField", "HiddenField"))


@bp.post("/<id:case_id>/screening")
@requires(*SUPERVISORS)
def screening(case_id: int):
    """Save the Art. 1 screening."""
    def perform(form, st):
        answers = {q: ANSWERS.get(form[q.value].data) for q in ExclusionQuestion}
        lifecycle.record_screening(st, answers, form.note.data or None, form.referred_to.data or None)
    return _run(case_id, "screening", ScreeningForm, perform, _first_field)


@bp.post("/<id:case_id>/release")
@requires(*CASE_ROLES)
def release(case_id: int):
    """A decline, self-recusal or objection returns the case for reassignment."""
    def perform(form, st):
        lifecycle.release_mediators(st, form.status.data, form.reason.data, mediator_id=form.mediator_id.data)
    return _run(case_id, "release", ReleaseForm, perform, _first_field)


@bp.post("/<id:case_id>/proposal")
@requires(*CASE_ROLES)
def proposal(case_id: int):
    """Record the written proposal to mediate and its acceptance."""
    def perform(form, st):
        lifecycle.record_proposal(st, form.sent_on.data, form.accepted_on.data)

    def field_for(form, error):
        return form.accepted_on if error.data.get("field") == "accepted_on" else form.sent_on
    return _run(case_id, "proposal", ProposalForm, perform, field_for)


@bp.post("/<id:case_id>/contract")
@requires(*CASE_ROLES)
def contract(case_id: int):
    """Record the signing of the mediation contract: the mediation starts."""
    def perform(form, st):
        lifecycle.sign_contract(st, form.signed_on.data, deadline_policy())
    return _run(case_id, "contract", ContractForm, perform, lambda form, error: form.signed_on)


@bp.post("/<id:case_id>/extension")
@requires(*CASE_ROLES)
def extension(case_id: int):
    """Extend the term once."""
    def perform(form, st):
        lifecycle.extend_term(st, form.days.data, form.reason.data, bool(form.parties_consent.data),
                              form.agreed_on.data, deadline_policy())

    def field_for(form, error):
        reason = error.data.get("reason_code")
        return {"consent_required": form.parties_consent, "reason_required": form.reason}.get(reason, form.days)
    return _run(case_id, "extension", ExtensionForm, perform, field_for)


@bp.post("/<id:case_id>/close")
@requires(*CASE_ROLES)
def close(case_id: int):
    """Close the case with an outcome and, for a started mediation, an Art. 26 ground."""
    def perform(form, st):
        closure = lifecycle.Closure(outcome=Outcome(form.outcome.data),
                                    ground=TerminationGround(form.ground.data) if form.ground.data else None,
                                    effective_on=form.effective_on.data, reason=form.reason.data or None,
                                    referred_to=form.referred_to.data or None)
        lifecycle.close_case(st, closure)

    def field_for(form, error):
        if isinstance(error, (MissingDate, DateInvalid)):
            return form.ground if error.data.get("field") == "ground" else form.effective_on
        if "ground" in error.data.get("reason_code", ""):
            return form.ground
        return form.outcome
    return _run(case_id, "close", CloseForm, perform, field_for)

