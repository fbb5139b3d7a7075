"""Fixtures: an app per test on a fresh database (SQLite by default, PostgreSQL with TEST_DATABASE_URL)."""

import contextvars
import os
import re
import shutil

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from config import TestingConfig
from mediation import create_app
from mediation.extensions import db
from tests import factories

IN_CI = os.environ.get("CI", "").lower() == "true"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def unavailable(reason: str):
    """Skip on a laptop, fail in CI: a test that cannot run there must not pass silently."""
    if IN_CI:
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own context, as in production.

    The test holds an app context for its own database work; without this, Flask would reuse it for
    each request, sharing `g` (Flask-Login's cached user, Flask-WTF's token) and the database session
    between requests and the test, which hides real bugs.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.rollback()  # end the test's read snapshot so it sees what the request committed
        return response


def config_for(url: str) -> type[TestingConfig]:
    """A TestingConfig bound to one database URL."""
    return type("BoundTestingConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Build the schema once: a template SQLite file, or the PostgreSQL test database."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        path = tmp_path_factory.mktemp("template") / "template.db"
        url = f"sqlite:///{path}"
    app = create_app(config_for(url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        db.engine.dispose()
    return url


@pytest.fixture
def app(database_template, tmp_path):
    """A fresh app and database for one test."""
    if database_template.startswith("sqlite:///"):
        path = tmp_path / "test.db"
        shutil.copyfile(database_template.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    else:
        url = database_template
    app = create_app(config_for(url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client (CSRF stays on: use csrf_token())."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def org(app):
    """Regions and two Friendship Houses in two regions, each with a room."""
    return factories.make_org()


def _closing_bodies(app):
    """The app with each response's body read out and closed before the server writes it.

    Werkzeug's development server skips a body's close() when the client drops the connection while it reads
    what is left of the request (a browser cancelling its favicon request), leaving a static file open: a
    ResourceWarning that filterwarnings = error turns into a failed test (seen once in CI on PostgreSQL).
    """
    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return serve


@pytest.fixture
def live_app(app):
    """Serve the app on a loopback port from a background thread (for real concurrent HTTP requests)."""
    import threading

    from werkzeug.serving import make_server

    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    server = make_server("127.0.0.1", 0, _closing_bodies(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def csrf_token(client, path: str = "/auth/login") -> str:
    """Fetch a page and read the CSRF token for the client's current session."""
    response = client.get(path)
    match = CSRF_META.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({response.status_code})"
    return match.group(1)


def login(client, username: str, password: str = factories.PASSWORD):
    """Sign in through the form, as a browser would."""
    token = csrf_token(client)
    return client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(client, org):
    """Create a user with the role (scoped sensibly) and sign the client in as them."""

    def _login_as(role: str, **scope):
        user = factories.make_user(role, org=org, **scope)
        db.session.commit()
        response = login(client, user.username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login_as
