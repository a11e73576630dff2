"""Friendly error pages; never a stack trace to the user."""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The page could not understand what was sent. Go back, reload the page and try again.")),
        403: (_("Not allowed"), _("You do not have permission to open this page. If you think you should, ask your teacher or administrator.")),
        404: (_("Page not found"), _("This page does not exist or is not available to you. Check the address, or start again from the home page.")),
        405: (_("Not allowed"), _("This address cannot be used this way.")),
        413: (_("Too large"), _("What you sent is too large.")),
        429: (_("Too many tries"), _("There were too many tries in a short time. Please wait a few minutes and try again.")),
        500: (_("Something went wrong"), _("An error happened on the server. It has been recorded. Please try again in a moment.")),
    }


def render_error(code: int, detail: str | None = None):
    title, message = _messages().get(code, _messages()[500])
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _("This form has expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        detail = getattr(exc, "lms_message", None)
        return render_error(exc.code, detail)

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
