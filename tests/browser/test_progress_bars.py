"""Progress bars are drawn at the width they state, under the site's strict Content-Security-Policy.

Last wave every bar was drawn full: the width came from an inline style the policy blocks, and
every test read the text "0 %" without looking at the bar. These tests measure the drawn bar.
"""
from __future__ import annotations

import pytest
import yaml

from tests.browser.test_every_page import open_page

pytestmark = pytest.mark.browser


@pytest.fixture
def five_lessons(app, courses_dir):
    """The fixture course Alpha with a fifth lesson, so that 2 lessons read make 40 %."""
    from lms.content.sync import sync_packages

    manifest_path = courses_dir / "alpha" / "course.yaml"
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    manifest["sequential"] = False
    manifest["modules"][1]["lessons"].append(
        {"id": "l5", "title": {"vi": "Bài năm", "en": "Lesson five"}, "file": "lessons/m2/l5.md", "minutes": 5})
    manifest_path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    (courses_dir / "alpha" / "lessons" / "m2" / "l5.md").write_text(
        "**Học xong bài này, bạn sẽ:**\n\n- Nội dung bài 5.\n\n## Thực hành\n1. Làm thử bài 5.\n", encoding="utf-8")
    with app.app_context():
        report = sync_packages(courses_dir)
        assert not report.failed, [str(p) for p in report.problems]


def read_lessons(app, user_id: int, count: int) -> None:
    from sqlalchemy import select

    from lms.extensions import db
    from lms.learn.services import mark_done
    from lms.models import CourseModule, Lesson, User

    with app.app_context():
        lessons = db.session.scalars(
            select(Lesson).join(CourseModule, Lesson.module_id == CourseModule.id)
            .where(CourseModule.course_id == "alpha").order_by(CourseModule.position, Lesson.position)).all()
        user = db.session.get(User, user_id)
        for lesson in lessons[:count]:
            mark_done(user, lesson)


def drawn_share(page, selector: str) -> float:
    """The filled part of the first bar matching ``selector``, as a share of its track (0–1)."""
    bar = page.locator(selector).first
    track = bar.locator("rect.bar-track").bounding_box()
    fill = bar.locator("rect.bar-fill")
    filled = fill.bounding_box()["width"] if fill.count() else 0.0
    assert track["width"] > 100, "the bar is too short to read"
    return filled / track["width"]


@pytest.mark.parametrize("width", (320, 360))
def test_bars_show_0_40_and_100_percent(browser, live_server, app, make_user, five_lessons, width):
    learner = make_user()
    context, page = open_page(browser, live_server, width, "nguoidan")
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto(live_server + "/courses/alpha")
    assert "Tiến độ khóa học: 0 %" in page.inner_text("main")
    assert drawn_share(page, "main svg.bar") == pytest.approx(0.0, abs=0.01)

    read_lessons(app, learner, 2)
    page.goto(live_server + "/courses/alpha")
    assert "Tiến độ khóa học: 40 %" in page.inner_text("main")
    assert drawn_share(page, "main svg.bar") == pytest.approx(0.40, abs=0.01)
    page.goto(live_server + "/")
    assert drawn_share(page, "li.course svg.bar") == pytest.approx(0.40, abs=0.01)

    read_lessons(app, learner, 5)
    page.goto(live_server + "/")
    assert drawn_share(page, "li.course svg.bar") == pytest.approx(1.0, abs=0.01)
    assert blocked == []  # nothing on the page was refused by the Content-Security-Policy
    context.close()


def test_the_policy_still_forbids_inline_styles(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    style = next(part for part in policy.split(";") if part.strip().startswith("style-src"))
    assert "unsafe-inline" not in style
