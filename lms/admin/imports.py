"""Importing people and administrative units from spreadsheets (CSV or XLSX).

Plain functions, no request needed; the admin pages (``lms.admin.import_views``) and the
command line (``lms.admin.cli``) are thin wrappers.

Two steps, so that nothing is written before an administrator has seen every row:

1. ``preview_people(data, filename, commune_id)`` reads the file and checks every row against
   the rules and the database. It writes nothing and returns a :class:`Preview` whose rows carry
   their spreadsheet row number, their values and their problems (English message templates
   with parameters, translated where they are shown, like ``AccountError``).
2. ``import_people(preview, mode, actor)`` checks the rows again against the database as it
   is now (someone may have taken a username meanwhile) and writes, in one transaction:
   ``"all_or_nothing"`` writes nothing when any row has a problem; ``"valid_only"`` writes the
   rows without problems and reports the others. Imported accounts have no password: each gets
   a one-time sign-in code (hashed, expiring, single use: the scheme of ``lms.teach.services``),
   returned once so that it can be printed.

Units (province → commune → village) work the same way with ``preview_units`` /
``import_units``, always all-or-nothing.

Reading files
    CSV: UTF-8 with or without byte order mark, UTF-16 with a byte order mark (Excel's "Unicode
    text"), Windows-1258 (the code page Excel on a Vietnamese Windows uses for "CSV"; Python
    decodes it to base letters plus combining tone marks, so the text is normalized to NFC),
    else whatever ``charset_normalizer`` finds. Text in the old font encodings (TCVN3/ABC, VNI),
    which no codec can read back into Vietnamese letters, is refused with a hint to convert it.
    The delimiter (comma, semicolon or tab) is sniffed. XLSX: the first worksheet, read with
    openpyxl in read-only mode. The column names may be on any of the first rows (a title row
    above them is fine); they are matched ignoring case, spaces, punctuation and Vietnamese
    diacritics, in Vietnamese or English.

Limits: :data:`MAX_FILE_BYTES` (5 MiB) per file and :data:`MAX_ROWS` (20,000) data rows; an
XLSX file may not unpack to more than :data:`MAX_XLSX_UNPACKED_BYTES`.

Performance: the commit checks every username with one query and writes users and sign-in
codes with bulk INSERTs (no ORM object per row, no password hashing), so 10,000 rows cost a
small multiple of a plain bulk insert of the same user rows.
"""
from __future__ import annotations

import csv
import io
import re
import secrets
import unicodedata
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Callable, Iterable

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from lms.auth.services import AccountError, full_name_ok, normalize_login_name, normalize_phone, username_key
from lms.content.i18n import N_
from lms.extensions import db
from lms.models import Place, PlaceKind, Role, SignInCode, TargetGroup, User
from lms.models.base import folded_key, utcnow
from lms.models.people import NAME_KEY_LENGTH
from lms.text import fold as fold_text
from lms.text import nfc

# --- limits -----------------------------------------------------------------------------

MAX_FILE_BYTES = 5 * 1024 * 1024  # 5 MiB
MAX_ROWS = 20_000  # data rows, without the column names
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024  # an XLSX is a ZIP: refuse "zip bombs" (20,000 rows need far less)
HEADER_SCAN_ROWS = 10  # the column names may be on any of the first non-empty rows
MIN_BIRTH_YEAR = 1900
MAX_NAME = 120  # Place.name, User.full_name
MAX_PLACE_CODE = 20  # Place.code
MAX_HOUSEHOLD = 30  # User.household_code

MODES = ("valid_only", "all_or_nothing")
CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")


# --- errors and problems ----------------------------------------------------------------

class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, too large, columns missing…).

    ``message`` is an English template, translated where it is shown, with ``params``."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params

    def text(self, translate: Callable[..., str] | None = None) -> str:
        return _render(self.message, self.params, translate)


@dataclass
class Problem:
    """One problem of one row: an English message template and its parameters."""

    message: str
    params: dict = field(default_factory=dict)
    field: str | None = None  # the column it is about, e.g. "village"

    def text(self, translate: Callable[..., str] | None = None) -> str:
        """The message, through ``translate`` (e.g. flask_babel.gettext) when given."""
        return _render(self.message, self.params, translate)

    def as_dict(self) -> dict:
        return {"message": self.message, "params": dict(self.params), "field": self.field}

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(data["message"], dict(data.get("params") or {}), data.get("field"))


def _render(message: str, params: dict, translate: Callable[..., str] | None) -> str:
    if translate is not None:
        return translate(message, **params)
    return message % params if params else message


# --- text helpers -----------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_NEUTRALIZED = re.compile(r"^'(?=[=+\-@0-9])")  # the apostrophe exports put before "+84…"


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


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


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
    if _is_empty(value):
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


def safe_filename(filename: str) -> str:
    """The last part of an uploaded file's name (browsers may send a whole Windows path)."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = "".join(ch for ch in nfc(name) if unicodedata.category(ch)[0] != "C").strip()
    return name[:200] or "upload"


# --- reading a file ---------------------------------------------------------------------

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
        if all(_is_empty(cell) for cell in cells):
            continue
        while cells and _is_empty(cells[-1]):
            cells.pop()
        rows.append((number, cells))
        if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
            raise _too_many_rows(len(rows))
    return rows


def _too_many_rows(count: int) -> ImportFileError:
    return ImportFileError(N_("The file has more than %(max)s rows. Split it into several files."), max=MAX_ROWS, count=count)


def _read_xlsx(data: bytes, name: str) -> Table:
    from openpyxl import load_workbook

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
    # Unsure: let charset-normalizer guess.
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


# --- column names -----------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    vi: str  # the column name in templates and reports
    en: str
    aliases: tuple[str, ...]  # folded (see fold)


VILLAGE_ALIASES = ("thon", "thon to dan pho", "thon to", "to dan pho", "thon buon", "thon ban", "thon xom", "thon ap",
                   "thon lang", "ap", "buon", "ban", "xom", "khu pho", "village", "village residential group",
                   "village or residential group")

PEOPLE_COLUMNS = (
    Column("full_name", "Họ và tên", "Full name",
           ("ho va ten", "ho ten", "ho va ten hoc vien", "ho ten hoc vien", "ho va ten nguoi hoc", "full name",
            "fullname", "name")),
    Column("username", "Tên đăng nhập", "Username",
           ("ten dang nhap", "username", "user name", "login", "login name", "tai khoan", "ten tai khoan")),
    Column("phone", "Số điện thoại", "Phone",
           ("so dien thoai", "sdt", "so dt", "dt", "dien thoai", "dien thoai di dong", "so di dong", "phone",
            "phone number", "mobile", "mobile phone", "telephone")),
    Column("target_group", "Đối tượng", "Target group",
           ("doi tuong", "nhom", "nhom doi tuong", "doi tuong hoc", "target group", "group")),
    Column("village", "Thôn/tổ dân phố", "Village", VILLAGE_ALIASES),
    Column("household_code", "Mã hộ", "Household code",
           ("ma ho", "ma ho gia dinh", "ma so ho", "ma so ho gia dinh", "household code", "household")),
    Column("birth_year", "Năm sinh", "Birth year",
           ("nam sinh", "birth year", "year of birth", "ngay sinh", "ngay thang nam sinh", "date of birth",
            "birth date", "birthday")),
    Column("role", "Vai trò", "Role", ("vai tro", "role")),
)
PEOPLE_BY_KEY = {c.key: c for c in PEOPLE_COLUMNS}
# A login column is either of these two; the others are required as such.
PEOPLE_REQUIRED = (("full_name",), ("username", "phone"), ("target_group",), ("village",))

UNITS_COLUMNS = (
    Column("province", "Tỉnh", "Province",
           ("tinh", "tinh thanh pho", "tinh thanh", "tinh tp", "thanh pho", "province", "province city")),
    Column("commune", "Xã/phường", "Commune",
           ("xa", "xa phuong", "xa phuong thi tran", "phuong", "phuong xa", "xa phuong dac khu", "commune",
            "commune ward", "ward")),
    Column("village", "Thôn/tổ dân phố", "Village", VILLAGE_ALIASES),
    Column("code", "Mã", "Code", ("ma", "ma thon", "ma so", "ma don vi", "code", "village code")),
)
UNITS_REQUIRED = (("province",), ("commune",), ("village",))


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


def _data_rows(table: Table, header: Header) -> list[tuple[int, dict[str, Any]]]:
    """The rows below the column names with at least one imported cell filled, as dicts."""
    rows = []
    for number, cells in table.rows:
        if number <= header.row:
            continue
        values = {key: (cells[i] if i < len(cells) else None) for key, i in header.index.items()}
        if all(_is_empty(v) for v in values.values()):
            continue  # e.g. a row with only its "STT" number filled in
        rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise _too_many_rows(len(rows))
    if not rows:
        raise ImportFileError(N_("The file has column names but no rows to import."))
    return rows


# --- values -----------------------------------------------------------------------------

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


def place_key(name: str) -> str:
    """How place names are matched: "Buôn Ea Kênh" = "buon ea kenh" = "BUÔN EA-KÊNH"."""
    return fold(name)


# --- people: the preview ----------------------------------------------------------------

EXAMPLE_NAME, EXAMPLE_USERNAME = "Nguyễn Văn Mẫu", "nguyenvanmau"


class _RowProblems:
    """A previewed row's problems: those of the row itself and those found in the database."""

    row_problems: list[Problem]
    db_problems: list[Problem]

    @property
    def problems(self) -> list[Problem]:
        return self.row_problems + self.db_problems

    @property
    def ok(self) -> bool:
        return not self.row_problems and not self.db_problems


@dataclass
class PersonRow(_RowProblems):
    row: int  # as the spreadsheet numbers it
    values: dict[str, str]  # every imported column, as cleaned text (for showing and reports)
    full_name: str | None = None
    login: str | None = None  # the username as it will be stored (a phone in the form 0xxxxxxxxx)
    login_key: str | None = None
    role: Role | None = Role.LEARNER  # None: the role cell names no role
    target_group: TargetGroup | None = None
    village_id: int | None = None
    village_name: str | None = None
    household_code: str | None = None
    birth_year: int | None = None
    row_problems: list[Problem] = field(default_factory=list)  # from the row itself and the file
    db_problems: list[Problem] = field(default_factory=list)  # from the database, checked again at commit

    def as_dict(self) -> dict:
        """The row for a report (values and problems), JSON-ready."""
        return {"row": self.row, "values": dict(self.values), "problems": [p.as_dict() for p in self.problems]}


@dataclass
class Preview:
    filename: str
    commune_id: int | None
    commune_name: str | None
    header: Header
    rows: list[PersonRow]
    kind: str  # "csv" | "xlsx"
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def valid_rows(self) -> list[PersonRow]:
        return [r for r in self.rows if r.ok]

    @property
    def problem_rows(self) -> list[PersonRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def counts(self) -> dict[str, int]:
        valid = sum(1 for r in self.rows if r.ok)
        return {"rows": len(self.rows), "valid": valid, "problems": len(self.rows) - valid}


def _commune(commune_id: int | None) -> Place | None:
    if commune_id is None:
        return None
    commune = db.session.get(Place, commune_id)
    if commune is None or commune.kind != PlaceKind.COMMUNE:
        raise ImportFileError(N_("The commune you chose does not exist."))
    return commune


def preview_people(data: bytes, filename: str, commune_id: int | None = None) -> Preview:
    """Read and check every row of a people file. Writes nothing. Raises ImportFileError when
    the file as a whole cannot be read; problems of single rows are in the rows."""
    commune = _commune(commune_id)
    table = read_table(data, filename)
    header = find_header(table, PEOPLE_COLUMNS, PEOPLE_REQUIRED)
    rows = [_parse_person(number, values) for number, values in _data_rows(table, header)]
    _check_duplicates(rows)
    check_people_in_database(rows, commune_id)
    return Preview(safe_filename(filename), commune_id, commune.name if commune else None, header, rows, table.kind,
                   table.encoding, table.delimiter)


def _parse_person(number: int, cells: dict[str, Any]) -> PersonRow:
    values: dict[str, str] = {}
    for key, value in cells.items():
        values[key] = phone_text(value) if key in ("phone", "username") else clean_text(value)
    person = PersonRow(number, values)
    problems = person.row_problems

    def problem(message: str, column: str | None, **params) -> None:
        problems.append(Problem(message, params, column))

    # Full name
    if not values.get("full_name"):
        problem(N_("The full name is missing."), "full_name")
    else:
        try:
            person.full_name = full_name_ok(values["full_name"])
        except AccountError as exc:
            problem(exc.message, "full_name", **exc.params)

    # Username, or else the phone number, is the login name.
    username, phone = values.get("username", ""), values.get("phone", "")
    try:
        if username:
            person.login = normalize_login_name(username)
        elif phone:
            person.login = normalize_phone(phone)
        else:
            problem(N_("The username or phone number is missing."), "username" if "username" in cells else "phone")
    except AccountError as exc:
        problem(exc.message, "username" if username else "phone", **exc.params)
    if person.login is not None:
        person.login_key = username_key(person.login)

    # Role, then what learners must have.
    try:
        person.role = parse_role(cells.get("role"))
    except ValueError:
        person.role = None
        problem(N_("Unknown role “%(value)s”. Write học viên, giáo viên or quản trị (learner, teacher or admin)."),
                "role", value=values.get("role", ""))
    try:
        person.target_group = parse_group(cells.get("target_group"))
    except ValueError:
        problem(N_("Unknown target group “%(value)s”. Write cán bộ, học sinh, công nhân or người dân (officials, students, workers or citizens)."),
                "target_group", value=values.get("target_group", ""))
    else:
        if person.target_group is None and person.role == Role.LEARNER:
            problem(N_("The target group is missing; every learner needs one."), "target_group")
    if not values.get("village") and person.role == Role.LEARNER:
        problem(N_("The village or residential group is missing; every learner needs one."), "village")

    # Optional columns
    household = values.get("household_code", "")
    if household:
        if len(household) > MAX_HOUSEHOLD:
            problem(N_("The household code is longer than %(max)s characters."), "household_code", max=MAX_HOUSEHOLD)
        else:
            person.household_code = household
    try:
        year = parse_birth_year(cells.get("birth_year"))
    except ValueError:
        problem(N_("“%(value)s” is not a birth year. Write a year such as 1975."), "birth_year",
                value=values.get("birth_year", ""))
    else:
        if year is not None:
            this_year = date.today().year
            if not MIN_BIRTH_YEAR <= year <= this_year:
                problem(N_("The birth year %(value)s is not between %(min)s and %(max)s."), "birth_year",
                        value=year, min=MIN_BIRTH_YEAR, max=this_year)
            else:
                person.birth_year = year
                values["birth_year"] = str(year)

    if person.login_key == EXAMPLE_USERNAME and fold(values.get("full_name", "")) == fold(EXAMPLE_NAME):
        problem(N_("This is the example row of the template. Delete it before importing."), "full_name")
    return person


def _check_duplicates(rows: list[PersonRow]) -> None:
    first_row: dict[str, int] = {}
    for person in rows:
        if person.login_key is None:
            continue
        if person.login_key in first_row:
            person.row_problems.append(Problem(
                N_("The username “%(name)s” is also on row %(row)s of this file."),
                {"name": person.login, "row": first_row[person.login_key]}, "username"))
        else:
            first_row[person.login_key] = person.row


def check_people_in_database(rows: list[PersonRow], commune_id: int | None) -> None:
    """(Re)check what depends on the database: usernames already taken (one query for all)
    and villages (matched by name ignoring case and diacritics, within the commune if given)."""
    keys = sorted({r.login_key for r in rows if r.login_key})
    # One query for every username; MAX_ROWS keeps the IN list under the parameter limits of
    # SQLite (32,766) and PostgreSQL (65,535).
    taken = set(db.session.scalars(select(User.username_key).where(User.username_key.in_(keys)))) if keys else set()

    villages_q = select(Place.id, Place.name, Place.parent_id).where(Place.kind == PlaceKind.VILLAGE)
    if commune_id is not None:
        villages_q = villages_q.where(Place.parent_id == commune_id)
    by_key: dict[str, list[tuple[int, str, int | None]]] = {}
    for place_id, name, parent_id in db.session.execute(villages_q):
        by_key.setdefault(place_key(name), []).append((place_id, name, parent_id))
    commune_name = db.session.scalar(select(Place.name).where(Place.id == commune_id)) if commune_id else None
    ambiguous_parents = {p for matches in by_key.values() if len(matches) > 1 for _i, _n, p in matches}
    parent_names = dict(db.session.execute(select(Place.id, Place.name).where(Place.id.in_(ambiguous_parents))).all()) \
        if ambiguous_parents else {}

    folded: dict[str, str] = {}  # a file names the same few villages again and again
    for person in rows:
        person.db_problems = []
        person.village_id = person.village_name = None
        if person.login_key and person.login_key in taken:
            person.db_problems.append(Problem(
                N_("The username “%(name)s” is already used by another account."), {"name": person.login}, "username"))
        village = person.values.get("village", "")
        if not village:
            continue
        key = folded.get(village)
        if key is None:
            key = folded[village] = place_key(village)
        matches = by_key.get(key, [])
        if len(matches) == 1:
            person.village_id, person.village_name = matches[0][0], matches[0][1]
        elif not matches:
            if commune_name:
                person.db_problems.append(Problem(
                    N_("No village or residential group “%(value)s” in %(commune)s."),
                    {"value": village, "commune": commune_name}, "village"))
            else:
                person.db_problems.append(Problem(
                    N_("No village or residential group is named “%(value)s”."), {"value": village}, "village"))
        else:
            person.db_problems.append(Problem(
                N_("Several villages are named “%(value)s” (in %(communes)s). Choose the commune before importing."),
                {"value": village, "communes": ", ".join(sorted(parent_names.get(p, "?") for _i, _n, p in matches))},
                "village"))


# --- people: the commit -----------------------------------------------------------------

@dataclass
class CreatedAccount:
    row: int
    user_id: int
    username: str
    full_name: str
    village: str | None
    code: str  # the one-time sign-in code, grouped for printing ("ABCD-EFGH-JK"); never stored


@dataclass
class ImportResult:
    mode: str
    filename: str
    refused: bool  # all_or_nothing and some row had a problem: nothing was written
    created: list[CreatedAccount]
    skipped: list[PersonRow]
    expires_at: datetime | None = None  # when the sign-in codes stop working

    @property
    def counts(self) -> dict[str, int]:
        return {"rows": len(self.created) + len(self.skipped), "created": len(self.created),
                "skipped": len(self.skipped)}


def _new_codes(count: int) -> list[str]:
    """``count`` distinct one-time codes, as ``lms.teach.services.random_code`` makes them
    (SIGN_IN_CODE_LENGTH symbols of CODE_ALPHABET, from the operating system's random source),
    drawn in one go: a byte's low five bits pick one of the 32 symbols uniformly."""
    from lms.teach.services import CODE_ALPHABET, SIGN_IN_CODE_LENGTH, random_code

    codes: list[str] = []
    seen: set[str] = set()
    if len(CODE_ALPHABET) == 32:
        table = bytes(ord(CODE_ALPHABET[b & 31]) for b in range(256))
        raw = secrets.token_bytes(count * SIGN_IN_CODE_LENGTH).translate(table).decode("ascii")
        candidates = [raw[i:i + SIGN_IN_CODE_LENGTH] for i in range(0, len(raw), SIGN_IN_CODE_LENGTH)]
    else:
        candidates = []
    for code in candidates:
        if code not in seen:
            seen.add(code)
            codes.append(code)
    while len(codes) < count:
        code = random_code(SIGN_IN_CODE_LENGTH)
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def import_people(preview: Preview, mode: str, actor: User | None) -> ImportResult:
    """Create the accounts of a preview, in one transaction (see the module notes).

    The rows are checked again against the database first (their ``db_problems`` are
    refreshed). Raises ValueError for an unknown mode and ImportFileError when another account
    took one of the usernames during the commit itself (nothing is written then)."""
    from lms.certificates.services import audit
    from lms.teach.services import SIGN_IN_CODE_DAYS, _hash_code, group_code

    if mode not in MODES:
        raise ValueError(f"unknown import mode {mode!r}; use one of {MODES}")
    check_people_in_database(preview.rows, preview.commune_id)
    valid = [r for r in preview.rows if r.ok]
    skipped = [r for r in preview.rows if not r.ok]
    if mode == "all_or_nothing" and skipped:
        return ImportResult(mode, preview.filename, True, [], skipped)
    if not valid:
        return ImportResult(mode, preview.filename, False, [], skipped)

    now = utcnow()
    expires = now + timedelta(days=SIGN_IN_CODE_DAYS)
    user_rows = [{
        "username": r.login, "username_key": r.login_key, "full_name": r.full_name,
        "name_key": folded_key(r.full_name, NAME_KEY_LENGTH), "role": r.role,
        "target_group": r.target_group, "place_id": r.village_id, "household_code": r.household_code,
        "birth_year": r.birth_year, "password_hash": None, "is_active_account": True, "is_mentor": False,
        "created_at": now,
    } for r in valid]
    codes = _new_codes(len(valid))
    try:
        # Core INSERTs on the tables (no ORM bookkeeping per row): every row has the same keys,
        # so each is one executemany. No RETURNING: on SQLite an ordered RETURNING falls back
        # to one statement per row; the new ids are read back with one query instead.
        db.session.execute(insert(User.__table__), user_rows)
        id_of = dict(db.session.execute(select(User.username_key, User.id).where(
            User.username_key.in_([r["username_key"] for r in user_rows]))).all())
        ids = [id_of[r["username_key"]] for r in user_rows]
        db.session.execute(insert(SignInCode.__table__), [{
            "user_id": user_id, "code_hash": _hash_code(code), "created_by_id": actor.id if actor else None,
            "created_at": now, "expires_at": expires, "used_at": None,
        } for user_id, code in zip(ids, codes)])
        audit(actor, "users.import", f"file:{preview.filename}"[:120], {
            "filename": preview.filename, "mode": mode, "rows": len(preview.rows), "created": len(valid),
            "skipped": len(skipped), "commune_id": preview.commune_id})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ImportFileError(N_("Another account took one of these usernames while the file was being imported. Nothing was imported; check the file again.")) from None
    except BaseException:
        db.session.rollback()
        raise
    created = [CreatedAccount(r.row, user_id, r.login, r.full_name, r.village_name, group_code(code))
               for r, user_id, code in zip(valid, ids, codes)]
    return ImportResult(mode, preview.filename, False, created, skipped, expires)


# --- people: reports and templates ------------------------------------------------------

REPORT_COLUMNS = ("full_name", "username", "phone", "target_group", "village", "household_code", "birth_year", "role")


def report_table(rows: Iterable[PersonRow | dict], translate: Callable[..., str] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a report of rows with problems (e.g. the rows skipped by an import):
    the row number, the template's columns (so that the fixed report can be imported again)
    and the problems. ``rows`` may be PersonRows or their ``as_dict()``."""
    header = [_render(N_("Row"), {}, translate)] + [PEOPLE_BY_KEY[k].vi for k in REPORT_COLUMNS] + \
        [_render(N_("Problems"), {}, translate)]
    out = []
    for row in rows:
        data = row.as_dict() if isinstance(row, PersonRow) else row
        problems = [Problem.from_dict(p).text(translate) for p in data["problems"]]
        out.append([data["row"]] + [data["values"].get(k, "") for k in REPORT_COLUMNS] + ["; ".join(problems)])
    return header, out


TEMPLATE_COLUMNS = ("full_name", "username", "phone", "target_group", "village", "household_code", "birth_year", "role")
TEMPLATE_EXAMPLE = {"full_name": EXAMPLE_NAME, "username": EXAMPLE_USERNAME, "phone": None,
                    "target_group": "Người dân", "village": "Thôn 1", "household_code": None, "birth_year": 1970,
                    "role": "Học viên"}
TEMPLATE_HELP = (
    "Mỗi dòng là một người. Xóa dòng mẫu (Nguyễn Văn Mẫu) trước khi nhập.",
    "Tên đăng nhập hoặc Số điện thoại: ghi ít nhất một; có cả hai thì dùng tên đăng nhập.",
    "Đối tượng: Cán bộ, công chức, viên chức / Học sinh, sinh viên / Công nhân, người lao động / Người dân.",
    "Thôn/tổ dân phố: ghi đúng tên thôn đã có trên trang (không phân biệt chữ hoa, dấu).",
    "Vai trò: Học viên (mặc định), Giáo viên hoặc Quản trị.",
    "Năm sinh: ví dụ 1975. Mã hộ: không bắt buộc.",
)


def people_template(fmt: str) -> bytes:
    """An empty people file with the Vietnamese column names and one example row, as CSV
    (UTF-8 with byte order mark, for Excel) or XLSX (fmt "csv" or "xlsx")."""
    header = [PEOPLE_BY_KEY[k].vi for k in TEMPLATE_COLUMNS]
    example = [TEMPLATE_EXAMPLE[k] for k in TEMPLATE_COLUMNS]
    return _template(fmt, header, example, "Người học", text_columns=(TEMPLATE_COLUMNS.index("phone"),
                                                                      TEMPLATE_COLUMNS.index("household_code")),
                     help_lines=TEMPLATE_HELP)


UNITS_TEMPLATE_EXAMPLE = ("Tỉnh Mẫu", "Xã Mẫu", "Thôn Mẫu", None)


def units_template(fmt: str) -> bytes:
    """An empty units file (Tỉnh, Xã/phường, Thôn/tổ dân phố, Mã) with one example row."""
    header = [c.vi for c in UNITS_COLUMNS]
    return _template(fmt, header, list(UNITS_TEMPLATE_EXAMPLE), "Đơn vị", text_columns=(3,),
                     help_lines=("Mỗi dòng là một thôn/tổ dân phố. Xóa dòng mẫu trước khi nhập.",
                                 "Tỉnh và xã chưa có sẽ được tạo. Mã: không bắt buộc, không trùng."))


def _template(fmt: str, header: list[str], example: list[Any], sheet: str, text_columns: tuple[int, ...],
              help_lines: tuple[str, ...]) -> bytes:
    if fmt == "csv":
        from lms.exports import csv_stream
        return "".join(csv_stream(None, header, [example])).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(header)
    ws.append(example)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for position in range(1, len(header) + 1):
        letter = get_column_letter(position)
        ws.column_dimensions[letter].width = max(14, len(header[position - 1]) + 4)
    for position in text_columns:  # phone numbers keep their leading 0 when typed
        letter = get_column_letter(position + 1)
        for row in range(2, 1002):
            ws[f"{letter}{row}"].number_format = "@"
    ws.freeze_panes = "A2"
    guide = workbook.create_sheet("Hướng dẫn")
    for line in help_lines:
        guide.append([line])
    guide.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- administrative units ---------------------------------------------------------------

@dataclass
class UnitRow(_RowProblems):
    row: int
    province: str
    commune: str
    village: str
    code: str | None
    status: str = "new"  # "new": the village will be created; "exists": it is already there
    creates: list[str] = field(default_factory=list)  # levels this row creates: province, commune, village
    row_problems: list[Problem] = field(default_factory=list)
    db_problems: list[Problem] = field(default_factory=list)
    # Ids of the province, commune and village found in the database (None: to be created).
    place_ids: list[int | None] = field(default_factory=list)


@dataclass
class UnitsPreview:
    filename: str
    header: Header
    rows: list[UnitRow]
    kind: str
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def problem_rows(self) -> list[UnitRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def counts(self) -> dict[str, int]:
        return _unit_counts(self.rows)


def _unit_counts(rows: list[UnitRow]) -> dict[str, int]:
    ok = [r for r in rows if r.ok]
    return {
        "rows": len(rows),
        "problems": len(rows) - len(ok),
        "provinces": sum("province" in r.creates for r in ok),
        "communes": sum("commune" in r.creates for r in ok),
        "villages": sum("village" in r.creates for r in ok),
        "existing": sum(r.status == "exists" for r in ok),
    }


@dataclass
class UnitsResult:
    filename: str
    refused: bool  # some row had a problem: nothing was written
    counts: dict[str, int]
    rows: list[UnitRow]


UNIT_LEVELS = (("province", PlaceKind.PROVINCE), ("commune", PlaceKind.COMMUNE), ("village", PlaceKind.VILLAGE))


def preview_units(data: bytes, filename: str) -> UnitsPreview:
    """Read and check a file of villages (province, commune, village, optional code). Writes
    nothing; raises ImportFileError when the file cannot be read."""
    table = read_table(data, filename)
    header = find_header(table, UNITS_COLUMNS, UNITS_REQUIRED)
    labels = {c.key: c.vi for c in UNITS_COLUMNS}
    rows = []
    for number, cells in _data_rows(table, header):
        values = {k: clean_text(v) for k, v in cells.items()}
        unit = UnitRow(number, values.get("province", ""), values.get("commune", ""), values.get("village", ""),
                       values.get("code") or None)
        for key, _kind in UNIT_LEVELS:
            value = getattr(unit, key)
            if not value:
                unit.row_problems.append(Problem(N_("The column “%(column)s” is empty."), {"column": labels[key]}, key))
            elif len(value) > MAX_NAME:
                unit.row_problems.append(Problem(N_("The name “%(name)s” is longer than %(max)s characters."),
                                                 {"name": value[:40] + "…", "max": MAX_NAME}, key))
        if unit.code and len(unit.code) > MAX_PLACE_CODE:
            unit.row_problems.append(Problem(N_("The code “%(code)s” is longer than %(max)s characters."),
                                             {"code": unit.code, "max": MAX_PLACE_CODE}, "code"))
        if (unit.province, unit.commune, unit.village) == UNITS_TEMPLATE_EXAMPLE[:3]:
            unit.row_problems.append(Problem(N_("This is the example row of the template. Delete it before importing."),
                                             {}, "province"))
        rows.append(unit)
    check_units_in_database(rows)
    return UnitsPreview(safe_filename(filename), header, rows, table.kind, table.encoding, table.delimiter)


@dataclass
class _Node:
    """A place found in the database (``id``) or to be created (``id`` None)."""

    name: str
    kind: PlaceKind | None
    id: int | None = None
    first_row: int | None = None  # the first row of the file naming it
    children: dict[str, _Node] = field(default_factory=dict)  # by place_key
    loaded: bool = False  # its children in the database are in ``children``


def _same_spelling(a: str, b: str) -> bool:
    return nfc(a).casefold() == nfc(b).casefold()


def check_units_in_database(rows: list[UnitRow]) -> None:
    """Resolve every row against the places in the database (one query per level) and
    against the other rows; set each row's status, what it creates and its problems.

    Names are matched ignoring case, diacritics and punctuation, as the people import matches
    villages. A name spelled differently from a place already there (other tone marks, say)
    is refused: two villages of a commune matching the same name could not be told apart."""
    for r in rows:
        r.db_problems, r.creates, r.status, r.place_ids = [], [], "new", []
    live = [r for r in rows if not r.row_problems]
    root = _Node("", None, loaded=True)
    for place_id, name, kind in db.session.execute(
            select(Place.id, Place.name, Place.kind).where(Place.parent_id.is_(None))):
        root.children.setdefault(place_key(name), _Node(name, kind, place_id))
    at: dict[int, _Node] = {r.row: root for r in live}  # each row's node at the level reached
    failed: set[int] = set()

    for attr, kind in UNIT_LEVELS:
        # Load, in one query, the database children of the places matched one level up.
        parents = {node.id: node for r in live if r.row not in failed
                   for node in (at[r.row],) if node.id is not None and not node.loaded}
        if parents:
            for place_id, name, child_kind, parent_id in db.session.execute(
                    select(Place.id, Place.name, Place.kind, Place.parent_id)
                    .where(Place.parent_id.in_(sorted(parents)))):
                parents[parent_id].children.setdefault(place_key(name), _Node(name, child_kind, place_id))
            for node in parents.values():
                node.loaded = True
        for r in live:
            if r.row in failed:
                continue
            parent, name = at[r.row], getattr(r, attr)
            node = parent.children.get(place_key(name))
            problem = None
            if node is None:
                node = parent.children[place_key(name)] = _Node(name, kind, None, r.row, loaded=True)
                r.creates.append(attr)
            elif not _same_spelling(node.name, name):
                if node.id is not None:
                    problem = Problem(N_("“%(name)s” is written differently from “%(existing)s”, which is already there. Write it the same way."),
                                      {"name": name, "existing": node.name}, attr)
                else:
                    problem = Problem(N_("“%(name)s” is written differently from “%(existing)s” on row %(row)s. Write it the same way."),
                                      {"name": name, "existing": node.name, "row": node.first_row}, attr)
            elif node.kind != kind:
                problem = Problem(N_("“%(name)s” already exists in %(parent)s as another kind of place."),
                                  {"name": node.name, "parent": parent.name or "—"}, attr)
            elif attr == "village" and node.first_row is not None:
                problem = Problem(N_("This village is also on row %(row)s."), {"row": node.first_row}, attr)
            if problem is not None:
                r.db_problems.append(problem)
                failed.add(r.row)
                continue
            if node.first_row is None:
                node.first_row = r.row
            r.place_ids.append(node.id)
            at[r.row] = node

    # Codes of new villages: unique in the file and in the database (one query).
    new_codes = [r for r in live if r.code and r.row not in failed and "village" in r.creates]
    codes = {r.code for r in new_codes}
    used = set(db.session.scalars(select(Place.code).where(Place.code.in_(codes)))) if codes else set()
    first: dict[str, int] = {}
    for r in new_codes:
        if r.code in used:
            r.db_problems.append(Problem(N_("The code “%(code)s” is already used by another place."), {"code": r.code}, "code"))
        elif r.code in first:
            r.db_problems.append(Problem(N_("The code “%(code)s” is also on row %(row)s."),
                                         {"code": r.code, "row": first[r.code]}, "code"))
        else:
            first[r.code] = r.row
    for r in rows:
        if r.ok:
            r.status = "new" if "village" in r.creates else "exists"
        else:
            r.creates, r.place_ids = [], []


def import_units(preview: UnitsPreview, actor: User | None) -> UnitsResult:
    """Create the missing provinces, communes and villages of a preview, all or nothing: when
    any row has a problem (checked again against the database now), nothing is written."""
    from lms.certificates.services import audit

    check_units_in_database(preview.rows)
    counts = _unit_counts(preview.rows)
    if counts["problems"]:
        return UnitsResult(preview.filename, True, counts, preview.rows)
    made: dict[tuple[str, ...], Place] = {}
    try:
        for r in preview.rows:
            path: tuple[str, ...] = ()
            parent: Place | None = None
            parent_id: int | None = None
            for (attr, kind), place_id in zip(UNIT_LEVELS, r.place_ids):
                name = getattr(r, attr)
                path += (place_key(name),)
                if place_id is not None:
                    parent, parent_id = None, place_id
                    continue
                place = made.get(path)
                if place is None:
                    place = Place(name=name, kind=kind, code=r.code if attr == "village" else None)
                    if parent is not None:
                        place.parent = parent
                    else:
                        place.parent_id = parent_id
                    db.session.add(place)
                    made[path] = place
                parent, parent_id = place, None
        if made:
            audit(actor, "units.import", f"file:{preview.filename}"[:120], {
                "filename": preview.filename, "rows": counts["rows"], "provinces": counts["provinces"],
                "communes": counts["communes"], "villages": counts["villages"], "existing": counts["existing"]})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ImportFileError(N_("Someone changed these places while the file was being imported. Nothing was imported; check the file again.")) from None
    except BaseException:
        db.session.rollback()
        raise
    return UnitsResult(preview.filename, False, counts, preview.rows)
