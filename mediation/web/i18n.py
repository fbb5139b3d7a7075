"""Interface language (Kazakh by default, Russian, English) and the Asia/Almaty time zone."""

from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import get_locale, get_translations
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


def catalogue():
    """This request's translations, looked up again only when the locale changes.

    Flask-Babel finds its context, the locale and the locale's name again for every string a template
    translates (6 µs each; a list page has a few hundred). The catalogue is kept with the locale object it was
    found for: Flask-Babel keeps that object for the request, and force_locale() or refresh() replace it.
    """
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    kept = g.get("mediation_catalogue")
    if kept is None or kept[0] is not locale:
        kept = g.mediation_catalogue = (locale, get_translations())
    return kept[1]


def register(app: Flask) -> None:
    """Install the context processor and the templates' gettext over the request's catalogue."""
    app.context_processor(inject_languages)
    # The same callables as Flask-Babel's (newstyle: Jinja formats and escapes the variables), with the lookup
    # of the catalogue done once per request.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True)
