"""The main learner journey in a real browser, with JavaScript off, on a narrow phone screen."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_register_read_two_lessons_and_see_progress(browser, live_server, loaded, places):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740},
                                  locale="vi-VN")
    page = context.new_page()
    outside = []
    page.on("request", lambda request: None if request.url.startswith(live_server) or request.url.startswith("data:")
            else outside.append(request.url))

    page.goto(live_server + "/register")
    page.get_by_label("Họ và tên").fill("Hờ A Dơ")
    page.get_by_label("Tên đăng nhập hoặc số điện thoại").fill("0912345678")
    page.get_by_label("Mật khẩu", exact=True).fill("ba con mèo nhỏ")
    page.get_by_label("Nhập lại mật khẩu").fill("ba con mèo nhỏ")
    page.get_by_label("Nhóm của bạn").select_option("citizens")
    page.get_by_label("Thôn hoặc tổ dân phố").select_option(label="Thôn 1")
    page.get_by_role("button", name="Tạo tài khoản của tôi").click()
    assert "Hờ A Dơ" in page.content()

    # The course for the citizens' group comes first.
    page.get_by_role("link", name="Khóa Alpha").first.click()
    page.get_by_role("link", name="Bắt đầu khóa học").click()
    expect(page.get_by_role("heading", name="Bài một")).to_be_visible()
    # The picture is lazy-loaded: wait for it rather than racing the network.
    expect(page.get_by_role("img", name="Nút nguồn ở cạnh phải điện thoại")).to_be_visible(timeout=15000)

    page.get_by_role("button", name="Tôi đã học xong").click()
    expect(page.get_by_role("heading", name="Bài hai")).to_be_visible()
    page.get_by_role("button", name="Tôi đã học xong").click()

    page.goto(live_server + "/")
    text = page.content()
    assert "Học tiếp từ chỗ bạn đã dừng" in text  # continue: with the module's quiz
    assert "Đã xong 2 trên 4 bài học" in text
    assert outside == []
    context.close()
