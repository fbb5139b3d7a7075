"""Configuration per environment, read from environment variables."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("MEDIATION_INSTANCE_DIR", BASE_DIR / "instance"))


def _database_url(default: str) -> str:
    """Return DATABASE_URL, accepting the bare postgres:// scheme some hosts hand out."""
    url = os.environ.get("DATABASE_URL", default)
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _development_secret_key() -> str:
    """Generate the development key once and keep it in instance/ so sessions survive restarts."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    """Settings shared by every environment; secure unless told otherwise."""

    @classmethod
    def check(cls) -> None:
        """Validate the environment before the app starts; subclasses refuse what is unsafe."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'mediation.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 5000

    # Sessions: cookie-based, revocable through the per-user session token (see models/user.py).
    SESSION_COOKIE_NAME = "mediation_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)  # absolute: one working day
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    REMEMBER_COOKIE_DURATION = timedelta(minutes=1)  # remember-me is never offered
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own limits
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    # Move what start-up built (modules, the app, its extensions and SQLAlchemy's metadata: ~220,000 objects that
    # live as long as the worker; templates are compiled later, on first use) out of the garbage collector's
    # reach, so its full passes stop rescanning them during requests: the suggestions page's p95 fell from 186
    # to 109 ms on 1M cases (bench/bench_gc.py, bench/RESULTS.md). Off for the test suite, which builds an app
    # per test: frozen objects are never freed.
    GC_FREEZE_AFTER_START = os.environ.get("GC_FREEZE_AFTER_START", "1") != "0"
    # Build every region's suggestion pool in a background thread from a worker's first request (web/warmup.py).
    WARM_SUGGESTIONS = os.environ.get("WARM_SUGGESTIONS", "1") != "0"

    # Login throttling: per account, and per client address through Flask-Limiter.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
    LOGIN_LOCK_DURATION = timedelta(minutes=15)
    LOGIN_RATE_LIMIT = "20 per minute;200 per hour"
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 128
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True

    LANGUAGES = ("kk", "ru", "en")
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None

    # Law on Mediation time limits (Art. 19, 20); configuration, because the law has changed before.
    CASE_TERM_DAYS = 30
    CASE_MAX_EXTENSION_DAYS = 30
    CASE_PROPOSAL_LAPSE_DAYS = 10
    CASE_DUE_SOON_DAYS = 7
    CASE_EXPORT_LIMIT = 50_000
    # Law on Mediation Art. 9 minimum ages (the public register's age has changed before).
    MEDIATOR_PROFESSIONAL_MIN_AGE = 25
    MEDIATOR_PUBLIC_MIN_AGE = 40

    # Settlement documents: the public address printed in QR codes, the page cap, scan and batch limits.
    DOCUMENT_VERIFY_BASE_URL = os.environ.get("DOCUMENT_VERIFY_BASE_URL", "http://127.0.0.1:5000")
    DOCUMENT_MAX_PAGES = 60
    DOCUMENT_SCAN_MAX_BYTES = 8 * 1024 * 1024
    DOCUMENT_BATCH_LIMIT = 2000

    DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed by `make run`; the seed refuses to run in production
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    """Local development: embedded SQLite, a generated secret key."""

    ENV_NAME = "development"
    DEBUG = os.environ.get("FLASK_DEBUG", "0") == "1"

    @classmethod
    def check(cls) -> None:
        """Use SECRET_KEY from the environment, else the key generated once under instance/."""
        cls.SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()


class TestingConfig(Config):
    """The test suite: its own database, CSRF still on, faster password hashing."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    ARGON2_FAST = True  # tests hash many passwords; the production parameters stay in services/passwords.py
    GC_FREEZE_AFTER_START = False
    WARM_SUGGESTIONS = False  # tests that want it turn it on


class ProductionConfig(Config):
    """Production: refuses to start without a secret key; secure cookies."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        """Refuse to start when the secret key is missing or weak."""
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32:
            raise RuntimeError("SECRET_KEY must be set (at least 32 characters) in production")
        cls.SECRET_KEY = key


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    """Pick the configuration class named by MEDIATION_ENV (development by default)."""
    name = os.environ.get("MEDIATION_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"MEDIATION_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
