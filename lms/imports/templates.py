"""Blank files to fill in and upload: the column names in Vietnamese, one example row (which
the preview refuses if it is left in) and, in XLSX, a sheet of instructions.
"""
from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lms.exports.csv_writer import csv_stream
from lms.imports.people import EXAMPLE_NAME, EXAMPLE_USERNAME, PEOPLE_BY_KEY
from lms.imports.places import UNITS_COLUMNS, UNITS_TEMPLATE_EXAMPLE

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


def units_template(fmt: str) -> bytes:
    """An empty units file (Tỉnh, Xã/phường, Thôn/tổ dân phố, Mã) with one example row."""
    header = [c.vi for c in UNITS_COLUMNS]
    return _template(fmt, header, list(UNITS_TEMPLATE_EXAMPLE), "Đơn vị", text_columns=(3,),
                     help_lines=("Mỗi dòng là một thôn/tổ dân phố. Xóa dòng mẫu trước khi nhập.",
                                 "Tỉnh và xã chưa có sẽ được tạo. Mã: không bắt buộc, không trùng."))


def _template(fmt: str, header: list[str], example: list[Any], sheet: str, text_columns: tuple[int, ...],
              help_lines: tuple[str, ...]) -> bytes:
    if fmt == "csv":
        return "".join(csv_stream(None, header, [example])).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}")
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
