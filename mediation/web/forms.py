"""Form building blocks: EmptyForm for POST-only buttons and validators shared by every form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.text import has_control_characters

MAX_ID = 2**31 - 1  # the largest id a column holds on both engines


class AppForm(FlaskForm):
    """Every form of the app: reads urlencoded or multipart form fields only.

    Flask-WTF would also feed a JSON body or uploaded files into text fields, where a number, a boolean
    or a file breaks validators written for text; a form that wants uploads declares a FileField.
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            """Use request.form (plus request.files for forms with file fields) on submit."""
            from flask import request
            from flask_wtf.form import _Auto
            from werkzeug.datastructures import CombinedMultiDict
            from wtforms import FileField

            if formdata is not _Auto:
                return formdata
            if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
                return None
            if any(isinstance(field, FileField) for field in form):
                return CombinedMultiDict((request.files, request.form))
            return request.form


class EmptyForm(AppForm):
    """A form with only the CSRF token, for buttons that POST (logout, deactivate)."""


def no_control_characters(form, field) -> None:
    """Refuse NUL bytes and other control characters that no name or text should hold."""
    if isinstance(field.data, str) and has_control_characters(field.data):
        raise ValidationError(_l("This field contains characters that are not allowed."))


def strip(value):
    """Filter: trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


def add_field_error(form, field, message) -> None:
    """Attach a service error to a field (also one inside a sub-form) so it shows where the user looks."""
    field.errors = [*field.errors, str(message)]
    form._errors = None  # WTForms caches form.errors; let it see the new message


def id_value(raw) -> int | None:
    """An id from a query string or form: ASCII digits within the column's range, else None."""
    # Length first: int() of a huge digit string is slow and refused by Python (4,300-digit limit).
    if not isinstance(raw, str) or not 0 < len(raw) <= 10 or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def optional_id(value):
    """Select coercion: an id, or None for the empty choice; anything else is an invalid choice."""
    if value in (None, "", "None"):
        return None
    return required_id(value)


def required_id(value):
    """Select coercion: an id within range, else ValueError (WTForms shows "not a valid choice")."""
    if isinstance(value, int):
        return value
    parsed = id_value(value)
    if parsed is None:
        raise ValueError("not an id")
    return parsed


def put_error(form: FlaskForm, field_name: str, message) -> None:
    """Attach a service error to a top-level form field by name."""
    add_field_error(form, getattr(form, field_name), message)


def choices(table: dict, *, blank=None) -> list[SelectChoice]:
    """Select choices from a label table, optionally with a blank first choice."""
    options = [SelectChoice(key.value if hasattr(key, "value") else key, text) for key, text in table.items()]
    return ([SelectChoice("", blank)] if blank is not None else []) + options


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multi-valued field."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
