"""The audit log as an official reads it: actions and details in words, names instead of ids,
times in the site's time zone; the downloads keep the stored codes beside the words."""
from __future__ import annotations

import ast
import csv
import html
import io
import re
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from lms.admin import audit_log
from lms.extensions import db
from lms.i18n import format_datetime
from lms.models import AuditEntry, Role, User
from tests.helpers import log_in

ROOT = Path(__file__).resolve().parents[3]
LATE_EVENING_UTC = datetime(2026, 1, 1, 23, 30, tzinfo=timezone.utc)  # 06:30 on 2 January in Viet Nam


@pytest.fixture
def admin_client(app, client, make_user):
    make_user(username="quantri", role=Role.ADMIN, group=None, full_name="Lê Văn Quản")
    assert log_in(client, "quantri").status_code == 302  # no language chosen: Vietnamese
    return client


def visible_text(page: str) -> str:
    """What a reader sees in the log's table: its text without tags or repeated spaces."""
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture
def entries(app, places, make_user, loaded):
    """Entries of several actions, as the code writes them."""
    learner = make_user(username="hocvienhuong", full_name="Nguyễn Thị Hường")
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.username == "quantri"))
        common = {"actor_id": admin_id, "actor_name": "quantri"}
        db.session.add_all([
            AuditEntry(at=LATE_EVENING_UTC, action="target.save", target=f"place:{places['commune']}",
                       details={"place": "Xã Krông Á", "group": "citizens", "year": 2026, "population": 5200,
                                "target_percent": 80, "before": {"population": 5000, "target_percent": 80}},
                       **common),
            AuditEntry(at=datetime(2026, 1, 3, 2, 0, tzinfo=timezone.utc), action="user.role",
                       target=f"user:{learner}", details={"username": "hocvienhuong", "before": "learner",
                                                          "after": "teacher"}, **common),
            AuditEntry(at=datetime(2026, 1, 4, 2, 0, tzinfo=timezone.utc), action="certificate.revoke",
                       target="certificate:K7QM4XRT9PHW",
                       details={"reason": "Học viên gian lận", "learner": "Nguyễn Thị Hường", "course": "alpha"},
                       **common),
            AuditEntry(at=datetime(2026, 1, 5, 2, 0, tzinfo=timezone.utc), action="users.import",
                       target="file:danh-sách.csv",
                       details={"filename": "danh-sách.csv", "mode": "valid_only", "rows": 1200, "created": 1195,
                                "skipped": 5, "commune_id": places["commune"]}, **common),
            AuditEntry(at=datetime(2026, 1, 6, 2, 0, tzinfo=timezone.utc), action="user.deletion_request",
                       target=f"user:{learner}", details={}, actor_id=learner, actor_name="hocvienhuong"),
            AuditEntry(at=datetime(2026, 1, 7, 2, 0, tzinfo=timezone.utc), action="user.delete",
                       target=f"user:{learner}", details={"had_username": True}, **common),
            # Written by a newer version of the code than this one.
            AuditEntry(at=datetime(2026, 1, 8, 2, 0, tzinfo=timezone.utc), action="class.archive_all",
                       target="class:7", details={"classes": ["6A", "6B"], "note": "Hết năm học"}, **common),
        ])
        db.session.commit()
    return {"learner": learner, **places}


def test_the_page_shows_actions_details_and_times_in_words(admin_client, entries):
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    text = visible_text(page)
    # Actions in words, every one of them; the stored codes are not what a reader sees.
    for words in ("Lưu chỉ tiêu", "Đổi vai trò", "Thu hồi giấy chứng nhận", "Nhập danh sách người học từ tệp",
                  "Người dùng yêu cầu xóa dữ liệu của mình", "Xóa dữ liệu cá nhân"):
        assert words in text, words
    for code in ("target.save", "user.role", "certificate.revoke", "users.import", "user.delete"):
        assert code not in text, code
    # An action this version does not know still reads as words.
    assert "Class: archive all" in text
    # Details: a translated label and a readable value each, Vietnamese letters intact.
    assert "\\u" not in page and "{&#34;" not in page and '{"' not in text
    assert "Địa bàn: Xã Krông Á" in text
    assert "Đối tượng: Người dân trong độ tuổi trưởng thành" in text
    assert "Dân số: 5.200" in text and "Chỉ tiêu: 80 %" in text
    assert "Trước khi sửa: Dân số: 5.000; Chỉ tiêu: 80 %" in text
    assert "Vai trò cũ: Người học" in text and "Vai trò mới: Giáo viên" in text
    assert "Lý do: Học viên gian lận" in text and "Khóa học: Khóa Alpha" in text
    assert "Cách nhập: chỉ nhập các dòng không lỗi" in text and "Số tài khoản đã tạo: 1.195" in text
    assert "Xã/phường: Xã Krông Á, Tỉnh Đắk Lắk" in text
    assert "Có tên đăng nhập: Có" in text
    assert "Classes: 6A, 6B" in text and "Note: Hết năm học" in text
    # Objects named: the place's path, the person, the certificate's printed code, the file.
    assert "Xã Krông Á, Tỉnh Đắk Lắk" in text
    assert "Nguyễn Thị Hường (hocvienhuong)" in text
    assert "Giấy chứng nhận K7QM-4XRT-9PHW" in text and "Tệp “danh-sách.csv”" in text
    # Date and time in Viet Nam's time zone: 23:30 UTC is 06:30 the next morning.
    assert "02/01/2026 06:30" in text and "03/01/2026 09:00" in text
    assert "01/01/2026" not in text


def test_the_page_in_english(admin_client, entries):
    admin_client.set_cookie("lang", "en")
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    text = visible_text(page)
    assert "Target saved" in text and "Population: 5,200" in text and "Course: Alpha course" in text
    assert "Group: Adult residents" in text and "Reason: Học viên gian lận" in text
    assert "Times are shown in the Asia/Ho_Chi_Minh time zone." in page


def test_the_action_filter_lists_actions_in_words_and_still_works_by_address(admin_client, entries):
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    select_html = page[page.index('<select id="action" name="action">'):]
    select_html = select_html[:select_html.index("</select>")]
    options = dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select_html))
    assert options[""] == "Mọi thao tác"
    for code in audit_log.ACTIONS:
        assert code in options and options[code] and options[code] != code, code
    assert options["class.archive_all"] == "Class: archive all"  # stored, though unknown here
    assert "Action starts with" not in page and 'placeholder="user."' not in page

    # One action: exactly that one ("user.delete" is not also the deletion requests).
    text = visible_text(admin_client.get("/admin/audit?action=user.delete").get_data(as_text=True))
    assert "Xóa dữ liệu cá nhân" in text and "Người dùng yêu cầu xóa dữ liệu của mình" not in text
    assert "Lưu chỉ tiêu" not in text
    page = admin_client.get("/admin/audit?action=user.delete").get_data(as_text=True)
    assert '<option value="user.delete" selected>' in page

    # An older address with the start of codes still works, and the form says what it shows.
    page = admin_client.get("/admin/audit?action=user.").get_data(as_text=True)
    text = visible_text(page)
    assert "Đổi vai trò" in text and "Xóa dữ liệu cá nhân" in text and "Người dùng yêu cầu xóa" in text
    assert "Lưu chỉ tiêu" not in text and "Thu hồi giấy chứng nhận" not in text
    assert '<option value="user." selected>Các thao tác bắt đầu bằng “user.”</option>' in page
    # "_" in a code is a letter, not a LIKE wildcard.
    assert "Class: archive all" not in visible_text(admin_client.get("/admin/audit?action=class_").get_data(as_text=True))


def test_the_date_filter_counts_days_in_the_site_time_zone(admin_client, entries):
    # The entry written at 23:30 UTC on 1 January happened on 2 January in Viet Nam.
    on_second = visible_text(admin_client.get("/admin/audit?from=2026-01-02&to=2026-01-02").get_data(as_text=True))
    assert "Lưu chỉ tiêu" in on_second and "Đổi vai trò" not in on_second
    on_first = visible_text(admin_client.get("/admin/audit?from=2026-01-01&to=2026-01-01").get_data(as_text=True))
    assert "Lưu chỉ tiêu" not in on_first


def test_downloads_keep_the_stored_codes_beside_the_words(admin_client, entries):
    text = admin_client.get("/admin/audit.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = rows[2]
    assert header[:5] == ["Thời gian (UTC, ISO 8601)", "Người thực hiện", "Mã thao tác", "Đối tượng thay đổi",
                          "Chi tiết (JSON)"]
    assert header[5:] == ["Thời gian (Asia/Ho_Chi_Minh)", "Thao tác", "Đối tượng thay đổi (diễn giải)",
                          "Chi tiết (diễn giải)"]
    saved = next(r for r in rows if "target.save" in r)
    assert saved[0] == "2026-01-01T23:30:00+00:00"
    assert saved[2] == "target.save" and saved[3] == f"place:{entries['commune']}"
    assert '"place": "Xã Krông Á"' in saved[4] and "\\u" not in saved[4]
    assert saved[5] == "2026-01-02 06:30"
    assert saved[6] == "Lưu chỉ tiêu" and saved[7] == "Xã Krông Á, Tỉnh Đắk Lắk"
    assert "Dân số: 5.200" in saved[8].splitlines()
    assert [r[2] for r in rows[3:]] == ["target.save", "user.role", "certificate.revoke", "users.import",
                                        "user.deletion_request", "user.delete", "class.archive_all"]
    # Filtered downloads use the same filter as the page.
    only = list(csv.reader(io.StringIO(admin_client.get("/admin/audit.csv?action=user.role").get_data(as_text=True))))
    assert [r[2] for r in only[3:]] == ["user.role"]

    sheet = openpyxl.load_workbook(io.BytesIO(admin_client.get("/admin/audit.xlsx").data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    saved = next(r for r in values if r[2] == "target.save")
    assert saved[0] == "2026-01-01T23:30:00+00:00" and saved[6] == "Lưu chỉ tiêu"
    assert saved[5] == datetime(2026, 1, 2, 6, 30)  # a real date cell, local wall-clock time
    assert "Xã Krông Á" in saved[4] and "Trước khi sửa" in saved[8]


def test_names_are_looked_up_once_per_kind_whatever_the_number_of_entries(app, entries):
    from sqlalchemy import event

    with app.test_request_context():
        rows = db.session.scalars(select(AuditEntry)).all()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            described = audit_log.describe(rows * 50)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len(described) == len(rows) * 50
    assert len(statements) <= 3  # people, places, courses


def test_every_action_the_code_writes_has_a_label():
    """Reads the code: the second argument of every ``audit(…)`` call must be in ACTIONS."""
    written: dict[str, str] = {}
    for path in (ROOT / "lms").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "audit"
                    and len(node.args) >= 2):
                for const in ast.walk(node.args[1]):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str):
                        written[const.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    assert len(written) >= 15  # the reader found the calls
    assert {code: where for code, where in written.items() if code not in audit_log.ACTIONS} == {}


def test_an_unknown_action_reads_as_words(app):
    with app.test_request_context():
        assert audit_log.action_label("target.save") == "Lưu chỉ tiêu"
        assert audit_log.action_label("certificate.bulk_download") == "Giấy chứng nhận: bulk download"
        assert audit_log.action_label("mystery") == "Mystery"


def test_the_site_time_zone_is_a_setting(make_app):
    app = make_app(BABEL_DEFAULT_TIMEZONE="Asia/Tokyo")
    with app.test_request_context():
        assert format_datetime(LATE_EVENING_UTC) == "02/01/2026 08:30"
        assert format_datetime(None) == ""
    with pytest.raises(RuntimeError, match="Asia/Ho_Chi_Minh"):
        make_app(BABEL_DEFAULT_TIMEZONE="Asia/Hanoi Central")


def test_the_default_time_zone_is_viet_nams(app):
    with app.test_request_context():
        assert format_datetime(LATE_EVENING_UTC) == "02/01/2026 06:30"
        assert format_datetime(LATE_EVENING_UTC.replace(tzinfo=None)) == "02/01/2026 06:30"  # naive: UTC


def test_details_of_an_unexpected_shape_still_read(app):
    """Old or hand-made entries fail small: every value is shown, none stops the page."""
    with app.test_request_context():
        names = audit_log.Names({}, {}, {})
        lines = audit_log.describe_details("users.import", {
            "commune_id": [1, 2], "mode": {"odd": 1}, "course": 5, "group": ["x"], "before": None,
            "rows": "many", "extra_field": {"a_b": [1, "hai"]}}, names)
        assert [str(line) for line in lines] == [
            "Xã/phường: 1, 2", "Cách nhập: odd: 1", "Khóa học: 5", "Đối tượng: x", "Số dòng trong tệp: many",
            "Extra field: A b: 1, hai"]
        assert [str(line) for line in audit_log.describe_details("x.y", ["a", "b"], names)] == ["Chi tiết: a, b"]
        assert audit_log.describe_details("x.y", None, names) == []
