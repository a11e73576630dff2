"""Every page a learner, a teacher and an administrator reach, drawn by Chromium with JavaScript
off on a 320 and a 360 px phone: the page never scrolls sideways, every control is big enough
to tap, and no English word of the interface shows in Vietnamese. Folded boxes (<details>) are
checked closed and open.

Set LMS_SCREENSHOTS to a folder to keep a screenshot of every page checked.
"""
from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.layout import assert_page_ok
from tests.browser.test_quiz_journey import answer_all

pytestmark = pytest.mark.browser

PASSWORD = "mật khẩu dài 123"
WIDTHS = (320, 360)
SHOTS = os.environ.get("LMS_SCREENSHOTS")


def open_page(browser, live_server, width: int, username: str | None = None):
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 740},
                                  locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    if username:
        page.goto(live_server + "/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
    return context, page


def check(page, name: str, width: int) -> None:
    """The three checks on the page as drawn, then again with every folded box opened."""
    where = f"{name} at {width} px"
    page.wait_for_load_state("load")  # after a click, the next page may still be loading
    assert_page_ok(page, where)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    if page.locator("main details:not([open])").count():
        page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")
        assert_page_ok(page, where + " (folded boxes open)")


def visit(page, live_server, path: str, name: str, width: int) -> None:
    response = page.goto(live_server + path)
    assert response.status == 200, (path, response.status)
    check(page, name, width)


@pytest.fixture
def people(app, loaded, make_user, places):
    """A learner, a teacher with a class holding that learner and an assignment, an administrator."""
    from lms.extensions import db
    from lms.models import Assignment, ClassMember, Role
    from lms.teach.services import create_class

    learner = make_user(username="nguoidan", full_name="Đặng Thị Ửng Quỳnh Như Ý")
    teacher = make_user(username="cogiao", role=Role.TEACHER, group=None, full_name="Trần Thị Giáo")
    admin = make_user(username="quantri", role=Role.ADMIN, group=None, full_name="Lê Văn Quản")
    # A worker too: the longest group name ("Người lao động trong doanh nghiệp, hợp tác xã") in the charts.
    from lms.models import TargetGroup
    make_user(username="congnhan", full_name="Hờ A Dơ", group=TargetGroup.WORKERS)
    with app.app_context():
        from lms.models import User
        group = create_class(db.session.get(User, teacher), "Lớp tối thứ Ba ở nhà văn hóa thôn",
                             places["village"], None, "Tối thứ Ba, 19:00", None)
        db.session.add(ClassMember(class_id=group.id, user_id=learner))
        from lms.models import Course
        course = db.session.get(Course, "alpha")
        first = min(course.modules, key=lambda m: m.position)
        db.session.add(Assignment(class_id=group.id, course_id="alpha", module_id=first.id,
                                  due_on=date.today() + timedelta(days=3), created_by_id=teacher,
                                  note="Học trước buổi tới."))
        db.session.commit()
        return {"learner": learner, "teacher": teacher, "admin": admin, "class": group.id}


@pytest.mark.parametrize("width", WIDTHS)
def test_learner_pages(browser, live_server, people, width):
    context, page = open_page(browser, live_server, width)
    for path, name in (("/", "welcome"), ("/login", "login"), ("/register", "register"),
                       ("/verify", "verify"), ("/courses", "catalogue-anonymous")):
        visit(page, live_server, path, name, width)
    context.close()

    context, page = open_page(browser, live_server, width, "nguoidan")
    for path, name in (("/", "home"), ("/courses", "catalogue"), ("/courses/alpha", "course"),
                       ("/courses/alpha/m1/l1", "lesson"), ("/account", "account"), ("/join", "join"),
                       ("/courses/beta/only/b1", "lesson-before-quiz")):
        visit(page, live_server, path, name, width)

    # On a phone the header is one compact row: the lesson starts in the first screen, and the
    # menu opens in place without JavaScript.
    page.goto(live_server + "/courses/alpha/m1/l1")
    assert page.locator("header.top").bounding_box()["height"] <= 80
    assert page.locator("main h1").bounding_box()["y"] < 200
    expect(page.get_by_role("link", name="Tài khoản của tôi")).to_be_hidden()
    page.locator("header summary").click()
    expect(page.get_by_role("link", name="Tài khoản của tôi")).to_be_visible()
    check(page, "lesson-menu-open", width)

    page.goto(live_server + "/courses/beta/only/b1")
    page.get_by_role("button", name="Tôi đã học xong").click()
    check(page, "quiz-overview", width)
    page.get_by_role("button", name="Bắt đầu làm bài kiểm tra").click()
    check(page, "quiz-attempt", width)
    answer_all(page, right=True)
    page.get_by_role("button", name="Nộp bài để chấm").click()
    check(page, "quiz-result", width)
    visit(page, live_server, "/certificates", "my-certificates", width)
    page.get_by_role("link", name="Xem và in").first.click()
    check(page, "certificate", width)
    code = re.search(r"/certificates/([^/]+)$", page.url).group(1)
    context.close()

    context, page = open_page(browser, live_server, width)
    visit(page, live_server, f"/verify/{code}", "verify-valid", width)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_teacher_pages(browser, live_server, people, width):
    context, page = open_page(browser, live_server, width, "cogiao")
    class_url = f"/teach/classes/{people['class']}"
    for path, name in (("/teach", "classes"), ("/teach/classes/new", "class-new"), (class_url, "class"),
                       (class_url + "/progress", "grid"), (class_url + "/assign", "assign"),
                       (f"{class_url}/learners/{people['learner']}", "learner"), ("/teach/guidance", "guidance"),
                       (class_url + "?q=nguoidan", "class-search")):
        visit(page, live_server, path, name, width)

    page.goto(live_server + class_url)
    page.locator("summary", has_text="Tạo tài khoản").click()
    page.fill("#full_name", "Hờ Thị Mỷ Chăm Chỉ")
    page.select_option("#target_group", "citizens")
    page.locator("#village").select_option(index=1)
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator(".code-slip")).to_be_visible()
    check(page, "code-slip", width)
    # The one-time code stays on one line and inside the slip.
    slip = page.locator(".code-slip").bounding_box()
    for code in page.locator(".code-slip .code-big").all():
        box = code.bounding_box()
        assert box["x"] + box["width"] <= slip["x"] + slip["width"] + 0.5
        assert box["height"] < 2 * float(code.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    context.close()


PEOPLE_CSV = ("Họ và tên,Tên đăng nhập,Nhóm,Thôn\n"
              "Nguyễn Văn Một,nguoimot,Người dân,Thôn 1\n"
              "Trần Thị Hai,,Người dân,Thôn không có\n")


@pytest.mark.parametrize("width", WIDTHS)
def test_administrator_pages(browser, live_server, people, tmp_path, width):
    context, page = open_page(browser, live_server, width, "quantri")
    for path, name in (("/admin/dashboard", "dashboard"), ("/admin/reports", "reports"), ("/admin/users", "people"),
                       (f"/admin/users/{people['learner']}", "person"), ("/admin/targets", "targets"),
                       ("/admin/audit", "audit"), ("/admin/tokens", "tokens"), ("/admin/courses", "courses"),
                       ("/admin/certificates", "certificates"), ("/admin/issuer", "issuer"),
                       ("/admin/people/import", "people-import"), ("/admin/units/import", "places-import")):
        visit(page, live_server, path, name, width)

    # Chart labels are SVG text, which never wraps by itself: each must end inside its chart.
    page.goto(live_server + "/admin/dashboard")
    for chart in page.locator("svg.bars").all():
        right = chart.bounding_box()["x"] + chart.bounding_box()["width"]
        for label in chart.locator("text").all():
            box = label.bounding_box()
            assert box["x"] + box["width"] <= right + 0.5, (label.text_content(), box, right)

    upload = tmp_path / "nguoi.csv"
    upload.write_text(PEOPLE_CSV, encoding="utf-8")
    page.goto(live_server + "/admin/people/import")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.locator("main form[enctype] button[type=submit]").first.click()
    expect(page.locator("main table")).to_be_visible()
    check(page, "people-import-preview", width)
    context.close()
