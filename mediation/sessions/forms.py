"""Forms of the sessions blueprint: booking, cancelling, logging, amending; times are entered in local time."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..domain.scheduling import SessionKind, Venue
from ..domain.session_logs import LogOutcome
from ..web.forms import AppForm, MultiCheckboxField, choices, no_control_characters, optional_id, strip
from ..web.session_messages import ATTENDEE, KIND, OUTCOME, VENUE


class SessionForm(AppForm):
    """Book or move a session."""

    version = HiddenField()
    day = DateField(_l("Date"), validators=[InputRequired()])
    start = TimeField(_l("Starts at"), validators=[InputRequired()])
    end = TimeField(_l("Ends at"), validators=[InputRequired()])
    venue = SelectField(_l("Where"), choices=choices(VENUE), default=Venue.ROOM.value)
    room_id = SelectField(_l("Room"), coerce=optional_id, validate_choice=False)
    offsite_address = StringField(_l("Address of the off-site meeting"), filters=[strip],
                                  validators=[Optional(), Length(max=500), no_control_characters])
    kind = SelectField(_l("Kind of session"), choices=choices(KIND), default=SessionKind.JOINT.value)
    mediator_ids = MultiCheckboxField(_l("Mediators expected"), coerce=int)
    party_ids = MultiCheckboxField(_l("Parties invited"), coerce=int)
    interpreter_needed = BooleanField(_l("An interpreter is needed"))
    reason = TextAreaField(_l("Reason for the change"), filters=[strip],
                           validators=[Optional(), Length(max=1000), no_control_characters])

    def validate_room_id(self, field) -> None:
        """A room is chosen from the offered rooms when the session is held in one."""
        offered = {value for value, _label in field.choices}
        if self.venue.data == Venue.ROOM.value and (field.data is None or field.data not in offered):
            from wtforms import ValidationError

            raise ValidationError(_l("Choose a room."))


class CancelForm(AppForm):
    """Cancel a session with a reason."""

    version = HiddenField()
    reason = TextAreaField(_l("Reason for cancelling"), filters=[strip],
                           validators=[DataRequired(), Length(max=1000), no_control_characters])


class LogForm(AppForm):
    """What happened at the session."""

    outcome = SelectField(_l("Did the session take place?"), choices=choices(OUTCOME), default=LogOutcome.HELD.value)
    actual_day = DateField(_l("Actual date"), validators=[Optional()])
    actual_start = TimeField(_l("Actual start"), validators=[Optional()])
    actual_end = TimeField(_l("Actual end"), validators=[Optional()])
    attended = MultiCheckboxField(_l("Parties who attended"), coerce=int)
    absent = MultiCheckboxField(_l("Parties who did not come"), coerce=int)
    others = MultiCheckboxField(_l("Also present"), choices=choices(ATTENDEE))
    kind = SelectField(_l("Kind of session"), choices=choices(KIND))
    summary = TextAreaField(_l("Short outcome summary"), filters=[strip],
                            validators=[Optional(), Length(max=4000), no_control_characters])
    next_steps = TextAreaField(_l("Next steps"), filters=[strip],
                               validators=[Optional(), Length(max=4000), no_control_characters])
    confidential_notes = TextAreaField(
        _l("Confidential notes"), filters=[strip], validators=[Optional(), Length(max=20000), no_control_characters],
        description=_l("Only the mediators of this case can read these notes (Art. 8 of the Law on Mediation)."))


class AmendForm(AppForm):
    """A correction appended to a log after its 24 hours."""

    text = TextAreaField(_l("Correction"), filters=[strip],
                         validators=[DataRequired(), Length(max=4000), no_control_characters])
    confidential = BooleanField(_l("Confidential (visible only to the case's mediators)"))
