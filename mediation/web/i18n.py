"""Interface language (Kazakh by default, Russian, English) and the Asia/Almaty time zone."""

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def select_locale() -> str:
    """The user's saved choice, else this browser's choice, else the browser's header, else Kazakh."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """All of Kazakhstan is UTC+5 since March 2024."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def inject_languages() -> dict:
    """Template globals for the language switch."""
    return {"language_names": LANGUAGE_NAMES, "current_locale": str(get_locale())}


def register(app: Flask) -> None:
    """Install the context processor."""
    app.context_processor(inject_languages)
