"""Forms of the registry screens."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..domain.case_fields import LANGUAGES
from ..services.contacts import PhoneInvalid, normalise_phone
from ..web import labels_case as L
from ..web.forms import AppForm, MultiCheckboxField, choices, no_control_characters, optional_id, required_id, strip


def valid_phone(form, field) -> None:
    """Normalise to E.164 or refuse."""
    if field.data:
        try:
            field.data = normalise_phone(field.data)
        except PhoneInvalid:
            raise ValidationError(_l("This is not a valid phone number.")) from None


class MediatorForm(AppForm):
    """A registry record (Art. 14): identity, qualifications, languages, reach, contacts, Art. 9 facts."""

    registry_number = StringField(_l("Registry number"), filters=[strip],
                                  validators=[DataRequired(), Length(max=32), no_control_characters])
    full_name = StringField(_l("Full name"), filters=[strip],
                            validators=[DataRequired(), Length(max=200), no_control_characters])
    kind = SelectField(_l("Register"), choices=choices(L.MEDIATOR_KIND))
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    education = StringField(_l("Education"), filters=[strip], validators=[Optional(), Length(max=300),
                                                                          no_control_characters])
    higher_education = BooleanField(_l("Higher education"))
    certificate_number = StringField(_l("Training certificate number"), filters=[strip],
                                     validators=[Optional(), Length(max=60), no_control_characters])
    certificate_date = DateField(_l("Certificate date"), validators=[Optional()])
    retired_judge = BooleanField(_l("Retired judge"))
    specializations = MultiCheckboxField(_l("Specialisations"), choices=choices(L.CATEGORY))
    region_id = SelectField(_l("Region"), coerce=required_id)
    house_id = SelectField(_l("Friendship House"), coerce=optional_id)
    takes_cases_elsewhere = BooleanField(_l("Takes cases elsewhere in the region"), default=True)
    max_active_cases = IntegerField(_l("Maximum active cases"), default=5,
                                    validators=[InputRequired(), NumberRange(min=0, max=100)])
    phone = StringField(_l("Phone"), filters=[strip], validators=[Optional(), Length(max=30), valid_phone])
    email = EmailField(_l("E-mail"), filters=[strip],
                       validators=[Optional(), Length(max=254), Email(check_deliverability=False)])
    legal_address = StringField(_l("Legal address"), filters=[strip],
                                validators=[Optional(), Length(max=500), no_control_characters])
    disqualifications = MultiCheckboxField(_l("Facts that bar mediation (Art. 9)"), choices=choices(L.DISQUALIFICATION))
    ethnicity = StringField(_l("Ethnicity (self-declared, optional)"), filters=[strip],
                            validators=[Optional(), Length(max=60), no_control_characters])
    ethnicity_consent_on = DateField(_l("Consent to record ethnicity given on"), validators=[Optional()])
    user_id = SelectField(_l("User account (mediator role)"), coerce=optional_id)
    submit = SubmitField(_l("Save"))

    def language_fields(self):
        """The per-language level selects, in LANGUAGES order."""
        return [self[f"lang_{code}"] for code in LANGUAGES]

    def validate_ethnicity_consent_on(self, field) -> None:
        """Ethnicity is stored only with consent."""
        if self.ethnicity.data and not field.data:
            raise ValidationError(_l("Record the date of the party's consent, or leave ethnicity empty."))


# One level select per language: "—" means the mediator does not mediate in it.
for _code in LANGUAGES:
    setattr(MediatorForm, f"lang_{_code}", SelectField(
        L.LANGUAGE[_code], choices=[SelectChoice("", "—")] + choices(L.LEVEL), default=""))


class StatusForm(AppForm):
    """Suspend, exclude or reinstate."""

    status = SelectField(_l("New status"), choices=choices(L.MEDIATOR_STATUS))
    until = DateField(_l("Suspended until (default: 6 months)"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[Optional(), Length(max=1000),
                                                                      no_control_characters])
    submit = SubmitField(_l("Change status"))


class AbsenceForm(AppForm):
    """A leave or illness."""

    kind = SelectField(_l("Kind"), choices=choices(L.ABSENCE))
    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("To"), validators=[InputRequired()])
    submit = SubmitField(_l("Add absence"))


class HoursForm(AppForm):
    """Weekly hours: for each weekday, whether the mediator takes sessions and from when to when."""

    submit = SubmitField(_l("Save the hours"))

    def validate(self, extra_validators=None) -> bool:
        """Each day's row as a whole: a ticked day needs both times and an end after its start, and times on a day
        left unticked are pointed out rather than dropped."""
        valid = super().validate(extra_validators)
        for day in range(7):
            ticked, start, end = self[f"day_{day}"], self[f"start_{day}"], self[f"end_{day}"]
            if start.errors or end.errors:
                continue
            problems = []
            if ticked.data:
                problems += [(f, _l("Give the time.")) for f in (start, end) if f.data is None]
                if start.data is not None and end.data is not None and end.data <= start.data:
                    problems.append((end, _l("The end must be after the start.")))
            elif start.data is not None or end.data is not None:
                problems.append((start, _l("Tick the day, or clear its times.")))
            for field, message in problems:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    def slots(self):
        """(weekday, start, end) for every ticked day with both times."""
        chosen = []
        for day in range(7):
            if self[f"day_{day}"].data and self[f"start_{day}"].data and self[f"end_{day}"].data:
                chosen.append((day, self[f"start_{day}"].data, self[f"end_{day}"].data))
        return chosen



WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday"))
for _day, _name in enumerate(WEEKDAYS):
    setattr(HoursForm, f"day_{_day}", BooleanField(_name))
    setattr(HoursForm, f"start_{_day}", TimeField(_l("From"), validators=[Optional()]))
    setattr(HoursForm, f"end_{_day}", TimeField(_l("To"), validators=[Optional()]))


class ImportForm(AppForm):
    """A CSV or XLSX file of registry rows."""

    file = FileField(_l("CSV or XLSX file"),
                     validators=[FileRequired(), FileAllowed(["csv", "xlsx"], _l("Choose a .csv or .xlsx file."))])
    strict = BooleanField(_l("All or nothing: write nothing if any row is wrong"))
    submit = SubmitField(_l("Import"))
