"""The public verification page: number, type, date, Friendship House and status — no names, no content."""

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db, limiter
from ..services import audit
from ..services.document_files import matches, verification
from ..web.access import client_ip, public
from ..web.document_messages import KIND
from ..web.forms import add_field_error
from . import bp
from .forms import VerifyForm

VERIFY_LIMIT = "60 per minute"


def _page(token: str, form=None, result: bool | None = None, status: int = 200):
    found = verification(token)
    if found is None:
        return render_template("verify/unknown.html"), 404
    return render_template("verify/page.html", found=found, kind=KIND[found.kind], form=form or VerifyForm(),
                           result=result), status


@bp.get("/<token>")
@public
@limiter.limit(VERIFY_LIMIT)
def page(token: str):
    """What the QR code opens: the document's public facts."""
    return _page(token)


@bp.post("/<token>")
@public
@limiter.limit(VERIFY_LIMIT)
def compare(token: str):
    """Tell whether an uploaded PDF is byte-identical to the registered one."""
    form = VerifyForm()
    found = verification(token)
    if found is None:
        return render_template("verify/unknown.html"), 404
    if not form.validate_on_submit():
        return _page(token, form, status=422)
    limit = current_app.config["DOCUMENT_SCAN_MAX_BYTES"]
    upload = form.pdf.data
    data = upload.read(limit + 1) if upload else b""
    if not data or len(data) > limit:
        add_field_error(form, form.pdf, _("Choose the PDF file to compare.") if not data
                        else _("The file is larger than the limit of %(mb)s MB.", mb=limit // (1024 * 1024)))
        return _page(token, form, status=422)
    identical = matches(found, data)
    audit.record("document.verified", actor_id=current_user.id if current_user.is_authenticated else None,
                 ip=client_ip(), object_type="document", object_id=found.number, summary={"identical": identical})
    db.session.commit()
    return _page(token, form, result=identical)
