"""Certificates: PDFs generated per second through the site, the size of one PDF, and the time
for a class's ZIP of 200 certificates as a ratio to the lesson page's time, all in one run.

Goal (issue #4): each PDF under 200 KB, at least 20 PDFs a second on this machine.
"""
from __future__ import annotations

import time

from bench.common import Installation, Server, load, login, median, request

LESSON = "/courses/vneid-cho-nguoi-dan/lam-quen-voi-vneid/cai-dat-dung-ung-dung"
PASSWORD = "bench password 2026"
CLASS_SIZE = 200

SETUP = """
from lms import create_app
from lms.extensions import db
from lms.auth.services import NewUser, create_user, hash_password
from lms.certificates import services
from lms.models import ClassGroup, ClassMember, ClassTeacher, Course, Place, PlaceKind, Role, TargetGroup, User
from sqlalchemy import select
app = create_app()
with app.app_context():
    village = db.session.scalars(select(Place).where(Place.kind == PlaceKind.VILLAGE)).first()
    course = db.session.get(Course, "vneid-cho-nguoi-dan")
    digest = hash_password({password!r})
    teacher = create_user(NewUser(username="benchteacher", full_name="Cô Giáo Đo", password=None, role=Role.TEACHER,
                                  target_group=None, place_id=village.id))
    teacher.password_hash = digest
    group = ClassGroup(name="Lớp đo hiệu năng", place_id=village.id)
    db.session.add(group)
    db.session.flush()
    db.session.add(ClassTeacher(class_id=group.id, user_id=teacher.id))
    names = ["Nguyễn Thị Hường", "Y Khoa Niê", "Hờ A Dơ", "Đặng Thị Ửng Quỳnh", "Lý Văn Được"]
    for i in range({count}):
        user = create_user(NewUser(username=f"cert{{i:03d}}", full_name=f"{{names[i % 5]}} {{i}}", password=None,
                                   role=Role.LEARNER, target_group=TargetGroup.CITIZENS, place_id=village.id))
        db.session.flush()
        db.session.add(ClassMember(class_id=group.id, user_id=user.id))
        db.session.add(services._new_certificate(user, course))
    db.session.commit()
    first = db.session.scalars(select(services.Certificate).order_by(services.Certificate.id)).first()
    print(group.id, first.display_code)
"""


def timed_get(port: int, path: str, cookie: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    response, body = request(port, "GET", path, cookie=cookie)
    return time.perf_counter() - started, response.status, body


def run(seconds: float = 5.0, concurrency: int = 8, rounds: int = 3) -> dict:
    inst = Installation()
    username, password = inst.demo_login("nguoidan")
    class_id, code = inst.python(SETUP.format(password=PASSWORD, count=CLASS_SIZE)).split()
    with Server("wsgi:app", inst.env, log_dir=inst.dir) as lms:
        teacher = login(lms.port, "benchteacher", PASSWORD)
        learner = login(lms.port, username, password)
        pdf_path = f"/certificates/{code}.pdf"
        # The teacher of the class may download every learner's PDF.
        _t, status, pdf = timed_get(lms.port, pdf_path, teacher)
        assert status == 200 and pdf.startswith(b"%PDF"), status
        load(lms.port, pdf_path, concurrency=2, seconds=1, cookie=teacher)  # warm up
        load(lms.port, LESSON, concurrency=2, seconds=1, cookie=learner)
        pdf_rates, zip_times, lesson_times = [], [], []
        errors = {"pdf": 0, "zip": 0, "lesson": 0}
        zip_size = 0
        for _ in range(rounds):
            result = load(lms.port, pdf_path, concurrency=concurrency, seconds=seconds, cookie=teacher)
            pdf_rates.append(result.rps)
            errors["pdf"] += result.errors
            elapsed, status, body = timed_get(lms.port, f"/classes/{class_id}/certificates.zip", teacher)
            errors["zip"] += status != 200
            zip_times.append(elapsed)
            zip_size = len(body)
            singles = [timed_get(lms.port, LESSON, learner) for _ in range(20)]
            errors["lesson"] += sum(1 for _t, s, _b in singles if s != 200)
            lesson_times.append(median([t for t, _s, _b in singles]))
    pdf_rate = median(pdf_rates)
    return {
        "name": "certificates",
        "pdf_per_second_median": round(pdf_rate, 1),
        "pdf_per_second_goal": 20,
        "pdf_bytes": len(pdf),
        "pdf_bytes_goal": 200 * 1024,
        "class_zip_certificates": CLASS_SIZE,
        "class_zip_seconds_median": round(median(zip_times), 3),
        "class_zip_bytes": zip_size,
        "lesson_page_seconds_median": round(median(lesson_times), 4),
        "zip_to_lesson_page_ratio": round(median(zip_times) / median(lesson_times), 1),
        "errors": errors,
        "ok": pdf_rate >= 20 and len(pdf) < 200 * 1024 and not any(errors.values()),
    }
