"""Form building blocks: EmptyForm for POST-only buttons and validators shared by every form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import ValidationError

from ..domain.text import has_control_characters


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST (logout, deactivate)."""


def no_control_characters(form, field) -> None:
    """Refuse NUL bytes and other control characters that no name or text should hold."""
    if isinstance(field.data, str) and has_control_characters(field.data):
        raise ValidationError(_l("This field contains characters that are not allowed."))


def strip(value):
    """Filter: trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


def put_error(form: FlaskForm, field_name: str, message) -> None:
    """Attach a service error to a form field so it shows where the user looks."""
    getattr(form, field_name).errors = [*getattr(form, field_name).errors, message]
