"""WeasyPrint adapter, the only module that calls WeasyPrint: HTML in, PDF bytes out, packaged assets only.

Security (WeasyPrint docs, "Security"): every HTML() and CSS() gets AssetFetcher, which serves a fixed list
of the project's own fonts plus the per-render QR image and refuses everything else — no file://, no
http(s), no data:, no redirects (nothing is ever opened, so there is nothing to redirect). Templates are
autoescaped and user text is data, never template source, so names and terms render as inert text.

Speed: parsing the stylesheet and loading the fonts dominate a small render, so one FontConfiguration and one
parsed stylesheet are built per worker and reused (creating them per render also leaked memory). The print
templates bring their own compact user-agent stylesheet (templates/pdf/ua.css) instead of WeasyPrint's HTML5
one, whose ~250 rules every element was matched against.
"""

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

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


class AssetFetcher(URLFetcher):
    """Serve packaged fonts and this render's own images from memory; refuse every other URL."""

    def __init__(self, files: dict[str, bytes], extra: dict[str, tuple[bytes, str]] | None = None):
        super().__init__(timeout=1, allowed_protocols=("asset",), allow_redirects=False, fail_on_errors=False)
        self.files, self.extra = files, extra or {}
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        """Answer asset:NAME from memory; anything else raises FetchRefused before any I/O happens."""
        name = url[len(SCHEME):] if isinstance(url, str) and url.startswith(SCHEME) else None
        if name in self.extra:
            body, mime = self.extra[name]
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        if name in self.files:
            return URLFetcherResponse(url, self.files[name], {"Content-Type": PACKAGED[name]})
        self.refused = [*self.refused[-19:], str(url)[:200]]  # the last few, for tests and debugging
        raise FetchRefused(f"refused: {str(url)[:80]}")

class PrintHTML(HTML):
    """HTML whose user-agent stylesheet is the print templates' compact one instead of the HTML5 sheet."""

    def __init__(self, *, ua_stylesheet: CSS, **kwargs):
        super().__init__(**kwargs)
        self.ua_stylesheet = ua_stylesheet

    def _ua_stylesheets(self, forms=False):
        # WeasyPrint's hook for its default sheet (weasyprint>=70,<71 is pinned; a test checks it is used).
        return [self.ua_stylesheet]


@dataclass(frozen=True)
class Rendered:
    """The PDF and how many pages it has."""

    pdf: bytes
    pages: int


class Renderer:
    """One per worker: fonts and the print stylesheet loaded once, renders serialised by a lock."""

    def __init__(self, static_root: Path, stylesheet: str, ua_stylesheet: str):
        files = {name: (static_root / name).read_bytes() for name in PACKAGED}
        self.fetcher = AssetFetcher(files)
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(string=stylesheet, font_config=self.font_config, url_fetcher=self.fetcher)
        self.ua_stylesheet = CSS(string=ua_stylesheet, font_config=self.font_config, url_fetcher=self.fetcher)
        # Pango and fontconfig state is shared by the renders of a worker; one render at a time is safe.
        self._lock = threading.Lock()

    def render(self, html: str, *, max_pages: int, images: dict[str, tuple[bytes, str]] | None = None) -> Rendered:
        """Lay the HTML out on A4 and write the PDF; TooManyPages beyond the cap (nothing is written then)."""
        with self._lock:
            # One fetcher per worker, its per-render images swapped under the lock: a URLFetcher per render
            # (an urllib opener with nine handlers) is garbage that showed up as memory growth.
            self.fetcher.extra = images or {}
            try:
                document = PrintHTML(string=html, base_url=None, url_fetcher=self.fetcher,
                                     ua_stylesheet=self.ua_stylesheet).render(
                    stylesheets=[self.stylesheet], font_config=self.font_config, presentational_hints=False)
            finally:
                self.fetcher.extra = {}
            pages = len(document.pages)
            if pages > max_pages:
                raise TooManyPages(pages, max_pages)
            # Subsetting the already compact packaged fonts (HarfBuzz) is cheaper than embedding them whole:
            # full fonts make WeasyPrint read every glyph's width and map with fontTools on each write.
            return Rendered(document.write_pdf(), pages)


_renderers: dict[tuple[str, str], Renderer] = {}
_renderers_lock = threading.Lock()


def renderer(static_root: Path, stylesheet_path: Path) -> Renderer:
    """The worker's renderer for these asset and stylesheet paths (built on first use).

    The user-agent stylesheet is ua.css beside the print stylesheet.
    """
    key = (str(static_root), str(stylesheet_path))
    with _renderers_lock:
        if key not in _renderers:
            _renderers[key] = Renderer(static_root, stylesheet_path.read_text(encoding="utf-8"),
                                       stylesheet_path.with_name("ua.css").read_text(encoding="utf-8"))
        return _renderers[key]
