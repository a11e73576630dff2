"""Every question type on a phone, with JavaScript off: the attempt and the review fit 320 and
360 px screens with large enough controls, and a submission with a question left blank is
held until the learner confirms it."""
from __future__ import annotations

import re

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.layout import assert_fits, assert_tap_targets, assert_vietnamese
from tests.lms.test_quiz import EVERY_TYPE_BANK, add_every_type_course

pytestmark = pytest.mark.browser

QUIZ = "/courses/gamma/mot/quiz"


@pytest.fixture
def gamma(app, courses_dir, loaded, make_user):
    """The fixture packages plus "gamma" (a module with every question type), and a learner."""
    from lms.content.sync import sync_packages

    add_every_type_course(courses_dir)
    with app.app_context():
        report = sync_packages(courses_dir)
        assert not [str(p) for p in report.problems if p.is_error]
    make_user()


def open_quiz(browser, live_server, width):
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 740})
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("#username", "nguoidan")
    page.fill("#password", "mật khẩu dài 123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server + QUIZ)
    page.get_by_role("button", name="Bắt đầu làm bài kiểm tra").click()
    expect(page.locator("fieldset.question")).to_have_count(EVERY_TYPE_BANK.count("    type: "))
    return context, page


BANK = yaml.safe_load(EVERY_TYPE_BANK)["questions"]


def right_option(index: int, n: int = 0) -> str:
    """The text of the ``n``-th right option of question ``index`` of the "gamma" bank."""
    return [o["text"] for o in BANK[index]["options"] if o.get("correct")][n]


def answer(page, skip=()):
    """Answer every question of the "gamma" bank right (the bank keeps its order: q0 … q6), by
    what the learner reads: the page's field names and values are opaque tokens."""
    def rank(question):
        for place, text in enumerate(BANK[5]["items"], 1):
            question.get_by_label(text).select_option(label=str(place))

    def match(question):
        for pair in BANK[6]["pairs"]:
            question.get_by_label(pair["left"]).select_option(label=pair["right"])

    steps = {
        "q0": lambda q: q.get_by_label(right_option(0)).check(),
        "q1": lambda q: (q.get_by_label(right_option(1, 0)).check(), q.get_by_label(right_option(1, 1)).check()),
        "q2": lambda q: q.get_by_label("Sai").check(),
        "q3": lambda q: q.locator("input[type=text]").fill("VNeID"),
        "q4": lambda q: q.locator("input[type=text]").fill("6"),
        "q5": rank,
        "q6": match,
    }
    for name, step in steps.items():
        if name not in skip:
            step(page.locator(f"fieldset#{name}"))


def assert_stacked(page):
    """Matching and ordering: each text on its own line above a list as wide as the question."""
    pairs = page.locator("li.pair").all()
    assert len(pairs) == 4 + 3
    for pair in pairs:
        text, select = pair.locator("label").bounding_box(), pair.locator("select").bounding_box()
        box = pair.bounding_box()
        assert text["y"] + text["height"] <= select["y"] + 0.5, "the text stands above its list"
        assert select["width"] >= box["width"] - 1, "the list is as wide as the item"
        assert select["x"] + select["width"] <= box["x"] + box["width"] + 0.5


@pytest.mark.parametrize("width", [320, 360])
def test_every_question_type_fits_a_phone(browser, live_server, gamma, width):
    context, page = open_quiz(browser, live_server, width)
    where = f"attempt at {width} px"
    assert_fits(page, where)
    assert_tap_targets(page, where)
    assert_vietnamese(page, where)
    assert_stacked(page)
    if width == 360:
        page.screenshot(path="/tmp/quiz-layout-attempt-360.png", full_page=True)

    answer(page)
    page.get_by_role("button", name="Nộp bài để chấm").click()  # all answered: graded at once
    expect(page.locator("h1")).to_contain_text("Kết quả")
    expect(page.locator(".score")).to_contain_text("100 %")
    where = f"review at {width} px"
    assert_fits(page, where)
    assert_tap_targets(page, where)
    assert_vietnamese(page, where)
    # The review lists matches as text, each with its verdict, and the right order.
    expect(page.locator("li.pair.right")).to_have_count(3)
    expect(page.get_by_text("Thứ tự đúng")).to_be_visible()
    expect(page.get_by_role("link", name="Học bài tiếp: Bài G1")).to_be_visible()  # its lesson is not read yet
    if width == 360:
        page.screenshot(path="/tmp/quiz-layout-review-360.png", full_page=True)
    context.close()


def test_a_blank_question_is_shown_before_grading(browser, live_server, gamma):
    context, page = open_quiz(browser, live_server, 360)
    answer(page, skip={"q2"})
    page.get_by_role("button", name="Nộp bài để chấm").click()

    expect(page.locator("h1")).to_have_text("Nộp bài ngay?")
    missing = page.locator("ul.open-questions li")
    expect(missing).to_have_count(1)
    expect(missing).to_have_text("Câu hỏi 3: chưa trả lời")
    assert_fits(page, "confirm")
    assert_tap_targets(page, "confirm")
    assert_vietnamese(page, "confirm")
    page.screenshot(path="/tmp/quiz-layout-confirm-360.png", full_page=True)

    # Back to the quiz: what was answered is still there; question 3 is still blank.
    page.get_by_role("link", name="Quay lại để trả lời").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+#q2$"))  # at the blank question
    expect(page.locator("#q0").get_by_label(right_option(0))).to_be_checked()
    expect(page.locator("#q3 input[type=text]")).to_have_value("VNeID")
    expect(page.locator("#q6").get_by_label(BANK[6]["pairs"][1]["left"]).locator("option:checked")).to_have_text(
        BANK[6]["pairs"][1]["right"])
    expect(page.locator("#q2 input:checked")).to_have_count(0)

    page.get_by_role("button", name="Nộp bài để chấm").click()
    expect(missing).to_have_text("Câu hỏi 3: chưa trả lời")
    page.get_by_role("button", name="Vẫn nộp bài để chấm").click()
    expect(page.locator("h1")).to_contain_text("Kết quả")
    expect(page.locator(".score")).to_contain_text("86 %")  # 6 of 7 right, the blank one scores 0
    context.close()
