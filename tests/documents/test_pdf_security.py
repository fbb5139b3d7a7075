"""Hostile text renders as inert text: no file read, no network request, no attachment, no template evaluation."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import current_app
from pypdf import PdfReader

from mediation import document_print, pdf, pdf_engine
from mediation.domain.agreement import DocumentTooLong, Term
from mediation.extensions import db
from mediation.services import documents
from tests import document_factories as df
from tests.conftest import csrf_token, login


@pytest.fixture
def trap():
    """A loopback HTTP server that records every request it receives."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server protocol
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"GIF89a")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def hostile(base: str) -> list[str]:
    return [f'<img src="file:///etc/passwd"><img src="{base}/img">',
            f'<link rel="attachment" href="file:///etc/passwd"><link rel="stylesheet" href="{base}/css">',
            f'<div style="background: url({base}/bg)">url({base}/css-url) url(http://169.254.169.254/latest)</div>',
            "{{7*7}} {% for x in range(3) %}loop{% endfor %}",
            "مەسىلە ھەل قىلىندى — ئابدۇرېھىم ‮RLO",
            "Ә" + "қ" * 1999]


def text_of(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_hostile_names_and_terms_render_inert(org, trap):
    base, hits = trap
    # Given parties whose names are markup and terms full of URLs, templates and a 2,000-character word
    setting = df.case_in_mediation(org, names=(f'<img src="{base}/name">Әсел', "{{7*7}} Ким"))
    draft = df.complete_agreement(setting, terms=0)
    for index, action in enumerate(hostile(base)):
        documents.add_term(df.act(setting.mediator), draft.id, draft.version, Term("1", action, df.day(index)))
    # When the manager finalises it
    document = df.finalise(draft, setting.manager)
    reader = PdfReader(io.BytesIO(document.pdf))
    text = text_of(document.pdf)
    # Then the server heard nothing, nothing was attached, and the markup is printed as text
    assert hits == []
    assert not reader.attachments
    assert "{{7*7}}" in text and "<img" in text and "file:///etc/passwd" in text
    assert "169.254.169.254" in text and "looplooploop" not in text.replace(" ", "")
    assert b"/EmbeddedFile" not in document.pdf and b"/URI" not in document.pdf


def test_the_fetcher_refuses_everything_but_packaged_assets(app, trap):
    base, hits = trap
    static = Path(current_app.static_folder)
    font = "fonts/DocSans-Regular.ttf"
    fetcher = pdf_engine.AssetFetcher({font: (static / font).read_bytes()})
    assert fetcher.fetch("asset:fonts/DocSans-Regular.ttf").read()[:4] == b"\x00\x01\x00\x00"
    for url in ("file:///etc/passwd", f"{base}/x", "asset:../config.py", "asset:fonts/../../config.py",
                "data:text/plain,hello", "ftp://127.0.0.1/x", "ASSET:fonts/DocSans-Regular.ttf"):
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch(url)
    assert hits == []


def test_raw_html_that_asks_for_the_network_still_fetches_nothing(app, trap):
    base, hits = trap
    # Even markup that bypassed escaping (a broken template) cannot reach the network or the disk.
    root = Path(current_app.root_path).parent
    engine = pdf.renderer(Path(current_app.static_folder), root / "templates" / "pdf" / "print.css")
    html = (f'<html><head><link rel="stylesheet" href="{base}/a.css"><style>@import url("{base}/b.css");'
            f'body {{ background: url({base}/c.png) }}</style></head><body><img src="{base}/d.png">'
            f'<img src="file:///etc/passwd"><iframe src="{base}/e"></iframe><object data="{base}/f"></object>'
            f'<a href="{base}/g" rel="attachment">x</a>Қазақ мәтіні</body></html>')
    rendered = engine.render(html, max_pages=5)
    assert hits == []
    assert "Қазақ мәтіні" in text_of(rendered.pdf)
    assert not PdfReader(io.BytesIO(rendered.pdf)).attachments


def test_a_five_thousand_character_word_wraps_within_the_page(app):
    snapshot = {"kind": "agreement", "language": "both", "number": "75-2026-A-00009", "verify_url": None,
                "place": "Ж" * 5000, "date": "2026-11-21", "house": {"kk": "Үй", "ru": "Дом"}, "case_number": "x",
                "parties": [{"position": 1, "name": "Ө" * 5000, "iin_bin": "1"}, {"position": 2, "name": "Б"}],
                "mediators": [{"name": "М", "kind": "public"}], "subject": "Ғ" * 5000,
                "terms": [{"obliged": "1", "obliged_name": "Ң" * 5000, "action": "Һ" * 5000, "due_on": "2026-12-01"}],
                "performance_check": "", "non_performance": "", "partial": False, "unresolved": ""}
    rendered = document_print.print_document(snapshot)
    assert 1 < rendered.pages <= 30
    assert "ҺҺҺҺҺҺҺҺҺҺ" in text_of(rendered.pdf)


def test_two_hundred_terms_fit_the_page_cap_and_more_than_the_cap_is_refused(org, app):
    setting = df.case_in_mediation(org)
    draft = df.complete_agreement(setting, terms=200, action="Тарап келесі әрекетті орындайды")
    document = df.finalise(draft, setting.manager)
    assert 5 < document.page_count <= current_app.config["DOCUMENT_MAX_PAGES"]
    pages = PdfReader(io.BytesIO(document.pdf)).pages
    assert all(document.number in page.extract_text() for page in pages)
    assert f"{len(pages)} / {len(pages)}" in pages[-1].extract_text()
    # Beyond the cap: a clear refusal, nothing written
    app.config["DOCUMENT_MAX_PAGES"] = 3
    other = df.complete_agreement(df.case_in_mediation(org, manager=setting.manager), terms=200)
    with pytest.raises(DocumentTooLong) as refused:
        df.finalise(other, setting.manager)
    assert refused.value.cap == 3 and refused.value.pages > 3


def test_beyond_the_cap_the_manager_reads_a_clear_message(client, org, app):
    setting = df.case_in_mediation(org)
    draft = df.complete_agreement(setting, terms=60)
    db.session.commit()
    app.config["DOCUMENT_MAX_PAGES"] = 2
    login(client, setting.manager.username)
    token = csrf_token(client, f"/documents/{draft.id}")
    response = client.post(f"/documents/{draft.id}/finalise", data={"csrf_token": token, "version": draft.version})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'data-testid="finalise-error"' in body
    assert "2" in body.split('data-testid="finalise-error">')[1].split("</div>")[0]
    db.session.refresh(draft)
    assert draft.number is None and draft.pdf is None


def test_the_renderer_uses_the_print_templates_user_agent_stylesheet(app, monkeypatch):
    # WeasyPrint's HTML5 sheet is replaced through a private hook: if a release renamed it, this fails
    used = []
    original = pdf_engine.PrintHTML._ua_stylesheets

    def spy(self, forms=False):
        used.append(original(self, forms))
        return used[-1]

    monkeypatch.setattr(pdf_engine.PrintHTML, "_ua_stylesheets", spy)
    snapshot = {"kind": "agreement", "language": "kk", "number": "75-2026-A-00010", "verify_url": None,
                "place": "Алматы", "date": "2026-11-21", "house": {"kk": "Үй", "ru": "Дом"}, "case_number": "x",
                "parties": [{"position": 1, "name": "Әлия"}, {"position": 2, "name": "Иван"}],
                "mediators": [{"name": "М", "kind": "public"}], "subject": "Шекара",
                "terms": [{"obliged": "1", "obliged_name": "Әлия", "action": "Жөндейді", "due_on": "2026-12-01"}],
                "performance_check": "", "non_performance": "", "partial": False, "unresolved": ""}
    assert "Әлия" in text_of(document_print.print_document(snapshot).pdf)
    engine = pdf.renderer(Path(current_app.static_folder), Path(current_app.root_path).parent / "templates" / "pdf"
                          / "print.css")
    assert used and all(sheets == [engine.ua_stylesheet] for sheets in used)


def test_the_pdf_outline_lists_the_title_and_sections(org):
    setting = df.case_in_mediation(org)
    document = df.finalise(df.complete_agreement(setting, terms=2), setting.manager)
    outline = PdfReader(io.BytesIO(document.pdf)).outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles and "келісім" in titles[0].lower()
    assert any(isinstance(item, list) and len(item) >= 5 for item in outline)  # the sections under the title
