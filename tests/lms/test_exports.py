"""Spreadsheet exports (lms.exports): formula-injection defence, streamed CSV with a BOM, and
XLSX built in openpyxl's write-only mode. Pure functions: no application or database needed."""
from __future__ import annotations

import csv
import glob
import io
import os
import tempfile
import unicodedata
from datetime import date, datetime, time, timezone
from decimal import Decimal

import openpyxl
import pytest
from markupsafe import Markup

from lms.exports import xlsx_writer as exports  # the sheet's layout limits, read by the tests
from lms.exports import (
    BOM,
    HEADER_ROW,
    content_disposition,
    csv_stream,
    neutralize,
    safe_sheet_title,
    xlsx_bytes,
    xlsx_stream,
)

NAME = "Nguyễn Thị Hường"
HEADER = ["Họ và tên", "Ghi chú", "Điểm", "Hoàn thành (%)", "Ngày ghi danh", "Lần học cuối"]
ROWS = [
    [NAME, "=HYPERLINK(\"http://x\",\"Bấm\")", -3, 85.25, date(2025, 3, 1),
     datetime(2025, 3, 1, 2, 30, tzinfo=timezone.utc)],
    ["Trần Văn Đức", "+84 912 345 678", 10, 100.0, date(2025, 12, 31), None],
    ["Lê Thị Ánh", "@SUM(A1)", Decimal("7.5"), 0.0, None, datetime(2025, 6, 2, 8, 5)],
]


def read_csv(chunks) -> list[list[str]]:
    text = "".join(chunks)
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM):], newline="")))


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def openpyxl_temp_files() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "openpyxl.*")))


# ---- neutralize ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1+2", "@SUM(A1:A2)", "\t=1", "\r=1", "-",
                                  "=", "=HYPERLINK(\"http://evil\")"])
def test_dangerous_first_characters_get_an_apostrophe(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Nguyễn Thị Hường", "Lớp 6A", "1+1", " =1", "a=b",
                                  "'=already quoted", "0912345678", "#N/A", "Ghi chú\n=1"])
def test_safe_text_is_unchanged(text):
    assert neutralize(text) == text


@pytest.mark.parametrize("value", [-3, -2.5, Decimal("-1.25"), 0, 12, 3.75, True, False, None,
                                   date(2025, 1, 2), datetime(2025, 1, 2, 3, 4), time(7, 30)])
def test_non_text_values_pass_through_as_they_are(value):
    result = neutralize(value)
    assert result is value
    assert type(result) is type(value)


def test_negative_number_stays_a_number_but_minus_text_does_not():
    assert neutralize(-5) == -5 and isinstance(neutralize(-5), int)
    assert neutralize("-5") == "'-5"
    assert neutralize("-") == "'-"


def test_other_objects_are_turned_into_text_and_checked():
    class Formula:
        def __str__(self):
            return "=cmd|' /C calc'!A0"

    assert neutralize(Formula()) == "'=cmd|' /C calc'!A0"


def test_str_subclasses_come_back_as_plain_unescaped_str():
    result = neutralize(Markup("=1<2"))
    assert result == "'=1<2" and type(result) is str


# ---- CSV -----------------------------------------------------------------------------------------


def test_csv_starts_with_bom_and_round_trips_vietnamese_text():
    chunks = list(csv_stream([["Tiến độ lớp 6A"], ["Ngày 01/03/2025"]], HEADER, ROWS))
    assert chunks[0].startswith(BOM)
    table = read_csv(chunks)
    assert table[0] == ["Tiến độ lớp 6A"]
    assert table[1] == ["Ngày 01/03/2025"]
    assert table[2] == HEADER
    assert table[3][0] == NAME
    assert [row[0] for row in table[3:]] == [NAME, "Trần Văn Đức", "Lê Thị Ánh"]
    # The bytes a browser receives decode back to the same letters.
    encoded = "".join(csv_stream(None, HEADER, ROWS)).encode("utf-8")
    assert encoded.startswith(b"\xef\xbb\xbf")
    assert NAME.encode("utf-8") in encoded


def test_csv_neutralizes_text_but_not_numbers():
    table = read_csv(csv_stream(None, HEADER, ROWS))
    first, second, third = table[1:]
    assert first[1] == "'=HYPERLINK(\"http://x\",\"Bấm\")"
    assert second[1] == "'+84 912 345 678"
    assert third[1] == "'@SUM(A1)"
    assert first[2] == "-3"  # a real number: no apostrophe
    assert third[2] == "7.5"
    assert first[3] == "85.25"


def test_csv_dates_datetimes_and_empty_cells():
    table = read_csv(csv_stream(None, HEADER, ROWS))
    first, second, third = table[1:]
    assert first[4] == "2025-03-01"
    assert first[5] == "2025-03-01 09:30"  # 02:30 UTC is 09:30 in Viet Nam
    assert second[5] == ""
    assert third[4] == ""
    assert third[5] == "2025-06-02 08:05"  # naive: taken as local already
    assert read_csv(csv_stream(None, ["a"], [[True], [time(7, 5)], [float("nan")]]))[1:] == [
        ["TRUE"], ["07:05"], [""]]


def test_csv_title_rows_may_be_plain_strings_and_are_neutralized():
    table = read_csv(csv_stream(["Báo cáo", "=evil()"], ["Cột"], []))
    assert table == [["Báo cáo"], ["'=evil()"], ["Cột"]]


def test_csv_quotes_delimiters_quotes_and_newlines():
    row = ['Lớp "Ánh Dương", khối 6', "dòng 1\ndòng 2"]
    table = read_csv(csv_stream(None, ["a", "b"], [row]))
    assert table[1] == row


def test_csv_other_delimiter():
    text = "".join(csv_stream(None, ["a", "b"], [[1.5, "x;y"]], delimiter=";"))
    assert text == BOM + 'a;b\r\n1.5;"x;y"\r\n'


def test_csv_text_is_composed_nfc():
    decomposed = unicodedata.normalize("NFD", NAME)
    assert decomposed != NAME
    assert read_csv(csv_stream(None, ["Tên"], [[decomposed]]))[1] == [NAME]


def test_csv_stream_is_lazy():
    consumed = 0

    def rows():
        nonlocal consumed
        for number in range(1_000_000):
            consumed += 1
            yield [f"Học viên {number}", number]

    stream = csv_stream(["Tiêu đề"], ["Tên", "Số"], rows(), chunk_size=1024)
    head = next(stream)
    assert head.startswith(BOM) and "Tên,Số" in head
    assert consumed == 0  # the header goes out before the first row is read
    second = next(stream)
    assert second.startswith("Học viên 0,0\r\n")
    assert 0 < consumed < 100  # about 1 KiB of rows, not the million
    stream.close()


def test_csv_stream_yields_rows_before_a_failing_source_fails():
    def rows():
        for number in range(5):
            yield [f"Học viên {number}"]
        raise RuntimeError("database went away")

    stream = csv_stream(None, ["Tên"], rows(), chunk_size=1)
    produced = []
    with pytest.raises(RuntimeError, match="database went away"):
        for chunk in stream:
            produced.append(chunk)
    assert len(produced) == 6  # header chunk + one chunk per row, all before the error
    assert produced[-1] == "Học viên 4\r\n"


def test_csv_stream_does_nothing_until_iterated():
    def rows():
        raise AssertionError("read too early")
        yield  # pragma: no cover

    stream = csv_stream(None, ["a"], rows())  # no error: nothing has run yet
    assert next(stream).startswith(BOM)
    with pytest.raises(AssertionError):
        next(stream)


# ---- XLSX ----------------------------------------------------------------------------------------


@pytest.fixture
def sheet():
    data = xlsx_bytes(
        "Tiến độ lớp 6A", "Ngày 01/03/2025 · khóa Kỹ năng số cơ bản", HEADER, iter(ROWS),
        number_formats={"Hoàn thành (%)": "0.0"},
    )
    assert data[:2] == b"PK"  # a ZIP archive, as XLSX files are
    return load(data)


def test_xlsx_layout_title_subtitle_header(sheet):
    first = HEADER_ROW + 1
    assert HEADER_ROW == 4
    assert sheet["A1"].value == "Tiến độ lớp 6A"
    assert sheet["A1"].font.b and sheet["A1"].font.sz > 11
    assert sheet["A2"].value == "Ngày 01/03/2025 · khóa Kỹ năng số cơ bản"
    assert all(cell.value is None for cell in sheet[3])
    assert [cell.value for cell in sheet[HEADER_ROW]] == HEADER
    for cell in sheet[HEADER_ROW]:
        assert cell.font.b
        assert cell.fill.fill_type == "solid"
        assert cell.border.bottom.style == "thin"
        assert cell.alignment.wrap_text
    assert sheet.cell(first, 1).value == NAME
    assert sheet.max_row == HEADER_ROW + len(ROWS)
    assert sheet.title == "Tiến độ lớp 6A"


def test_xlsx_frozen_below_header_with_filter_and_widths(sheet):
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:F{HEADER_ROW + len(ROWS)}"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEF"}
    assert all(exports.MIN_WIDTH <= width <= exports.MAX_WIDTH for width in widths.values())
    assert widths["A"] >= len(NAME)  # fits the longest name in the first rows
    assert widths["E"] >= len("dd/mm/yyyy")


def test_xlsx_numbers_are_numbers_and_dates_are_dates(sheet):
    first = HEADER_ROW + 1
    score = sheet.cell(first, 3)
    assert score.value == -3 and score.data_type == "n"
    assert sheet.cell(first + 2, 3).value == 7.5 and sheet.cell(first + 2, 3).data_type == "n"
    percent = sheet.cell(first, 4)
    assert percent.value == 85.25 and percent.data_type == "n"
    assert percent.number_format == "0.0"
    enrolled = sheet.cell(first, 5)
    assert enrolled.is_date and enrolled.number_format == "dd/mm/yyyy"
    assert enrolled.value.date() == date(2025, 3, 1)
    last_seen = sheet.cell(first, 6)
    assert last_seen.is_date and last_seen.number_format == "dd/mm/yyyy hh:mm"
    assert last_seen.value == datetime(2025, 3, 1, 9, 30)  # local time, no zone
    assert sheet.cell(first + 1, 6).value is None


def test_xlsx_neutralizes_every_text_cell(sheet):
    first = HEADER_ROW + 1
    assert sheet.cell(first, 2).value == "'=HYPERLINK(\"http://x\",\"Bấm\")"
    assert sheet.cell(first, 2).data_type == "s"  # text, not a formula
    assert sheet.cell(first + 1, 2).value == "'+84 912 345 678"
    assert sheet.cell(first + 2, 2).value == "'@SUM(A1)"
    data = xlsx_bytes("=title", "-subtitle", ["@header"], [["=1+1"]])
    ws = load(data)
    assert [ws["A1"].value, ws["A2"].value, ws["A4"].value, ws["A5"].value] == [
        "'=title", "'-subtitle", "'@header", "'=1+1"]
    assert all(ws[ref].data_type == "s" for ref in ("A1", "A2", "A4", "A5"))


def test_xlsx_odd_values():
    ws = load(xlsx_bytes("T", None, ["a", "b", "c", "d", "e"], [
        [True, "#N/A", "bell\x07 and tab\t ok", float("inf"), time(7, 30)],
        [unicodedata.normalize("NFD", NAME), "x" * 40_000, None, 0, None],
    ]))
    first = HEADER_ROW + 1
    assert ws["A2"].value is None  # no subtitle
    assert ws.cell(first, 1).value is True
    assert ws.cell(first, 2).value == "#N/A" and ws.cell(first, 2).data_type == "s"
    assert ws.cell(first, 3).value == "bell and tab\t ok"  # XML cannot hold \x07
    assert ws.cell(first, 4).value is None
    assert ws.cell(first, 5).value == time(7, 30)
    assert ws.cell(first + 1, 1).value == NAME  # composed
    assert len(ws.cell(first + 1, 2).value) == exports.XLSX_MAX_TEXT


def test_xlsx_given_widths_and_formats_by_position():
    ws = load(xlsx_bytes("T", "S", ["Tên", "Tỷ lệ"], [["A", 0.5]],
                         number_formats=[None, "0.0%"], widths=[30, 12.5]))
    assert ws.column_dimensions["A"].width == 30
    assert ws.column_dimensions["B"].width == 12.5
    assert ws.cell(HEADER_ROW + 1, 2).number_format == "0.0%"


def test_xlsx_unknown_column_in_options_is_an_error():
    with pytest.raises(ValueError, match="no column"):
        xlsx_bytes("T", "S", ["Tên"], [], number_formats={"Điểm": "0.0"})
    with pytest.raises(ValueError):
        xlsx_bytes("T", "S", ["Tên"], [], widths=[10, 20])


def test_xlsx_reads_a_generator_once_past_the_width_sample():
    count = exports.WIDTH_SAMPLE_ROWS * 3 + 7
    consumed = 0

    def rows():
        nonlocal consumed
        for number in range(count):
            consumed += 1
            yield (f"Học viên {number}", number, date(2025, 1, 1 + number % 28))

    ws = load(xlsx_bytes("Danh sách", None, ["Tên", "Số", "Ngày"], rows()))
    assert consumed == count
    assert ws.max_row == HEADER_ROW + count
    assert ws.cell(HEADER_ROW + count, 2).value == count - 1
    assert ws.cell(HEADER_ROW + count, 3).is_date


def test_xlsx_empty_report_still_has_its_header():
    ws = load(xlsx_bytes("Chưa có ai", "—", HEADER, []))
    assert [cell.value for cell in ws[HEADER_ROW]] == HEADER
    assert ws.max_row == HEADER_ROW
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"


def test_xlsx_failure_in_rows_leaves_no_temporary_file():
    before = openpyxl_temp_files()

    def rows():
        for number in range(exports.WIDTH_SAMPLE_ROWS + 5):
            yield [number]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        xlsx_bytes("T", "S", ["Số"], rows())
    assert openpyxl_temp_files() <= before


def test_xlsx_stream_gives_the_same_file_in_chunks():
    chunks = list(xlsx_stream("Báo cáo", "S", HEADER, ROWS, chunk_size=1000))
    assert len(chunks) > 1 and all(len(chunk) <= 1000 for chunk in chunks)
    ws = load(b"".join(chunks))
    assert ws.cell(HEADER_ROW + 1, 1).value == NAME


def test_xlsx_stream_builds_before_streaming():
    def rows():
        yield ["a"]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):  # raised by the call, not the first chunk
        xlsx_stream("T", "S", ["a"], rows())


def test_xlsx_sheet_name_is_made_valid():
    ws = load(xlsx_bytes("Lớp 6/1: tiến độ [HK2] *mới*? của trường Tiểu học Hòa Bình", "S", ["a"], []))
    assert ws.title == "Lớp 6-1 tiến độ HK2 mới của trư"
    assert ws["A1"].value == "Lớp 6/1: tiến độ [HK2] *mới*? của trường Tiểu học Hòa Bình"
    assert load(xlsx_bytes("T", "S", ["a"], [], sheet_name="Tổng hợp")).title == "Tổng hợp"


# ---- sheet titles and file names -------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Lớp 6/1: [HK2]", "Lớp 6-1 HK2"),
    ("a\\b*c?d", "a-b c d"),
    ("x" * 40, "x" * 31),
    ("'quoted'", "quoted"),
    ("   ", "Sheet1"),
    ("[]:*?", "Sheet1"),
    (None, "Sheet1"),
    ("History", "History (1)"),
    ("Tab\there", "Tabhere"),
])
def test_safe_sheet_title(text, expected):
    title = safe_sheet_title(text)
    assert title == expected
    assert len(title) <= 31 and not set(title) & set("[]:*?/\\")


def test_safe_sheet_title_counts_utf16_units():
    assert safe_sheet_title("😀" * 20) == "😀" * 15  # each emoji is two UTF-16 units


def test_content_disposition_has_ascii_fallback_and_utf8_name():
    value = content_disposition("Báo cáo đợt 1.xlsx")
    assert value.startswith('attachment; filename="Bao_cao_dot_1.xlsx"; ')
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%C4%91%E1%BB%A3t%201.xlsx" in value
    assert '"' not in content_disposition('a"b\r\n.csv').split("filename*=")[1]
