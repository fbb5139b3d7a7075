"""Forms of the documents blueprint: a new draft, the draft's fields per kind, terms, finalising, paper copy."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..domain.agreement import DocumentKind
from ..web import labels_case
from ..web.document_messages import KIND, LANGUAGE
from ..web.forms import AppForm, choices, no_control_characters, strip

MAX_TERM_LENGTH = 2000


def text(max_length: int):
    """Validators for optional free text (completeness is the domain's job, not the form's)."""
    return [Optional(), Length(max=max_length), no_control_characters]


class NewDocumentForm(AppForm):
    """Start a draft of a document of the case."""

    kind = SelectField(_l("Document"), choices=choices(KIND))
    language = SelectField(_l("Language of the document"), choices=choices(LANGUAGE), default="both")
    submit = SubmitField(_l("Start a draft"))


class VersionedForm(AppForm):
    """A change to a draft: carries the draft version the user saw."""

    version = IntegerField(validators=[InputRequired()], widget=HiddenField.widget)


class DraftFieldsForm(VersionedForm):
    """Fields shared by every kind of document."""

    language = SelectField(_l("Language of the document"), choices=choices(LANGUAGE))
    place = StringField(_l("Place"), filters=[strip], validators=text(200))
    signed_on = DateField(_l("Date of the document"), validators=[Optional()])
    submit = SubmitField(_l("Save the draft"))


class AgreementFieldsForm(DraftFieldsForm):
    """The settlement agreement's own fields (Art. 27); its terms have their own form."""

    subject = TextAreaField(_l("Subject of the dispute"), filters=[strip], validators=text(1000))
    performance_check = TextAreaField(_l("How performance is checked"), filters=[strip], validators=text(2000))
    non_performance = TextAreaField(_l("Consequences of non-performance"), filters=[strip], validators=text(2000))
    partial = BooleanField(_l("Partial agreement (some matters remain unresolved)"))
    unresolved = TextAreaField(_l("Matters that remain unresolved"), filters=[strip], validators=text(2000))


class ContractFieldsForm(DraftFieldsForm):
    """The mediation contract's own fields (Art. 21); parties, mediators and languages come from the case."""

    subject = TextAreaField(_l("Subject of the dispute"), filters=[strip], validators=text(1000))
    meeting_time = StringField(_l("Time of the mediation"), filters=[strip], validators=text(100))
    fee = StringField(_l("Fee (professional mediators only)"), filters=[strip], validators=text(300))
    procedure = TextAreaField(_l("Procedure, in addition to the standard wording"), filters=[strip],
                              validators=text(2000))


class TerminationFieldsForm(DraftFieldsForm):
    """The termination notice (Art. 26): the ground and its effective date."""

    ground = SelectField(_l("Ground of termination (Art. 26)"), choices=choices(labels_case.GROUND, blank="—"),
                         validators=[Optional()])
    effective_on = DateField(_l("Date the mediation ended"), validators=[Optional()])


class ExtensionFieldsForm(DraftFieldsForm):
    """The extension of the term (Art. 20)."""

    extension_days = IntegerField(_l("Extension in days"), validators=[Optional(), NumberRange(1, 30)])
    extension_reason = TextAreaField(_l("Reason for the extension"), filters=[strip], validators=text(1000))
    agreed_on = DateField(_l("Date the parties agreed"), validators=[Optional()])


FIELD_FORMS = {DocumentKind.AGREEMENT: AgreementFieldsForm, DocumentKind.CONTRACT: ContractFieldsForm,
               DocumentKind.TERMINATION: TerminationFieldsForm, DocumentKind.EXTENSION: ExtensionFieldsForm}


class TermForm(VersionedForm):
    """One new term: who, what, by when."""

    obliged = SelectField(_l("Party who performs it"), validators=[DataRequired()])
    action = TextAreaField(_l("What they do"), filters=[strip],
                           validators=[DataRequired(), Length(max=MAX_TERM_LENGTH), no_control_characters])
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    submit = SubmitField(_l("Add the term"))


class TermRowForm(VersionedForm):
    """Move or remove one term (the buttons of a row)."""


class FinaliseForm(VersionedForm):
    """Register the document: number, frozen content, PDF."""

    submit = SubmitField(_l("Finalise and register"))


class CorrectionForm(AppForm):
    """Start a corrected version of a finalised document."""

    submit = SubmitField(_l("Correct: start a new version"))


class SignedForm(AppForm):
    """Mark the paper copy signed."""

    signed_on = DateField(_l("Date the parties signed"), validators=[DataRequired()])
    submit = SubmitField(_l("Mark as signed"))


class ScanForm(AppForm):
    """File the scan of the signed paper copy."""

    scan = FileField(_l("Scan of the signed copy (PDF, PNG or JPEG)"))
    submit = SubmitField(_l("Upload the scan"))
