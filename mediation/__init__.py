"""The mediation case management app: create_app() builds it from a configuration class."""

import gc
import logging

from flask import Flask

from config import Config, config_from_environment

from .services import collector


def create_app(config: type[Config] | None = None) -> Flask:
    """Build the app: configuration, extensions, security, i18n, blueprints, CLI."""
    config = config or config_from_environment()
    config.check()
    # The first build imports the app: 170,000 objects that live as long as the process, which the collector's passes
    # (250 of them, about 90 ms) would only scan. So the collector stays off until they are frozen, the order the
    # documentation of gc.freeze gives for servers (disable early, then freeze), and without a full collection first:
    # it found about 500 unreachable objects in 80-95 ms. (Full collections later in a worker came out the same in
    # number, 31 in the suggestions benchmark, with or without it.)
    with collector.paused():
        app = _build(config)
        if app.config["GC_FREEZE_AFTER_START"]:
            gc.freeze()  # see config.py: start-up objects stay out of every later collection
    return app


def _build(config: type[Config]) -> Flask:
    """The app with everything registered."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_relative_config=True)
    app.config.from_object(config)
    from .web.converters import IdConverter

    app.url_map.converters["id"] = IdConverter  # before any blueprint registers its rules
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s %(message)s")

    from .web import register_web

    register_extensions(app)
    register_web(app)
    register_blueprints(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    from . import models  # noqa: F401  (registers every table on the metadata)
    from .extensions import babel, bootstrap, csrf, db, limiter, login_manager
    from .web.database import configure_engines
    from .web.i18n import select_locale, select_timezone

    db.init_app(app)
    configure_engines(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature; the URL prefix is the blueprint's name."""
    from .admin import bp as admin_bp
    from .assignment import bp as assignment_bp
    from .auth import bp as auth_bp
    from .cases import bp as cases_bp
    from .documents import bp as documents_bp
    from .main import bp as main_bp
    from .mediators import bp as mediators_bp
    from .registry import bp as registry_bp
    from .rooms import bp as rooms_bp
    from .sessions import bp as sessions_bp
    from .verify import bp as verify_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(cases_bp, url_prefix="/cases")
    app.register_blueprint(mediators_bp, url_prefix="/mediators")
    app.register_blueprint(registry_bp, url_prefix="/registry")
    app.register_blueprint(assignment_bp, url_prefix="/assignment")
    app.register_blueprint(documents_bp, url_prefix="/documents")
    app.register_blueprint(verify_bp, url_prefix="/verify")
    app.register_blueprint(rooms_bp, url_prefix="/rooms")
    app.register_blueprint(sessions_bp, url_prefix="/sessions")


def register_cli(app: Flask) -> None:
    """Click groups over the services."""
    from .cli import register_commands

    register_commands(app)
