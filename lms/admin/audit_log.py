"""The audit log in words, for the officials who read it.

Entries are stored as codes (``action="target.save"``, ``target="place:12"``, details as JSON)
so that scripts and downloads can rely on them. This module turns them into what a person
reads: a translated label for every action the code writes, the object named ("Thôn 1, Xã
Krông Á, …" rather than ``place:12``), and the details as "label: value" lines, with people,
places and courses looked up by id — one query per kind for a whole page, never one per row.

Every action string passed to :func:`lms.certificates.services.audit` needs a label in
:data:`ACTIONS` (a test reads the code to check it). An action without one still reads as
words (:func:`action_label`), and unknown detail keys are shown with their key spelled out.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.models import AuditEntry, Course, Place, User
from lms.models.people import GROUP_LABELS, ROLE_LABELS, Role, TargetGroup

# Every action the code writes, in the order the filter lists them. Codes are stored: never
# rename one, add a new one instead.
ACTIONS = {
    "user.activate": _l("Account opened again"),
    "user.deactivate": _l("Account locked"),
    "user.role": _l("Role changed"),
    "user.reset": _l("New one-time sign-in code (password reset)"),
    "user.deletion_request": _l("Person asked to delete their data"),
    "user.delete": _l("Personal data deleted"),
    "users.import": _l("People imported from a file"),
    "units.import": _l("Places imported from a file"),
    "target.save": _l("Target saved"),
    "target.delete": _l("Target deleted"),
    "certificate.revoke": _l("Certificate revoked"),
    "certificate.reissue": _l("Certificate re-issued"),
    "issuer.update": _l("Issuing body changed"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "class.sign_in_code": _l("One-time sign-in code printed for a learner of a class"),
}

# The first part of a code, for actions written by newer code than this list.
AREAS = {
    "user": _l("Account"),
    "users": _l("People"),
    "units": _l("Places"),
    "target": _l("Target"),
    "certificate": _l("Certificate"),
    "issuer": _l("Issuing body"),
    "token": _l("API token"),
}

DETAIL_LABELS = {
    "username": _l("Username"),
    "had_username": _l("Had a username"),
    "before": _l("Before"),
    "after": _l("After"),
    "place": _l("Area"),
    "group": _l("Group"),
    "year": _l("Year"),
    "population": _l("Population"),
    "target_percent": _l("Target"),
    "reason": _l("Reason"),
    "learner": _l("Learner"),
    "course": _l("Course"),
    "new_code": _l("New certificate"),
    "filename": _l("File"),
    "mode": _l("Import mode"),
    "rows": _l("Rows in the file"),
    "created": _l("Accounts created"),
    "skipped": _l("Rows not imported"),
    "commune_id": _l("Commune"),
    "provinces": _l("New provinces"),
    "communes": _l("New communes"),
    "villages": _l("New villages"),
    "existing": _l("Places already there"),
    "role": _l("Role"),
    "class": _l("Class"),
    "new_account": _l("For a new account"),
    "had_password": _l("Had a password"),
    "sign_in_codes": _l("One-time sign-in codes printed"),
}
# Where a key means something else for one action.
ACTION_DETAIL_LABELS = {
    ("user.role", "before"): _l("Role before"),
    ("user.role", "after"): _l("New role"),
    ("issuer.update", "name"): _l("Name of the issuing body"),
    ("issuer.update", "place"): _l("Place of signing"),
    ("issuer.update", "signer_title"): _l("Signer's title"),
    ("issuer.update", "signer_name"): _l("Signer's full name"),
    ("issuer.update", "national_header"): _l("National header"),
}

IMPORT_MODES = {
    "all_or_nothing": _l("all rows or nothing"),
    "valid_only": _l("only the rows without problems"),
}

COUNT_KEYS = frozenset({"population", "rows", "created", "skipped", "provinces", "communes", "villages", "existing",
                        "sign_in_codes"})
PLACE_KEYS = frozenset({"commune_id", "place_id", "village_id"})
USER_KEYS = frozenset({"user_id", "learner_id", "teacher_id"})
COURSE_KEYS = frozenset({"course", "course_id"})


# --- actions ----------------------------------------------------------------------------

def _spelled(code: str) -> str:
    return code.replace("_", " ").strip()


def action_label(code: str) -> str:
    """The action in words; an action this list does not know reads "Area: what" from its code."""
    label = ACTIONS.get(code)
    if label is not None:
        return str(label)
    area, _dot, what = code.partition(".")
    area_label = str(AREAS[area]) if area in AREAS else _spelled(area).capitalize()
    if not what:
        return area_label
    return _("%(area)s: %(what)s", area=area_label, what=_spelled(what))


def action_choices(present: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(code, label) for the filter: every known action, then any other stored one."""
    others = sorted(set(present) - set(ACTIONS))
    return [(code, str(label)) for code, label in ACTIONS.items()] + [(code, action_label(code)) for code in others]


# --- names looked up by id --------------------------------------------------------------

@dataclass
class Names:
    """People, places and courses named by the entries being shown."""
    users: dict[int, str]
    places: dict[int, str]
    courses: dict[str, str]

    @classmethod
    def lookup(cls, entries: Sequence[AuditEntry], lang: str) -> Names:
        user_ids: set[int] = set()
        place_ids: set[int] = set()
        course_ids: set[str] = set()
        for entry in entries:
            kind, _sep, ref = (entry.target or "").partition(":")
            if kind in ("user", "place") and ref.isdigit():
                (user_ids if kind == "user" else place_ids).add(int(ref))
            for key, value in _items(entry.details):
                if key in PLACE_KEYS and isinstance(value, int) and not isinstance(value, bool):
                    place_ids.add(value)
                elif key in USER_KEYS and isinstance(value, int) and not isinstance(value, bool):
                    user_ids.add(value)
                elif key in COURSE_KEYS and isinstance(value, str):
                    course_ids.add(value)
        return cls(_user_names(user_ids), _place_paths(place_ids), _course_titles(course_ids, lang))


def _items(details: Any):
    """Key, value pairs of the details and of the dicts inside them."""
    if isinstance(details, dict):
        for key, value in details.items():
            yield key, value
            yield from _items(value)


def _user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.full_name, User.username, User.deleted_at).where(User.id.in_(ids)))
    return {uid: full_name if deleted_at is not None else f"{full_name} ({username})"
            for uid, full_name, username, deleted_at in rows}


def _place_paths(ids: set[int]) -> dict[int, str]:
    """"Thôn 1, Xã Krông Á, Tỉnh Đắk Lắk" per id, in one query (the tree has three levels)."""
    if not ids:
        return {}
    parent, grandparent = aliased(Place), aliased(Place)
    rows = db.session.execute(
        select(Place.id, Place.name, parent.name, grandparent.name)
        .outerjoin(parent, parent.id == Place.parent_id).outerjoin(grandparent, grandparent.id == parent.parent_id)
        .where(Place.id.in_(ids)))
    return {pid: ", ".join(n for n in names if n) for pid, *names in rows}


def _course_titles(ids: set[str], lang: str) -> dict[str, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Course.id, Course.title_vi, Course.title_en).where(Course.id.in_(ids)))
    return {cid: (title_en if lang == "en" and title_en else title_vi) for cid, title_vi, title_en in rows}


# --- objects and details ----------------------------------------------------------------

def target_label(target: str, names: Names) -> str:
    """The changed object in words: a person's name, a place's path, a certificate's code…"""
    kind, sep, ref = (target or "").partition(":")
    if not sep:
        return target or ""
    if kind == "user" and ref.isdigit():
        return names.users.get(int(ref)) or _("Account #%(id)s", id=ref)
    if kind == "place" and ref.isdigit():
        return names.places.get(int(ref)) or _("Place #%(id)s", id=ref)
    if kind == "certificate":
        return _("Certificate %(code)s", code=_display_code(ref))
    if kind == "token":
        return _("API token “%(name)s”", name=ref)
    if kind == "file":
        return _("File “%(name)s”", name=ref)
    if kind == "issuer":
        return _("Issuing body")
    return target


def _display_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4)) if code.isalnum() else code


@dataclass(frozen=True)
class Detail:
    label: str
    value: str

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


def _number(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_decimal(value, format="#,##0.##")
    return _plain(value)


def _plain(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_spelled(str(k))}: {_plain(v)}" for k, v in value.items())
    return str(value)


def _group(value: Any) -> str:
    if not value:
        return _("All groups")
    try:
        return str(GROUP_LABELS[TargetGroup(value)])
    except ValueError:
        return _plain(value)


def _role(value: Any) -> str:
    try:
        return str(ROLE_LABELS[Role(value)])
    except ValueError:
        return _plain(value)


def _label(action: str, key: str) -> str:
    label = ACTION_DETAIL_LABELS.get((action, key)) or DETAIL_LABELS.get(key)
    return str(label) if label is not None else _spelled(key).capitalize()


def _value(action: str, key: str, value: Any, names: Names) -> str | None:
    """The value in words, or None to leave the line out (nothing to say)."""
    if key == "group":
        return _group(value)
    if key == "commune_id" and value is None:
        return _("Any commune (villages are looked up everywhere)")
    if value is None:
        return None
    if (action == "user.role" and key in ("before", "after")) or key == "role":
        return _role(value)
    if key in PLACE_KEYS and isinstance(value, int):
        return names.places.get(value, str(value))
    if key in USER_KEYS and isinstance(value, int):
        return names.users.get(value, str(value))
    if key in COURSE_KEYS and isinstance(value, str):
        return names.courses.get(value, value)
    if key == "target_percent":
        return f"{_number(value)} %"
    if key == "mode":
        return str(IMPORT_MODES[value]) if isinstance(value, str) and value in IMPORT_MODES else _plain(value)
    if key == "new_code" and isinstance(value, str):
        return _display_code(value)
    if key in COUNT_KEYS:
        return _number(value)
    if isinstance(value, dict):
        parts = [Detail(_label(action, k), v) for k, v in
                 ((k, _value(action, k, v, names)) for k, v in value.items()) if v is not None]
        return "; ".join(str(p) for p in parts) or None
    return _plain(value)


def describe_details(action: str, details: Any, names: Names) -> list[Detail]:
    """The details as "label: value" lines, in the order they were written."""
    if not isinstance(details, dict):
        return [Detail(_("Details"), _plain(details))] if details else []
    lines = []
    for key, value in details.items():
        text = _value(action, key, value, names)
        if text is not None:
            lines.append(Detail(_label(action, key), text))
    return lines


# --- entries ----------------------------------------------------------------------------

@dataclass
class ReadableEntry:
    """An audit entry with its readable form beside the stored one."""
    entry: AuditEntry
    action_label: str
    target_label: str
    details: list[Detail]

    @property
    def known_action(self) -> bool:
        return self.entry.action in ACTIONS

    def details_text(self, separator: str = "\n") -> str:
        return separator.join(str(d) for d in self.details)


def describe(entries: Sequence[AuditEntry], lang: str | None = None) -> list[ReadableEntry]:
    """The entries in words (in the reader's language unless ``lang`` is given); at most three
    queries whatever their count."""
    names = Names.lookup(entries, lang or str(get_locale() or "vi"))
    return [ReadableEntry(e, action_label(e.action), target_label(e.target, names),
                          describe_details(e.action, e.details, names)) for e in entries]


def iso_utc(moment: datetime) -> str:
    """The stored time as ISO 8601 in UTC, e.g. ``2026-01-01T23:30:00+00:00``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def raw_details(details: Any) -> str:
    """The stored details as JSON, Vietnamese letters as they are (not ``\\u00ea``)."""
    return json.dumps(details if details is not None else {}, ensure_ascii=False, sort_keys=False)
