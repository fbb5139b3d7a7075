"""Forms of the assignment blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from ..domain.assignment_filters import DEFAULT_WEIGHTS, MAX_HORIZON_DAYS
from ..web import labels_case as L
from ..web.forms import AppForm, choices, required_id


class PolicyForm(AppForm):
    """A region's assignment policy."""

    horizon_days = IntegerField(_l("Availability horizon (days)"), default=14,
                                validators=[InputRequired(), NumberRange(min=1, max=MAX_HORIZON_DAYS)])
    co_mediation_for_interethnic = BooleanField(_l("Two mediators for interethnic cases"))
    co_mediation_for_high_tension = BooleanField(_l("Two mediators for high and critical tension"), default=True)
    allow_republic_pool = BooleanField(_l("Mediators from other regions may be suggested"))
    ethnicity_mode = SelectField(_l("Ethnicity in interethnic cases"), choices=choices(L.ETHNICITY_MODE))
    submit = SubmitField(_l("Save the policy"))

    def weight_fields(self):
        """The factor weights, in the order of the breakdown."""
        return [self[f"weight_{factor.value}"] for factor in DEFAULT_WEIGHTS]


for _factor, _default in DEFAULT_WEIGHTS.items():
    setattr(PolicyForm, f"weight_{_factor.value}", DecimalField(
        L.FACTOR[_factor.value], default=_default, places=2,
        validators=[InputRequired(), NumberRange(min=0, max=10)]))


class BatchForm(AppForm):
    """Run the batch for a region (preview first, then commit)."""

    region_id = SelectField(_l("Region"), coerce=required_id)
    submit = SubmitField(_l("Assign all"))
