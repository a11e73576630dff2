"""The row of column names and the rows below it.

The column names may be on any of the first rows (a title row above them is fine). They are
matched ignoring case, spaces, punctuation and Vietnamese diacritics, in Vietnamese or
English, against each :class:`Column`'s folded aliases. Each kind of import declares its own
columns (``PEOPLE_COLUMNS``, ``UNITS_COLUMNS``) and which of them are required.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from lms.content.i18n import N_
from lms.imports.files import HEADER_SCAN_ROWS, MAX_ROWS, Table, too_many_rows
from lms.imports.problems import ImportFileError
from lms.imports.values import clean_text, fold, is_empty


@dataclass(frozen=True)
class Column:
    key: str
    vi: str  # the column name in templates and reports
    en: str
    aliases: tuple[str, ...]  # folded (see fold)


# Shared by the people and the units columns.
VILLAGE_ALIASES = ("thon", "thon to dan pho", "thon to", "to dan pho", "thon buon", "thon ban", "thon xom", "thon ap",
                   "thon lang", "ap", "buon", "ban", "xom", "khu pho", "village", "village residential group",
                   "village or residential group")


def column_label(column: Column) -> str:
    return f"“{column.vi}” ({column.en})"


def match_header(text: Any, columns: Iterable[Column]) -> str | None:
    """The key of the column that a header cell names, or None."""
    raw = clean_text(text)
    for candidate in (fold(raw), fold(re.sub(r"\(.*?\)|\[.*?\]", " ", raw))):
        if not candidate:
            continue
        for column in columns:
            if candidate in column.aliases:
                return column.key
    return None


@dataclass
class Header:
    row: int  # spreadsheet row number of the column names
    index: dict[str, int]  # column key → position
    names: dict[str, str]  # column key → the name as written in the file
    ignored: list[str]  # names of columns that are not imported


def _map_header(cells: list[Any], columns: tuple[Column, ...]) -> tuple[dict[str, int], dict[str, str], list[str], list[tuple[str, str]]]:
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    twice: list[tuple[str, str]] = []
    for position, cell in enumerate(cells):
        text = clean_text(cell)
        if not text:
            continue
        key = match_header(text, columns)
        if key is None:
            ignored.append(text)
        elif key in index:
            twice.append((names[key], text))
        else:
            index[key], names[key] = position, text
    return index, names, ignored, twice


def find_header(table: Table, columns: tuple[Column, ...], required: tuple[tuple[str, ...], ...]) -> Header:
    """The row of column names among the first rows. Raises ImportFileError naming the
    missing columns."""
    by_key = {c.key: c for c in columns}
    best: tuple[int, list[tuple[str, ...]]] | None = None
    for number, cells in table.rows[:HEADER_SCAN_ROWS]:
        index, names, ignored, twice = _map_header(cells, columns)
        missing = [alternatives for alternatives in required if not any(k in index for k in alternatives)]
        if not missing:
            if twice:
                first, second = twice[0]
                raise ImportFileError(N_("Two columns are for the same thing: “%(first)s” and “%(second)s” (row %(row)s). Keep one of them."),
                                      first=first, second=second, row=number)
            return Header(number, index, names, ignored)
        if index and (best is None or len(missing) < len(best[1])):
            best = (number, missing)
    missing = best[1] if best else list(required)
    labels = [" / ".join(column_label(by_key[k]) for k in alternatives) for alternatives in missing]
    example = ", ".join(by_key[alternatives[0]].vi for alternatives in required)
    raise ImportFileError(N_("Columns missing: %(columns)s. The first row of the file must hold the column names, for example: %(example)s."),
                          columns="; ".join(labels), example=example)


def data_rows(table: Table, header: Header) -> list[tuple[int, dict[str, Any]]]:
    """The rows below the column names with at least one imported cell filled, as dicts."""
    rows = []
    for number, cells in table.rows:
        if number <= header.row:
            continue
        values = {key: (cells[i] if i < len(cells) else None) for key, i in header.index.items()}
        if all(is_empty(v) for v in values.values()):
            continue  # e.g. a row with only its "STT" number filled in
        rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise too_many_rows(len(rows))
    if not rows:
        raise ImportFileError(N_("The file has column names but no rows to import."))
    return rows
