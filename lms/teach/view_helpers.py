"""Helpers shared by the teaching views: the class check, error messages, choices."""
from __future__ import annotations

from typing import NoReturn

from flask import abort
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from lms.auth.forms import village_choices
from lms.models import ClassGroup
from lms.teach import services


STATE_LABELS = {"not_started": _l("Not started"), "in_progress": _l("In progress"), "done": _l("Done")}


def _class_or_404(class_id: int) -> ClassGroup:
    group = services.class_for(current_user, class_id)
    if group is None:
        abort(404)
    return group


def _teacher_error(exc: services.TeachError) -> str:
    return _(exc.message, **exc.params)


def _forbidden(message: str) -> NoReturn:
    """A 403 page that says why."""
    exc = Forbidden()
    exc.lms_message = message
    raise exc


def _place_choices(include_none: bool = True) -> list:
    choices = village_choices()
    choices[0] = ("", _l("— No particular village —")) if include_none else choices[0]
    return choices


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
