"""Forms of the auth blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from ..services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ..web.forms import AppForm, no_control_characters, strip


class LoginForm(AppForm):
    """Username and password."""

    username = StringField(_l("Username"), filters=[strip],
                           validators=[DataRequired(), Length(max=64), no_control_characters],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(AppForm):
    """The current password and a new one, twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password"),
                        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new", message=_l("The passwords do not match."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))
