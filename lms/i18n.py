"""Languages: Vietnamese by default, English available; the choice is remembered."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, request, url_for
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context

from lms.extensions import babel, db

LANG_COOKIE = "lang"
bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def localized(obj, field: str, lang: str | None = None) -> str:
    """``obj.<field>_en`` when the reader uses English and it exists, else ``obj.<field>_vi``."""
    if (lang or str(get_locale())) == "en":
        value = getattr(obj, f"{field}_en", None)
        if value:
            return value
    return getattr(obj, f"{field}_vi")


@pass_context
def _localized_in_template(context, obj, field: str) -> str:
    return localized(obj, field, context.get("lang"))


def _request_translations() -> dict:
    """Per-request shortcuts for templates: the language, and gettext bound to its catalogue
    once (instead of looking the catalogue up again for every string)."""
    translations = get_translations()
    gettext, ngettext = translations.ugettext, translations.ungettext

    def _(message: str, **variables) -> str:
        text = gettext(message)
        return text % variables if variables else text

    def _n(singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return ngettext(singular, plural, num) % variables

    return {"lang": str(get_locale()), "_": _, "gettext": _, "ngettext": _n}


def safe_next(target: str | None, default: str) -> str:
    """Follow a ``next`` address only when it stays on this site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("learn.home"))
    response = redirect(target)
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(__import__("pathlib").Path(__file__).parent / "translations"))
    app.jinja_env.globals["localized"] = _localized_in_template
    app.jinja_env.globals["get_locale"] = get_locale
    app.context_processor(_request_translations)
    app.register_blueprint(bp)
