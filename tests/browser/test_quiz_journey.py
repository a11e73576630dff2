"""A learner fails a quiz, reviews it, retries, passes, and the module shows as done."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RIGHT = {"Nên cài ứng dụng từ đâu?": "Từ CH Play hoặc App Store",
         "Công an gọi video để làm việc với người dân.": "Sai"}


def answer_all(page, right: bool):
    for fieldset in page.locator("fieldset.question").all():
        legend = fieldset.locator("legend").inner_text()
        if "Passcode" in legend:
            fieldset.locator("input[type=text]").fill("6" if right else "5")
            continue
        for prompt, good in RIGHT.items():
            if prompt in legend:
                labels = fieldset.locator("label").all()
                target = next(l for l in labels if (l.inner_text().strip() == good) == right)
                target.click()


def test_fail_review_retry_pass(browser, live_server, loaded, make_user):
    make_user()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#username", "nguoidan")
    page.fill("#password", "mật khẩu dài 123")
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(live_server + "/courses/beta/only/b1")
    page.get_by_role("button", name="Tôi đã học xong").click()
    page.get_by_role("button", name="Bắt đầu làm bài kiểm tra").click()
    answer_all(page, right=False)
    page.get_by_role("button", name="Nộp bài để chấm").click()
    assert "0 %" in page.content() and "Chưa đạt" in page.content()
    expect(page.get_by_text("Chỉ cài từ kho ứng dụng chính thức.")).to_be_visible()  # the review explains

    page.get_by_role("link", name="Làm lại").first.click()
    page.get_by_role("button", name="Làm lại").click()
    answer_all(page, right=True)
    page.get_by_role("button", name="Nộp bài để chấm").click()
    assert "100 %" in page.content()

    page.goto(live_server + "/courses/beta")
    assert "Đã xong học phần" in page.content()
    context.close()
