"""Administration at scale: 100,000 learners with progress and certificates.

Reports, each beside what the database itself takes for the same work in the same run:
- importing 10,000 people from a CSV (preview and commit) vs a plain bulk insert of the same rows
  (goal: within 5×);
- the dashboard vs its raw aggregate queries (goal: within 2×);
- the completion report as CSV vs the raw read of the same rows (goal: within 3×), and as XLSX;
- the peak memory of each export, each run in its own process (goal: under 250 MB whatever
  the row count).
"""
from __future__ import annotations

import json
import subprocess
import sys

from bench.common import ROOT, Installation

LEARNERS = 100_000
IMPORT_ROWS = 10_000

GENERATE = """
import random
from datetime import date, timedelta
from sqlalchemy import insert, select, func
from lms import create_app
from lms.extensions import db
from lms.certificates import codes
from lms.models import (Certificate, Course, CourseModule, Lesson, LessonProgress, Place, PlaceKind, Role, Target,
                        TargetGroup, User)
from lms.models.base import utcnow
random.seed(11)
app = create_app()
with app.app_context():
    commune = db.session.scalars(select(Place).where(Place.kind == PlaceKind.COMMUNE)).first()
    villages = []
    for i in range(40):
        p = Place(name=f"Thôn đo {{i + 1}}", kind=PlaceKind.VILLAGE, parent_id=commune.id)
        db.session.add(p)
        villages.append(p)
    db.session.flush()
    village_ids = [v.id for v in villages]
    groups = [g.value for g in TargetGroup]
    for v in village_ids:
        for g in groups:
            db.session.add(Target(place_id=v, target_group=g, year=date.today().year, population=900, target_percent=80))
    courses = db.session.scalars(select(Course)).all()
    lessons = {{c.id: db.session.scalars(select(Lesson.id).join(CourseModule, CourseModule.id == Lesson.module_id)
                                         .where(CourseModule.course_id == c.id)).all() for c in courses}}
    now = utcnow()
    today = date.today()
    start = db.session.scalar(select(func.max(User.id))) or 0
    batch = 10_000
    for offset in range(0, {learners}, batch):
        users, progress, certs = [], [], []
        for i in range(offset, offset + batch):
            uid = start + i + 1
            g = groups[i % 4]
            users.append(dict(id=uid, username=f"hv{{i:06d}}", username_key=f"hv{{i:06d}}", full_name=f"Học Viên {{i}}",
                              role=Role.LEARNER, target_group=TargetGroup(g), place_id=village_ids[i % 40],
                              household_code=f"H{{i // 3:06d}}", is_active_account=True, is_mentor=False,
                              created_at=now, last_active_on=today - timedelta(days=random.randint(0, 90))))
            course = courses[i % len(courses)]
            certified = random.random() < 0.9  # most learners have finished one course
            done = lessons[course.id] if certified else lessons[course.id][:random.randint(0, len(lessons[course.id]) - 1)]
            progress += [dict(user_id=uid, lesson_id=l, completed_at=now) for l in done]
            if certified:
                certs.append(dict(code=codes.new_code(), user_id=uid, course_id=course.id, issued_at=now,
                                  learner_name=f"Học Viên {{i}}", target_group=g, place_name="Thôn", course_title_vi=course.title_vi,
                                  course_title_en=course.title_en or course.title_vi, course_version=course.version,
                                  score=90.0, issuer_name="UBND xã", issuer_place="Krông Á", signer_title="Chủ tịch",
                                  signer_name="Người ký mẫu", national_header=True))
        db.session.execute(insert(User), users)
        db.session.execute(insert(LessonProgress), progress)
        if certs:
            db.session.execute(insert(Certificate), certs)
        db.session.commit()
    print(db.session.scalar(select(func.count()).select_from(Certificate)))
"""

MEASURE = """
import csv, io, json, sys, time
from datetime import date
from sqlalchemy import insert, select, func, text, delete
from lms import create_app
from lms.extensions import db
from lms.models import Certificate, Place, PlaceKind, Role, TargetGroup, User
app = create_app()
out = {{}}
with app.app_context(), app.test_request_context():
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    commune = db.session.scalars(select(Place).where(Place.kind == PlaceKind.COMMUNE)).first()
    village = db.session.scalars(select(Place).where(Place.kind == PlaceKind.VILLAGE, Place.parent_id == commune.id)).first()

    # 1. Import 10,000 people vs a plain bulk insert of the same rows.
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Họ và tên", "Tên đăng nhập", "Đối tượng", "Thôn", "Mã hộ", "Năm sinh"])
    for i in range({rows}):
        w.writerow([f"Người Nhập {{i}}", f"nhap{{i:05d}}", "người dân", village.name, f"N{{i:05d}}", 1970 + i % 40])
    data = buf.getvalue().encode("utf-8")
    from lms import imports
    t = time.perf_counter()
    preview = imports.preview_people(data, "nguoi.csv", commune.id)
    result = imports.import_people(preview, "all_or_nothing", admin)
    out["import_seconds"] = time.perf_counter() - t
    out["import_written"] = {written}
    rows = [dict(username=f"raw{{i:05d}}", username_key=f"raw{{i:05d}}", full_name=f"Người Nhập {{i}}",
                 role=Role.LEARNER, target_group=TargetGroup.CITIZENS, place_id=village.id,
                 household_code=f"N{{i:05d}}", birth_year=1970 + i % 40, is_active_account=True, is_mentor=False)
            for i in range({rows})]
    t = time.perf_counter()
    db.session.execute(insert(User), rows)
    db.session.commit()
    out["bulk_insert_seconds"] = time.perf_counter() - t

    # 2. The dashboard vs its raw aggregate queries.
    from lms.reports.stats import dashboard
    year = date.today().year
    dashboard(None, None, year)
    t = time.perf_counter()
    for _ in range(3):
        dashboard(None, None, year)
    out["dashboard_seconds"] = (time.perf_counter() - t) / 3
    raw = [
        "SELECT target_group, count(*) FROM user_account WHERE role = 'learner' GROUP BY target_group",
        "SELECT target_group, count(*) FROM user_account WHERE role = 'learner' AND last_active_on >= :cutoff GROUP BY target_group",
        "SELECT u.target_group, count(DISTINCT c.user_id) FROM certificate c JOIN user_account u ON u.id = c.user_id "
        "WHERE c.revoked_at IS NULL GROUP BY u.target_group",
        "SELECT count(DISTINCT u.household_code) FROM user_account u WHERE u.household_code IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM certificate c WHERE c.user_id = u.id AND c.revoked_at IS NULL)",
        "SELECT u.place_id, count(*) FROM user_account u WHERE u.role = 'learner' GROUP BY u.place_id",
        "SELECT u.place_id, count(DISTINCT c.user_id) FROM certificate c JOIN user_account u ON u.id = c.user_id "
        "WHERE c.revoked_at IS NULL GROUP BY u.place_id",
    ]
    from datetime import timedelta
    params = {{"cutoff": date.today() - timedelta(days=30)}}
    t = time.perf_counter()
    for _ in range(3):
        for sql in raw:
            db.session.execute(text(sql), params).all()
    out["dashboard_raw_seconds"] = (time.perf_counter() - t) / 3

    # 3. Raw read of the same rows the completion report reads: the same joins (village, commune,
    # province, who assisted), filter and order, as one SQL statement, no Python per row.
    t = time.perf_counter()
    n = 0
    result = db.session.execute(text(
        "SELECT u.full_name, u.target_group, v.name, c.name, p.name, cert.course_title_vi, cert.course_title_en, "
        "cert.issued_at, cert.score, cert.code, h.names "
        "FROM certificate cert JOIN user_account u ON u.id = cert.user_id "
        "LEFT JOIN place v ON v.id = u.place_id LEFT JOIN place c ON c.id = v.parent_id "
        "LEFT JOIN place p ON p.id = c.parent_id "
        "LEFT JOIN (SELECT user_id, course_id, group_concat(name, ', ') AS names FROM ("
        "  SELECT DISTINCT qa.user_id, cm.course_id, hu.full_name AS name FROM quiz_attempt qa "
        "  JOIN course_module cm ON cm.id = qa.module_id JOIN user_account hu ON hu.id = qa.assisted_by_id "
        "  WHERE qa.assisted_by_id IS NOT NULL) GROUP BY user_id, course_id) h "
        "ON h.user_id = cert.user_id AND h.course_id = cert.course_id "
        "WHERE cert.revoked_at IS NULL AND u.role = 'learner' "
        "ORDER BY coalesce(p.name, ''), coalesce(c.name, ''), coalesce(v.name, ''), u.full_name, u.id, "
        "cert.issued_at, cert.id").execution_options(yield_per=2000))
    for row in result:
        n += 1
    out["raw_read_seconds"] = time.perf_counter() - t
    out["completion_rows"] = n
print(json.dumps(out))
"""

EXPORT = """
import json, resource, sys, time
from lms import create_app
from lms import exports
from lms.reports.completion import completion_header, completion_rows
app = create_app()
fmt = sys.argv[1]
with app.app_context(), app.test_request_context():
    t = time.perf_counter()
    size = 0
    if fmt == "csv":
        for chunk in exports.csv_stream(["Báo cáo"], completion_header(), completion_rows(None, None, None, None)):
            size += len(chunk.encode("utf-8"))
    else:
        for chunk in exports.xlsx_stream("Báo cáo", "", completion_header(), completion_rows(None, None, None, None)):
            size += len(chunk)
    seconds = time.perf_counter() - t
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "bytes": size, "peak_mb": peak_mb}))
"""


def _export(inst: Installation, fmt: str) -> dict:
    result = subprocess.run([sys.executable, "-c", EXPORT, fmt], cwd=ROOT, env=inst.env, capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(seconds: float = 5.0, learners: int = LEARNERS) -> dict:
    inst = Installation()
    inst.demo_login("quantri")
    certificates = int(inst.python(GENERATE.format(learners=learners)).strip())
    measured = json.loads(inst.python(MEASURE.format(rows=IMPORT_ROWS, written="len(result.created)")).strip().splitlines()[-1])
    csv_export = _export(inst, "csv")
    xlsx_export = _export(inst, "xlsx")
    import_ratio = measured["import_seconds"] / measured["bulk_insert_seconds"]
    dashboard_ratio = measured["dashboard_seconds"] / measured["dashboard_raw_seconds"]
    csv_ratio = csv_export["seconds"] / measured["raw_read_seconds"]
    peak = max(csv_export["peak_mb"], xlsx_export["peak_mb"])
    return {
        "name": "administration at scale",
        "learners": learners,
        "certificates": certificates,
        "import_rows": IMPORT_ROWS,
        "import_seconds": round(measured["import_seconds"], 2),
        "bulk_insert_seconds": round(measured["bulk_insert_seconds"], 2),
        "import_ratio": round(import_ratio, 1),
        "import_ratio_goal": 5,
        "dashboard_seconds": round(measured["dashboard_seconds"], 3),
        "dashboard_raw_seconds": round(measured["dashboard_raw_seconds"], 3),
        "dashboard_ratio": round(dashboard_ratio, 2),
        "dashboard_ratio_goal": 2,
        "completion_rows": measured["completion_rows"],
        "raw_read_seconds": round(measured["raw_read_seconds"], 2),
        "csv_seconds": round(csv_export["seconds"], 2),
        "csv_ratio": round(csv_ratio, 1),
        "csv_ratio_goal": 3,
        "csv_peak_mb": round(csv_export["peak_mb"]),
        "xlsx_seconds": round(xlsx_export["seconds"], 2),
        "xlsx_peak_mb": round(xlsx_export["peak_mb"]),
        "peak_mb_goal": 250,
        "ok": import_ratio <= 5 and dashboard_ratio <= 2 and csv_ratio <= 3 and peak < 250,
    }
