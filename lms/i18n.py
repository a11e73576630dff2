"""Languages: Vietnamese by default, English available; the choice is remembered."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime as babel_format_datetime
from flask import Blueprint, Flask, current_app, redirect, request, url_for
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context

from lms.extensions import babel, db

LANG_COOKIE = "lang"
DATETIME_FORMAT = "dd/MM/yyyy HH:mm"  # 02/01/2026 06:30, as Vietnamese forms write it
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


def site_timezone() -> ZoneInfo:
    """The site's time zone: times are stored in UTC and shown in this zone.

    Set with ``BABEL_DEFAULT_TIMEZONE`` (``LMS_BABEL_DEFAULT_TIMEZONE``), the setting Flask-Babel
    reads too, so every page and download agrees; Asia/Ho_Chi_Minh unless changed."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def format_datetime(moment: datetime | None, pattern: str = DATETIME_FORMAT) -> str:
    """Date and time in the site's time zone (``{{ entry.at|format_datetime }}``); a naive
    value is taken to be UTC, as the database hands them out."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return babel_format_datetime(moment, pattern, tzinfo=site_timezone(), locale=str(get_locale() or "vi"))


def _check_timezone(app: Flask) -> None:
    name = app.config.get("BABEL_DEFAULT_TIMEZONE")
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise RuntimeError(f"The time zone {name!r} is not known. Set LMS_BABEL_DEFAULT_TIMEZONE (or "
                           "BABEL_DEFAULT_TIMEZONE in instance/config.py) to a name such as Asia/Ho_Chi_Minh.") from None


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
    _check_timezone(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(__import__("pathlib").Path(__file__).parent / "translations"))
    app.jinja_env.globals["localized"] = _localized_in_template
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["format_datetime"] = format_datetime
    app.context_processor(_request_translations)
    app.register_blueprint(bp)
