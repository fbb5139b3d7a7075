"""Forms of the houses and rooms screens."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, StringField, SubmitField, TimeField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..domain.houses import MAX_ADDRESS, MAX_CAPACITY, MAX_REASON, MAX_ROOM_NAME, MIN_CAPACITY, DayHours
from ..mediators.forms import WEEKDAYS
from ..web.forms import AppForm, no_control_characters, strip

# Browsers send HH:MM, or HH:MM:SS when an input has a seconds step; accept both.
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
BAD_TIME = _l("Enter a time as HH:MM.")
BAD_DATE = _l("Enter a date.")


class HouseForm(AppForm):
    """A house's address and whether it is in service."""

    address = StringField(_l("Address"), filters=[strip],
                          validators=[Optional(), Length(max=MAX_ADDRESS), no_control_characters])
    active = BooleanField(_l("In service"))
    submit = SubmitField(_l("Save"))


class OpeningHoursForm(AppForm):
    """The week: for each weekday, open or closed, and from when to when."""

    submit = SubmitField(_l("Save opening hours"))

    def days(self) -> list[DayHours]:
        """The weekdays ticked open, with their times (a missing time is the service's to refuse)."""
        return [DayHours(day, self[f"opens_{day}"].data, self[f"closes_{day}"].data)
                for day in range(7) if self[f"open_{day}"].data]

    def fill(self, rows) -> None:
        """Show the stored hours (rows of HouseOpeningHours)."""
        for row in rows:
            self[f"open_{row.weekday}"].data = True
            self[f"opens_{row.weekday}"].data, self[f"closes_{row.weekday}"].data = row.opens, row.closes

    def rows(self):
        """(open, opens, closes) fields per weekday, for the template."""
        return [(self[f"open_{d}"], self[f"opens_{d}"], self[f"closes_{d}"]) for d in range(7)]


for _day, _name in enumerate(WEEKDAYS):
    setattr(OpeningHoursForm, f"open_{_day}", BooleanField(_name))
    setattr(OpeningHoursForm, f"opens_{_day}", TimeField(_l("Opens"), format=TIME_FORMATS,
                                                         invalid_value_message=BAD_TIME, validators=[Optional()]))
    setattr(OpeningHoursForm, f"closes_{_day}", TimeField(_l("Closes"), format=TIME_FORMATS,
                                                          invalid_value_message=BAD_TIME, validators=[Optional()]))


class ClosureForm(AppForm):
    """Whole days closed (a holiday for a house, renovation for a room), both inclusive."""

    start = DateField(_l("From"), invalid_value_message=BAD_DATE, validators=[InputRequired(BAD_DATE)])
    end = DateField(_l("To (inclusive)"), invalid_value_message=BAD_DATE, validators=[InputRequired(BAD_DATE)])
    reason = StringField(_l("Reason"), filters=[strip],
                         validators=[DataRequired(_l("Give the reason.")), Length(max=MAX_REASON),
                                     no_control_characters])
    submit = SubmitField(_l("Add closure"))

    def validate_end(self, field) -> None:
        """The last day cannot come before the first."""
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The last day must not be before the first."))


class RoomForm(AppForm):
    """A room's name or number, capacity, features and active flag."""

    name = StringField(_l("Name or number"), filters=[strip],
                       validators=[DataRequired(), Length(max=MAX_ROOM_NAME), no_control_characters])
    capacity = IntegerField(_l("Capacity (people)"), default=8,
                            validators=[InputRequired(), NumberRange(
                                min=MIN_CAPACITY, max=MAX_CAPACITY,
                                message=_l("Give a number from %(min)s to %(max)s."))])
    has_interpreter_equipment = BooleanField(_l("Interpreter equipment"))
    has_video_link = BooleanField(_l("Video link"))
    step_free_access = BooleanField(_l("Step-free access"))
    active = BooleanField(_l("Active (can be booked)"), default=True,
                          description=_l("Rooms are never deleted: deactivate a room to stop new bookings."))
    submit = SubmitField(_l("Save"))
