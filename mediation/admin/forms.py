"""Forms of the admin blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ..web.forms import AppForm, no_control_characters, optional_id, strip
from ..web.labels import ROLE_LABELS


class UserForm(AppForm):
    """An account's name, contact, role and scope."""

    full_name = StringField(_l("Full name"), filters=[strip],
                            validators=[DataRequired(), Length(max=200), no_control_characters])
    email = EmailField(_l("E-mail"), filters=[strip],
                       validators=[Optional(), Length(max=254), Email(check_deliverability=False)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
                       validators=[DataRequired()])
    region_id = SelectField(_l("Region"), coerce=optional_id, validate_choice=True)
    house_id = SelectField(_l("Friendship House"), coerce=optional_id, validate_choice=True)
    submit = SubmitField(_l("Save"))

    def set_choices(self, regions, houses, locale: str) -> None:
        """Fill the region and house choosers; the empty choice means the whole republic / region."""
        region_names = {r.id: r.name(locale) for r in regions}
        self.region_id.choices = [SelectChoice(None, _l("— Whole republic —"))] + [
            SelectChoice(r.id, f"{r.kato2} · {r.name(locale)}") for r in regions]
        self.house_id.choices = [SelectChoice(None, _l("— Whole region —"))] + [
            SelectChoice(h.id, h.name(locale), optgroup=region_names.get(h.region_id)) for h in houses]


class NewUserForm(UserForm):
    """A new account: the username and first password too."""

    username = StringField(_l("Username"), filters=[strip],
                           validators=[DataRequired(), Length(min=3, max=64), no_control_characters],
                           description=_l("3–64 Latin letters, digits, dots, dashes or underscores."))
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
                             render_kw={"autocomplete": "new-password"})
    field_order = ("username", "password")


class ResetPasswordForm(AppForm):
    """A new password set by an admin."""

    password = PasswordField(_l("New password"),
                             validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set password"))
