"""The only module that calls WeasyPrint: the allowlisting fetcher, the compact user-agent sheet, the renderer.

Imported by pdf.renderer on a worker's first render (see pdf's docstring for the security and speed rules).
"""

import threading
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .pdf import PACKAGED, SCHEME, FetchRefused, Rendered, TooManyPages


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
        # Whether a render has run (its fonts and caches now exist) and whether pdf.take_new_engine said so.
        self.rendered = self.reported = False

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
                self.rendered = True
            pages = len(document.pages)
            if pages > max_pages:
                raise TooManyPages(pages, max_pages)
            # Subsetting the already compact packaged fonts (HarfBuzz) is cheaper than embedding them whole:
            # full fonts make WeasyPrint read every glyph's width and map with fontTools on each write.
            return Rendered(document.write_pdf(), pages)
