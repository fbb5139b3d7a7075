"""Registering an appeal and correcting a case's details and its parties."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..domain.case_fields import CaseCategory, Channel, PartyKind, PartyRole, TensionLevel
from ..domain.errors import NotAllowed
from ..domain.identity import normalise_iin_bin
from ..domain.roles import Role
from ..domain.text import fold
from ..extensions import db
from ..services import case_intake
from ..services.case_lifecycle import StaleCase
from ..services.clock import utcnow
from ..web.access import client_ip, requires
from ..web.case_messages import INTAKE, stale_message
from ..web.forms import add_field_error
from . import bp
from .common import step, today, visible_case
from .forms import EditCaseForm, EditPartyForm, IntakeForm
from .routes import _houses_in_scope


def _party_data(data) -> case_intake.PartyData:
    """PartyData from a party's fields (an intake entry's form, or the correction form)."""
    return case_intake.PartyData(
        kind=PartyKind(data.kind.data), role=PartyRole(data.role.data), full_name=data.full_name.data,
        iin_bin=data.iin_bin.data or None, preferred_language=data.preferred_language.data or None,
        phone=data.phone.data or None, email=data.email.data or None, address=data.address.data or None,
        representative_name=data.representative_name.data or None,
        representative_basis=data.representative_basis.data or None, is_minor=bool(data.is_minor.data),
        ethnicity=data.ethnicity.data or None, ethnicity_consent_on=data.ethnicity_consent_on.data,
        consent_mediation_on=data.consent_mediation_on.data,
        consent_mediation_method=data.consent_mediation_method.data or None,
        consent_data_on=data.consent_data_on.data, consent_data_method=data.consent_data_method.data or None)


def _intake_data(form: IntakeForm) -> case_intake.IntakeData:
    return case_intake.IntakeData(
        house_id=form.house_id.data, category=CaseCategory(form.category.data), channel=Channel(form.channel.data),
        subject=form.subject.data, description=form.description.data or "", received_on=form.received_on.data,
        tension=TensionLevel(form.tension.data), languages=tuple(form.languages.data or ()),
        interpreter_needed=bool(form.interpreter_needed.data), signals=tuple(form.signals.data or ()),
        parties=tuple(_party_data(entry.form) for entry in form.parties))


def _field(form: IntakeForm, name: str):
    """The form field a service error names ("parties-1-iin_bin" → the second party's IIN field)."""
    if name.startswith("parties-"):
        _, index, field = name.split("-", 2)
        return form.parties[int(index)].form[field]
    return form._fields.get(name, form.subject)


def _prepare(form: IntakeForm) -> IntakeForm:
    locale = str(get_locale())
    form.house_id.choices = [(h.id, h.name(locale)) for h in _houses_in_scope()]
    return form


@bp.route("/new", methods=["GET", "POST"])
@requires(Role.COORDINATOR, Role.MANAGER)
def new():
    """Register an appeal: details, parties and consents, with a duplicate warning before saving."""
    form = _prepare(IntakeForm())
    if request.method == "GET":
        form.received_on.data = today()
        form.house_id.data = current_user.house_id or (form.house_id.choices[0][0] if form.house_id.choices else None)
        form.parties[0].form.role.data = PartyRole.APPLICANT.value
        form.parties[1].form.role.data = PartyRole.RESPONDENT.value
    elif form.add_party.data:
        if len(form.parties) < case_intake.MAX_PARTIES:
            form.parties.append_entry()
        return render_template("cases/new.html", form=form, duplicates=[])
    duplicates, refused = [], False
    if form.validate_on_submit():
        data = _intake_data(form)
        house = next((h for h in _houses_in_scope() if h.id == data.house_id), None)
        if house is not None and form.confirm_duplicates.data != "1":
            duplicates = case_intake.find_duplicates(house.region_id, data.parties)
        if duplicates:
            form.confirm_duplicates.data = "1"
        else:
            try:
                case = case_intake.register_case(current_user.actor, data, ip=client_ip(), now=utcnow(),
                                                 today=today())
            except case_intake.IntakeInvalid as error:
                db.session.rollback()
                for name, code in error.errors.items():
                    add_field_error(form, _field(form, name), INTAKE.get(code, code))
                refused = True
            else:
                db.session.commit()
                flash(_("Appeal registered as %(number)s.", number=case.number), "success")
                return redirect(url_for("cases.detail", case_id=case.id))
    status = 422 if form.errors or duplicates or refused else 200
    return render_template("cases/new.html", form=form, duplicates=duplicates), status


@bp.route("/<id:case_id>/edit", methods=["GET", "POST"])
@requires(Role.COORDINATOR, Role.MANAGER, Role.MEDIATOR)
def edit(case_id: int):
    """Correct the case's details; a concurrent change is refused with who and when (409)."""
    case = visible_case(case_id, edit=True, lock=request.method == "POST")
    form = EditCaseForm(obj=case if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = case.version
        form.signals.data = list(case.tension_signals)
        form.category.data, form.channel.data, form.tension.data = case.category.value, case.channel.value, \
            case.tension.value
    if form.validate_on_submit():
        try:
            version = int(form.version.data)
        except ValueError:
            abort(400)
        edit_data = case_intake.CaseEdit(
            category=CaseCategory(form.category.data), channel=Channel(form.channel.data), subject=form.subject.data,
            description=form.description.data or "", languages=tuple(form.languages.data or ()),
            interpreter_needed=bool(form.interpreter_needed.data), tension=TensionLevel(form.tension.data),
            signals=tuple(form.signals.data or ()))
        try:
            case_intake.update_case(step(case.id, version), edit_data)
        except StaleCase as error:
            db.session.rollback()
            return render_template("cases/edit.html", form=form, case=visible_case(case_id),
                                   stale=stale_message(error)), 409
        except NotAllowed:
            abort(403)
        db.session.commit()
        flash(_("Case %(number)s saved.", number=case.number), "success")
        return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/edit.html", form=form, case=case, stale=None), 200 if not form.errors else 422


@bp.route("/<id:case_id>/parties/new", methods=["GET", "POST"])
@requires(*case_intake.PARTY_EDITORS)
def add_party(case_id: int):
    """Add a party who joined after intake, with the duplicate warning of intake."""
    case = _case_for_parties(case_id)
    form = EditPartyForm()
    if request.method == "GET":
        form.version.data = case.version
        form.role.data = PartyRole.OTHER.value
    return _party_form(case, None, form)


@bp.route("/<id:case_id>/parties/<id:number>", methods=["GET", "POST"])
@requires(*case_intake.PARTY_EDITORS)
def edit_party(case_id: int, number: int):
    """Correct party `number` (1, 2, … as on the case page), with the duplicate warning when who it is changes."""
    case = _case_for_parties(case_id)
    party = next((p for p in case.parties if p.position == number - 1), None)
    if party is None:
        abort(404)
    form = EditPartyForm(obj=party if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = case.version
        form.kind.data, form.role.data = party.kind.value, party.role.value
    return _party_form(case, party, form)


def _case_for_parties(case_id: int):
    """The case, locked only to write; 403 when its parties may not be changed (closed)."""
    case = visible_case(case_id, edit=True, lock=request.method == "POST")
    if not case_intake.may_correct_parties(current_user.actor, case):
        abort(403)
    return case


def _party_form(case, party, form: EditPartyForm):
    """Show, warn about duplicates, or save a party form (`party` None: a new party); 409 on a stale version."""
    status, duplicates = 200, []
    if form.validate_on_submit():
        data = _party_data(form)
        if form.confirm_duplicates.data != "1" and (party is None or _identity_changed(party, data)):
            duplicates = case_intake.find_duplicates(case.region_id, (data,), exclude_case_id=case.id)
        if duplicates:
            form.confirm_duplicates.data = "1"
            status = 422
        else:
            try:
                at = step(case.id, form.version.data)
                if party is None:
                    case_intake.add_party(at, data)
                else:
                    case_intake.update_party(at, party.position, data)
            except StaleCase as error:
                db.session.rollback()
                return _render_party(visible_case(case.id), party, form, [], stale_message(error)), 409
            except case_intake.IntakeInvalid as error:
                db.session.rollback()
                for name, code in error.errors.items():
                    add_field_error(form, form._fields.get(name, form.full_name), INTAKE.get(code, code))
                status = 422
            except NotAllowed:
                abort(403)
            else:
                db.session.commit()
                if party is None:
                    flash(_("Party %(n)d added to case %(number)s.", n=len(case.parties), number=case.number),
                          "success")
                else:
                    flash(_("Party %(n)d of case %(number)s saved.", n=party.position + 1, number=case.number),
                          "success")
                return redirect(url_for("cases.detail", case_id=case.id))
    db.session.rollback()  # a POST that saved nothing ends its row lock here
    return _render_party(case, party, form, duplicates, None), 422 if form.errors else status


def _render_party(case, party, form, duplicates, stale):
    return render_template("cases/party_edit.html", form=form, case=case, duplicates=duplicates, stale=stale,
                           number=party.position + 1 if party is not None else None)


def _identity_changed(party, data: case_intake.PartyData) -> bool:
    """True if the correction changes what the duplicate warning compares: the ИИН/БИН or the folded name."""
    iin = normalise_iin_bin(data.iin_bin) if data.iin_bin else None
    return iin != party.iin_bin or fold(data.full_name) != party.name_folded
