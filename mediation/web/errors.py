"""Error pages in the user's language; the 500 handler rolls the transaction back."""

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..extensions import db

log = logging.getLogger("mediation.web")

TITLES = {
    400: _l("Bad request"),
    401: _l("Sign-in required"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Edit conflict"),
    413: _l("Too much data"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}
MESSAGES = {
    400: _l("The request could not be understood. Reload the page and try again."),
    401: _l("Please sign in to continue."),
    403: _l("You do not have access to this page. If you think you should, ask your manager."),
    404: _l("There is nothing at this address. It may have been moved, or the link is wrong."),
    405: _l("This address does not accept that kind of request."),
    409: _l("Someone else changed this in the meantime. Reload the page to see the latest version."),
    413: _l("The file or form is larger than the limit."),
    429: _l("Too many attempts. Wait a few minutes and try again."),
    500: _l("The error has been logged. Nothing was saved; please try again."),
}


def render_error(code: int, message=None):
    """Render the shared error page with the status code."""
    return render_template("errors/error.html", code=code, title=TITLES.get(code, TITLES[500]),
                           message=message or MESSAGES.get(code, MESSAGES[500])), code


def _record_denial(code: int) -> None:
    """Write access denials to the audit trail in their own small transaction."""
    from ..services import audit

    db.session.rollback()
    actor_id = current_user.id if current_user.is_authenticated else None
    audit.record("access.denied", actor_id=actor_id, ip=request.remote_addr, object_type="endpoint",
                 object_id=(request.endpoint or "")[:40], summary={"method": request.method, "status": code})
    db.session.commit()


def handle_http_error(error: HTTPException):
    """Every HTTP error gets the same page; 403s are audited."""
    code = error.code or 500
    if code == 403:
        _record_denial(code)
    if isinstance(error, CSRFError):
        return render_error(400, _l("The form expired or was sent from elsewhere. Reload the page and try again."))
    return render_error(code)


def handle_stale(error: StaleDataError):
    """A concurrent save won the race past every check: answer 409, never 500."""
    db.session.rollback()
    return render_error(409)


def handle_unexpected(error: Exception):
    """Roll back whatever the request wrote, log the trace, show a calm page."""
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.endpoint)
    return render_error(500)


def register(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(Exception, handle_unexpected)
