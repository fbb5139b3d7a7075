"""Template filters: local dates and times, localised names, numbers."""

from flask import Flask, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from . import labels_case
from .labels import role_label, scope_label


def import_reason(reason: str) -> str:
    """An import problem "field:code" as "Field label: message"."""
    from .registry_messages import IMPORT_COLUMNS, IMPORT_REASONS

    field, _, code = reason.partition(":")
    message = IMPORT_REASONS.get(code, code)
    return f"{IMPORT_COLUMNS[field]} ({field}): {message}" if field in IMPORT_COLUMNS else f"{field}: {message}"


def import_file_error(code: str) -> str:
    """Why an import file could not be read."""
    from .registry_messages import FILE_ERRORS

    if code.startswith("missing_columns:"):
        from flask_babel import gettext as _

        return _("Columns missing: %(names)s", names=", ".join(code.split(":", 1)[1].split(",")))
    return str(FILE_ERRORS.get(code, code))


def weekday_name(day: int) -> str:
    """The weekday's name in the interface language (0 = Monday)."""
    from ..mediators.forms import WEEKDAYS

    return str(WEEKDAYS[day])


def label_items(table: str) -> list[tuple[str, str]]:
    """(value, label) pairs of a label table, for filter selects."""
    return [(getattr(k, "value", k), str(v)) for k, v in getattr(labels_case, table).items()]


def label(table: str, value) -> str:
    """A case value's label: label('STATE', case.state).

    Remembered for the rest of the request, per language (in its WSGI environ, so never across requests): a
    list page asks for the same few labels hundreds of times, and each lazy translation costs a lookup of
    the locale and its catalogue.
    """
    if not has_request_context():
        return labels_case.label(getattr(labels_case, table), value)
    memo = request.environ.setdefault("mediation.labels", {})
    key = (str(get_locale()), table, value)
    try:
        return memo[key]
    except KeyError:
        memo[key] = text = labels_case.label(getattr(labels_case, table), value)
        return text
    except TypeError:  # an unhashable value: nothing to remember it by
        return labels_case.label(getattr(labels_case, table), value)


def localdt(value, format: str = "medium") -> str:
    """A stored UTC datetime shown in Asia/Almaty in the user's language."""
    return format_datetime(value, format) if value else ""


def localdate(value, format: str = "medium") -> str:
    """A date in the user's language."""
    return format_date(value, format) if value else ""


def localname(obj) -> str:
    """An object's name in the interface language (objects with name_kk/name_ru/name_en)."""
    return obj.name(str(get_locale())) if obj is not None else ""


def number(value) -> str:
    """A number with the locale's grouping."""
    return format_decimal(value)


def session_label(table: str, value) -> str:
    """A scheduling value's label: session_label('KIND', session.kind)."""
    from . import session_messages

    return labels_case.label(getattr(session_messages, table), value)


def register(app: Flask) -> None:
    """Install the filters."""
    app.add_template_filter(localdt)
    app.add_template_filter(localdate)
    app.add_template_filter(localname)
    app.add_template_filter(number)
    app.add_template_global(role_label)
    app.add_template_global(scope_label)
    app.add_template_global(label)
    app.add_template_global(session_label)
    app.add_template_global(label_items)
    app.add_template_global(import_reason)
    app.add_template_global(weekday_name)
    app.add_template_global(import_file_error)
    app.add_template_global(labels_case.TENSION_BADGE, "TENSION_BADGE")
