"""Browser fixtures: the app served on a loopback port, Debian's Chromium driven by Playwright."""

import os
from pathlib import Path

import pytest

from mediation import seed
from mediation.extensions import db
from mediation.services.clock import local_date, utcnow
from tests.conftest import unavailable

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(live_app):
    """The demo data, served from a background thread on 127.0.0.1 (tests/conftest.py live_app)."""
    seed.seed_demo(password="demo12345", today=local_date(utcnow()), fast_hash=True, case_count=40)
    db.session.commit()
    return live_app


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from Debian (Playwright's own download cannot work offline)."""
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test; CSP violations and page errors are collected."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 860},
                                  locale="kk-KZ")
    page = context.new_page()
    page.problems = []
    # A 422 is a form answered with field errors: expected, not a problem.
    page.on("console", lambda m: page.problems.append(m.text)
            if m.type == "error" and "status of 422" not in m.text else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()
