"""Reading an uploaded spreadsheet (CSV or XLSX) into rows of cells, within the size limits.

CSV: UTF-8 with or without byte order mark, UTF-16 with a byte order mark (Excel's "Unicode
text"), Windows-1258 (the code page Excel on a Vietnamese Windows uses for "CSV"; Python
decodes it to base letters plus combining tone marks, so the text is normalized to NFC), else
whatever ``charset_normalizer`` finds. Text in the old font encodings (TCVN3/ABC, VNI), which
no codec can read back into Vietnamese letters, is refused with a hint to convert it. The
delimiter (comma, semicolon or tab) is sniffed. XLSX: the first worksheet, read with openpyxl
in read-only mode.

Limits: :data:`MAX_FILE_BYTES` (5 MiB) per file and :data:`MAX_ROWS` (20,000) data rows; an
XLSX file may not unpack to more than :data:`MAX_XLSX_UNPACKED_BYTES`.
"""
from __future__ import annotations

import csv
import io
import unicodedata
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from openpyxl import load_workbook

from lms.content.i18n import N_
from lms.imports.problems import ImportFileError
from lms.imports.values import is_empty
from lms.text import nfc

MAX_FILE_BYTES = 5 * 1024 * 1024  # 5 MiB
MAX_ROWS = 20_000  # data rows, without the column names
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024  # an XLSX is a ZIP: refuse "zip bombs" (20,000 rows need far less)
HEADER_SCAN_ROWS = 10  # the column names may be on any of the first non-empty rows

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")


def safe_filename(filename: str) -> str:
    """The last part of an uploaded file's name (browsers may send a whole Windows path)."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = "".join(ch for ch in nfc(name) if unicodedata.category(ch)[0] != "C").strip()
    return name[:200] or "upload"


@dataclass
class Table:
    """The non-empty rows of a spreadsheet as (row number as the spreadsheet shows it, cells)."""

    rows: list[tuple[int, list[Any]]]
    kind: str  # "csv" | "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV or XLSX file, checking its name and its content. Raises ImportFileError."""
    name = safe_filename(filename)
    suffix = PurePosixPath(name.lower()).suffix
    if not data:
        raise ImportFileError(N_("The file “%(name)s” is empty."), name=name)
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(N_("The file “%(name)s” is too large: the limit is %(mb)s MB. Split it into several files."),
                              name=name, mb=MAX_FILE_BYTES // (1024 * 1024))
    is_zip = data[:4] == b"PK\x03\x04"
    is_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or a password-protected workbook
    if suffix in (".xls", ".ods", ".numbers") or (is_ole and suffix in XLSX_EXTENSIONS + CSV_EXTENSIONS):
        raise ImportFileError(N_("“%(name)s” is an old Excel file, a password-protected workbook or another spreadsheet format. Open it and save it as “Excel Workbook (.xlsx)” or “CSV UTF-8”, without a password."),
                              name=name)
    if suffix in XLSX_EXTENSIONS:
        if not is_zip:
            raise ImportFileError(N_("“%(name)s” is named like an Excel workbook but is not one. Save it again as “Excel Workbook (.xlsx)”."),
                                  name=name)
        return _read_xlsx(data, name)
    if suffix in CSV_EXTENSIONS:
        if is_zip:
            raise ImportFileError(N_("“%(name)s” is named like a CSV file but is an Excel workbook. Rename it to end in .xlsx, or save it as “CSV UTF-8”."),
                                  name=name)
        return _read_csv(data, name)
    raise ImportFileError(N_("“%(name)s” is not a spreadsheet this site can read. Choose a .csv or .xlsx file."), name=name)


def _non_empty_rows(records) -> list[tuple[int, list[Any]]]:
    """(spreadsheet row number, cells without trailing empties) of every row that is not empty."""
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(records, start=1):
        cells = list(cells)
        if all(is_empty(cell) for cell in cells):
            continue
        while cells and is_empty(cells[-1]):
            cells.pop()
        rows.append((number, cells))
        if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
            raise too_many_rows(len(rows))
    return rows


def too_many_rows(count: int) -> ImportFileError:
    """The error for a file with more than :data:`MAX_ROWS` rows (``count`` so far)."""
    return ImportFileError(N_("The file has more than %(max)s rows. Split it into several files."), max=MAX_ROWS, count=count)


# --- XLSX -------------------------------------------------------------------------------

def _read_xlsx(data: bytes, name: str) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError(N_("“%(name)s” is damaged and cannot be read. Open it in Excel and save it again."),
                              name=name) from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError(N_("“%(name)s” is named like an Excel workbook but is not one. Save it again as “Excel Workbook (.xlsx)”."),
                              name=name)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportFileError(N_("The file “%(name)s” is too large: the limit is %(mb)s MB. Split it into several files."),
                              name=name, mb=MAX_FILE_BYTES // (1024 * 1024))
    rows: list[tuple[int, list[Any]]] = []
    try:
        with warnings.catch_warnings():
            # e.g. "Workbook contains no default style": harmless, and warnings are errors in tests.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise ImportFileError(N_("The file “%(name)s” is empty."), name=name)
                sheet = workbook.worksheets[0]
                title = sheet.title
                if hasattr(sheet, "reset_dimensions"):
                    sheet.reset_dimensions()  # some programs write wrong sizes; read what is there
                rows = _non_empty_rows(sheet.iter_rows(min_row=1, values_only=True))
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        raise ImportFileError(N_("“%(name)s” is damaged and cannot be read. Open it in Excel and save it again."),
                              name=name) from None
    if not rows:
        raise ImportFileError(N_("The file “%(name)s” is empty."), name=name)
    return Table(rows, "xlsx", sheet=title)


# --- CSV: encodings and delimiters ------------------------------------------------------

def _vietnamese_letters() -> frozenset[str]:
    letters = {"đ", "Đ"}
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY":
        for mark in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"):
            letters.add(nfc(base + mark))
    return frozenset(ch for ch in letters if not ch.isascii())


VIETNAMESE_LETTERS = _vietnamese_letters()
_HARMLESS = set("–—‘’“”…•·°×÷₫€£¥©®™§¶«»\u00a0")


def _letter_counts(text: str) -> tuple[int, int]:
    """(Vietnamese letters, other non-ASCII characters) in ``text``: a decoding that yields
    mostly the latter is wrong."""
    vietnamese = foreign = 0
    for ch in text:
        if ch.isascii():
            continue
        if ch in VIETNAMESE_LETTERS:
            vietnamese += 1
        elif ch not in _HARMLESS and not ch.isspace():
            foreign += 1
    return vietnamese, foreign


def decode_text(data: bytes, name: str = "") -> tuple[str, str]:
    """The text of a CSV file (NFC) and the encoding it was read in. Raises ImportFileError."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1258"]
    for encoding in candidates:
        try:
            text = nfc(data.decode(encoding))
        except UnicodeDecodeError:
            continue
        if encoding == "cp1258":
            # Almost any bytes decode as cp1258: keep it only when it gives Vietnamese letters.
            vietnamese, foreign = _letter_counts(text)
            if not vietnamese or foreign * 10 > vietnamese:
                continue
        return text, encoding
    # Unsure: let charset-normalizer guess. Imported only here: few files get this far, and
    # loading it would add tens of milliseconds to every start of the site.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    text = nfc(str(best)) if best is not None else ""
    vietnamese, foreign = _letter_counts(text)
    if best is None or (foreign > vietnamese and foreign >= 3):
        # Typically TCVN3 (ABC) or VNI text, made for old fonts: no codec turns it back into
        # Vietnamese letters, and importing it would store garbled names.
        raise ImportFileError(N_("The text in “%(name)s” cannot be read: it is not in Unicode, or it uses an old Vietnamese font encoding (TCVN3/ABC or VNI). Convert it to Unicode (for example with Unikey's converter) and save it as “CSV UTF-8”."),
                              name=name)
    return text, best.encoding


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits most of the first rows into the same
    number (more than one) of columns; comma when none does."""
    sample = text[:65536]
    lines = [line for line in sample.splitlines() if line.strip()]
    if len(sample) < len(text) and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short
    lines = lines[:30]
    best, best_score = ",", (0.0, 0)
    for delimiter in (",", ";", "\t"):
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts:
            continue
        common, times = Counter(counts).most_common(1)[0]
        score = (times / len(counts), common)
        if common > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, name: str) -> Table:
    text, encoding = decode_text(data, name)
    if "\x00" in text:
        raise ImportFileError(N_("“%(name)s” is not a text file. Choose a .csv or .xlsx file."), name=name)
    delimiter = sniff_delimiter(text)
    rows: list[tuple[int, list[Any]]] = []
    try:
        # Each record is a row in a spreadsheet, even when a quoted cell holds line breaks.
        rows = _non_empty_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(N_("“%(name)s” cannot be read as CSV: %(error)s."), name=name, error=str(exc)) from None
    if not rows:
        raise ImportFileError(N_("The file “%(name)s” is empty."), name=name)
    return Table(rows, "csv", encoding=encoding, delimiter=delimiter)
