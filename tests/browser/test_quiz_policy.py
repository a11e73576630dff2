"""A quiz whose right answers are shown only after a pass, on a phone with JavaScript off: the
rules are read before the start, a failed attempt keeps its right answers hidden and says why,
and the retry asks the other half of the bank."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.layout import assert_fits, assert_tap_targets, assert_vietnamese
from tests.lms.test_quiz import add_every_type_course, gamma_settings

pytestmark = pytest.mark.browser

QUIZ = "/courses/gamma/mot/quiz"


@pytest.fixture
def strict_gamma(app, courses_dir, loaded, make_user):
    """Gamma's first module: 3 of its 7 questions an attempt, two attempts a day, and the right
    answers only after a pass."""
    from lms.content.sync import sync_packages

    add_every_type_course(courses_dir)
    path = courses_dir / "gamma" / "quizzes" / "mot.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("show_answers: after_attempt", "show_answers: after_pass"),
                    encoding="utf-8")
    gamma_settings(courses_dir, draw=3, attempts_per_day=2)
    with app.app_context():
        report = sync_packages(courses_dir)
        assert not [str(p) for p in report.problems if p.is_error]
    make_user()


def prompts(page) -> set[str]:
    return {legend.split("\n", 1)[-1].strip() for legend in page.locator("fieldset.question legend").all_inner_texts()}


def test_rules_first_hidden_answers_after_a_failure_and_other_questions_on_retry(browser, live_server, strict_gamma):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#username", "nguoidan")
    page.fill("#password", "mật khẩu dài 123")
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(live_server + QUIZ)
    rules = page.locator("section.quiz-rules")
    expect(rules).to_contain_text("Mỗi lần làm bài có 3 câu hỏi, lấy ngẫu nhiên từ 7 câu của bài kiểm tra này.")
    expect(rules).to_contain_text("Mỗi ngày làm được nhiều nhất 2 lần.")
    expect(rules).to_contain_text("Đáp án đúng và lời giải thích chỉ hiện khi bạn đã đạt.")
    expect(rules).to_contain_text("Hôm nay bạn còn 2 trên 2 lần làm bài.")
    assert_fits(page, "quiz rules")
    assert_tap_targets(page, "quiz rules")
    assert_vietnamese(page, "quiz rules")

    page.get_by_role("button", name="Bắt đầu làm bài kiểm tra").click()
    expect(page.locator("fieldset.question")).to_have_count(3)
    first = prompts(page)
    page.get_by_role("button", name="Nộp bài để chấm").click()
    page.get_by_role("button", name="Vẫn nộp bài để chấm").click()  # nothing answered: 0 %
    expect(page.locator(".score")).to_contain_text("0 %")
    expect(page.locator(".answers-hidden")).to_contain_text("được ẩn cho đến khi bạn đạt")
    expect(page.get_by_text("✓ đáp án đúng")).to_have_count(0)
    assert "Ngân hàng không bao giờ hỏi mã OTP" not in page.content()  # no explanation
    assert_fits(page, "hidden review")
    assert_vietnamese(page, "hidden review")

    page.get_by_role("link", name="Làm lại").click()
    expect(page.locator("section.quiz-rules")).to_contain_text("Hôm nay bạn còn 1 trên 2 lần làm bài.")
    page.get_by_role("button", name="Làm lại").click()
    expect(page.locator("fieldset.question")).to_have_count(3)
    assert not prompts(page) & first  # the retry asks other questions
    page.get_by_role("button", name="Nộp bài để chấm").click()
    page.get_by_role("button", name="Vẫn nộp bài để chấm").click()
    expect(page.get_by_text("Ngày mai bạn có thể làm lại.")).to_be_visible()  # the day's two attempts are used
    context.close()
