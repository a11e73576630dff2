"""A teacher creates a class, a learner joins with its code, the teacher assigns a module with a
due date, the learner sees it first and completes it, and the teacher's grid shows it done."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "mật khẩu dài 123"


def sign_in(browser, live_server, username):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return context, page


def test_class_join_assign_complete_and_grid(browser, live_server, loaded, make_user, places):
    from lms.models import Role
    make_user(username="cogiao", role=Role.TEACHER, group=None, full_name="Cô Giáo Lan")
    make_user(username="hocvien", full_name="Y Khoa Niê")

    teacher_ctx, teacher = sign_in(browser, live_server, "cogiao")
    assert teacher.url.endswith("/teach")  # a teacher lands on their classes
    teacher.locator("header summary").click()  # the phone's folded menu
    teacher.get_by_role("link", name="My classes").click()
    teacher.get_by_role("link", name="New class").click()
    teacher.fill("#name", "Lớp tối thứ Ba")
    teacher.select_option("#place", str(places["village"]))
    teacher.get_by_role("button", name="Create the class").click()
    code = teacher.locator(".code-big strong").inner_text()
    class_url = teacher.url

    learner_ctx, learner = sign_in(browser, live_server, "hocvien")
    learner.locator("header summary").click()
    learner.get_by_role("link", name="Join a class").click()
    learner.fill("#code", code.lower())
    learner.get_by_role("button", name="Join").click()
    expect(learner.get_by_text("You are in the class “Lớp tối thứ Ba”.")).to_be_visible()

    teacher.goto(class_url)
    expect(teacher.get_by_role("link", name="Y Khoa Niê")).to_be_visible()
    teacher.get_by_role("link", name="Assign work").first.click()
    teacher.select_option("#course", "alpha")
    teacher.get_by_role("button", name="Next").click()
    teacher.get_by_label("Module one").check()
    due = date.today() + timedelta(days=3)
    teacher.fill("#due_on", due.isoformat())
    teacher.get_by_role("button", name="Assign").click()
    expect(teacher.get_by_text("The work is assigned.")).to_be_visible()

    learner.goto(live_server + "/")
    first_heading = learner.locator("main h2").first
    expect(first_heading).to_have_text("Assigned to you")
    card = learner.locator("section.assigned li").first
    expect(card).to_contain_text("Module one")
    expect(card).to_contain_text(due.strftime("%d/%m/%Y"))
    card.get_by_role("link", name="Open").click()
    learner.get_by_role("link", name="Lesson one").click()
    learner.get_by_role("button", name="I have finished").click()
    expect(learner.locator("h1")).to_contain_text("Lesson two")  # on to the next lesson
    learner.get_by_role("button", name="I have finished").click()
    learner.goto(live_server + "/")
    expect(learner.locator("section.assigned li").first).to_contain_text("Done")
    learner_ctx.close()

    teacher.goto(class_url + "/progress")
    row = teacher.locator("table.grid tbody tr", has_text="Y Khoa Niê")
    expect(row.locator("td.cell-done")).to_have_count(1)
    expect(row).to_contain_text("1 / 1")
    teacher_ctx.close()
