"""Quiz attempts through the site: start, answer, submit once, review, tampering, concurrency."""
from __future__ import annotations

import random
import re
import threading
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import CourseModule, QuizAttempt, QuizResponse, Role
from lms.models.base import utcnow
from lms.quiz import services
from lms.quiz.tokens import AttemptForm
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


def fields_of(app, attempt_id) -> AttemptForm:
    """The attempt's opaque field names and values (what its page sends)."""
    with app.app_context():
        return services.attempt_form(db.session.get(QuizAttempt, attempt_id))


def encode(app, attempt_id, form: dict) -> dict:
    """Engine form fields (q0, q5-2, real option ids) as the attempt page names them: tokens.
    Names and values the attempt does not know stay as they are (tampering tests)."""
    return fields_of(app, attempt_id).encode(form)


def submit(client, attempt_id, form, action="submit"):
    """Post the attempt's form; ``form`` may use engine names and real ids (see ``encode``)."""
    token = csrf_token(client, f"/quiz/attempts/{attempt_id}") if action else csrf_token(client, QUIZ)
    return client.post(f"/quiz/attempts/{attempt_id}", data={"csrf_token": token, "attempt": str(attempt_id),
                                                              "action": action,
                                                              **encode(client.application, attempt_id, form)})


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
    name = fields_of(app, attempt_id).questions[numeric_index].name
    assert f'name="{name}" maxlength="40" value=""' in page  # the 6 is nowhere pre-filled


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
    right = {"csrf_token": token, "attempt": str(attempt_id), "action": "submit",
             **encode(app, attempt_id, answers_for(app, attempt_id))}
    client.post(f"/quiz/attempts/{attempt_id}", data=right)
    before = stored(app, attempt_id)
    wrong = {**right, **encode(app, attempt_id, answers_for(app, attempt_id, right=False))}
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


def test_statistics_for_teachers_only(app, client, learner, make_user, courses_dir):
    bank = courses_dir / "beta" / "quizzes" / "only.yaml"  # five attempts in one day
    bank.write_text(bank.read_text(encoding="utf-8").replace("max_attempts: 0", "max_attempts: 0\n  attempts_per_day: 0"),
                    encoding="utf-8")
    from lms.content.sync import sync_packages
    with app.app_context():
        sync_packages(courses_dir)
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
    assert submit(client, attempt_id, {}).headers["Location"].endswith("/confirm")  # nothing answered: asked first
    assert submit(client, attempt_id, {}, action="confirm").status_code == 302
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


# --- a course with every question type (also used by tests/browser/test_quiz_layout.py) ---------

GAMMA_COURSE = """\
format: 1
id: gamma
version: 1.0.0
title: {vi: "Khóa Gamma: làm thủ tục hành chính trên điện thoại", en: "Gamma course"}
summary: {vi: "Khóa thử có đủ mọi loại câu hỏi, với câu chữ dài."}
target_groups: [citizens]
estimated_minutes: 30
competences: ["4.2"]
sequential: false
license: CC BY-SA 4.0
authors: ["Nhóm thử"]
modules:
  - id: mot
    title: {vi: "Học phần Một", en: "Part one"}
    lessons:
      - id: g1
        title: {vi: "Bài G1", en: "Lesson G1"}
        file: lessons/g1.md
        minutes: 5
  - id: hai
    title: {vi: "Học phần Hai", en: "Part two"}
    lessons:
      - id: g2
        title: {vi: "Bài G2", en: "Lesson G2"}
        file: lessons/g2.md
        minutes: 5
      - id: g3
        title: {vi: "Bài G3", en: "Lesson G3"}
        file: lessons/g3.md
        minutes: 5
"""
# Module "mot": one question of every registered type, long Vietnamese texts, in a fixed order
# (q0 … q6) so tests know each question's form fields.
EVERY_TYPE_BANK = """\
settings:
  shuffle_questions: false
  pass_percent: 70
  show_answers: after_attempt
questions:
  - id: chon-mot
    type: single_choice
    prompt: "Có người gọi điện xưng là nhân viên ngân hàng và đề nghị bạn đọc mã xác thực OTP vừa nhận được qua tin nhắn. Bạn nên làm gì?"
    options:
      - {id: a, text: "Từ chối, không đọc mã cho bất kỳ ai, rồi tự gọi số tổng đài chính thức in ở mặt sau thẻ ngân hàng để hỏi lại", correct: true}
      - {id: b, text: "Đọc mã ngay vì người đó đã nói đúng họ tên, số tài khoản và số căn cước của bạn"}
      - {id: c, text: "Nhờ người thân trong gia đình đọc mã giúp để người gọi xử lý cho nhanh"}
    explanation: "Ngân hàng không bao giờ hỏi mã OTP qua điện thoại."
  - id: chon-nhieu
    type: multiple_choice
    prompt: "Những dấu hiệu nào cho thấy một tin nhắn báo trúng thưởng có thể là lừa đảo?"
    options:
      - {id: a, text: "Tin nhắn đòi bạn chuyển trước một khoản phí nhận thưởng vào tài khoản của một người lạ", correct: true}
      - {id: b, text: "Tin nhắn có đường dẫn lạ, không phải trang chính thức của công ty tổ chức chương trình", correct: true}
      - {id: c, text: "Bạn đã mua hàng ở cửa hàng đó và còn giữ hóa đơn có số dự thưởng"}
      - {id: d, text: "Tin nhắn từ tổng đài chính thức, không đòi tiền, không hỏi mật khẩu"}
    explanation: "Đòi phí trước và đường dẫn lạ là dấu hiệu lừa đảo."
  - id: dung-sai
    type: true_false
    prompt: "Cán bộ công an có thể gọi video qua mạng xã hội để làm việc và bảo người dân cài ứng dụng lạ."
    answer: false
    explanation: "Công an không làm việc qua cuộc gọi video."
  - id: go-chu
    type: short_text
    prompt: "Ứng dụng định danh điện tử quốc gia của Bộ Công an tên là gì? Hãy gõ tên ứng dụng."
    answers: ["VNeID"]
    explanation: "Đó là ứng dụng VNeID."
  - id: go-so
    type: numeric
    prompt: "Mật mã của tài khoản định danh điện tử mức hai có bao nhiêu chữ số?"
    answer: 6
    unit: "chữ số"
    explanation: "Mật mã gồm 6 chữ số."
  - id: sap-xep
    type: ordering
    prompt: "Hãy sắp xếp các bước nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia theo đúng thứ tự."
    items:
      - "Mở trang https://dichvucong.gov.vn/p/home/dvc-trang-chu.html trên điện thoại của bạn"
      - "Đăng nhập bằng tài khoản định danh điện tử VNeID mức hai của chính bạn"
      - "Chọn thủ tục cần làm, điền đầy đủ tờ khai và tải lên ảnh chụp các giấy tờ"
      - "Kiểm tra lại thông tin, bấm nộp hồ sơ và ghi lại mã số hồ sơ để tra cứu"
    explanation: "Mở trang, đăng nhập, khai, rồi nộp."
  - id: ghep-noi
    type: matching
    prompt: "Hãy ghép mỗi việc cần làm với ứng dụng hoặc trang chính thức phù hợp nhất."
    pairs:
      - {left: "Xuất trình căn cước điện tử và giấy phép lái xe khi cảnh sát giao thông kiểm tra", right: "Ứng dụng VNeID của Bộ Công an, mục ví giấy tờ tích hợp"}
      - {left: "Nộp hồ sơ đăng ký khai sinh cho con", right: "Cổng Dịch vụ công quốc gia, mục liên thông khai sinh, thường trú, bảo hiểm y tế cho trẻ dưới sáu tuổi"}
      - {left: "Xem lịch sử khám chữa bệnh", right: "Ứng dụng Sổ sức khỏe điện tử của Bộ Y tế"}
    explanation: "Mỗi việc có một nơi chính thức."
"""
SECOND_BANK = """\
settings:
  show_answers: after_attempt
questions:
  - id: hai-dung-sai
    type: true_false
    prompt: "Nên ghi lại mã số hồ sơ sau khi nộp."
    answer: true
    explanation: "Mã số hồ sơ dùng để tra cứu."
"""
# Form fields answering every question of "mot" right (question index → fields).
EVERY_TYPE_RIGHT = {
    "q0": "a", "q1": ["a", "b"], "q2": "false", "q3": "VNeID", "q4": "6",
    "q5-1": "1", "q5-2": "2", "q5-3": "3", "q5-4": "4",
    "q6-1": "1", "q6-2": "2", "q6-3": "3",
}
GAMMA_QUIZ = "/courses/gamma/mot/quiz"


def add_every_type_course(courses_dir) -> None:
    """Write the course package "gamma" next to the fixture packages in ``courses_dir``."""
    root = courses_dir / "gamma"
    (root / "lessons").mkdir(parents=True)
    (root / "quizzes").mkdir()
    (root / "course.yaml").write_text(GAMMA_COURSE, encoding="utf-8")
    for key in ("g1", "g2", "g3"):
        (root / "lessons" / f"{key}.md").write_text(
            f"**Học xong bài này, bạn sẽ:**\n\n- Biết làm bài {key}.\n\n## Thực hành\n1. Làm theo.\n", encoding="utf-8")
    (root / "quizzes" / "mot.yaml").write_text(EVERY_TYPE_BANK, encoding="utf-8")
    (root / "quizzes" / "hai.yaml").write_text(SECOND_BANK, encoding="utf-8")


@pytest.fixture
def gamma(app, courses_dir, loaded):
    """The fixture packages plus "gamma", loaded."""
    from lms.content.sync import sync_packages

    add_every_type_course(courses_dir)
    with app.app_context():
        report = sync_packages(courses_dir)
        assert not [str(p) for p in report.problems if p.is_error]


def test_the_every_type_bank_has_every_registered_type():
    import yaml

    from quizzes import registered_types
    assert {q["type"] for q in yaml.safe_load(EVERY_TYPE_BANK)["questions"]} == set(registered_types())


def start_at(client, quiz_url) -> int:
    response = post_form(client, quiz_url + "/start", {}, form_url=quiz_url)
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rsplit("/", 1)[1])


def read_lessons(client, course, module, *lessons):
    for lesson in lessons:
        url = f"/courses/{course}/{module}/{lesson}"
        assert post_form(client, url + "/done", {}, form_url=url).status_code == 302


# --- unanswered questions are shown before grading -----------------------------------------------

def test_a_partly_answered_submission_is_held_saved_and_listed(app, client, learner, gamma):
    attempt_id = start_at(client, GAMMA_QUIZ)
    given = {"q0": "a", "q3": "VNeID", "q5-1": "2", "q5-2": "1", "q6-1": "3"}  # q5, q6 only partly
    response = submit(client, attempt_id, given)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}/confirm")
    status, score, answers, responses = stored(app, attempt_id)
    assert (status, score, responses) == ("open", None, 0)  # not graded
    assert answers["chon-mot"] == "a" and answers["go-chu"] == "VNeID" and answers["ghep-noi"] == {"1": "3"}

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "5 questions have no full answer yet" in page
    for number, anchor, what in ((2, "q1", "not answered"), (3, "q2", "not answered"), (5, "q4", "not answered"),
                                 (6, "q5", "partly answered"), (7, "q6", "partly answered")):
        assert f'href="/quiz/attempts/{attempt_id}#{anchor}">Question {number}: {what}</a>' in page
    assert "Question 1:" not in page and "Question 4:" not in page
    assert "2 of 7 questions have a full answer" in page
    assert f'href="/quiz/attempts/{attempt_id}#q1">Go back and answer</a>' in page
    assert 'name="action" value="confirm"' in page and "Submit anyway" in page

    # Going back: every answer given is still filled in, the partial ones too.
    attempt_page = client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    fields = fields_of(app, attempt_id).questions
    assert re.search(rf'name="{fields[0].name}" value="{fields[0].value("a")}"\s+checked', attempt_page)
    assert f'name="{fields[3].name}" maxlength="200" value="VNeID"' in attempt_page
    assert re.search(rf'name="{fields[5].sub(1)}">.*?<option value="{fields[5].value(2)}" selected>2</option>',
                     attempt_page, re.S)
    assert re.search(rf'name="{fields[5].sub(2)}">.*?<option value="{fields[5].value(1)}" selected>1</option>',
                     attempt_page, re.S)
    assert re.search(rf'name="{fields[6].sub(1)}">.*?<option value="{fields[6].value(3)}" selected>', attempt_page, re.S)
    # The review is not reachable while the attempt waits.
    assert client.get(f"/quiz/attempts/{attempt_id}/review").headers["Location"].endswith(f"/quiz/attempts/{attempt_id}")


def test_submit_anyway_grades_the_saved_answers_once(app, client, learner, gamma):
    attempt_id = start_at(client, GAMMA_QUIZ)
    submit(client, attempt_id, {"q0": "a", "q2": "false"})
    token = csrf_token(client, f"/quiz/attempts/{attempt_id}/confirm")

    def post(fields, action):
        return client.post(f"/quiz/attempts/{attempt_id}", data={
            "csrf_token": token, "attempt": str(attempt_id), "action": action, **fields})

    response = post({}, "confirm")
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}/review")
    status, score, answers, responses = stored(app, attempt_id)
    assert status == "submitted" and score == pytest.approx(200 / 7, abs=0.01) and responses == 7
    assert answers["chon-mot"] == "a" and answers["dung-sai"] is False
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "29 %" in review and "Not passed yet" in review
    # A second confirmation, or a late full submission, changes nothing.
    again = post({}, "confirm")
    assert again.headers["Location"].endswith("/review")
    post(EVERY_TYPE_RIGHT, "submit")
    assert stored(app, attempt_id) == (status, score, answers, responses)
    assert client.get(f"/quiz/attempts/{attempt_id}/confirm").headers["Location"].endswith("/review")


def test_answering_the_rest_after_the_list_grades_directly(app, client, learner, gamma):
    attempt_id = start_at(client, GAMMA_QUIZ)
    assert submit(client, attempt_id, {"q0": "a"}).headers["Location"].endswith("/confirm")
    response = submit(client, attempt_id, EVERY_TYPE_RIGHT)
    assert response.headers["Location"].endswith("/review")
    assert stored(app, attempt_id)[:2] == ("submitted", 100.0)


def test_a_fully_answered_attempt_is_graded_at_once(app, client, learner, gamma):
    attempt_id = start_at(client, GAMMA_QUIZ)
    wrong = {**EVERY_TYPE_RIGHT, "q0": "b", "q5-1": "4", "q5-4": "1", "q6-1": "2", "q6-2": "1"}  # wrong, not blank
    response = submit(client, attempt_id, wrong)
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}/review")
    assert stored(app, attempt_id)[0] == "submitted"


def test_tampered_answers_are_refused_before_anything_is_held(app, client, learner, gamma):
    attempt_id = start_at(client, GAMMA_QUIZ)
    for fields in ({"q6-9": "1"}, {"q5-1": "7"}, {"q0": "a", "q6-1": "zz"}):
        response = submit(client, attempt_id, fields)
        assert response.status_code == 400 and "Nothing was saved" in response.get_data(as_text=True)
    assert stored(app, attempt_id) == ("open", None, {}, 0)


def test_after_the_time_limit_a_blank_submission_is_graded_not_held(app, client, learner, gamma):
    attempt_id = start_at(client, GAMMA_QUIZ)
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(seconds=5)  # time is up; still within the grace
        db.session.commit()
    response = submit(client, attempt_id, {"q0": "a"})
    assert response.headers["Location"].endswith("/review")
    assert stored(app, attempt_id)[:2] == ("submitted", pytest.approx(100 / 7, abs=0.01))


# --- the review's way on --------------------------------------------------------------------------

def test_passing_a_module_offers_the_next_modules_first_lesson(app, client, learner, gamma):
    read_lessons(client, "gamma", "mot", "g1")
    attempt_id = start_at(client, GAMMA_QUIZ)
    review = client.get(submit(client, attempt_id, EVERY_TYPE_RIGHT).headers["Location"]).get_data(as_text=True)
    assert "Passed" in review and "Module done" in review
    assert '<a class="button primary" href="/courses/gamma/hai/g2">Next module: Part two</a>' in review
    assert "Back to the course" in review and "Try again" not in review


def test_next_module_with_its_lessons_read_offers_its_quiz(app, client, learner, gamma):
    read_lessons(client, "gamma", "hai", "g2", "g3")
    read_lessons(client, "gamma", "mot", "g1")
    attempt_id = start_at(client, GAMMA_QUIZ)
    review = client.get(submit(client, attempt_id, EVERY_TYPE_RIGHT).headers["Location"]).get_data(as_text=True)
    assert '<a class="button primary" href="/courses/gamma/hai/quiz">Next module: the quiz of “Part two”</a>' in review


def test_passing_with_lessons_left_offers_the_next_lesson_of_this_module(app, client, learner, gamma):
    attempt_id = start_at(client, GAMMA_QUIZ)
    review = client.get(submit(client, attempt_id, EVERY_TYPE_RIGHT).headers["Location"]).get_data(as_text=True)
    assert "Finish the remaining lessons" in review
    assert '<a class="button primary" href="/courses/gamma/mot/g1">Next lesson: Lesson G1</a>' in review


def test_failing_offers_a_retry_not_the_next_module(app, client, learner, gamma):
    read_lessons(client, "gamma", "mot", "g1")
    attempt_id = start_at(client, GAMMA_QUIZ)
    wrong = {**EVERY_TYPE_RIGHT, "q0": "b", "q1": "c", "q2": "true", "q3": "Zalo", "q4": "4"}
    review = client.get(submit(client, attempt_id, wrong).headers["Location"]).get_data(as_text=True)
    assert "Not passed yet" in review and "Try again" in review
    assert "Next module" not in review and "Next lesson" not in review


def test_passing_the_last_module_says_the_course_is_finished_with_the_certificate(app, client, learner):
    read_lessons(client, "beta", "only", "b1")
    attempt_id, _ = start(client)
    review = client.get(submit(client, attempt_id, answers_for(app, attempt_id)).headers["Location"]).get_data(as_text=True)
    assert "You have finished the course “Beta course”. Well done!" in review
    assert "Your certificate is ready." in review and "See my certificate" in review
    assert "Next module" not in review


def test_next_step_skips_done_modules_and_comes_back_to_earlier_ones():
    """The plain function: after this module, the first one not done, wrapping to the start."""
    from lms.learn.services import CourseOutline, LessonInfo, LessonState, ModuleInfo, ModuleState

    def module(n, done_lessons, lessons=1, passed=False):
        info = ModuleInfo(n, f"m{n}", f"M{n}", None,
                          tuple(LessonInfo(10 * n + i, f"l{i}", f"L{i}", None, 5) for i in range(lessons)), True)
        return ModuleState(info, [LessonState(l, i < done_lessons) for i, l in enumerate(info.lessons)],
                           quiz_passed=passed)

    outline = CourseOutline(course=None)
    outline.modules = [module(1, 0), module(2, 1, passed=True), module(3, 1, passed=True), module(4, 2, lessons=2)]
    step = services.next_step(outline, 3)
    assert (step.kind, step.module.key) == ("quiz", "m4")
    outline.modules[3] = module(4, 2, lessons=2, passed=True)
    step = services.next_step(outline, 3)
    assert (step.kind, step.module.key, step.lesson.key, step.same_module) == ("lesson", "m1", "l0", False)
    outline.modules[0] = module(1, 1, passed=True)
    assert services.next_step(outline, 3).kind == "finished"


# --- assisted attempts lead the teacher back to the class ---------------------------------------

@pytest.fixture
def assisted(app, client, make_user, loaded):
    """A teacher, their class with a learner, and an assisted attempt they started from the class."""
    from lms.models import ClassMember, User
    from lms.teach import services as teach

    teacher_id = make_user(username="cogiao", role=Role.TEACHER, group=None, full_name="Cô Giáo Lan")
    learner_id = make_user(username="hocvien", full_name="Y Khoa Niê")
    with app.app_context():
        teacher = db.session.get(User, teacher_id)
        older = teach.create_class(teacher, "Lớp sáng thứ Hai", None, "citizens", None, None)
        group = teach.create_class(teacher, "Lớp tối thứ Ba", None, "citizens", None, None)
        other = teach.create_class(teacher, "Lớp không có học viên này", None, "citizens", None, None)
        for class_id in (older.id, group.id):
            db.session.add(ClassMember(class_id=class_id, user_id=learner_id))
        db.session.commit()
        ids = {"class": group.id, "older": older.id, "other": other.id, "learner": learner_id}
    post_form(client, "/login", {"username": "cogiao", "password": "mật khẩu dài 123"})
    client.set_cookie("lang", "en")
    detail = f"/teach/classes/{ids['older']}/learners/{learner_id}"
    with app.app_context():
        module = db.session.scalar(select(CourseModule.id).where(CourseModule.key == "only"))
    response = post_form(client, f"{detail}/assist/{module}", {}, form_url=detail)
    ids["attempt_url"] = response.headers["Location"]
    ids["attempt"] = int(ids["attempt_url"].split("?")[0].rsplit("/", 1)[1])
    return ids


def test_after_an_assisted_attempt_the_teacher_goes_back_to_the_class(app, client, assisted):
    attempt_id = assisted["attempt"]
    url = f"/quiz/attempts/{attempt_id}?class_id={assisted['older']}"
    page = client.get(url).get_data(as_text=True)
    assert f'action="/quiz/attempts/{attempt_id}?class_id={assisted["older"]}"' in page  # the class is carried
    assert f'<a href="/teach/classes/{assisted["older"]}">Lớp sáng thứ Hai</a>' in page
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "attempt": str(attempt_id), "action": "submit",
                                      **encode(app, attempt_id, answers_for(app, attempt_id))})
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}/review?class_id={assisted['older']}")
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (f'<a class="button primary" href="/teach/classes/{assisted["older"]}">'
            f'Back to the class “Lớp sáng thứ Hai”</a>') in review
    assert f'href="/teach/classes/{assisted["older"]}/learners/{assisted["learner"]}"' in review
    assert "Back to the course" not in review and "Next module" not in review and "Try again" not in review


def test_without_a_valid_class_in_the_address_the_newest_shared_class_is_used(app, client, assisted):
    attempt_id = assisted["attempt"]
    submit(client, attempt_id, answers_for(app, attempt_id, right=False))
    for query in ("", f"?class_id={assisted['other']}", "?class_id=999999", "?class_id=abc"):
        review = client.get(f"/quiz/attempts/{attempt_id}/review{query}").get_data(as_text=True)
        assert f'href="/teach/classes/{assisted["class"]}">Back to the class “Lớp tối thứ Ba”</a>' in review, query
        assert "Try again" not in review  # that would start the teacher's own attempt


def test_the_learner_sees_their_own_way_on_after_an_assisted_attempt(app, client, assisted):
    attempt_id = assisted["attempt"]
    submit(client, attempt_id, answers_for(app, attempt_id))
    learner = app.test_client()
    post_form(learner, "/login", {"username": "hocvien", "password": "mật khẩu dài 123"})
    learner.set_cookie("lang", "en")
    review = learner.get(f"/quiz/attempts/{attempt_id}/review?class_id={assisted['class']}").get_data(as_text=True)
    assert "This attempt was done with a teacher&#39;s help." in review
    assert "Back to the class" not in review and "Back to the course" in review


# --- the quiz's policy: shown before the start, and kept ------------------------------------------

BETA_BANK = ("beta", "quizzes", "only.yaml")
# Noon in Hà Nội (UTC+7) on a fixed day: "today" there began at 17:00 UTC the day before.
NOON = datetime(2026, 3, 10, 5, 0, tzinfo=timezone.utc)


def beta_settings(app, courses_dir, **settings) -> None:
    """Rewrite the settings of the beta bank (in the test's copy of the packages) and load it."""
    import yaml

    from lms.content.sync import sync_packages
    path = courses_dir.joinpath(*BETA_BANK)
    text = path.read_text(encoding="utf-8")
    head, questions = text.split("questions:\n", 1)
    current = yaml.safe_load(head)["settings"]
    current.update(settings)
    path.write_text(yaml.safe_dump({"settings": current}, allow_unicode=True) + "questions:\n" + questions,
                    encoding="utf-8")
    with app.app_context():
        report = sync_packages(courses_dir)
        assert not [str(p) for p in report.problems if p.is_error]


def beta_module(app) -> int:
    with app.app_context():
        return db.session.scalar(select(CourseModule.id).where(CourseModule.key == "only"))


def past_attempt(app, user_id, started_at, *, passed=False, number=None, question_ids=(), module_id=None) -> int:
    """A submitted attempt inserted straight into the database, started at ``started_at``."""
    with app.app_context():
        module_id = module_id or db.session.scalar(select(CourseModule.id).where(CourseModule.key == "only"))
        if number is None:
            number = 1 + (db.session.scalar(select(func.max(QuizAttempt.number)).where(
                QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id)) or 0)
        attempt = QuizAttempt(user_id=user_id, module_id=module_id, number=number, status="submitted",
                              started_at=started_at, submitted_at=started_at + timedelta(minutes=5),
                              pass_percent=70, show_answers="after_attempt", max_attempts=0, questions=[],
                              answers={}, score=100.0 if passed else 0.0, passed=passed)
        db.session.add(attempt)
        db.session.flush()
        for position, key in enumerate(question_ids):
            db.session.add(QuizResponse(attempt_id=attempt.id, question_key=key, position=position, score=0.0, chosen=[]))
        db.session.commit()
        return attempt.id


@pytest.fixture
def frozen(monkeypatch):
    """The quiz services' clock stopped at ``NOON`` (Hà Nội time), for "today" to be fixed."""
    monkeypatch.setattr(services, "utcnow", lambda: NOON)
    return NOON


def test_the_overview_shows_the_rules_before_the_start(app, client, learner, courses_dir):
    beta_settings(app, courses_dir, draw=2, attempts_per_day=2, max_attempts=4, wait_minutes=10,
                  time_limit_minutes=15, show_answers="after_pass")
    page = client.get(QUIZ).get_data(as_text=True)
    for text in ("Rules of this quiz", "Each attempt asks 2 questions, picked from the 3 of this quiz.",
                 "When you try again, you get the questions you have not had yet first.",
                 "Pass mark: 70 %", "At most 2 attempts a day.", "At most 4 attempts in all.",
                 "Wait between attempts: 10 minutes", "Time limit: 15 minutes",
                 "After each attempt you see your score and which answers were right or wrong.",
                 "The right answers and the explanations are shown once you pass.",
                 "Attempts left today: 2 of 2.", "Attempts left in all: 4 of 4."):
        assert text in page, text
    assert page.index("Rules of this quiz") < page.index("Start the quiz")
    client.set_cookie("lang", "vi")
    page = client.get(QUIZ).get_data(as_text=True)
    for text in ("Quy định của bài kiểm tra", "Mỗi lần làm bài có 2 câu hỏi, lấy ngẫu nhiên từ 3 câu của bài kiểm tra này.",
                 "Điểm đạt: 70 %", "Mỗi ngày làm được nhiều nhất 2 lần.", "Tổng cộng làm được nhiều nhất 4 lần.",
                 "Thời gian chờ giữa hai lần làm bài: 10 phút", "Thời gian làm bài: 15 phút",
                 "Đáp án đúng và lời giải thích chỉ hiện khi bạn đã đạt.", "Hôm nay bạn còn 2 trên 2 lần làm bài."):
        assert text in page, text


@pytest.mark.parametrize("settings, expected", [
    ({"show_answers": "after_attempt", "attempts_per_day": 0},
     ["the right answers and the explanations.", "You may try as many times as you like.", "No time limit."]),
    ({"show_answers": "never"}, ["This quiz does not show the right answers.", "At most 3 attempts a day.",
                                 "No limit in all: you can come back on another day.", "3 questions"]),
    ({"show_answers": "after_last_attempt", "max_attempts": 2},
     ["shown once you pass, or once you have used all 2 attempts.", "Attempts left in all: 2 of 2."]),
    ({"show_answers": "after_last_attempt"}, ["The right answers and the explanations are shown once you pass."]),
])
def test_the_overview_says_when_the_right_answers_are_shown(app, client, learner, courses_dir, settings, expected):
    beta_settings(app, courses_dir, **settings)
    page = client.get(QUIZ).get_data(as_text=True)
    for text in expected:
        assert text in page, text


def test_the_daily_limit_counts_attempts_started_today_in_the_site_time_zone(app, client, learner, frozen):
    # The fixture bank keeps the default: three attempts a day.
    yesterday_late = datetime(2026, 3, 9, 16, 30, tzinfo=timezone.utc)   # 23:30 in Hà Nội, 9 March
    today_early = datetime(2026, 3, 9, 17, 30, tzinfo=timezone.utc)      # 00:30 in Hà Nội, 10 March
    past_attempt(app, learner, yesterday_late)
    past_attempt(app, learner, today_early)
    past_attempt(app, learner, NOON - timedelta(hours=2))
    page = client.get(QUIZ).get_data(as_text=True)
    assert "Attempts left today: 1 of 3." in page and "Try again" in page
    past_attempt(app, learner, NOON - timedelta(hours=1))

    page = client.get(QUIZ).get_data(as_text=True)
    assert "Attempts left today: 0 of 3." in page
    assert "You have used today&#39;s attempts (3 a day). You can try again tomorrow." in page
    assert 'action="/courses/beta/only/quiz/start"' not in page
    response = client.post(QUIZ + "/start", data={"csrf_token": csrf_token(client, QUIZ)})
    assert response.headers["Location"].endswith(QUIZ)
    assert "You can try again tomorrow." in client.get(QUIZ).get_data(as_text=True)  # the flash
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.status == "open")) == 0
        module = db.session.get(CourseModule, beta_module(app))
        history = services.history_of(learner, module.id, NOON)
        assert (history.started_today, history.submitted) == (3, 4)
        assert history.last_submitted_at == NOON - timedelta(minutes=55)  # a UTC time on every database
        tomorrow = datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc)   # midnight in Hà Nội
        check = services.can_start(module, history, NOON)
        assert not check.allowed and check.wait_until == tomorrow
        assert services.can_start(module, services.history_of(learner, module.id, tomorrow), tomorrow).allowed


def test_a_review_after_the_daily_limit_says_when_to_try_again(app, client, learner, frozen):
    for hours in (3, 2):
        past_attempt(app, learner, NOON - timedelta(hours=hours))
    attempt_id, _ = start(client)
    submit(client, attempt_id, answers_for(app, attempt_id, right=False))
    review = client.get(f"/quiz/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "You can try again tomorrow." in review and "Try again</a>" not in review


def test_waiting_and_the_daily_limit_report_the_later_of_the_two(app):
    from types import SimpleNamespace
    settings = {"attempts_per_day": 2, "wait_minutes": 600, "show_answers": "after_pass"}
    module = SimpleNamespace(quiz_settings=settings)
    with app.app_context():
        # 20:00 in Hà Nội: the ten hours of rest end after midnight.
        evening = datetime(2026, 3, 10, 13, 0, tzinfo=timezone.utc)
        history = services.History(submitted=2, started_today=2, last_submitted_at=evening)
        check = services.can_start(module, history, evening)
        assert check.wait_until == evening + timedelta(minutes=600) and "%(time)s" in check.reason
        # At 08:00 the rest ends before midnight: "tomorrow" is the answer.
        morning = datetime(2026, 3, 10, 1, 0, tzinfo=timezone.utc)
        history = services.History(submitted=2, started_today=2, last_submitted_at=morning)
        check = services.can_start(module, history, morning)
        assert "tomorrow" in check.reason and check.params == {"n": 2}
        assert services.can_start(SimpleNamespace(quiz_settings={**settings, "attempts_per_day": 0}),
                                  history, morning + timedelta(minutes=601)).allowed


@pytest.mark.parametrize("rule, max_attempts, history, shown", [
    ("after_attempt", 0, {}, True),
    ("after_pass", 0, {"submitted": 5}, False),
    ("after_pass", 0, {"submitted": 2, "passed": True}, True),
    ("after_last_attempt", 3, {"submitted": 2}, False),
    ("after_last_attempt", 3, {"submitted": 3}, True),
    ("after_last_attempt", 3, {"submitted": 1, "passed": True}, True),
    ("after_last_attempt", 0, {"submitted": 40}, False),   # a daily limit only: the last attempt never comes
    ("never", 0, {"submitted": 3, "passed": True}, False),
])
def test_when_the_right_answers_may_be_shown(rule, max_attempts, history, shown):
    attempt = QuizAttempt(status="submitted", show_answers=rule, max_attempts=max_attempts)
    assert services.may_show_answers(attempt, services.History(**history)) is shown
    assert not services.may_show_answers(QuizAttempt(status="open", show_answers="after_attempt", max_attempts=0),
                                         services.History())


def test_the_review_hides_the_right_answers_until_a_pass(app, client, learner, courses_dir):
    beta_settings(app, courses_dir, show_answers="after_pass")
    first, _ = start(client)
    wrong = answers_for(app, first, right=False)
    wrong.pop(next(k for k, v in wrong.items() if v == "true"))  # the true/false one is left blank
    submit(client, first, wrong, action="submit")
    submit(client, first, {}, action="confirm")
    review = client.get(f"/quiz/attempts/{first}/review").get_data(as_text=True)
    assert "0 %" in review and "Not passed yet" in review and review.count("✗ Not right") == 3  # the verdicts stay
    assert "hidden until you pass this quiz" in review and "You still see your score" in review
    assert "Chỉ cài từ kho ứng dụng chính thức." not in review  # no explanation
    assert "✓ right answer" not in review and "Right answer: 6" not in review  # neither the option nor the number
    assert 'class="right"' not in review and not re.search(r'type="(radio|checkbox)"[^>]*value=', review)

    second, _ = start(client)
    submit(client, second, answers_for(app, second))
    for attempt_id in (second, first):  # passed: now every review shows them, the earlier one too
        review = client.get(f"/quiz/attempts/{attempt_id}/review").get_data(as_text=True)
        assert "Chỉ cài từ kho ứng dụng chính thức." in review and "Right answer: 6" in review
        assert "hidden until" not in review


def test_a_quiz_that_never_shows_answers_says_so_even_after_a_pass(app, client, learner, courses_dir):
    beta_settings(app, courses_dir, show_answers="never")
    attempt_id, _ = start(client)
    submit(client, attempt_id, answers_for(app, attempt_id))
    review = client.get(f"/quiz/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "100 %" in review and "does not show the right answers" in review
    assert "Chỉ cài từ kho ứng dụng chính thức." not in review


def test_after_the_last_attempt_the_answers_are_shown(app, client, learner, courses_dir):
    beta_settings(app, courses_dir, show_answers="after_last_attempt", max_attempts=2)
    first, _ = start(client)
    submit(client, first, answers_for(app, first, right=False))
    review = client.get(f"/quiz/attempts/{first}/review").get_data(as_text=True)
    assert "or until you have used all 2 attempts" in review and "Chỉ cài từ" not in review
    second, _ = start(client)
    submit(client, second, answers_for(app, second, right=False))
    review = client.get(f"/quiz/attempts/{second}/review").get_data(as_text=True)
    assert "Chỉ cài từ kho ứng dụng chính thức." in review and "You have used all 2 attempts" in review


# --- a retry draws other questions, at the same cost however many attempts were made --------------

def gamma_settings(courses_dir, **settings) -> None:
    path = courses_dir / "gamma" / "quizzes" / "mot.yaml"
    text = path.read_text(encoding="utf-8")
    extra = "".join(f"  {key}: {value}\n" for key, value in settings.items())
    path.write_text(text.replace("settings:\n", "settings:\n" + extra, 1), encoding="utf-8")


@pytest.fixture
def gamma_draw_three(app, courses_dir, loaded):
    """Gamma's first module asks 3 of its 7 questions, with no daily limit."""
    from lms.content.sync import sync_packages

    add_every_type_course(courses_dir)
    gamma_settings(courses_dir, draw=3, attempts_per_day=0)
    with app.app_context():
        report = sync_packages(courses_dir)
        assert not [str(p) for p in report.problems if p.is_error]
        return db.session.scalar(select(CourseModule.id).where(CourseModule.key == "mot"))


def test_a_retry_draws_questions_the_learner_has_not_just_had(app, learner, gamma_draw_three):
    from lms.models import User
    with app.app_context():
        user = db.session.get(User, learner)
        module = db.session.get(CourseModule, gamma_draw_three)
        previous: set[str] = set()
        seen: set[str] = set()
        for _number in range(6):
            attempt = services.start_attempt(user, module)
            asked = {q["id"] for q in attempt.questions}
            assert len(asked) == 3 and not asked & previous
            services.submit_attempt(attempt.id, {})
            previous = asked
            seen |= asked
        assert len(seen) == 7


def test_starting_costs_the_same_after_many_attempts(app, learner, gamma_draw_three):
    """Start reads a few counts and the question ids of the latest attempts, never every past
    attempt's questions: its statements are the same after 2 attempts as after 40."""
    from sqlalchemy import event

    from lms.models import User
    keys = ["chon-mot", "chon-nhieu", "dung-sai"]

    def statements_of_a_start(past: int) -> list[str]:
        with app.app_context():
            db.session.execute(QuizAttempt.__table__.delete())
            db.session.commit()
        for n in range(past):
            past_attempt(app, learner, utcnow() - timedelta(days=n + 1), number=n + 1, question_ids=keys,
                         module_id=gamma_draw_three)
        seen = []
        with app.app_context():
            user = db.session.get(User, learner)
            module = db.session.get(CourseModule, gamma_draw_three)

            def note(conn, cursor, statement, parameters, context, executemany):
                seen.append(statement)
            event.listen(db.engine, "before_cursor_execute", note)
            try:
                attempt = services.start_attempt(user, module)
            finally:
                event.remove(db.engine, "before_cursor_execute", note)
            assert not {q["id"] for q in attempt.questions} & set(keys)  # the latest attempt's are avoided
        return seen

    few, many = statements_of_a_start(2), statements_of_a_start(40)
    assert len(few) == len(many)
    selects = [s for s in many if s.lstrip().upper().startswith("SELECT")]
    assert not [s for s in selects if "quiz_attempt.questions" in s]


# --- opaque field names and values ---------------------------------------------------------------

class Attributes(HTMLParser):
    """Every tag's attributes on a page, by the question (fieldset id) they sit in."""

    def __init__(self):
        super().__init__()
        self.by_question: dict[str, list[tuple[str, str, str]]] = {}
        self.question: str | None = None
        self.all: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "fieldset":
            self.question = dict(attrs).get("id")
        for name, value in attrs:
            entry = (tag, name, value or "")
            self.all.append(entry)
            if self.question:
                self.by_question.setdefault(self.question, []).append(entry)

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self.question = None


def attributes(page: str) -> Attributes:
    parser = Attributes()
    parser.feed(page)
    return parser


def telling_values(spec: dict) -> set[str]:
    """Whatever would give a question's answer away if a field name or value carried it."""
    values = {spec["id"]}
    if "options" in spec:
        values |= {str(o["id"]) for o in spec["options"]}
    if spec["type"] == "true_false":
        values |= {"true", "false", str(spec["answer"])}
    if spec["type"] == "ordering":
        values |= {str(n) for n in range(1, len(spec["items"]) + 1)}
    if spec["type"] == "matching":
        values |= {str(n) for n in range(1, len(spec["pairs"]) + 1)}
    for key in ("answers",):
        values |= {str(a) for a in spec.get(key, [])}
    if spec["type"] == "numeric":
        values.add(str(spec["answer"]))
    return values


TOKEN_RE = re.compile(r"^t[0-9a-f]{16}$")


def test_no_field_or_attribute_of_any_question_type_tells_the_answer(app, client, learner, gamma):
    from quizzes import registered_types
    attempt_id = start_at(client, GAMMA_QUIZ)
    page = client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    parsed = attributes(page)
    with app.app_context():
        questions = db.session.get(QuizAttempt, attempt_id).questions
    assert {q["spec"]["type"] for q in questions} == set(registered_types())
    for index, question in enumerate(questions):
        spec = question["spec"]
        found = parsed.by_question[f"q{index}"]
        telling = telling_values(spec)
        leaks = [(tag, name, value) for tag, name, value in found if value in telling]
        assert not leaks, (spec["type"], leaks)
        names = {value for _tag, name, value in found if name == "name"}
        values = {value for tag, name, value in found if name == "value" and tag in ("option", "input")
                  and spec["type"] not in ("short_text", "numeric")} - {""}
        assert names and all(TOKEN_RE.match(n) for n in names), (spec["type"], names)
        assert all(TOKEN_RE.match(v) for v in values), (spec["type"], values)
        if spec["type"] in ("ordering", "matching"):
            assert not names & values  # a left's name never equals its partner's value
    for question in questions:  # no question id anywhere on the page
        assert question["id"] not in page
    quiz_form = page.split(f'action="/quiz/attempts/{attempt_id}"', 1)[1].split("</form>", 1)[0]
    form_fields = set(re.findall(r'<(?:input|select|button)[^>]*\sname="([^"]+)"', quiz_form))
    assert form_fields - {"csrf_token", "attempt", "action"} == {
        v for q in parsed.by_question.values() for _t, n, v in q if n == "name"}


def test_the_same_question_gets_other_tokens_in_another_attempt(app, client, learner, gamma):
    first = start_at(client, GAMMA_QUIZ)
    submit(client, first, EVERY_TYPE_RIGHT)
    second = start_at(client, GAMMA_QUIZ)
    one, two = fields_of(app, first), fields_of(app, second)

    def tokens(form):
        found = set()
        for question in form.questions:
            found |= {question.name, *question.subfields.values(), *(question.values or {}).values()}
        return found
    assert not tokens(one) & tokens(two)
    page = client.get(f"/quiz/attempts/{second}").get_data(as_text=True)
    assert not {t for t in tokens(one) if t in page}


def test_real_names_and_ids_are_refused(app, client, learner, gamma):
    attempt_id = start_at(client, GAMMA_QUIZ)
    token = csrf_token(client, f"/quiz/attempts/{attempt_id}")
    fields = fields_of(app, attempt_id).questions
    for sent in ({"q0": "a"}, {"q5-1": "1", "q5-2": "2", "q5-3": "3", "q5-4": "4"},
                 {fields[0].name: "a"}, {fields[5].sub(1): "1"}, {fields[6].sub(1): fields[6].sub(1)}):
        response = client.post(f"/quiz/attempts/{attempt_id}", data={
            "csrf_token": token, "attempt": str(attempt_id), "action": "submit", **sent})
        assert response.status_code == 400, sent
    assert stored(app, attempt_id) == ("open", None, {}, 0)


def test_a_script_reading_only_names_and_values_scores_no_better_than_chance(app, client, learner, gamma):
    """The old fields told the answer (item 2 of an ordering question was named q5-2, its right
    place 2). A script answering from names and values alone now scores at chance."""
    attempt_id = start_at(client, GAMMA_QUIZ)
    page = client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)

    # The script: every list gets the places in page order (1, 2, 3, …), every matching list the
    # choice in its own row's position.
    selects = re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', page, re.S)
    form = {}
    rows: dict[tuple, int] = {}
    for name, options in selects:
        values = [v for v in re.findall(r'<option value="([^"]*)"', options) if v]
        row = rows.setdefault(tuple(values), 0)
        form[name] = values[row]
        rows[tuple(values)] = row + 1
    response = submit(client, attempt_id, form)
    assert response.status_code == 302
    submit(client, attempt_id, {}, action="confirm")
    with app.app_context():
        scores = {r.question_key: r.score for r in db.session.get(QuizAttempt, attempt_id).responses}
    assert scores["sap-xep"] < 1.0  # the page never shows the items in their right order

    # The same script over many attempts (keys) of the ordering and matching questions: its mean
    # score is what guessing gives (1/2 of the pairs in order; 1 match in n), never 100 %.
    import yaml

    from quizzes.engine import DrawnQuestion, grade, parse_answers, present
    specs = {q["id"]: q for q in yaml.safe_load(EVERY_TYPE_BANK)["questions"]}
    rng = random.Random(5)
    strategies = {
        "names in sorted order": lambda fields, view: sorted(fields.subfields.values()),
        "names in page order": lambda fields, view: [fields.sub(entry["id"]) for entry in
                                                      view.get("items") or view.get("lefts")],
    }
    for key_id in ("sap-xep", "ghep-noi"):
        spec = specs[key_id]
        from quizzes import get_type
        for label, names_in_order in strategies.items():
            full, total, runs = 0, 0.0, 300
            for n in range(runs):
                drawn = [DrawnQuestion(key_id, spec, get_type(spec["type"]).shuffle(spec, rng, True))]
                view = present(drawn[0])
                attempt_form = AttemptForm(f"{n:032x}", drawn, [view])
                fields = attempt_form.questions[0]
                ordered_values = sorted(fields.values.values())  # the values, as tokens sort
                sent = {name: [ordered_values[i]] for i, name in enumerate(names_in_order(fields, view))}
                score = grade(drawn, parse_answers(drawn, attempt_form.decode(sent)), 70).results[0].score
                full += score == 1.0
                total += score
            chance = 0.5 if spec["type"] == "ordering" else 1 / len(spec["pairs"])
            assert abs(total / runs - chance) < 0.12, (key_id, label, total / runs)
            assert full / runs < 0.3, (key_id, label, full / runs)


# --- a question whose type is missing fails alone ------------------------------------------------

def test_a_question_of_a_missing_type_in_an_attempt_is_not_available_and_not_counted(app, client, learner, gamma, make_user):
    attempt_id = start_at(client, GAMMA_QUIZ)
    with app.app_context():  # the type of question 1 is gone (e.g. its plugin failed to load)
        attempt = db.session.get(QuizAttempt, attempt_id)
        questions = [dict(q) for q in attempt.questions]
        questions[0] = {**questions[0], "spec": {**questions[0]["spec"], "type": "essay"}}
        attempt.questions = questions
        db.session.commit()
    page = client.get(f"/quiz/attempts/{attempt_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "This question is not available at the moment. It does not count toward your score." in html
    assert 'type="radio"' in html  # question 3 (true/false) is still there
    assert 'name=' not in html.split('id="q0"', 1)[1].split("</fieldset>", 1)[0]

    rest = {k: v for k, v in EVERY_TYPE_RIGHT.items() if not k.startswith("q0")}
    saved = submit(client, attempt_id, {k: v for k, v in rest.items() if k != "q2"}, action="save")
    assert saved.status_code == 302
    held = submit(client, attempt_id, {k: v for k, v in rest.items() if k != "q2"})
    assert held.headers["Location"].endswith("/confirm")
    confirm = client.get(held.headers["Location"]).get_data(as_text=True)
    assert "1 question has no full answer yet" in confirm and "5 of 6 questions have a full answer" in confirm
    assert submit(client, attempt_id, rest).headers["Location"].endswith("/review")
    status, score, answers, responses = stored(app, attempt_id)
    assert (status, score, responses) == ("submitted", 100.0, 6)  # 6 of 6: the missing one counts neither way
    review = client.get(f"/quiz/attempts/{attempt_id}/review")
    assert review.status_code == 200 and "Passed" in review.get_data(as_text=True)
    assert "not available" in review.get_data(as_text=True)

    make_user(username="giaovien", role=Role.TEACHER, group=None)
    teacher = app.test_client()
    post_form(teacher, "/login", {"username": "giaovien", "password": "mật khẩu dài 123"})
    assert teacher.get(GAMMA_QUIZ + "/statistics").status_code == 200


def test_a_bank_question_of_a_missing_type_is_left_out_of_new_attempts(app, client, learner):
    from lms.models import QuizQuestion
    with app.app_context():  # the package checker refuses unknown types: stored straight away
        module_id = db.session.scalar(select(CourseModule.id).where(CourseModule.key == "only"))
        db.session.add(QuizQuestion(module_id=module_id, key="tu-luan", position=99, type="essay",
                                    data={"id": "tu-luan", "type": "essay", "prompt": "Viết cảm nghĩ"}))
        db.session.commit()
    assert "3 questions" in client.get(QUIZ).get_data(as_text=True)
    attempt_id, page = start(client)
    assert "Viết cảm nghĩ" not in page
    submit(client, attempt_id, answers_for(app, attempt_id))
    assert stored(app, attempt_id)[1] == 100.0
