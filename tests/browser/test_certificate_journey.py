"""A learner completes the last quiz, sees the certificate, and anyone opens its verification
page from the link its QR code holds."""
from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_quiz_journey import answer_all

pytestmark = pytest.mark.browser


def test_complete_course_get_certificate_and_verify_it_from_the_qr(browser, live_server, loaded, make_user):
    zxingcpp = pytest.importorskip("zxingcpp")
    make_user(full_name="Y Khoa Niê")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740},
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#username", "nguoidan")
    page.fill("#password", "mật khẩu dài 123")
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(live_server + "/courses/beta/only/b1")
    page.get_by_role("button", name="Tôi đã học xong").click()
    page.get_by_role("button", name="Bắt đầu làm bài kiểm tra").click()
    answer_all(page, right=True)
    page.get_by_role("button", name="Nộp bài để chấm").click()
    expect(page.get_by_text("Giấy chứng nhận của bạn đã sẵn sàng.")).to_be_visible()

    page.get_by_role("link", name="Xem giấy chứng nhận").click()
    expect(page.locator("article.certificate .name")).to_have_text("Y Khoa Niê")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải tệp PDF").first.click()
    with open(download_info.value.path(), "rb") as handle:
        pdf = PdfReader(io.BytesIO(handle.read()))
    codes = zxingcpp.read_barcodes(pdf.pages[0].images[0].image.convert("L"))
    assert len(codes) == 1 and "/verify/" in codes[0].text
    context.close()

    # Someone else, not logged in, scans the QR code on the paper.
    stranger = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    check = stranger.new_page()
    check.goto(codes[0].text)
    expect(check.get_by_text("Giấy chứng nhận hợp lệ")).to_be_visible()
    expect(check.get_by_text("Y Khoa Niê")).to_be_visible()
    expect(check.get_by_text("Khóa Beta")).to_be_visible()
    stranger.close()
