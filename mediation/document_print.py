"""Printing a settlement document: its frozen snapshot (plain data) → print-only template → PDF through pdf.py."""

import io
from datetime import date
from pathlib import Path

from flask import current_app

from .domain.agreement import DocumentTooLong
from .domain.document_text import AGREEMENT_CLAUSES, GROUNDS, LANGUAGE_NAMES, text
from .pdf import Rendered, TooManyPages, renderer

LANGS = {"kk": ("kk",), "ru": ("ru",), "both": ("kk", "ru")}


def qr_png(url: str) -> bytes:
    """A QR code of the verification URL as a small PNG, printed unsmoothed (sharp modules).

    Not SVG: WeasyPrint parses and draws an SVG path of hundreds of modules on every render. A fixed mask
    pattern skips the search over all eight masks (pure Python, most of the QR's cost); any mask scans.
    """
    import qrcode  # here, not at import, as WeasyPrint in pdf.py: only printing needs it
    import qrcode.constants

    code = qrcode.QRCode(box_size=4, border=1, mask_pattern=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def print_date(value: str | None) -> str:
    """An ISO date as printed in Kazakhstan: 21.11.2026."""
    return date.fromisoformat(value).strftime("%d.%m.%Y") if value else "—"


def verify_url(token: str) -> str:
    """The public verification address printed (and encoded in the QR code) on the document."""
    return f"{current_app.config['DOCUMENT_VERIFY_BASE_URL'].rstrip('/')}/verify/{token}"


def document_html(snapshot: dict, *, draft: bool = False) -> str:
    """The print-only HTML of a snapshot; the context holds primitives and pure helpers only."""
    # The Jinja environment directly, not render_template: context processors would add current_user,
    # request and session to a template that must see nothing but the snapshot.
    template = current_app.jinja_env.get_template(f"pdf/{snapshot['kind']}.html")
    return template.render(d=snapshot, langs=LANGS[snapshot["language"]],
                           draft=draft, T=text, clauses=AGREEMENT_CLAUSES, grounds=GROUNDS,
                           language_names=LANGUAGE_NAMES, fmt=print_date)


def print_document(snapshot: dict, *, draft: bool = False) -> Rendered:
    """Render the snapshot to PDF (finalised documents carry their number and a QR code; drafts say DRAFT)."""
    cfg = current_app.config
    images = {}
    if not draft and snapshot.get("verify_url"):
        images["qr.png"] = (qr_png(snapshot["verify_url"]), "image/png")
    root = Path(current_app.root_path).parent
    engine = renderer(Path(current_app.static_folder), root / "templates" / "pdf" / "print.css")
    return engine.render(document_html(snapshot, draft=draft), max_pages=cfg["DOCUMENT_MAX_PAGES"], images=images)


def render_final(snapshot: dict) -> Rendered:
    """print_document for finalising: the page cap becomes the domain's DocumentTooLong."""
    try:
        return print_document(snapshot)
    except TooManyPages as error:
        raise DocumentTooLong(pages=error.pages, cap=error.cap) from None
