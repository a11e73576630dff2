"""Exports as XLSX: one sheet with a title, a subtitle, a styled header and the rows, built in
openpyxl's write-only mode so that memory stays flat however many rows there are.

XLSX is what to offer people who open files in Excel: it keeps numbers as numbers, dates as
dates, and text such as phone numbers (``0912…``) as text.
"""
from __future__ import annotations

import math
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, tzinfo
from itertools import chain, islice
from typing import IO, Any, Optional, Union

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from lms.exports.cells import CONTROL_CHARACTERS, LOCAL_TZ, is_finite, is_number, safe_text, wall_clock

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# ---- layout of the sheet (1-based rows, as spreadsheets count) ------------------------------
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

ColumnSpec = Union[Mapping[Union[int, str], Any], Sequence[Any], None]


def safe_sheet_title(text: Any, fallback: str = "Sheet1") -> str:
    """A worksheet name Excel accepts, made from ``text``.

    ``/`` and ``\\`` become ``-``, ``[ ] : * ?`` become spaces ("Lớp 6/1: [HK2]" -> "Lớp 6-1
    HK2"), control characters are dropped, runs of spaces collapse, the name may not start or
    end with an apostrophe, it is cut to 31 characters (UTF-16 code units, as Excel counts),
    "History" (reserved by Excel) gets a suffix, and an empty result becomes ``fallback``.
    """
    title = unicodedata.normalize("NFC", "" if text is None else str(text))
    title = CONTROL_CHARACTERS.sub("", title).replace("/", "-").replace("\\", "-")
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
    if is_number(value):
        return len(str(value))
    return _text_width(safe_text(value))


def _column_widths(header: Sequence[Any], sample: Sequence[Sequence[Any]], given: list[Any]) -> list[float]:
    widths = []
    for index, name in enumerate(header):
        if given[index] is not None:
            widths.append(float(given[index]))
            continue
        name_text = safe_text(name) if name is not None else ""
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
    if is_number(value):
        if not is_finite(value):
            return None
        return _styled(ws, value, number_format=number_format) if number_format else value
    if isinstance(value, datetime):
        return _styled(ws, wall_clock(value, tz), number_format=number_format or DATETIME_FORMAT)
    if isinstance(value, date):
        return _styled(ws, value, number_format=number_format or DATE_FORMAT)
    if isinstance(value, time):
        return _styled(ws, value.replace(tzinfo=None), number_format=number_format or TIME_FORMAT)
    text = safe_text(value)[:XLSX_MAX_TEXT]
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

    ws.append([_styled(ws, safe_text(title) if title is not None else None, font=_TITLE_FONT)])
    ws.append([_styled(ws, safe_text(subtitle), font=_SUBTITLE_FONT)] if subtitle is not None else [])
    for _ in range(SUBTITLE_ROW + 1, HEADER_ROW):
        ws.append([])
    ws.append([
        _styled(
            ws,
            safe_text(name) if name is not None else None,
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
    (``dd/mm/yyyy hh:mm``; local time, see :mod:`lms.exports.cells`), booleans stay booleans,
    ``None`` is an empty cell, and every text cell is neutralized (see
    :func:`lms.exports.cells.neutralize`).

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

