"""Exports as CSV, streamed: :func:`csv_stream` yields text chunks while it reads the rows.

CSV is for other programs, LibreOffice and Google Sheets. Excel on a Vietnamese Windows expects
``;`` between fields and ``,`` as the decimal mark: for people who open files in Excel, offer
XLSX (:mod:`lms.exports.xlsx_writer`).
"""
from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any, Optional, Union

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lms.exports.cells import DANGEROUS_PREFIXES, LOCAL_TZ, is_finite, is_number, safe_text, wall_clock

CSV_MIMETYPE = "text/csv"  # Flask/Werkzeug append "; charset=utf-8" to text/* types
BOM = "\ufeff"  # lets Excel recognise a CSV file as UTF-8 instead of the Windows code page
CSV_CHUNK_SIZE = 16 * 1024  # characters gathered before a CSV chunk is yielded

_HAS_ILLEGAL = ILLEGAL_CHARACTERS_RE.search


def _csv_cell(value: Any, tz: tzinfo) -> str:
    # The common cases first and inline: a report writes hundreds of thousands of cells.
    kind = type(value)
    if kind is str:
        text = value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
        if _HAS_ILLEGAL(text):
            text = ILLEGAL_CHARACTERS_RE.sub("", text)
        return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return wall_clock(value, tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if is_number(value):
        return str(value) if is_finite(value) else ""
    return safe_text(value)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_stream(
    title_rows: Optional[Iterable[Union[str, Iterable[Any]]]],
    header: Sequence[Any],
    rows: Iterable[Iterable[Any]],
    *,
    delimiter: str = ",",
    chunk_size: int = CSV_CHUNK_SIZE,
    tz: tzinfo = LOCAL_TZ,
) -> Iterator[str]:
    """Yield a CSV file as text chunks, reading ``rows`` one at a time.

    The first chunk starts with the UTF-8 byte order mark :data:`BOM`, so Excel shows
    Vietnamese letters correctly, followed by the ``title_rows`` (each a row of cells, or a
    plain string for a one-cell row; ``None`` or empty for none) and the ``header``. It is
    yielded before the first data row is read, so the download starts at once. Data rows
    follow in chunks of about ``chunk_size`` characters; ``rows`` is consumed lazily and the
    whole file is never held in memory.

    Cells: text is neutralized (see :func:`lms.exports.cells.neutralize`), ``None`` is empty,
    dates are ``yyyy-mm-dd``, datetimes ``yyyy-mm-dd HH:MM`` (local time, see
    :mod:`lms.exports.cells`), times ``HH:MM``, booleans ``TRUE``/``FALSE``, numbers as Python
    writes them. Lines end in CRLF and fields are quoted only when needed (RFC 4180).

    The chunks are ``str``; a WSGI response encodes them as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write(BOM)
    for title_row in title_rows or ():
        cells = (title_row,) if isinstance(title_row, str) else title_row
        writer.writerow([_csv_cell(value, tz) for value in cells])
    writer.writerow([_csv_cell(value, tz) for value in header])
    yield _drain(buffer)

    for row in rows:
        writer.writerow([_csv_cell(value, tz) for value in row])
        if buffer.tell() >= chunk_size:
            yield _drain(buffer)
    rest = _drain(buffer)
    if rest:
        yield rest
