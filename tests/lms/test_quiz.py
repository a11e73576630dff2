"""Quiz attempts through the site: start, answer, submit once, review, tampering, concurrency."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import CourseModule, QuizAttempt, QuizResponse, Role
from lms.models.base import utcnow
from lms.quiz import services
from tests.helpers import csrf_token, post_form

QUIZ = "/courses/beta/only/quiz"
RIGHT = {"cai-tu-dau": ("single", "a"), "cong-an-goi-video": ("tf", "false"), "so-chu-so": ("num", "6")}


@pytest.fixture
def learner(app, make_user, loaded, client):
    user_id = make_user()
    post_form(client, "/login", {"username": "nguoidan", "password": "mật khẩu dài 123"})
    client.set_cookie("lang", "en")
    return user_id


def start(client) -> tuple[int, str]:
    response = post_form(client, QUIZ + "/start", {}, form_url=QUIZ)
    assert response.status_code == 302, response.status_code
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    return attempt_id, page


def answers_for(app, attempt_id, right=True) -> dict:
    """Form fields answering every question of the attempt (right or wrong)."""
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        form = {}
        for index, question in enumerate(attempt.questions):
            kind, value = RIGHT[question["id"]]
            if not right:
                value = {"single": "b", "tf": "true", "num": "7"}[kind]
            form[f"q{index}"] = value
        return form


def submit(client, attempt_id, form, action="submit"):
    token = csrf_token(client, f"/quiz/attempts/{attempt_id}") if action else csrf_token(client, QUIZ)
    return client.post(f"/quiz/attempts/{attempt_id}", data={"csrf_token": token, "attempt": str(attempt_id),
                                                              "action": action, **form})


def stored(app, attempt_id):
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        responses = db.session.scalar(select(func.count()).select_from(QuizResponse).where(
            QuizResponse.attempt_id == attempt_id))
        return attempt.status, attempt.score, dict(attempt.answers or {}), responses


def test_pass_the_quiz_and_finish_the_module(app, client, learner):
    post_form(client, "/courses/beta/only/b1/done", {}, form_url="/courses/beta/only/b1")
    course_page = client.get("/courses/beta").get_data(as_text=True)
    assert "Module done" not in course_page and "Take the quiz" in course_page  # quiz not passed yet
    attempt_id, page = start(client)
    assert "Nên cài ứng dụng từ đâu?" in page
    response = submit(client, attempt_id, answers_for(app, attempt_id))
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}/review")
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "100 %" in review and "Passed" in review and "Module done" in review
    assert "Chỉ cài từ kho ứng dụng chính thức." in review  # explanation on review
    course_page = client.get("/courses/beta").get_data(as_text=True)
    assert "Module done" in course_page and "Course completed" in course_page


def test_failing_then_retrying(app, client, learner):
    attempt_id, _ = start(client)
    submit(client, attempt_id, answers_for(app, attempt_id, right=False))
    assert stored(app, attempt_id)[1] == 0.0
    second, _ = start(client)
    assert second != attempt_id
    submit(client, second, answers_for(app, second))
    with app.app_context():
        numbers = [a.number for a in db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.number))]
    assert numbers == [1, 2]


def test_reload_shows_the_same_attempt_and_order(app, client, learner):
    attempt_id, first = start(client)
    again = client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    strip = lambda page: re.sub(r'name="csrf_token"[^>]*>', "", page)  # noqa: E731
    assert strip(first) == strip(again)
    second_start = post_form(client, QUIZ + "/start", {}, form_url=QUIZ)
    assert second_start.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}")  # no second open attempt


def test_correct_answers_never_reach_the_browser_before_submission(app, client, learner):
    attempt_id, page = start(client)
    assert "correct" not in page.lower()
    assert "Chỉ cài từ kho ứng dụng chính thức." not in page  # no explanation
    assert "right answer" not in page.lower()
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        numeric_index = next(i for i, q in enumerate(attempt.questions) if q["id"] == "so-chu-so")
    assert f'name="q{numeric_index}" maxlength="40" value=""' in page  # the 6 is nowhere pre-filled


@pytest.mark.parametrize("tamper", [
    {"q0": "zz"},                       # an option id that does not exist
    {"q9": "a"},                        # a question not in the attempt
    {"q0": ["a", "b"]},                 # two answers to a one-answer question
    {"unexpected": "1"},                # a field the quiz does not have
])
def test_tampered_forms_get_400_and_store_nothing(app, client, learner, tamper):
    attempt_id, _ = start(client)
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        single_index = next(i for i, q in enumerate(attempt.questions) if q["id"] == "cai-tu-dau")
    fields = {key.replace("q0", f"q{single_index}"): value for key, value in tamper.items()}
    for action in ("save", "submit"):
        response = submit(client, attempt_id, fields, action=action)
        assert response.status_code == 400
        assert "Nothing was saved" in response.get_data(as_text=True)
    assert stored(app, attempt_id) == ("open", None, {}, 0)


def test_missing_fields_and_oversized_bodies_get_400(app, client, learner):
    attempt_id, _ = start(client)
    token = csrf_token(client, f"/quiz/attempts/{attempt_id}")
    response = client.post(f"/quiz/attempts/{attempt_id}", data={"csrf_token": token, "q0": "a"})  # no action
    assert response.status_code == 400 and "incomplete" in response.get_data(as_text=True)
    response = client.post(f"/quiz/attempts/{attempt_id}", data={"csrf_token": token, "action": "submit"})  # no attempt
    assert response.status_code == 400
    response = client.post(f"/quiz/attempts/{attempt_id}", data={
        "csrf_token": token, "attempt": str(attempt_id), "action": "submit", "q0": "x" * 100_000})
    assert response.status_code == 400 and "too large" in response.get_data(as_text=True)
    assert stored(app, attempt_id) == ("open", None, {}, 0)


def test_replayed_submission_changes_nothing(app, client, learner):
    attempt_id, _ = start(client)
    token = csrf_token(client, f"/quiz/attempts/{attempt_id}")
    right = {"csrf_token": token, "attempt": str(attempt_id), "action": "submit", **answers_for(app, attempt_id)}
    client.post(f"/quiz/attempts/{attempt_id}", data=right)
    before = stored(app, attempt_id)
    wrong = {**right, **answers_for(app, attempt_id, right=False)}
    response = client.post(f"/quiz/attempts/{attempt_id}", data=wrong)
    assert response.status_code == 302
    assert stored(app, attempt_id) == before and before[1] == 100.0
    assert client.post(f"/quiz/attempts/{attempt_id}", data={**wrong, "action": "save"}).status_code == 302
    assert stored(app, attempt_id) == before


def test_another_learner_cannot_see_or_submit_an_attempt(app, client, learner, make_user):
    attempt_id, _ = start(client)
    make_user(username="nguoikhac")
    other = app.test_client()
    post_form(other, "/login", {"username": "nguoikhac", "password": "mật khẩu dài 123"})
    assert other.get(f"/quiz/attempts/{attempt_id}").status_code == 404
    assert other.get(f"/quiz/attempts/{attempt_id}/review").status_code == 404
    token = csrf_token(other, QUIZ)
    response = other.post(f"/quiz/attempts/{attempt_id}", data={
        "csrf_token": token, "attempt": str(attempt_id), "action": "submit", **answers_for(app, attempt_id)})
    assert response.status_code == 404
    assert stored(app, attempt_id)[0] == "open"


def test_two_threads_submitting_at_once_are_graded_exactly_once(app, learner):
    with app.app_context():
        from lms.models import User
        user = db.session.get(User, learner)
        module = db.session.scalar(select(CourseModule).where(CourseModule.key == "only"))
        attempt = services.start_attempt(user, module)
        attempt_id = attempt.id
        form = {f"q{i}": [RIGHT[q["id"]][1]] for i, q in enumerate(attempt.questions)}
    barrier = threading.Barrier(2)
    outcomes = []

    def submitter():
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(services.submit_attempt(attempt_id, form) is not None)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submitter) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False, True]
    status, score, _answers, responses = stored(app, attempt_id)
    assert (status, score, responses) == ("submitted", 100.0, 3)


def test_time_limit_is_enforced_on_the_server(app, learner):
    with app.app_context():
        from lms.models import User
        user = db.session.get(User, learner)
        module = db.session.scalar(select(CourseModule).where(CourseModule.key == "only"))
        attempt = services.start_attempt(user, module)
        attempt.deadline_at = utcnow() + timedelta(minutes=5)
        db.session.commit()
        form = {f"q{i}": [RIGHT[q["id"]][1]] for i, q in enumerate(attempt.questions)}
        # Saved in time: one right answer.
        first = {k: v for k, v in form.items() if k == "q0"}
        assert services.save_answers(attempt, first)
        late_time = attempt.deadline_at + services.GRACE + timedelta(seconds=1)
        graded = services.submit_attempt(attempt.id, form, now=late_time)
        assert graded.late and graded.score == pytest.approx(100 / 3, abs=0.01)


def test_submission_within_the_grace_period_counts_in_full(app, learner):
    with app.app_context():
        from lms.models import User
        user = db.session.get(User, learner)
        module = db.session.scalar(select(CourseModule).where(CourseModule.key == "only"))
        attempt = services.start_attempt(user, module)
        attempt.deadline_at = utcnow()
        db.session.commit()
        form = {f"q{i}": [RIGHT[q["id"]][1]] for i, q in enumerate(attempt.questions)}
        graded = services.submit_attempt(attempt.id, form, now=attempt.deadline_at + timedelta(seconds=30))
        assert not graded.late and graded.score == 100.0


def test_attempt_limit_and_wait(app, learner, courses_dir):
    bank = courses_dir / "beta" / "quizzes" / "only.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("max_attempts: 0", "max_attempts: 1\n  wait_minutes: 10"),
                    encoding="utf-8")
    from lms.content.sync import sync_packages
    with app.app_context():
        sync_packages(courses_dir)
        from lms.models import User
        user = db.session.get(User, learner)
        module = db.session.scalar(select(CourseModule).where(CourseModule.key == "only"))
        attempt = services.start_attempt(user, module)
        services.submit_attempt(attempt.id, {})
        with pytest.raises(services.QuizError) as excinfo:
            services.start_attempt(user, module)
        assert "all 1 attempts" in str(excinfo.value)


def test_statistics_for_teachers_only(app, client, learner, make_user):
    for right in (True, False, False, True, False):
        attempt_id, _ = start(client)
        submit(client, attempt_id, answers_for(app, attempt_id, right=right))
    assert client.get(QUIZ + "/statistics").status_code == 403
    make_user(username="giaovien", role=Role.TEACHER, group=None)
    teacher = app.test_client()
    teacher.set_cookie("lang", "en")
    post_form(teacher, "/login", {"username": "giaovien", "password": "mật khẩu dài 123"})
    page = teacher.get(QUIZ + "/statistics").get_data(as_text=True)
    assert "Nên cài ứng dụng từ đâu?" in page and "40 %" in page
    assert "Từ đường link người lạ gửi (3)" in page  # the most chosen wrong option and how often
    with app.app_context():
        module = db.session.scalar(select(CourseModule).where(CourseModule.key == "only"))
        stats = {s.key: s for s in services.question_statistics(module)}
        assert stats["cai-tu-dau"].attempts == 5
        assert stats["cai-tu-dau"].share_correct == pytest.approx(0.4)
        assert stats["cai-tu-dau"].discrimination == 1.0


def test_question_with_a_picture_shows_it_on_the_attempt_and_the_review(app, client, learner, courses_dir):
    (courses_dir / "beta" / "images").mkdir()
    (courses_dir / "beta" / "images" / "tin-nhan.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
        encoding="utf-8")
    bank = courses_dir / "beta" / "quizzes" / "only.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("questions:\n", (
        "questions:\n"
        "  - id: tin-nhan-la\n"
        "    type: true_false\n"
        "    prompt: \"Tin nhắn trong hình là thật.\"\n"
        "    image: ../images/tin-nhan.svg\n"
        "    image_alt: \"Tin nhắn báo trúng thưởng kèm đường link lạ\"\n"
        "    answer: false\n"
        "    explanation: \"Tin báo trúng thưởng kèm link lạ là lừa đảo.\"\n"), 1), encoding="utf-8")
    from lms.content.sync import sync_packages
    with app.app_context():
        assert not [p for p in sync_packages(courses_dir).problems if p.is_error]
    attempt_id, page = start(client)
    assert 'alt="Tin nhắn báo trúng thưởng kèm đường link lạ"' in page
    assert "/courses/beta/files/images/tin-nhan.svg" in page
    assert submit(client, attempt_id, {}).status_code == 302
    review = client.get(f"/quiz/attempts/{attempt_id}/review")
    assert review.status_code == 200
    assert 'alt="Tin nhắn báo trúng thưởng kèm đường link lạ"' in review.get_data(as_text=True)


def test_two_threads_starting_at_once_share_one_attempt(app, learner):
    """A double click on "Start" opens one attempt, not two (nor an error)."""
    with app.app_context():
        module_id = db.session.scalar(select(CourseModule.id).where(CourseModule.key == "only"))
    barrier = threading.Barrier(2)
    started, failures = [], []

    def starter():
        with app.app_context():
            from lms.models import User
            user = db.session.get(User, learner)
            module = db.session.get(CourseModule, module_id)
            barrier.wait()
            try:
                started.append(services.start_attempt(user, module).id)
            except Exception as exc:  # noqa: BLE001 - the test reports any failure
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=starter) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(started) == 2 and started[0] == started[1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
