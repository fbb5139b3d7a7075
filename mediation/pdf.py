"""PDF printing's front: HTML in, PDF bytes out, packaged assets only; WeasyPrint itself is in pdf_engine.

Security (WeasyPrint docs, "Security"): every HTML() and CSS() gets AssetFetcher, which serves a fixed list
of the project's own fonts plus the per-render QR image and refuses everything else — no file://, no
http(s), no data:, no redirects (nothing is ever opened, so there is nothing to redirect). Templates are
autoescaped and user text is data, never template source, so names and terms render as inert text.

Speed: parsing the stylesheet and loading the fonts dominate a small render, so one FontConfiguration and one
parsed stylesheet are built per worker and reused (creating them per render also leaked memory). The print
templates bring their own compact user-agent stylesheet (templates/pdf/ua.css) instead of WeasyPrint's HTML5
one, whose ~250 rules every element was matched against.

Importing WeasyPrint (and fontTools through it) takes over a second, so pdf_engine is imported on the first
render, not with the app: CLI commands and workers that never print do not pay for it.
"""

import atexit
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pdf_engine import Renderer

# WeasyPrint logs every layout step and fontTools every table at INFO: per render, that floods the log.
for _name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)

SCHEME = "asset:"
# The only packaged files a document may load: name → (path under static/, MIME type).
PACKAGED = {
    "fonts/DocSans-Regular.ttf": "font/ttf",
    "fonts/DocSans-Bold.ttf": "font/ttf",
    "fonts/DocArabic-Regular.ttf": "font/ttf",
}


class FetchRefused(ValueError):
    """A document asked for a URL outside the allowlist (WeasyPrint logs it and carries on without it)."""


class TooManyPages(Exception):
    """The document would exceed the page cap (pages, cap)."""

    def __init__(self, pages: int, cap: int):
        self.pages, self.cap = pages, cap
        super().__init__(f"{pages} pages, cap {cap}")


@dataclass(frozen=True)
class Rendered:
    """The PDF and how many pages it has."""

    pdf: bytes
    pages: int


_renderers: dict[tuple[str, str], "Renderer"] = {}
_renderers_lock = threading.Lock()
# Dropped before interpreter shutdown tears WeasyPrint's modules down under FontConfiguration.__del__.
atexit.register(_renderers.clear)


def renderer(static_root: Path, stylesheet_path: Path) -> "Renderer":
    """The worker's renderer for these asset and stylesheet paths (built on first use).

    The user-agent stylesheet is ua.css beside the print stylesheet.
    """
    key = (str(static_root), str(stylesheet_path))
    with _renderers_lock:
        if key not in _renderers:
            from .pdf_engine import Renderer  # noqa: PLC0415 (deferred: see the module docstring)

            _renderers[key] = Renderer(static_root, stylesheet_path.read_text(encoding="utf-8"),
                                       stylesheet_path.with_name("ua.css").read_text(encoding="utf-8"))
        return _renderers[key]


def take_new_engine() -> bool:
    """True once per renderer, after its first render.

    A worker that froze its start-up objects then freezes the engine's modules, fonts and caches too
    (web/gc_freeze.py), or every full collection would rescan them.
    """
    found = False
    with _renderers_lock:
        for engine in _renderers.values():
            if engine.rendered and not engine.reported:
                engine.reported = found = True
    return found
