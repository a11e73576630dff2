"""What a spreadsheet cell holds, as the value an import needs: clean text, a phone number,
a birth year, a target group, a role, a place name to match.

Spreadsheets change values on the way: Excel stores every number as a float, drops the
leading 0 of a phone number typed into a number cell, and keeps dates as dates. These
functions undo that where it can be undone and refuse (ValueError) what cannot.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lms.models import Role, TargetGroup
from lms.text import fold as fold_text
from lms.text import nfc

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_NEUTRALIZED = re.compile(r"^'(?=[=+\-@0-9])")  # the apostrophe exports put before "+84…"


# --- text -------------------------------------------------------------------------------

def fold(text: str) -> str:
    """``lms.text.fold`` without punctuation, to match column names, groups and places:
    "Thôn/Tổ dân phố" → "thon to dan pho", "SĐT" → "sdt"."""
    return " ".join(re.sub(r"[\W_]+", " ", fold_text(text)).split())


def clean_text(value: Any) -> str:
    """A cell as trimmed NFC text with inner spaces collapsed ("" for an empty cell).

    Whole floats lose their ".0" (Excel stores every number as a float), dates become
    yyyy-mm-dd, invisible characters go, and the apostrophe an export put before a risky
    value ("'+84…") is removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    text = nfc(str(value)).translate(_INVISIBLE)
    text = " ".join(text.split())
    return _NEUTRALIZED.sub("", text)


def is_empty(value: Any) -> bool:
    """True for a cell with nothing in it but spaces and invisible characters."""
    return value is None or (isinstance(value, str) and not clean_text(value))


def place_key(name: str) -> str:
    """How place names are matched: "Buôn Ea Kênh" = "buon ea kenh" = "BUÔN EA-KÊNH"."""
    return fold(name)


# --- numbers ----------------------------------------------------------------------------

def phone_text(value: Any) -> str:
    """A phone number cell as text, repairing what spreadsheets do to phone numbers.

    912345678 (a number cell: the leading 0 is lost) and 912345678.0 become "0912345678";
    84912345678 becomes "+84912345678". Scientific notation ("9.12346E+08") has lost digits
    and is left alone, so that it is reported instead of silently becoming a wrong number."""
    if isinstance(value, bool):
        return clean_text(value)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, (float, Decimal)) and value == int(value):
        text = str(int(value))
    else:
        text = clean_text(value)
        whole = re.fullmatch(r"(\d+)\.0+", text)
        if whole:
            text = whole.group(1)
    compact = re.sub(r"[\s.\-()]", "", text)
    if re.fullmatch(r"[35789]\d{8}", compact):
        return "0" + compact
    if re.fullmatch(r"84[35789]\d{8}", compact):
        return "+" + compact
    return text


def parse_birth_year(value: Any) -> int | None:
    """A birth year from a cell: 1975, 1975.0, "1975", a date cell, "01/02/1975", "1975-02-01".
    None for an empty cell; ValueError when it is not a year."""
    if is_empty(value):
        return None
    if isinstance(value, (datetime, date)):
        return value.year
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        if value == int(value):
            return int(value)
        raise ValueError(value)
    text = clean_text(value)
    for pattern in (r"(\d{4})(?:\.0+)?",
                    r"\d{1,2}[/.\-]\d{1,2}[/.\-](\d{4})(?: .*)?",
                    r"(\d{4})[/.\-]\d{1,2}[/.\-]\d{1,2}(?:[ T].*)?",
                    r"\d{1,2}[/.\-](\d{4})"):
        match = re.fullmatch(pattern, text)
        if match:
            return int(match.group(1))
    raise ValueError(value)


# --- groups and roles -------------------------------------------------------------------

_GROUP_EXACT = {fold(g.value): g for g in TargetGroup} | {
    "public officials and employees": TargetGroup.OFFICIALS,
    "pupils and students": TargetGroup.STUDENTS,
    "workers in enterprises and cooperatives": TargetGroup.WORKERS,
    "adult residents": TargetGroup.CITIZENS,
    "cbccvc": TargetGroup.OFFICIALS,
    "hssv": TargetGroup.STUDENTS,
}
_GROUP_WORDS = {
    TargetGroup.OFFICIALS: ("can bo", "cong chuc", "vien chuc", "official", "officials"),
    TargetGroup.STUDENTS: ("hoc sinh", "sinh vien", "student", "students", "pupil", "pupils"),
    TargetGroup.WORKERS: ("cong nhan", "nguoi lao dong", "lao dong", "worker", "workers"),
    TargetGroup.CITIZENS: ("nguoi dan", "cu dan", "dan cu", "citizen", "citizens", "resident", "residents"),
}
_ROLE_NAMES = {
    Role.LEARNER: ("learner", "hoc vien", "nguoi hoc"),
    Role.TEACHER: ("teacher", "giao vien", "gv"),
    Role.ADMIN: ("admin", "administrator", "quan tri", "quan tri vien", "qtv"),
}
_ROLE_EXACT = {name: role for role, names in _ROLE_NAMES.items() for name in names}


def parse_group(value: Any) -> TargetGroup | None:
    """A target group from a code or a Vietnamese or English label; None when empty.
    Raises ValueError when it names no group or several."""
    key = fold(clean_text(value))
    if not key:
        return None
    if key in _GROUP_EXACT:
        return _GROUP_EXACT[key]
    padded = f" {key} "
    found = {group for group, words in _GROUP_WORDS.items() if any(f" {w} " in padded for w in words)}
    if len(found) == 1:
        return found.pop()
    raise ValueError(value)


def parse_role(value: Any) -> Role:
    """A role from "học viên"/"giáo viên"/"quản trị" or learner/teacher/admin; empty: learner."""
    key = fold(clean_text(value))
    if not key:
        return Role.LEARNER
    if key in _ROLE_EXACT:
        return _ROLE_EXACT[key]
    raise ValueError(value)
