"""Shared column helpers."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import ColumnElement, DateTime, and_, false
from sqlalchemy.types import TypeDecorator

from lms.text import fold


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database.

    SQLite stores no zone, so values read back are marked UTC again.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use lms.models.base.utcnow()")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


# --- folded keys for searching names ---------------------------------------------------------

def folded_key(text: str | None, length: int) -> str:
    """``fold(text)`` cut to the key column's length (folding may lengthen a name: "ß" → "ss")."""
    return fold(text)[:length]


def folded_default(source: str, length: int) -> Callable:
    """A column default for a key column: the folded ``source`` column of the same row.

    The models keep their keys with ``@validates``; this default covers the rows written
    without ORM objects (bulk ``insert()`` with dictionaries) that leave the key out."""
    def default(context) -> str:
        return folded_key(context.get_current_parameters().get(source), length)
    return default


def folded_contains(column, query: str | None) -> ColumnElement[bool]:
    """Every word of ``query`` occurs in the folded key ``column``: case, diacritics and the
    order of the words do not matter ("huong nguyen" finds "Nguyễn Thị Hường"). ``%`` and
    ``_`` are searched as typed. Nothing matches an empty query."""
    words = fold(query).split()
    if not words:
        return false()
    return and_(*(column.contains(word, autoescape=True) for word in words))
