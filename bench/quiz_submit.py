"""Quiz submissions per second with 50 concurrent learners against the SQLite default, as a ratio
to the minimal Flask page's requests per second measured the same way in the same run.

Each simulated learner has its own account and session and loops: start an attempt (POST),
open it (GET), answer every question and submit it (POST). A submission counts as accepted when
the server answers with the redirect to the attempt's review. Afterwards the database is asked how
many attempts were really graded: "lost" is accepted minus stored.

Goal (issue #3): no errors, none lost, graded submissions per second ≥ 0.25 × minimal page rps.
"""
from __future__ import annotations

import http.client
import re
import threading
import time
from collections import Counter
from urllib.parse import urlencode

from bench.common import Installation, Server, load, login, median, request

COURSE, MODULE = "an-toan-tu-te-tren-mang", "bao-ve-ban-than"  # the first module: open to a new learner
OVERVIEW = f"/courses/{COURSE}/{MODULE}/quiz"
PASSWORD = "bench password 2026"

CREATE_LEARNERS = """
from lms import create_app
from lms.extensions import db
from lms.auth.services import NewUser, create_user, hash_password
from lms.models import Place, PlaceKind, Role, TargetGroup, User
from sqlalchemy import select
app = create_app()
with app.app_context():
    village = db.session.scalars(select(Place).where(Place.kind == PlaceKind.VILLAGE)).first()
    digest = hash_password({password!r})
    for i in range({count}):
        user = create_user(NewUser(username=f"bench{{i:03d}}", full_name=f"Học viên {{i}}", password=None,
                                   role=Role.LEARNER, target_group=TargetGroup.STUDENTS, place_id=village.id))
        user.password_hash = digest
    # The benchmark's learners try again and again: lift the daily limit of attempts for its module.
    from lms.models import CourseModule
    module = db.session.scalar(select(CourseModule).where(CourseModule.course_id == {course!r},
                                                          CourseModule.key == {module!r}))
    module.quiz_settings = {{**module.quiz_settings, "attempts_per_day": 0}}
    db.session.commit()
"""

COUNT_GRADED = """
from lms import create_app
from lms.extensions import db
from lms.models import QuizAttempt, QuizResponse
from sqlalchemy import func, select
app = create_app()
with app.app_context():
    graded = db.session.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.submitted_at.is_not(None)))
    responses = db.session.scalar(select(func.count()).select_from(QuizResponse))
    print(graded, responses)
"""


class Learner:
    """One browser: keep-alive connection, session cookie, CSRF token."""

    def __init__(self, port: int, cookie: str):
        self.port = port
        self.cookie = cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        _status, _location, page = self.call("GET", OVERVIEW)
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def call(self, method: str, path: str, form: list[tuple[str, str]] | None = None):
        headers = {"Cookie": self.cookie}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            page = response.read().decode("utf-8", "replace")
            if response.getheader("Set-Cookie"):  # e.g. the CSRF token joins the session
                self.cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise
        return response.status, response.getheader("Location") or "", page

    def one_attempt(self) -> str:
        """Start, open, answer and submit one attempt; "ok" when the submission was accepted,
        else which step failed and how."""
        status, location, _ = self.call("POST", OVERVIEW + "/start", [("csrf_token", self.token)])
        if status != 302 or "/quiz/attempts/" not in location:
            return f"start {status} {location}"
        path = "/" + location.split("/", 3)[3] if location.startswith("http") else location
        status, _, page = self.call("GET", path)
        if status != 200:
            return f"open {status}"
        form = [("csrf_token", self.token), ("action", "submit"),
                ("attempt", re.search(r'name="attempt" value="(\d+)"', page).group(1))]
        # Answer every question, as a learner must (an unanswered one leads to the confirm step):
        # field names and values are opaque per attempt, so read them question by question.
        for block in page.split('<fieldset')[1:]:
            seen = set()
            for name, value in re.findall(r'<input type="(?:radio|checkbox)" name="([^"]+)" value="([^"]+)"', block):
                if name not in seen:  # the first option of a choice question
                    seen.add(name)
                    form.append((name, value))
            for name in re.findall(r'<input type="text"(?: inputmode="decimal")? name="([^"]+)"', block):
                form.append((name, "1"))
            # Ordering and matching: the n-th box takes the n-th choice, so that no place repeats.
            for n, (name, options) in enumerate(re.findall(r'<select id="[^"]*" name="([^"]+)">(.*?)</select>',
                                                           block, re.S)):
                values = re.findall(r'<option value="([^"]+)"', options)
                form.append((name, values[n % len(values)]))
        status, location, _ = self.call("POST", path, form)
        return "ok" if status == 302 and location.split("?")[0].endswith("/review") else f"submit {status} {location}"


def submit_load(port: int, cookies: list[str], seconds: float) -> dict:
    learners = [Learner(port, cookie) for cookie in cookies]
    accepted = [0] * len(learners)
    errors = [0] * len(learners)
    reasons: Counter[str] = Counter()
    stop_at = time.perf_counter() + seconds

    def worker(i: int):
        while time.perf_counter() < stop_at:
            try:
                outcome = learners[i].one_attempt()
            except (OSError, http.client.HTTPException, AttributeError) as exc:
                outcome = type(exc).__name__
            if outcome == "ok":
                accepted[i] += 1
            else:
                errors[i] += 1
                reasons[outcome] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(learners))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"accepted": sum(accepted), "errors": sum(errors), "reasons": reasons, "seconds": elapsed,
            "submissions_per_second": sum(accepted) / elapsed}


def run(concurrency: int = 50, seconds: float = 5.0, rounds: int = 3) -> dict:
    inst = Installation()
    inst.demo_login("hocsinh")  # places and demo accounts
    inst.python(CREATE_LEARNERS.format(password=PASSWORD, count=concurrency, course=COURSE, module=MODULE))
    with Server("wsgi:app", inst.env, log_dir=inst.dir) as lms, \
            Server("bench.minimal_app:app", inst.env, log_dir=inst.dir) as minimal:
        cookies = [login(lms.port, f"bench{i:03d}", PASSWORD) for i in range(concurrency)]
        response, _ = request(lms.port, "GET", OVERVIEW, cookie=cookies[0])
        assert response.status == 200, f"quiz overview answered {response.status}"
        warm = submit_load(lms.port, cookies[:4], 1)  # warm up
        load(minimal.port, "/", concurrency=4, seconds=1)
        rates, minimal_rps, accepted, errors = [], [], 0, 0
        for _ in range(rounds):
            m = load(minimal.port, "/", concurrency=concurrency, seconds=seconds)
            q = submit_load(lms.port, cookies, seconds)
            minimal_rps.append(m.rps)
            rates.append(q["submissions_per_second"])
            accepted += q["accepted"]
            errors += q["errors"] + m.errors
        errors += warm["errors"]
    graded, responses = (int(x) for x in inst.python(COUNT_GRADED).split())
    accepted_all = accepted + warm["accepted"]  # the warm-up's attempts are in the database too
    ratio = median(rates) / median(minimal_rps)
    return {
        "name": "quiz submissions",
        "learners": concurrency,
        "submissions_per_second_median": round(median(rates), 1),
        "quiz_requests_per_second_median": round(3 * median(rates), 1),  # start, open, submit
        "minimal_rps_median": round(median(minimal_rps), 1),
        "ratio": round(ratio, 3),
        "ratio_goal": 0.25,
        "accepted": accepted_all,
        "graded_in_database": graded,
        "lost": accepted_all - graded,
        "responses_in_database": responses,
        "errors": errors,
        "ok": ratio >= 0.25 and errors == 0 and graded == accepted_all,
    }
