"""Importing people and places from spreadsheets: reading files (encodings, delimiters, Excel
quirks), the preview, both commit modes, one-time codes, the command line and the admin pages."""
from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import event, func, select

import lms.admin.import_views  # noqa: F401  (adds the routes to the admin blueprint before any app is built)
from lms import imports
from lms.admin import cli as admin_cli
from lms.extensions import db
from lms.models import AccountOrigin, AuditEntry, Place, PlaceKind, Role, SignInCode, TargetGroup, User
from lms.teach.services import use_sign_in_code
from tests.helpers import csrf_token, post_form

PASSWORD = "mật khẩu dài 123"
HEADER = ["Họ và tên", "Số điện thoại", "Tên đăng nhập", "Đối tượng", "Thôn/tổ dân phố", "Mã hộ", "Năm sinh", "Vai trò"]
CLEAN_ROWS = [
    ["Nguyễn Thị Lan", "0912345678", "", "Người dân", "Thôn 1", "HK-001", "1975", "Học viên"],
    ["Trần Văn Bình", "", "tranvanbinh", "Học sinh, sinh viên", "Buôn Ea Kênh", "", "2008", ""],
    ["Lê  Văn   Cường ", "0987 654 321", "", "công nhân", "thôn 1", "", "", ""],
    ["Phạm Thị Dung", "", "phamdung", "cán bộ", "THON 1", "", "1980", "giáo viên"],
]


def csv_bytes(header, rows, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as Excel on a Vietnamese Windows does: base letters (ă, ê, ơ…) precomposed, tone
    marks as separate combining characters."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out += (base + "".join(c for c in parts if c in TONE_MARKS)).encode("cp1258")
    return bytes(out)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems_by_row(preview) -> dict[int, list[str]]:
    return {r.row: [p.text() for p in r.problems] for r in preview.rows if r.problems}


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def admin(app, make_user):
    user_id = make_user(username="quantri", role=Role.ADMIN, group=None, full_name="Lê Quản Trị")
    with app.app_context():
        return db.session.get(User, user_id)


def actor(user_id: int) -> User:
    return db.session.get(User, user_id)


# --- reading files ----------------------------------------------------------------------

def test_clean_csv_preview_then_commit(app, places, admin):
    data = csv_bytes(HEADER, CLEAN_ROWS)
    with app.app_context():
        preview = imports.preview_people(data, "danh-sach.csv", places["commune"])
        assert preview.counts == {"rows": 4, "valid": 4, "problems": 0}, problems_by_row(preview)
        assert user_count() == 1  # the preview writes nothing
        lan, binh, cuong, dung = preview.rows
        assert [r.row for r in preview.rows] == [2, 3, 4, 5]
        assert (lan.login, lan.target_group, lan.village_id, lan.household_code, lan.birth_year, lan.role) == (
            "0912345678", TargetGroup.CITIZENS, places["village"], "HK-001", 1975, Role.LEARNER)
        assert (binh.login, binh.target_group, binh.village_id) == ("tranvanbinh", TargetGroup.STUDENTS, places["village2"])
        assert (cuong.full_name, cuong.login, cuong.target_group) == ("Lê Văn Cường", "0987654321", TargetGroup.WORKERS)
        assert (dung.role, dung.target_group, dung.village_id) == (Role.TEACHER, TargetGroup.OFFICIALS, places["village"])

        result = imports.import_people(preview, "all_or_nothing", actor(admin.id))
        assert not result.refused and result.counts == {"rows": 4, "created": 4, "skipped": 0}
        assert user_count() == 5
        users = {u.username: u for u in db.session.scalars(select(User).where(User.id != admin.id))}
        assert set(users) == {"0912345678", "tranvanbinh", "0987654321", "phamdung"}
        assert all(u.password_hash is None and u.is_active_account for u in users.values())
        assert users["0912345678"].username_key == "0912345678" and users["phamdung"].role == Role.TEACHER
        # Made by this administrator's import, with no password of their owners' yet.
        assert all((u.created_by_id, u.created_via, u.password_chosen_at) == (admin.id, AccountOrigin.IMPORT, None)
                   for u in users.values())
        assert db.session.scalar(select(func.count()).select_from(SignInCode)) == 4
        codes = {a.username: a.code for a in result.created}
        assert all(len(code) == 12 and code.count("-") == 2 for code in codes.values())  # "ABCD-EFGH-JK"
        stored = db.session.scalars(select(SignInCode.code_hash)).all()
        assert not any(code.replace("-", "") in h for code in codes.values() for h in stored)  # only hashes

        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "users.import"))
        assert entry.actor_id == admin.id
        assert entry.details == {"filename": "danh-sach.csv", "mode": "all_or_nothing", "rows": 4, "created": 4,
                                 "skipped": 0, "commune_id": places["commune"], "sign_in_codes": 4}


def test_imported_people_are_found_by_name_without_diacritics(app, places, admin):
    from lms.admin.services import search_users
    with app.app_context():
        preview = imports.preview_people(csv_bytes(HEADER, CLEAN_ROWS), "danh-sach.csv", places["commune"])
        imports.import_people(preview, "all_or_nothing", actor(admin.id))
        keys = dict(db.session.execute(select(User.full_name, User.name_key).where(User.id != admin.id)).all())
        assert keys["Lê Văn Cường"] == "le van cuong" and keys["Phạm Thị Dung"] == "pham thi dung"
        rows, total = search_users("CUONG")
        assert [u.full_name for u in rows] == ["Lê Văn Cường"] and total == 1


def test_imported_people_sign_in_once_with_their_code(app, places, admin):
    with app.app_context():
        preview = imports.preview_people(csv_bytes(HEADER, CLEAN_ROWS[:2]), "a.csv")
        result = imports.import_people(preview, "valid_only", actor(admin.id))
        for account in result.created:
            user = use_sign_in_code(account.username, account.code.lower())  # typed as people type it
            assert user is not None and user.id == account.user_id
            assert use_sign_in_code(account.username, account.code) is None  # used up
        assert use_sign_in_code("0912345678", result.created[1].code) is None  # another person's code


def test_dirty_file_reports_each_problem_on_its_row(app, places, admin, make_user):
    make_user(username="nguoidan")
    year = date.today().year
    rows = [
        ["Nguyễn Văn Tốt", "0912345678", "", "người dân", "Thôn 1", "", "1970", ""],   # 2: fine
        ["", "0987654321", "", "người dân", "Thôn 1", "", "", ""],                     # 3: no name
        ["Trần Sai Số", "12345", "", "người dân", "Thôn 1", "", "", ""],                # 4: bad phone
        ["Nguyễn Văn Trùng", "0912 345 678", "", "người dân", "Thôn 1", "", "", ""],    # 5: same as row 2
        ["Người Đã Có", "", "NguoiDan", "người dân", "Thôn 1", "", "", ""],             # 6: taken
        ["Lạc Đường", "0934567890", "", "người dân", "Thôn 99", "", "", ""],            # 7: unknown village
        ["Nông Dân", "0961234567", "", "nông dân", "Thôn 1", "", "", ""],               # 8: bad group
        ["Cụ Già", "0388888888", "", "người dân", "Thôn 1", "", "1850", ""],            # 9: year too early
        ["Em Bé", "0356789012", "", "người dân", "Thôn 1", "", str(year + 1), ""],      # 10: year in the future
        ["Hiệu Trưởng", "0901234567", "", "người dân", "Thôn 1", "", "", "hiệu trưởng"],  # 11: bad role
        ["Không Nhóm", "0903333444", "", "", "Thôn 1", "", "", ""],                    # 12: no group
        ["Không Tên Đăng Nhập", "", "", "người dân", "Thôn 1", "", "", ""],             # 13: no login
        ["Nguyễn Văn Mẫu", "", "nguyenvanmau", "người dân", "Thôn 1", "", "", ""],      # 14: template example
        ["Năm Lạ", "0977111222", "", "người dân", "Thôn 1", "", "năm ngoái", ""],       # 15: not a year
    ]
    with app.app_context():
        preview = imports.preview_people(csv_bytes(HEADER, rows), "dirty.csv", places["commune"])
        found = problems_by_row(preview)
    assert 2 not in found
    assert set(found) == set(range(3, 16))
    assert all(len(messages) == 1 for messages in found.values()), found
    expected = {
        3: "The full name is missing.",
        4: "'12345' is not a Vietnamese mobile number",
        5: "The username “0912345678” is also on row 2 of this file.",
        6: "The username “NguoiDan” is already used by another account.",
        7: "No village or residential group “Thôn 99” in Xã Krông Á.",
        8: "Unknown target group “nông dân”",
        9: "The birth year 1850 is not between 1900 and %s." % year,
        10: "The birth year %s is not between 1900 and %s." % (year + 1, year),
        11: "Unknown role “hiệu trưởng”",
        12: "The target group is missing",
        13: "The username or phone number is missing.",
        14: "This is the example row of the template",
        15: "“năm ngoái” is not a birth year",
    }
    for row, text in expected.items():
        assert text in found[row][0], (row, found[row])
    assert preview.counts == {"rows": 14, "valid": 1, "problems": 13}


def test_villages_in_several_communes_need_the_commune(app, places):
    with app.app_context():
        other = Place(name="Xã Ea Bar", kind=PlaceKind.COMMUNE, parent_id=places["province"])
        db.session.add(other)
        db.session.flush()
        db.session.add(Place(name="Thôn 1", kind=PlaceKind.VILLAGE, parent_id=other.id))
        db.session.commit()
        data = csv_bytes(HEADER, [CLEAN_ROWS[0]])
        anywhere = imports.preview_people(data, "a.csv")
        assert "Several villages are named “Thôn 1” (in Xã Ea Bar, Xã Krông Á)" in problems_by_row(anywhere)[2][0]
        chosen = imports.preview_people(data, "a.csv", places["commune"])
        assert chosen.rows[0].ok and chosen.rows[0].village_id == places["village"]


def test_csv_in_windows_1258_with_semicolons(app, places):
    text_rows = [["Nguyễn Thị Hường", "0912345678", "", "Người dân", "Buôn Ea Kênh", "", "1961", "Học viên"],
                 ["Đặng Văn Ước", "", "dangvanuoc", "Học sinh, sinh viên", "thôn 1", "", "", ""]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([HEADER] + text_rows)
    data = to_cp1258(buffer.getvalue())
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert unicodedata.normalize("NFC", data.decode("cp1258")) != data.decode("cp1258")  # combining marks
    with app.app_context():
        preview = imports.preview_people(data, "ds-cp1258.csv")
    assert (preview.encoding, preview.delimiter) == ("cp1258", ";")
    assert preview.counts["problems"] == 0, problems_by_row(preview)
    first, second = preview.rows
    assert first.full_name == "Nguyễn Thị Hường" and unicodedata.is_normalized("NFC", first.full_name)
    assert first.village_id == places["village2"] and first.birth_year == 1961
    assert second.full_name == "Đặng Văn Ước" and second.target_group == TargetGroup.STUDENTS


def test_text_in_old_font_encodings_is_refused_with_a_hint(app):
    # "Họ và tên…" typed with a TCVN3 (ABC) font: the bytes of .VnTime letters, not Unicode.
    tcvn3 = ("Hä vµ tªn,Sè ®iÖn tho¹i,§èi t\xadîng,Th«n\n"
             "NguyÔn ThÞ H\xadêng,0912345678,Ng\xadêi d©n,Th«n 1\n").encode("latin-1")
    with app.app_context(), pytest.raises(imports.ImportFileError) as error:
        imports.preview_people(tcvn3, "cu.csv")
    assert "old Vietnamese font encoding (TCVN3/ABC or VNI)" in error.value.text()


def test_other_encodings_are_detected(app, places):
    data = csv_bytes(HEADER, [CLEAN_ROWS[0]], encoding="utf-16")  # Excel's "Unicode text", with its BOM
    with app.app_context():
        preview = imports.preview_people(data, "ds.txt")
    assert preview.encoding == "utf-16" and preview.rows[0].full_name == "Nguyễn Thị Lan"


def test_csv_in_utf8_with_bom_tabs_and_english_headers(app, places):
    data = b"\xef\xbb\xbf" + csv_bytes(["Full name", "Phone", "Target group", "Village", " Birth  YEAR "], [
        ["Y Khoa Niê", "+84 912 345 678", "citizens", "Buon Ea Kenh", "1990"],
        ["H'Hen Niê", "84987654321", "Workers", "thon 1", ""],
    ], delimiter="\t")
    with app.app_context():
        preview = imports.preview_people(data, "people.txt")
    assert (preview.encoding, preview.delimiter) == ("utf-8-sig", "\t")
    assert preview.counts["problems"] == 0, problems_by_row(preview)
    assert [(r.full_name, r.login, r.target_group, r.village_id) for r in preview.rows] == [
        ("Y Khoa Niê", "0912345678", TargetGroup.CITIZENS, places["village2"]),
        ("H'Hen Niê", "0987654321", TargetGroup.WORKERS, places["village"])]
    assert preview.header.names["full_name"] == "Full name"  # the BOM is not part of the first name


def test_xlsx_with_number_phones_float_years_dates_and_a_title_row(app, places, admin):
    data = xlsx_bytes([
        ["DANH SÁCH NGƯỜI HỌC THÔN 1"],
        [],
        ["STT", "Họ tên", "SĐT", "Đối tượng", "Thôn", "Năm sinh", "Ghi chú"],
        [1, "Nguyễn Văn Một", 912345678, "Người dân", "Thôn 1", 1975.0, "x"],
        [2, "Nguyễn Văn Hai", 987654321.0, "Người dân", "Thôn 1", datetime(1980, 5, 1), None],
        [3, "Nguyễn Văn Ba", "+84 934 567 890", "Người dân", "Thôn 1", "01/02/1990", None],
        [4, "Nguyễn Văn Bốn", "0961234567", "Người dân", "Thôn 1", date(1991, 3, 4), None],
        [5],  # numbered in advance, nothing else: not a row to import
        [6, "\u00a0Nguyễn  Văn Sáu\u200b ", 388888888, " người   dân ", "thôn 1", 1999, None],
    ])
    with app.app_context():
        preview = imports.preview_people(data, "ds.xlsx", places["commune"])
        assert preview.kind == "xlsx" and preview.header.row == 3
        assert preview.header.ignored == ["STT", "Ghi chú"]
        assert preview.counts == {"rows": 5, "valid": 5, "problems": 0}, problems_by_row(preview)
        assert [(r.row, r.login, r.birth_year) for r in preview.rows] == [
            (4, "0912345678", 1975), (5, "0987654321", 1980), (6, "0934567890", 1990), (7, "0961234567", 1991),
            (9, "0388888888", 1999)]
        assert preview.rows[-1].full_name == "Nguyễn Văn Sáu"
        result = imports.import_people(preview, "all_or_nothing", actor(admin.id))
        assert len(result.created) == 5


def test_excel_quirks_in_values():
    assert imports.phone_text(912345678) == "0912345678"
    assert imports.phone_text(912345678.0) == "0912345678"
    assert imports.phone_text("912345678.0") == "0912345678"
    assert imports.phone_text("912.345.678") == "0912345678"
    assert imports.phone_text("'+84912345678") == "+84912345678"
    assert imports.phone_text("9.12346E+08") == "9.12346E+08"  # digits lost: reported, not guessed
    assert imports.parse_birth_year(1975.0) == 1975
    assert imports.parse_birth_year("1975.0") == 1975
    assert imports.parse_birth_year(datetime(1975, 2, 1)) == 1975
    assert imports.parse_birth_year("01/02/1975") == 1975
    assert imports.parse_birth_year("1975-02-01 00:00:00") == 1975
    assert imports.parse_birth_year("") is None
    with pytest.raises(ValueError):
        imports.parse_birth_year("1/2/75")
    assert imports.clean_text("  Nguyễn\u00a0 Văn\tA ") == "Nguyễn Văn A"
    assert imports.clean_text(unicodedata.normalize("NFD", "Hường")) == "Hường"


@pytest.mark.parametrize("header, key", [
    ("Họ và tên", "full_name"), ("HỌ VÀ TÊN (*)", "full_name"), ("ho ten", "full_name"), ("Full name", "full_name"),
    ("SĐT", "phone"), ("Số điện thoại (nếu có)", "phone"), ("  số   điện thoại ", "phone"), ("Phone", "phone"),
    ("Tên đăng nhập", "username"), ("Username", "username"),
    ("Đối tượng", "target_group"), ("Nhóm", "target_group"), ("Target group", "target_group"),
    ("Thôn", "village"), ("Thôn/Tổ dân phố", "village"), ("Village", "village"),
    ("Mã hộ", "household_code"), ("Household code", "household_code"),
    ("Năm sinh", "birth_year"), ("Birth year", "birth_year"), ("Vai trò", "role"), ("ROLE", "role"),
    ("STT", None), ("Ghi chú", None), ("Tên", None),
])
def test_column_names(header, key):
    assert imports.match_header(header, imports.PEOPLE_COLUMNS) == key


@pytest.mark.parametrize("value, group", [
    ("cán bộ", TargetGroup.OFFICIALS), ("Công chức", TargetGroup.OFFICIALS), ("Cán bộ, công chức, viên chức", TargetGroup.OFFICIALS),
    ("học sinh", TargetGroup.STUDENTS), ("Sinh viên", TargetGroup.STUDENTS), ("Học sinh, sinh viên", TargetGroup.STUDENTS),
    ("công nhân", TargetGroup.WORKERS), ("Người lao động", TargetGroup.WORKERS),
    ("Người lao động trong doanh nghiệp, hợp tác xã", TargetGroup.WORKERS),
    ("người dân", TargetGroup.CITIZENS), ("NGUOI DAN", TargetGroup.CITIZENS), ("citizens", TargetGroup.CITIZENS),
    ("officials", TargetGroup.OFFICIALS), ("Adult residents", TargetGroup.CITIZENS), ("", None),
])
def test_group_values(value, group):
    assert imports.parse_group(value) == group


def test_role_values():
    assert imports.parse_role("") == Role.LEARNER
    assert imports.parse_role("Học viên") == Role.LEARNER
    assert imports.parse_role("giao vien") == Role.TEACHER
    assert imports.parse_role("Quản trị") == Role.ADMIN
    assert imports.parse_role("admin") == Role.ADMIN
    with pytest.raises(ValueError):
        imports.parse_role("hiệu trưởng")


@pytest.mark.parametrize("data, name, message", [
    (b"", "a.csv", "is empty"),
    (b"x" * (5 * 1024 * 1024 + 1), "a.csv", "too large"),
    (b"PK\x03\x04rest", "a.csv", "is an Excel workbook"),
    ("Họ và tên,Thôn\nA,B\n".encode(), "a.xlsx", "is not one"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.xls", "old Excel file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.xlsx", "password-protected"),
    (b"%PDF-1.4", "a.pdf", "Choose a .csv or .xlsx file"),
    (b"PK\x03\x04" + b"\0" * 100, "a.xlsx", "damaged"),
    ("\n\n ,, \n".encode(), "a.csv", "is empty"),
    ("Họ và tên,Ghi chú\nNguyễn Văn A,x\n".encode(), "a.csv",
     "Columns missing: “Tên đăng nhập” (Username) / “Số điện thoại” (Phone); “Đối tượng” (Target group); "
     "“Thôn/tổ dân phố” (Village)"),
    ("Họ và tên,SĐT,Đối tượng,Thôn\n".encode(), "a.csv", "no rows"),
    ("Họ và tên,SĐT,Số điện thoại,Đối tượng,Thôn\nA,1,2,3,4\n".encode(), "a.csv", "Two columns are for the same thing"),
])
def test_unreadable_files_are_refused_clearly(app, data, name, message):
    with app.app_context(), pytest.raises(imports.ImportFileError) as error:
        imports.preview_people(data, name)
    assert message in error.value.text()


def test_too_many_rows(app):
    data = csv_bytes(["Họ và tên", "SĐT", "Đối tượng", "Thôn"], [["A", "", "", ""]] * (imports.MAX_ROWS + 1))
    with app.app_context(), pytest.raises(imports.ImportFileError) as error:
        imports.preview_people(data, "big.csv")
    assert "more than 20000 rows" in error.value.text()


def test_a_damaged_workbook_with_a_good_zip_is_refused(app):
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-a-workbook")
    with app.app_context(), pytest.raises(imports.ImportFileError) as error:
        imports.preview_people(buffer.getvalue(), "a.xlsx")
    assert "damaged" in error.value.text()


# --- the two modes ----------------------------------------------------------------------

DIRTY = CLEAN_ROWS[:2] + [["Bad Phone", "12345", "", "người dân", "Thôn 1", "", "", ""]] + CLEAN_ROWS[2:3]


def test_all_or_nothing_with_one_bad_row_writes_nothing(app, places, admin):
    with app.app_context():
        preview = imports.preview_people(csv_bytes(HEADER, DIRTY), "a.csv")
        before = user_count()
        result = imports.import_people(preview, "all_or_nothing", actor(admin.id))
        assert result.refused and result.created == [] and [r.row for r in result.skipped] == [4]
        assert user_count() == before
        assert db.session.scalar(select(func.count()).select_from(SignInCode)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_valid_only_writes_the_good_rows_and_reports_the_others(app, places, admin):
    from lms.exports import csv_stream

    with app.app_context():
        preview = imports.preview_people(csv_bytes(HEADER, DIRTY), "a.csv")
        before = user_count()
        result = imports.import_people(preview, "valid_only", actor(admin.id))
        assert not result.refused
        assert [a.row for a in result.created] == [2, 3, 5]
        assert user_count() == before + 3
        assert [(r.row, r.values["full_name"]) for r in result.skipped] == [(4, "Bad Phone")]
        header, rows = imports.report_table(result.skipped)
        assert header[0] == "Row" and header[-1] == "Problems" and "Họ và tên" in header
        assert rows[0][0] == 4 and "'12345' is not a Vietnamese mobile number" in rows[0][-1]
        # The report has the template's columns: once fixed, it can be imported again.
        report = "".join(csv_stream(None, header, rows)).encode("utf-8")
        again = imports.preview_people(report, "loi.csv")
        assert [r.row for r in again.rows] == [2] and "not a Vietnamese mobile number" in again.rows[0].problems[0].text()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "users.import"))
        assert (entry.details["created"], entry.details["skipped"], entry.details["mode"]) == (3, 1, "valid_only")


def test_commit_checks_the_database_again(app, places, admin, make_user):
    with app.app_context():
        preview = imports.preview_people(csv_bytes(HEADER, CLEAN_ROWS[:2]), "a.csv")
        assert preview.counts["problems"] == 0
    make_user(username="tranvanbinh")  # registered between the preview and the commit
    with app.app_context():
        refused = imports.import_people(preview, "all_or_nothing", actor(admin.id))
        assert refused.refused and "already used" in refused.skipped[0].problems[0].text()
        result = imports.import_people(preview, "valid_only", actor(admin.id))
        assert [a.username for a in result.created] == ["0912345678"]
    with pytest.raises(ValueError):
        imports.import_people(preview, "some", None)


def test_ten_thousand_rows_are_all_written_with_a_fixed_number_of_statements(app, places, admin):
    """Every row of a large file is written, in a few statements whatever the number of rows
    (each table gets one multi-row INSERT). How fast that is, next to a plain bulk insert, is
    measured by `make bench` (bench/admin_scale.py), not asserted here."""
    def people(prefix: str, count: int) -> list[list[str]]:
        return [[f"Người Học {i}", "", f"{prefix}{i:05d}", "người dân", "Thôn 1", f"HK-{i:05d}", "1980", ""]
                for i in range(count)]

    def import_counting_statements(rows) -> tuple[imports.ImportResult, list[str]]:
        preview = imports.preview_people(csv_bytes(HEADER, rows), "big.csv")
        assert preview.counts["valid"] == len(rows)
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731  (conn, cursor, statement, …)
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            result = imports.import_people(preview, "all_or_nothing", actor(admin.id))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return result, statements

    with app.app_context():
        small, small_statements = import_counting_statements(people("nho", 1_000))
        big, big_statements = import_counting_statements(people("lon", 10_000))

        assert len(small.created) == 1_000 and len(big.created) == 10_000 and big.skipped == []
        # All 10,000 are in the database, each with their details, a sign-in code and the village.
        written = db.session.execute(
            select(func.count(), func.count(func.distinct(User.household_code)), func.min(User.place_id),
                   func.max(User.place_id)).where(User.username.like("lon%"))).one()
        assert tuple(written) == (10_000, 10_000, places["village"], places["village"])
        codes = db.session.scalar(select(func.count()).select_from(SignInCode).join(User, User.id == SignInCode.user_id)
                                  .where(User.username.like("lon%"), SignInCode.used_at.is_(None)))
        assert codes == 10_000
        assert user_count() == 11_001  # and the administrator
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "users.import")
                                   .order_by(AuditEntry.id)).all()
        assert [e.details["created"] for e in audit] == [1_000, 10_000]

    # Ten times the rows, not one statement more; and few in all.
    assert len(big_statements) == len(small_statements), (small_statements, big_statements)
    assert len(big_statements) <= 10, big_statements
    inserts = [s for s in big_statements if s.lstrip().upper().startswith("INSERT INTO USER_ACCOUNT")]
    assert len(inserts) == 1


# --- templates --------------------------------------------------------------------------

def test_templates_have_the_headers_and_a_fake_example_that_cannot_be_imported(app, places):
    csv_data = imports.people_template("csv")
    assert csv_data.startswith(b"\xef\xbb\xbf")
    lines = csv_data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Họ và tên,Tên đăng nhập,Số điện thoại,Đối tượng,Thôn/tổ dân phố,Mã hộ,Năm sinh,Vai trò"
    assert lines[1].startswith("Nguyễn Văn Mẫu,nguyenvanmau,,")
    workbook = openpyxl.load_workbook(io.BytesIO(imports.people_template("xlsx")))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == lines[0].split(",")
    assert sheet["B2"].value == "nguyenvanmau" and sheet["C2"].value is None
    assert sheet["C3"].number_format == "@"  # phone numbers typed later keep their 0
    with app.app_context():
        for fmt in ("csv", "xlsx"):
            preview = imports.preview_people(imports.people_template(fmt), f"mau.{fmt}")
            assert [p.text() for p in preview.rows[0].problems] == [
                "This is the example row of the template. Delete it before importing."]
            units = imports.preview_units(imports.units_template(fmt), f"mau.{fmt}")
            assert "example row" in units.rows[0].problems[0].text()
    with pytest.raises(ValueError):
        imports.people_template("pdf")


# --- administrative units ---------------------------------------------------------------

UNIT_HEADER = ["Tỉnh", "Xã/phường", "Thôn/tổ dân phố", "Mã"]


def places_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Place))


def test_units_import_creates_villages_under_the_right_commune(app, places, admin):
    data = csv_bytes(UNIT_HEADER, [
        ["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 2", "KA-02"],
        ["tỉnh đắk lắk", "XÃ KRÔNG Á", "Thôn 3", ""],
        ["Tỉnh Đắk Lắk", "Xã Krông Á", "thôn 1", ""],          # already there
        ["Tỉnh Đắk Lắk", "Xã Ea Bar", "Thôn Tân Lập", "EB-01"],  # new commune of an existing province
        ["Tỉnh Gia Lai", "Xã Ia Grai", "Làng Mơ Nang", ""],     # new province, commune and village
        ["Tỉnh Gia Lai", "Xã Ia Grai", "Làng Chuối", ""],
    ])
    with app.app_context():
        preview = imports.preview_units(data, "don-vi.csv")
        assert preview.counts == {"rows": 6, "problems": 0, "provinces": 1, "communes": 2, "villages": 5, "existing": 1}
        assert [r.status for r in preview.rows] == ["new", "new", "exists", "new", "new", "new"]
        before = places_count()
        result = imports.import_units(preview, actor(admin.id))
        assert not result.refused and places_count() == before + 8

        def village(name):
            return db.session.scalar(select(Place).where(Place.name == name))
        assert village("Thôn 2").parent_id == places["commune"] and village("Thôn 2").code == "KA-02"
        assert village("Thôn 2").kind == PlaceKind.VILLAGE and village("Thôn 3").parent_id == places["commune"]
        ea_bar = village("Thôn Tân Lập").parent
        assert (ea_bar.name, ea_bar.kind, ea_bar.parent_id) == ("Xã Ea Bar", PlaceKind.COMMUNE, places["province"])
        mo_nang = village("Làng Mơ Nang")
        assert mo_nang.parent.name == "Xã Ia Grai" and mo_nang.parent.parent.name == "Tỉnh Gia Lai"
        assert mo_nang.parent.parent.kind == PlaceKind.PROVINCE and mo_nang.parent.parent.parent_id is None
        assert village("Làng Chuối").parent_id == mo_nang.parent_id
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "units.import"))
        assert (entry.details["villages"], entry.details["communes"], entry.details["provinces"],
                entry.details["existing"]) == (5, 2, 1, 1)

        # Imported villages are found by the people import straight away.
        people = imports.preview_people(csv_bytes(HEADER, [["Rơ Mah Hiền", "0912345678", "", "người dân",
                                                            "lang mo nang", "", "", ""]]), "a.csv")
        assert people.rows[0].village_id == mo_nang.id


def test_units_import_is_all_or_nothing(app, places, admin):
    data = csv_bytes(UNIT_HEADER, [
        ["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 2", "KA-02"],
        ["Tỉnh Đắk Lắk", "Xã Krông Á", "", ""],                    # 3: no village
        ["Tỉnh Đắk Lắk", "Xã Krông Á", "Buôn Ea Kềnh", ""],        # 4: other tone mark than "Buôn Ea Kênh"
        ["Tỉnh Đắk Lắk", "Xã Krông Á", "thôn 2", ""],              # 5: same as row 2
        ["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 4", "KA-02"],         # 6: code used on row 2
        ["Tỉnh Đắk Lắk", "Xã Krông A", "Thôn 5", ""],              # 7: commune spelled differently
    ])
    with app.app_context():
        preview = imports.preview_units(data, "don-vi.csv")
        found = problems_by_row(preview)
        assert set(found) == {3, 4, 5, 6, 7}
        assert "“Thôn/tổ dân phố” is empty" in found[3][0]
        assert "“Buôn Ea Kềnh” is written differently from “Buôn Ea Kênh”" in found[4][0]
        assert "This village is also on row 2." in found[5][0]
        assert "The code “KA-02” is also on row 2." in found[6][0]
        assert "“Xã Krông A” is written differently from “Xã Krông Á”" in found[7][0]
        before = places_count()
        result = imports.import_units(preview, actor(admin.id))
        assert result.refused and places_count() == before
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_units_code_already_used_in_the_database(app, places, admin):
    with app.app_context():
        db.session.get(Place, places["village"]).code = "T1"
        db.session.commit()
        preview = imports.preview_units(csv_bytes(UNIT_HEADER, [["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 9", "T1"]]), "a.csv")
        assert "The code “T1” is already used by another place." in problems_by_row(preview)[2][0]


# --- the command line -------------------------------------------------------------------

@pytest.fixture
def cli(app):
    admin_cli.register(app)
    admin_cli.register(app)  # twice is harmless
    return app.test_cli_runner()


def test_cli_users_import_dry_run_then_modes(app, places, cli, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes(HEADER, DIRTY))
    result = cli.invoke(args=["users", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "row 4: '12345' is not a Vietnamese mobile number" in result.output
    assert "4 rows: 3 without problems, 1 with problems." in result.output and "Dry run" in result.output
    with app.app_context():
        assert user_count() == 0

    codes = tmp_path / "codes.csv"
    result = cli.invoke(args=["users", "import", str(path), "--mode", "all_or_nothing", "--codes-out", str(codes)])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output and not codes.exists()
    with app.app_context():
        assert user_count() == 0

    result = cli.invoke(args=["users", "import", str(path), "--mode", "valid_only", "--commune", "xa krong a",
                              "--codes-out", str(codes)])
    assert result.exit_code == 0, result.output
    assert "Created 3 accounts; skipped 1 rows." in result.output
    assert oct(codes.stat().st_mode & 0o777) == "0o600"
    lines = list(csv.reader(io.StringIO(codes.read_text(encoding="utf-8-sig"))))
    assert lines[0] == ["Dòng", "Họ và tên", "Tên đăng nhập", "Thôn/tổ dân phố", "Mã đăng nhập một lần", "Hết hạn"]
    assert [line[2] for line in lines[1:]] == ["0912345678", "tranvanbinh", "0987654321"]
    assert date.fromisoformat(lines[1][5]) - date.today() in (timedelta(days=6), timedelta(days=7), timedelta(days=8))
    with app.app_context():
        assert user_count() == 3
        assert use_sign_in_code("tranvanbinh", lines[2][4]).username == "tranvanbinh"
        entry = db.session.scalar(select(AuditEntry))
        assert entry.action == "users.import" and entry.actor_name == "system"

    # The codes file is never overwritten; an unknown commune is refused before anything.
    result = cli.invoke(args=["users", "import", str(path), "--codes-out", str(codes)])
    assert result.exit_code != 0 and "already exists" in result.output
    result = cli.invoke(args=["users", "import", str(path), "--commune", "Xã Không Có"])
    assert result.exit_code != 0 and "no commune is named" in result.output


def test_cli_users_import_prints_codes_without_a_file_and_reports_bad_files(app, places, cli, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes(HEADER, CLEAN_ROWS[:1]))
    result = cli.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "0912345678\t" in result.output and "shown once" in result.output
    bad = tmp_path / "ds.pdf"
    bad.write_bytes(b"%PDF")
    result = cli.invoke(args=["users", "import", str(bad)])
    assert result.exit_code == 1 and "Choose a .csv or .xlsx file" in result.output


def test_cli_units_import(app, places, cli, tmp_path):
    good = tmp_path / "dv.xlsx"
    good.write_bytes(xlsx_bytes([UNIT_HEADER, ["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 7", None],
                                 ["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 1", None]]))
    result = cli.invoke(args=["units", "import", str(good), "--dry-run"])
    assert result.exit_code == 0 and "1 new villages" in result.output and "row 3: already there" in result.output
    with app.app_context():
        assert places_count() == 4
    result = cli.invoke(args=["units", "import", str(good)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(Place.parent_id).where(Place.name == "Thôn 7")) == places["commune"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(UNIT_HEADER, [["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 8", ""], ["Tỉnh Đắk Lắk", "", "Thôn 9", ""]]))
    result = cli.invoke(args=["units", "import", str(bad)])
    assert result.exit_code == 1 and "row 3:" in result.output and "Nothing was imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(Place.id).where(Place.name == "Thôn 8")) is None


# --- the admin pages --------------------------------------------------------------------

def login(client, username):
    response = post_form(client, "/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    client.set_cookie("lang", "en")


def post_multipart(client, url, fields: dict):
    """POST a multipart body encoded in memory (the test client would spool a large one to a
    temporary file that it never closes)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({
        name: FileStorage(stream=value[0], filename=value[1], content_type="application/octet-stream")
        if isinstance(value, tuple) else value for name, value in fields.items()})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client, url, data: bytes, filename: str, **fields):
    token = csrf_token(client, url)
    return post_multipart(client, url, {"csrf_token": token, "file": (io.BytesIO(data), filename), **fields})


def token_in(page: str, prefix: str) -> str:
    import re
    match = re.search(prefix + r"([A-Za-z0-9_-]{32})", page)
    assert match, page
    return match.group(1)


def test_admin_previews_commits_and_prints_codes(app, client, places, admin):
    login(client, "quantri")
    page = client.get("/admin/people/import")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "/admin/people/template.xlsx" in body and "/admin/people/template.csv" in body
    assert f'<option value="{places["commune"]}">Xã Krông Á (Tỉnh Đắk Lắk)</option>' in body

    response = upload(client, "/admin/people/import", csv_bytes(HEADER, DIRTY), "ds.csv",
                      commune=str(places["commune"]), mode="valid_only")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for row in (2, 3, 4, 5):
        assert f'<th scope="row">{row}</th>' in body
    assert "Trần Văn Bình" in body and "is not a Vietnamese mobile number" in body
    assert "4 rows" in body and "3 without problems" in body and "1 with problems" in body
    token = token_in(body, "/admin/people/import/")
    with app.app_context():
        assert user_count() == 1  # nothing written by the preview

    # The preview can be opened again; the rows with problems can be downloaded before the commit.
    assert "is not a Vietnamese mobile number" in client.get(f"/admin/people/import/{token}").get_data(as_text=True)
    early = client.get(f"/admin/people/import/{token}/skipped.csv")
    assert early.status_code == 200 and "Bad Phone" in early.get_data(as_text=True)

    # all_or_nothing is refused…
    response = post_form(client, f"/admin/people/import/{token}/commit", {"mode": "all_or_nothing"},
                         form_url=f"/admin/people/import/{token}")
    assert response.status_code == 302
    assert "Nothing was imported" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert user_count() == 1

    # …valid_only imports three and shows their codes once.
    response = post_form(client, f"/admin/people/import/{token}/commit", {"mode": "valid_only"},
                         form_url=f"/admin/people/import/{token}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "3 accounts created" in body and "1 row skipped" in body
    assert "/login/code" in body
    import re
    codes = re.findall(r'code-big">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})<', body)
    assert len(codes) == 3
    with app.app_context():
        assert user_count() == 4
        assert use_sign_in_code("tranvanbinh", codes[1]).username == "tranvanbinh"

    report = client.get(f"/admin/people/import/{token}/skipped.csv")
    assert report.status_code == 200 and "attachment" in report.headers["Content-Disposition"]
    text = report.get_data(as_text=True)
    assert "Bad Phone" in text and "Trần Văn Bình" not in text and "is not a Vietnamese mobile number" in text
    xlsx = client.get(f"/admin/people/import/{token}/skipped.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    assert any(row and "Bad Phone" in row for row in sheet.iter_rows(values_only=True))

    # The kept file is gone: no second import of the same upload.
    again = post_form(client, f"/admin/people/import/{token}/commit", {"mode": "valid_only"}, form_url="/admin/people/import")
    assert again.status_code == 302
    with app.app_context():
        assert user_count() == 4


def test_upload_errors_size_limits_and_csrf(app, client, places, admin):
    login(client, "quantri")
    response = upload(client, "/admin/people/import", b"%PDF-1.4", "ds.pdf")
    assert response.status_code == 400 and "Choose a .csv or .xlsx file" in response.get_data(as_text=True)
    response = upload(client, "/admin/people/import", "Họ và tên\nA\n".encode(), "ds.csv")
    assert response.status_code == 400 and "Columns missing" in response.get_data(as_text=True)

    # Above the site's 1 MiB limit but within the 5 MB of imports: read.
    big = csv_bytes(HEADER + ["Ghi chú"], [CLEAN_ROWS[0] + ["x" * 2000]] * 700)
    assert 1024 * 1024 < len(big) < imports.MAX_FILE_BYTES
    response = upload(client, "/admin/people/import", big, "big.csv")
    assert response.status_code == 200 and "700 rows" in response.get_data(as_text=True)
    # Above 5 MB: refused before reading.
    huge = upload(client, "/admin/people/import", b"x" * (imports.MAX_FILE_BYTES + 100 * 1024), "huge.csv")
    assert huge.status_code == 413 and "too large" in huge.get_data(as_text=True)
    # Other admin pages keep the site-wide limit.
    assert client.post("/admin/targets", data={"x": "y" * (1024 * 1024 + 10)}).status_code == 413

    # The token is still required on the upload routes.
    no_token = post_multipart(client, "/admin/people/import", {"file": (io.BytesIO(csv_bytes(HEADER, CLEAN_ROWS)), "a.csv")})
    assert no_token.status_code == 400
    assert "expired or was not sent from this site" in no_token.get_data(as_text=True)
    no_token = post_multipart(client, "/admin/units/import", {"file": (io.BytesIO(b"x"), "a.csv")})
    assert no_token.status_code == 400
    with app.app_context():
        assert user_count() == 1


def test_a_preview_belongs_to_the_admin_who_uploaded_it(app, client, places, admin, make_user):
    login(client, "quantri")
    body = upload(client, "/admin/people/import", csv_bytes(HEADER, CLEAN_ROWS), "ds.csv").get_data(as_text=True)
    token = token_in(body, "/admin/people/import/")
    make_user(username="quantri2", role=Role.ADMIN, group=None)
    other = app.test_client()
    login(other, "quantri2")
    assert other.get(f"/admin/people/import/{token}").status_code == 404
    assert post_form(other, f"/admin/people/import/{token}/commit", {}, form_url="/admin/people/import").status_code == 404
    assert other.get(f"/admin/people/import/{token}/skipped.csv").status_code == 404
    assert other.get("/admin/people/import/../../secret_key").status_code == 404
    assert other.get("/admin/people/import/" + "a" * 31 + "!").status_code == 404
    # A check that has expired (or was kept on another server) asks for the file again.
    gone = other.get("/admin/people/import/" + "a" * 32)
    assert gone.status_code == 302 and gone.headers["Location"].endswith("/admin/people/import")
    assert "This check has expired" in other.get(gone.headers["Location"]).get_data(as_text=True)
    assert other.get("/admin/people/import/" + "a" * 32 + "/skipped.csv").status_code == 404
    with app.app_context():
        assert user_count() == 2


def test_template_downloads(client, places, admin):
    login(client, "quantri")
    for url, first in (("/admin/people/template.csv", "Họ và tên"), ("/admin/units/template.csv", "Tỉnh")):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.data.startswith(b"\xef\xbb\xbf") and response.data.decode("utf-8-sig").startswith(first)
        assert "attachment" in response.headers["Content-Disposition"]
    for url in ("/admin/people/template.xlsx", "/admin/units/template.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and response.data[:2] == b"PK"
        openpyxl.load_workbook(io.BytesIO(response.data))
    assert client.get("/admin/people/template.pdf").status_code == 404


def test_admin_imports_places(app, client, places, admin):
    login(client, "quantri")
    assert client.get("/admin/units/import").status_code == 200
    data = xlsx_bytes([UNIT_HEADER, ["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 2", "KA-02"], ["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 1", None]])
    response = upload(client, "/admin/units/import", data, "dv.xlsx")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "1 new village" in body and "1 already there" in body and "Already there" in body
    token = token_in(body, "/admin/units/import/")
    response = post_form(client, f"/admin/units/import/{token}/commit", {}, form_url=f"/admin/units/import/{token}")
    assert response.status_code == 302
    assert "Places imported: 1 new villages" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        village = db.session.scalar(select(Place).where(Place.name == "Thôn 2"))
        assert village.parent_id == places["commune"] and village.code == "KA-02"

    bad = csv_bytes(UNIT_HEADER, [["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 5", ""], ["Tỉnh Đắk Lắk", "Xã Krông Á", "Thôn 2", ""],
                                  ["", "Xã Krông Á", "Thôn 6", ""]])
    body = upload(client, "/admin/units/import", bad, "dv.csv").get_data(as_text=True)
    assert "“Tỉnh” is empty" in body and "Nothing can be imported" in body
    token = token_in(body, "/admin/units/import/")
    response = post_form(client, f"/admin/units/import/{token}/commit", {}, form_url=f"/admin/units/import/{token}")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Place.id).where(Place.name == "Thôn 5")) is None


def test_teachers_and_learners_get_403_everywhere(app, client, places, admin, make_user):
    login(client, "quantri")
    people_token = token_in(upload(client, "/admin/people/import", csv_bytes(HEADER, CLEAN_ROWS), "a.csv")
                            .get_data(as_text=True), "/admin/people/import/")
    units_token = token_in(upload(client, "/admin/units/import", csv_bytes(UNIT_HEADER, [["T", "X", "V", ""]]), "u.csv")
                           .get_data(as_text=True), "/admin/units/import/")
    make_user(username="cogiao", role=Role.TEACHER, group=None)
    make_user(username="hocvien")
    gets = ["/admin/people/import", f"/admin/people/import/{people_token}", f"/admin/people/import/{people_token}/skipped.csv",
            f"/admin/people/import/{people_token}/skipped.xlsx", "/admin/people/template.csv", "/admin/people/template.xlsx",
            "/admin/units/import", f"/admin/units/import/{units_token}", "/admin/units/template.csv",
            "/admin/units/template.xlsx"]
    posts = ["/admin/people/import", f"/admin/people/import/{people_token}/commit", "/admin/units/import",
             f"/admin/units/import/{units_token}/commit"]
    for username in ("cogiao", "hocvien"):
        other = app.test_client()
        login(other, username)
        for url in gets:
            assert other.get(url).status_code == 403, (username, url)
        token = csrf_token(other, "/")
        for url in posts:
            response = post_multipart(other, url, {"csrf_token": token, "mode": "valid_only",
                                                   "file": (io.BytesIO(csv_bytes(HEADER, CLEAN_ROWS)), "a.csv")})
            assert response.status_code == 403, (username, url)
    anonymous = app.test_client()
    assert anonymous.get("/admin/people/import").status_code == 302
    assert anonymous.post("/admin/people/import").status_code == 302
    with app.app_context():
        assert user_count() == 3 and places_count() == 4
