"""The class progress page for 200 learners × 20 assigned modules: the number of database
queries it takes (the same for a class of 10, so it does not grow with the class), and its time
as a ratio to the lesson page's, both measured in the same run.

Goal (issue #5): a bounded number of queries; the ratio is reported.
"""
from __future__ import annotations

import time

from bench.common import Installation, Server, login, median, request

LESSON = "/courses/vneid-cho-nguoi-dan/lam-quen-voi-vneid/cai-dat-dung-ung-dung"
PASSWORD = "bench password 2026"
LEARNERS = 200
MODULES = 20

SETUP = """
import random
from datetime import timedelta
from lms import create_app
from lms.extensions import db
from lms.auth.services import NewUser, create_user, hash_password
from lms.models import (Assignment, ClassGroup, ClassMember, ClassTeacher, Course, CourseModule, Lesson, LessonProgress,
                        Place, PlaceKind, QuizAttempt, Role, TargetGroup)
from lms.models.base import utcnow
from sqlalchemy import insert, select
random.seed(7)
app = create_app()
with app.app_context():
    village = db.session.scalars(select(Place).where(Place.kind == PlaceKind.VILLAGE)).first()
    digest = hash_password({password!r})
    teacher = create_user(NewUser(username="benchteacher", full_name="Cô Giáo Đo", password=None, role=Role.TEACHER,
                                  target_group=None, place_id=village.id))
    teacher.password_hash = digest
    db.session.flush()
    modules = []
    for course in db.session.scalars(select(Course).order_by(Course.id)):
        mods = db.session.scalars(select(CourseModule).where(CourseModule.course_id == course.id,
                                                            CourseModule.retired.is_(False))).all()
        for m in mods:
            if len(modules) < {modules}:
                modules.append(m)
    classes = []
    for size in ({learners}, 10):
        group = ClassGroup(name=f"Lớp {{size}} học viên", place_id=village.id)
        db.session.add(group)
        db.session.flush()
        db.session.add(ClassTeacher(class_id=group.id, user_id=teacher.id))
        for m in modules:
            db.session.add(Assignment(class_id=group.id, course_id=m.course_id, module_id=m.id))
        classes.append((group.id, size))
    lessons = {{m.id: db.session.scalars(select(Lesson.id).where(Lesson.module_id == m.id)).all() for m in modules}}
    progress, attempts = [], []
    n = 0
    for class_id, size in classes:
        for i in range(size):
            user = create_user(NewUser(username=f"lop{{class_id}}hv{{i:03d}}", full_name=f"Học Viên Số {{n}}", password=None,
                                       role=Role.LEARNER, target_group=TargetGroup.CITIZENS, place_id=village.id))
            n += 1
            db.session.flush()
            db.session.add(ClassMember(class_id=class_id, user_id=user.id))
            for m in modules:
                done = random.randint(0, len(lessons[m.id]))
                progress += [dict(user_id=user.id, lesson_id=l, done_at=utcnow()) for l in lessons[m.id][:done]]
                if done == len(lessons[m.id]) and m.quiz_settings is not None:
                    score = random.choice([50.0, 80.0, 100.0])
                    attempts.append(dict(user_id=user.id, module_id=m.id, number=1, status="submitted",
                                         started_at=utcnow(), submitted_at=utcnow(), pass_percent=70, score=score,
                                         passed=score >= 70, show_answers="never", max_attempts=0, questions=[],
                                         answers={{}}, late=False))
    db.session.execute(insert(LessonProgress), progress)
    if attempts:
        db.session.execute(insert(QuizAttempt), attempts)
    db.session.commit()
    print(classes[0][0], classes[1][0], len(modules), len(progress))
"""

COUNT_QUERIES = """
import re
from sqlalchemy import event
from lms import create_app
from lms.extensions import db
app = create_app()
client = app.test_client()
page = client.get("/login").get_data(as_text=True)
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
assert client.post("/login", data={{"csrf_token": token, "username": "benchteacher",
                                    "password": {password!r}}}).status_code == 302
counts = []
with app.app_context():
    engine = db.engine
for class_id in ({big}, {small}):
    seen = []
    listener = lambda *args, **kwargs: seen.append(1)
    event.listen(engine, "before_cursor_execute", listener)
    response = client.get(f"/teach/classes/{{class_id}}/progress")
    event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, response.status_code
    counts.append(len(seen))
print(*counts)
"""


def timed(port: int, path: str, cookie: str, times: int) -> list[float]:
    out = []
    for _ in range(times):
        started = time.perf_counter()
        response, _body = request(port, "GET", path, cookie=cookie)
        assert response.status == 200, (path, response.status)
        out.append(time.perf_counter() - started)
    return out


def run(seconds: float = 5.0, rounds: int = 3) -> dict:
    inst = Installation()
    username, password = inst.demo_login("nguoidan")
    big, small, modules, progress_rows = inst.python(SETUP.format(password=PASSWORD, learners=LEARNERS,
                                                                  modules=MODULES)).split()
    queries_big, queries_small = (int(x) for x in inst.python(
        COUNT_QUERIES.format(password=PASSWORD, big=big, small=small)).split())
    times = max(3, int(seconds))
    with Server("wsgi:app", inst.env, log_dir=inst.dir) as lms:
        teacher = login(lms.port, "benchteacher", PASSWORD)
        learner = login(lms.port, username, password)
        page = f"/teach/classes/{big}/progress"
        timed(lms.port, page, teacher, 2)  # warm up
        timed(lms.port, LESSON, learner, 5)
        grid_times, lesson_times = [], []
        for _ in range(rounds):
            grid_times.append(median(timed(lms.port, page, teacher, times)))
            lesson_times.append(median(timed(lms.port, LESSON, learner, times * 4)))
        _response, body = request(lms.port, "GET", page, cookie=teacher)
    ratio = median(grid_times) / median(lesson_times)
    return {
        "name": "class progress page",
        "learners": LEARNERS,
        "modules": int(modules),
        "lesson_progress_rows": int(progress_rows),
        "queries_200_learners": queries_big,
        "queries_10_learners": queries_small,
        "page_seconds_median": round(median(grid_times), 3),
        "page_bytes": len(body),
        "lesson_page_seconds_median": round(median(lesson_times), 4),
        "ratio_to_lesson_page": round(ratio, 1),
        "ok": queries_big == queries_small,
    }
