"""The learner's path: home, course page, lessons, progress, order and disabled courses."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.learn.services import build_outline, progress_by_course
from lms.models import Course, LessonProgress, Role, TargetGroup, User
from tests.helpers import post_form

L1 = "/courses/alpha/m1/l1"
L2 = "/courses/alpha/m1/l2"
L3 = "/courses/alpha/m2/l3"


@pytest.fixture
def learner(app, make_user, loaded, auth, client):
    user_id = make_user()
    auth.login()
    client.set_cookie("lang", "en")
    return user_id


def done(client, url):
    return post_form(client, url + "/done", {}, form_url=url)


def test_lesson_page_shows_sanitized_lesson_with_image(client, learner):
    page = client.get(L1).get_data(as_text=True)
    assert "Lesson one" in page
    assert "Nhấn giữ nút nguồn" in page
    assert '<img alt="Nút nguồn ở cạnh phải điện thoại" loading="lazy" src="../files/images/phone.svg">' in page \
        or 'src="../files/images/phone.svg"' in page
    with client.get("/courses/alpha/files/images/phone.svg") as image:
        assert image.status_code == 200 and image.mimetype == "image/svg+xml"
        assert image.data.startswith(b"<svg")
        assert "sandbox" in image.headers["Content-Security-Policy"]


def test_marking_lessons_done_updates_module_and_course_progress(app, client, learner):
    response = done(client, L1)
    assert response.status_code == 302 and response.headers["Location"].endswith(L2)
    course_page = client.get("/courses/alpha").get_data(as_text=True)
    assert "50 %" in course_page  # module one: 1 of 2
    assert "1 of 4 lessons done" in course_page
    done(client, L2)
    course_page = client.get("/courses/alpha").get_data(as_text=True)
    assert "Module done" in course_page
    assert "2 of 4 lessons done" in course_page
    with app.app_context():
        course = db.session.get(Course, "alpha")
        outline = build_outline(course, learner)
        assert [m.percent for m in outline.modules] == [100.0, 0.0]
        assert outline.percent == 50.0
        assert progress_by_course(learner, ["alpha"]) == {"alpha": (2, 4)}


def test_marking_done_twice_counts_once(app, client, learner):
    done(client, L1)
    done(client, L1)
    with app.app_context():
        assert len(db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == learner)).all()) == 1


def test_finishing_the_course_says_so(client, learner):
    for url in (L1, L2, L3, "/courses/alpha/m2/l4"):
        done(client, url)
    page = client.get("/courses/alpha").get_data(as_text=True)
    assert "Course completed" in page


def test_sequential_course_locks_later_modules_and_says_why(app, client, learner):
    response = client.get(L3)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Module one" in page and "taken in order" in page
    assert done(client, L3).status_code == 403
    course_page = client.get("/courses/alpha").get_data(as_text=True)
    assert "Locked" in course_page and "Finish “Module one” first." in course_page
    done(client, L1)
    done(client, L2)
    assert client.get(L3).status_code == 200


def test_non_sequential_course_is_open(client, learner):
    assert client.get("/courses/beta/only/b1").status_code == 200


def test_home_shows_group_courses_first_and_continue(client, learner):
    home = client.get("/").get_data(as_text=True)
    assert home.index("Alpha course") < home.index("Beta course")  # citizens course first
    assert "Continue where you left off" not in home
    client.get(L2)
    home = client.get("/").get_data(as_text=True)
    assert "Continue where you left off" in home and "Lesson two" in home
    done(client, L2)
    home = client.get("/").get_data(as_text=True)
    assert "Lesson one" in home  # L2 done: continue with the first open lesson not done


def test_home_for_another_group_orders_differently(app, make_user, loaded):
    make_user(username="canbo", group=TargetGroup.OFFICIALS)
    client = app.test_client()
    client.set_cookie("lang", "en")
    post_form(client, "/login", {"username": "canbo", "password": "mật khẩu dài 123"})
    home = client.get("/").get_data(as_text=True)
    assert home.index("Beta course") < home.index("Alpha course")


def test_disabled_course_cannot_be_opened_by_a_learner(app, client, learner):
    with app.app_context():
        db.session.get(Course, "alpha").enabled = False
        db.session.commit()
    for url in (L1, "/courses/alpha", "/courses/alpha/files/images/phone.svg"):
        response = client.get(url)
        assert response.status_code == 404
    assert "switched off" in client.get(L1).get_data(as_text=True)
    assert done(client, L1).status_code == 404
    assert "Alpha course" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(LessonProgress)).all() == []


def test_administrator_can_still_preview_a_disabled_course(app, make_user, loaded):
    make_user(username="quantri", role=Role.ADMIN, group=None)
    with app.app_context():
        db.session.get(Course, "alpha").enabled = False
        db.session.commit()
    client = app.test_client()
    post_form(client, "/login", {"username": "quantri", "password": "mật khẩu dài 123"})
    assert client.get("/courses/alpha").status_code == 200


def test_lesson_needs_login(client, loaded):
    response = client.get(L1)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/courses/alpha").status_code == 200  # the outline is public


@pytest.mark.parametrize("url", [
    "/courses/alpha/m1/nope", "/courses/alpha/nope/l1", "/courses/nope", "/courses/nope/m1/l1",
])
def test_unknown_course_module_or_lesson_is_404(client, learner, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("path", [
    "course.yaml", "lessons/m1/l1.md", "../beta/course.yaml", "images/../course.yaml", "%2e%2e/beta/course.yaml",
    "images/missing.png",
])
def test_package_files_other_than_images_are_not_served(client, learner, path):
    assert client.get(f"/courses/alpha/files/{path}").status_code == 404


def test_symlink_out_of_the_package_is_not_served(app, client, learner, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG secret")
    link = tmp_path / "courses" / "alpha" / "images" / "link.png"
    link.symlink_to(secret)
    assert client.get("/courses/alpha/files/images/link.png").status_code == 404


def test_learner_progress_is_their_own(app, make_user, loaded):
    make_user(username="motnguoi")
    make_user(username="hainguoi")
    one, two = app.test_client(), app.test_client()
    post_form(one, "/login", {"username": "motnguoi", "password": "mật khẩu dài 123"})
    post_form(two, "/login", {"username": "hainguoi", "password": "mật khẩu dài 123"})
    done(one, L1)
    two.set_cookie("lang", "en")
    assert "0 of 4" in two.get("/courses/alpha").get_data(as_text=True) or \
        "1 of 4" not in two.get("/courses/alpha").get_data(as_text=True)
    with app.app_context():
        two_id = db.session.scalar(select(User.id).where(User.username == "hainguoi"))
        assert progress_by_course(two_id, ["alpha"]) == {"alpha": (0, 4)}


def test_catalogue_filters_by_group_and_framework_area_and_shows_minutes(client, loaded):
    client.set_cookie("lang", "en")
    everything = client.get("/courses").get_data(as_text=True)
    assert "Alpha course" in everything and "Beta course" in everything and "About 20 minutes" in everything
    officials = client.get("/courses?group=officials").get_data(as_text=True)
    assert "Beta course" in officials and "Alpha course" not in officials
    devices = client.get("/courses?area=0").get_data(as_text=True)  # alpha teaches 0.1
    assert "Alpha course" in devices and "Beta course" not in devices
    none = client.get("/courses?group=officials&area=0").get_data(as_text=True)
    assert "No course matches." in none
    ignored = client.get("/courses?group=<script>&area=zz").get_data(as_text=True)
    assert "Alpha course" in ignored and "<script>" not in ignored


NEXT_FORM = 'action="' + L1 + '/done"'


def test_next_on_an_unread_lesson_marks_it_read_and_opens_the_following_one(app, client, learner):
    """The rule, said on the page: going on to the next lesson marks this one as read."""
    page = client.get(L1).get_data(as_text=True)
    assert "Going on to the next lesson marks this one as read." in page
    # Both the big button and the pager's "Next" post to the same place: no GET link that records nothing.
    assert page.count(NEXT_FORM) == 2
    assert f'href="{L2}"' not in page
    for url, following in ((L1, L2), (L2, L3), (L3, "/courses/alpha/m2/l4")):
        response = done(client, url)
        assert response.status_code == 302 and response.headers["Location"].endswith(following)
    course_page = client.get("/courses/alpha").get_data(as_text=True)
    assert "3 of 4 lessons done" in course_page
    with app.app_context():
        assert progress_by_course(learner, ["alpha"]) == {"alpha": (3, 4)}


def test_next_never_opens_a_locked_module(client, learner):
    # Alpha is taken in order: with lesson one unread, module two is still locked.
    response = done(client, L2)
    assert response.headers["Location"].endswith("/courses/alpha")


def test_a_read_lesson_links_straight_to_the_next(client, learner):
    done(client, L1)
    page = client.get(L1).get_data(as_text=True)
    assert "You have finished this lesson." in page
    assert f'href="{L2}"' in page and NEXT_FORM not in page


def test_the_last_lesson_has_no_next_and_finishing_it_returns_to_the_course(client, learner):
    done(client, L1)
    done(client, L2)
    page = client.get("/courses/alpha/m2/l4").get_data(as_text=True)
    assert "I have finished this lesson" in page and 'rel="next"' not in page
    response = done(client, "/courses/alpha/m2/l4")
    assert response.headers["Location"].endswith("/courses/alpha")
