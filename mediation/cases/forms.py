"""Forms of the cases blueprint: intake with its parties, edits, and one small form per action."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..domain.case_fields import PartyKind
from ..domain.identity import is_valid_iin_bin, normalise_iin_bin
from ..services.case_intake import MAX_PARTIES
from ..services.contacts import PhoneInvalid, normalise_phone
from ..web import labels_case as L
from ..web.forms import AppForm, MultiCheckboxField, choices, no_control_characters, optional_id, required_id, strip


def valid_iin_bin(form, field) -> None:
    """An ИИН/БИН is optional, but when given it must have 12 digits and a correct check digit."""
    if field.data:
        field.data = normalise_iin_bin(field.data)
        if not is_valid_iin_bin(field.data):
            raise ValidationError(_l("This is not a valid IIN/BIN: 12 digits with a correct check digit."))


def valid_phone(form, field) -> None:
    """Normalise a phone number to E.164; refuse what is not a phone number."""
    if field.data:
        try:
            field.data = normalise_phone(field.data)
        except PhoneInvalid:
            raise ValidationError(_l("This is not a valid phone number.")) from None


def optional_text(max_length: int):
    """Validators for a free-text field that may be empty."""
    return [Optional(), Length(max=max_length), no_control_characters]


class PartyForm(Form):
    """One party of the dispute (a sub-form: the CSRF token belongs to the outer form)."""

    kind = SelectField(_l("Person or organisation"), choices=choices(L.PARTY_KIND), default=PartyKind.PERSON.value)
    role = SelectField(_l("Role in the dispute"), choices=choices(L.PARTY_ROLE))
    full_name = StringField(_l("Full name or organisation name"), filters=[strip],
                            validators=[DataRequired(), Length(max=300), no_control_characters])
    iin_bin = StringField(_l("IIN / BIN"), filters=[strip], validators=[Optional(), Length(max=20), valid_iin_bin])
    preferred_language = SelectField(_l("Preferred language"), choices=choices(L.LANGUAGE, blank="—"), default="")
    phone = StringField(_l("Phone"), filters=[strip], validators=[Optional(), Length(max=30), valid_phone])
    email = EmailField(_l("E-mail"), filters=[strip],
                       validators=[Optional(), Length(max=254), Email(check_deliverability=False)])
    address = StringField(_l("Address"), filters=[strip], validators=optional_text(500))
    representative_name = StringField(_l("Representative"), filters=[strip], validators=optional_text(300))
    representative_basis = StringField(_l("Basis of the representative's authority"), filters=[strip],
                                       validators=optional_text(300))
    is_minor = BooleanField(_l("Minor"))
    ethnicity = StringField(_l("Ethnicity (self-declared, optional)"), filters=[strip], validators=optional_text(60),
                            description=_l("Recorded only with the party's consent; shown only in aggregate."))
    ethnicity_consent_on = DateField(_l("Consent to record ethnicity given on"), validators=[Optional()])
    consent_mediation_on = DateField(_l("Consent to mediation given on"), validators=[Optional()])
    consent_mediation_method = SelectField(_l("How"), choices=choices(L.CONSENT, blank="—"), default="")
    consent_data_on = DateField(_l("Consent to personal-data processing given on"), validators=[Optional()])
    consent_data_method = SelectField(_l("How"), choices=choices(L.CONSENT, blank="—"), default="")

    def validate_ethnicity_consent_on(self, field) -> None:
        """Ethnicity is stored only with the party's recorded consent."""
        if self.ethnicity.data and not field.data:
            raise ValidationError(_l("Record the date of the party's consent, or leave ethnicity empty."))


class CaseDetailsMixin:
    """Fields shared by intake and edit."""

    category = SelectField(_l("Category"), choices=choices(L.CATEGORY))
    channel = SelectField(_l("How the appeal arrived"), choices=choices(L.CHANNEL))
    subject = TextAreaField(_l("Subject of the dispute"), filters=[strip],
                            validators=[DataRequired(), Length(max=1000), no_control_characters])
    description = TextAreaField(_l("Confidential description"), filters=[strip], validators=optional_text(20000),
                                description=_l("Seen only by those who work on the case; never exported."))
    languages = MultiCheckboxField(_l("Languages needed"), choices=choices(L.LANGUAGE))
    interpreter_needed = BooleanField(_l("An interpreter is needed"))
    tension = SelectField(_l("Tension level"), choices=choices(L.TENSION))
    signals = MultiCheckboxField(_l("Tension signals"), choices=choices(L.SIGNAL))


class IntakeForm(CaseDetailsMixin, AppForm):
    """A new appeal with its parties."""

    house_id = SelectField(_l("Friendship House"), coerce=required_id)
    received_on = DateField(_l("Received on"), validators=[InputRequired()])
    # One more than the service accepts, so a 31st party is refused with a message, not silently dropped.
    parties = FieldList(FormField(PartyForm), min_entries=2, max_entries=MAX_PARTIES + 1)
    confirm_duplicates = HiddenField()
    add_party = SubmitField(_l("Add a party"))
    submit = SubmitField(_l("Register the appeal"))


class EditCaseForm(CaseDetailsMixin, AppForm):
    """Corrections to a case's details."""

    version = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Save"))


class VersionedForm(AppForm):
    """An action on a case: carries the version the user saw."""

    version = IntegerField(validators=[InputRequired()], widget=HiddenField.widget)


def yes_no_choices():
    """Unanswered / no / yes."""
    return [SelectChoice("", _l("Not yet answered")), SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))]


class EditPartyForm(VersionedForm, PartyForm):
    """Corrections to one party, with the case version the user saw."""

    confirm_duplicates = HiddenField()
    submit = SubmitField(_l("Save"))


class ScreeningForm(VersionedForm):
    """The four Art. 1 questions."""

    third_party_interests = SelectField(L.QUESTION["third_party_interests"], choices=yes_no_choices())
    party_incapable = SelectField(L.QUESTION["party_incapable"], choices=yes_no_choices())
    state_body_party = SelectField(L.QUESTION["state_body_party"], choices=yes_no_choices())
    corruption_or_state_service_crime = SelectField(L.QUESTION["corruption_or_state_service_crime"],
                                                    choices=yes_no_choices())
    note = TextAreaField(_l("Note (reason, if not eligible)"), filters=[strip], validators=optional_text(2000))
    referred_to = StringField(_l("Referred to"), filters=[strip], validators=optional_text(300))
    submit = SubmitField(_l("Save the screening"))



class ReleaseForm(VersionedForm):
    """A decline, self-recusal or the parties' objection, recorded by the coordinator for one mediator."""

    mediator_id = SelectField(_l("Mediator"), coerce=optional_id, validate_choice=False)
    status = SelectField(_l("What happened"), choices=[
        SelectChoice("declined", _l("The mediator declined the case")),
        SelectChoice("recused", _l("The mediator recused themselves")),
        SelectChoice("objected", _l("The parties objected to the mediator"))])
    reason = TextAreaField(_l("Reason"), filters=[strip],
                           validators=[DataRequired(), Length(max=2000), no_control_characters])
    submit = SubmitField(_l("Return for reassignment"))


class ProposalForm(VersionedForm):
    """The written proposal to mediate and its acceptance."""

    sent_on = DateField(_l("Proposal sent on"), validators=[Optional()])
    accepted_on = DateField(_l("Accepted by the parties on"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class ContractForm(VersionedForm):
    """The mediation contract's signing date: the mediation starts that day."""

    signed_on = DateField(_l("Mediation contract signed on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the contract"))


class ExtensionForm(VersionedForm):
    """One extension of the term."""

    days = IntegerField(_l("Extend by (days)"), validators=[InputRequired(), NumberRange(min=1, max=365)])
    agreed_on = DateField(_l("Agreed on"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), filters=[strip],
                           validators=[DataRequired(), Length(max=1000), no_control_characters])
    parties_consent = BooleanField(_l("The parties agreed and the mediator consents"))
    submit = SubmitField(_l("Extend the term"))


class CloseForm(VersionedForm):
    """Closing the case."""

    outcome = SelectField(_l("Outcome"), choices=choices(L.OUTCOME))
    ground = SelectField(_l("Termination ground (Art. 26)"), choices=choices(L.GROUND, blank="—"), default="")
    effective_on = DateField(_l("Date that fixes the termination"), validators=[Optional()])
    reason = TextAreaField(_l("Note"), filters=[strip], validators=optional_text(2000))
    referred_to = StringField(_l("Referred to"), filters=[strip], validators=optional_text(300))
    submit = SubmitField(_l("Close the case"))


class SearchForm(AppForm):
    """The search box: posted, so names never travel in URLs or access logs."""

    q = StringField(_l("Case number or party name"), filters=[strip], validators=optional_text(200))
    submit = SubmitField(_l("Search"))



class SuggestedAssignForm(VersionedForm):
    """Pick the lead (and co-mediator) from the ranked candidates."""

    # The service checks the choice against fresh suggestions, and says why one is no longer possible.
    lead_id = SelectField(_l("Lead mediator"), coerce=required_id, validate_choice=False)
    co_id = SelectField(_l("Co-mediator (optional)"), coerce=optional_id, validate_choice=False)
    override_reason = TextAreaField(_l("Why not the top candidate?"), filters=[strip], validators=optional_text(2000),
                                    description=_l("Needed when you choose someone other than the first in the list."))
    note = TextAreaField(_l("Note"), filters=[strip], validators=optional_text(2000))
    submit = SubmitField(_l("Assign"))


class AcceptForm(VersionedForm):
    """The mediator accepts, declaring no conflict of interest (Art. 7, 12)."""

    ties = MultiCheckboxField(_l("Ties with a party (tick any that apply)"), choices=choices(L.CONFLICT_TIE))
    no_conflict = BooleanField(_l("I declare that nothing impedes my independence and impartiality in this case"))
    note = TextAreaField(_l("Note"), filters=[strip], validators=optional_text(2000))
    submit = SubmitField(_l("Accept the case"))


class DeclineForm(VersionedForm):
    """The mediator declines, or recuses at any stage, with the reason and any ties."""

    recusal = BooleanField(_l("This is a self-recusal (the mediation has started or I was accepted)"))
    ties = MultiCheckboxField(_l("Ties with a party"), choices=choices(L.CONFLICT_TIE))
    reason = TextAreaField(_l("Reason"), filters=[strip],
                           validators=[DataRequired(), Length(max=2000), no_control_characters])
    submit = SubmitField(_l("Decline / recuse"))
