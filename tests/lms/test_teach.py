"""Teaching: classes and who may see them, joining, one-time codes, pasted lists, assignments,
the progress grid against the database, downloads, assisted quizzes, guidance, mentoring."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import (
    Assignment,
    ClassGroup,
    ClassInvitation,
    ClassMember,
    CourseModule,
    GuidanceSession,
    Lesson,
    LessonProgress,
    QuizAttempt,
    Role,
    SignInCode,
    TargetGroup,
    User,
)
from lms.models.base import utcnow
from lms.teach import services
from tests.helpers import PASSWORD, csrf_token, log_in, log_out, post_form
RIGHT = {"cai-tu-dau": "a", "cong-an-goi-video": "false", "so-chu-so": "6"}


def login(client, username):
    response = log_in(client, username, lang="en")
    assert response.status_code == 302, (username, response.status_code)


logout = log_out


@pytest.fixture
def people(app, make_user, loaded):
    ids = {
        "teacher": make_user(username="cogiao", role=Role.TEACHER, group=None, full_name="Cô Giáo Lan"),
        "other": make_user(username="thaykhac", role=Role.TEACHER, group=None, full_name="Thầy Khác"),
        "an": make_user(username="hocvienan", full_name="Nguyễn Văn An"),
        "binh": make_user(username="hocvienbinh", full_name="Trần Thị Bình"),
        "outsider": make_user(username="nguoingoai", full_name="Người Ngoài"),
    }
    return ids


def make_class(app, teacher_id, members=(), name="Lớp thôn 1", place=None):
    with app.app_context():
        teacher = db.session.get(User, teacher_id)
        group = services.create_class(teacher, name, place, "citizens", "Tối thứ Ba", None)
        for user_id in members:
            db.session.add(ClassMember(class_id=group.id, user_id=user_id))
        db.session.commit()
        return group.id


def module_id(app, key):
    with app.app_context():
        return db.session.scalar(select(CourseModule.id).where(CourseModule.key == key))


# --- classes belong to their teachers -----------------------------------------------------

def test_teacher_creates_a_class_and_gets_a_join_code(app, client, people, places):
    login(client, "cogiao")
    form_url = "/teach/classes/new"
    bad = post_form(client, form_url, {"name": " ", "place": "", "target_group": ""})
    assert bad.status_code == 400 and "Give the class a name." in bad.get_data(as_text=True)
    response = post_form(client, form_url, {"name": "Lớp tối thứ Ba", "place": str(places["village"]),
                                            "target_group": "citizens", "schedule": "19:00 nhà văn hóa"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        group = db.session.scalar(select(ClassGroup))
        assert group.name == "Lớp tối thứ Ba" and len(group.join_code) == 8
        assert services.group_code(group.join_code) in page and "<svg" in page


CLASS_ROUTES = [
    ("GET", "/teach/classes/{c}"), ("GET", "/teach/classes/{c}/progress"), ("GET", "/teach/classes/{c}/progress.csv"),
    ("GET", "/teach/classes/{c}/progress.xlsx"), ("GET", "/teach/classes/{c}/assign"),
    ("GET", "/teach/classes/{c}/learners/{an}"), ("POST", "/teach/classes/{c}/members"),
    ("POST", "/teach/classes/{c}/members/paste"), ("POST", "/teach/classes/{c}/members/{an}/remove"),
    ("POST", "/teach/classes/{c}/teachers"), ("POST", "/teach/classes/{c}/join-code"),
    ("POST", "/teach/classes/{c}/accounts"), ("POST", "/teach/classes/{c}/learners/{an}/code"),
    ("POST", "/teach/classes/{c}/assign"), ("POST", "/teach/classes/{c}/learners/{an}/mentor"),
    ("POST", "/teach/classes/{c}/learners/{an}/assist/{m}"), ("GET", "/classes/{c}/certificates.zip"),
    ("POST", "/teach/classes/{c}/invitations/{i}/withdraw"),
]


def test_another_teacher_cannot_open_change_or_export_a_class(app, client, people):
    class_id = make_class(app, people["teacher"], [people["an"]])
    m = module_id(app, "only")
    with app.app_context():
        join_code = db.session.get(ClassGroup, class_id).join_code
        invitation = services.invite(db.session.get(User, people["teacher"]), db.session.get(ClassGroup, class_id),
                                     "hocvienbinh")
        assert invitation.outcome == "invited"
        invitation_id = db.session.scalar(select(ClassInvitation.id))
    login(client, "thaykhac")
    token = csrf_token(client, "/teach")
    for method, pattern in CLASS_ROUTES:
        path = pattern.format(c=class_id, an=people["an"], m=m, i=invitation_id)
        data = {"csrf_token": token, "login": "hocvienbinh", "lines": "hocvienbinh", "course": "beta",
                "step": "assign", "full_name": "Người Mới", "target_group": "citizens", "village": "1"}
        response = client.get(path) if method == "GET" else client.post(path, data=data)
        assert response.status_code == 404, (method, path, response.status_code)
    with app.app_context():  # nothing changed
        assert db.session.scalar(select(func.count()).select_from(ClassMember)) == 1
        assert db.session.scalar(select(ClassInvitation.login_name)) == "hocvienbinh"
        assert db.session.scalar(select(func.count()).select_from(ClassInvitation)) == 1
        assert db.session.scalar(select(func.count()).select_from(SignInCode)) == 0
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
        assert db.session.get(ClassGroup, class_id).join_code == join_code
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0
        assert not db.session.get(User, people["an"]).is_mentor
    # Withdrawing another teacher's assignment, by its id.
    with app.app_context():
        teacher = db.session.get(User, people["teacher"])
        assignment = services.assign(teacher, db.session.get(ClassGroup, class_id), "beta", [], [], None, None)[0]
        assignment_id = assignment.id
    assert client.post(f"/teach/assignments/{assignment_id}/withdraw", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).withdrawn_at is None


@pytest.mark.parametrize("path", ["/teach", "/teach/classes/new", "/teach/guidance"])
def test_learners_cannot_reach_teaching_pages(client, people, path):
    login(client, "hocvienan")
    assert client.get(path).status_code == 403


def test_assignment_form_first_button_says_next_step_not_next_lesson(app, client, people):
    class_id = make_class(app, people["teacher"])
    log_in(client, "cogiao")  # Vietnamese, the default
    page = client.get(f"/teach/classes/{class_id}/assign").get_data(as_text=True)
    assert '<button type="submit" class="button primary">Tiếp</button>' in page and "Bài tiếp" not in page


def test_assigning_to_learners_outside_the_class_is_refused(app, client, people):
    class_id = make_class(app, people["teacher"], [people["an"]])
    login(client, "cogiao")
    url = f"/teach/classes/{class_id}/assign"
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "step": "assign", "course": "beta", "who": "chosen",
                                      "learners": [str(people["an"]), str(people["outsider"])]}, follow_redirects=True)
    assert "You can only assign work to learners of this class." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


# --- joining and adding learners ----------------------------------------------------------

def test_learner_joins_with_the_code_but_not_an_expired_or_wrong_one(app, client, people):
    class_id = make_class(app, people["teacher"])
    with app.app_context():
        code = db.session.get(ClassGroup, class_id).join_code
    login(client, "hocvienan")
    typed = services.group_code(code).lower()  # as a learner types it
    response = post_form(client, "/join", {"code": typed})
    assert response.status_code == 302
    with app.app_context():
        assert services.is_member(class_id, people["an"])
        group = db.session.get(ClassGroup, class_id)
        group.join_code_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    logout(client)
    login(client, "hocvienbinh")
    expired = post_form(client, "/join", {"code": code})
    assert expired.status_code == 400 and "This class code has expired." in expired.get_data(as_text=True)
    wrong = post_form(client, "/join", {"code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 400 and "No class has this code." in wrong.get_data(as_text=True)
    with app.app_context():
        assert not services.is_member(class_id, people["binh"])


def test_join_codes_cannot_be_brute_forced(make_app, make_user, loaded):
    from lms.extensions import limiter
    app = make_app(JOIN_LIMIT_PER_ADDRESS="5 per minute")
    limiter.reset()
    make_user(username="dotim")
    client = app.test_client()
    post_form(client, "/login", {"username": "dotim", "password": PASSWORD})
    token = csrf_token(client, "/join")
    statuses = [client.post("/join", data={"csrf_token": token, "code": f"AAAA{n}{n}{n}{n}"}).status_code
                for n in range(2, 10)]
    assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}
    limiter.reset()


def new_account(places, username="hocvienmoi", **overrides):
    return {"full_name": "Hờ A Dơ", "username": username, "password": "ba con mèo nhỏ", "confirm": "ba con mèo nhỏ",
            "target_group": "citizens", "village": str(places["village"]), **overrides}


def members(app, class_id) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(ClassMember.user_id).where(ClassMember.class_id == class_id)))


def test_a_visitor_scans_the_join_link_registers_and_is_in_the_class(app, client, people, places):
    class_id = make_class(app, people["teacher"], name="Lớp tối thứ Ba")
    with app.app_context():
        code = db.session.get(ClassGroup, class_id).join_code
    client.set_cookie("lang", "en")
    invite = client.get(f"/join/{code}")  # what the QR code opens
    assert invite.status_code == 200
    page = invite.get_data(as_text=True)
    assert services.group_code(code) in page and "Lớp tối thứ Ba" not in page  # the code is not looked up yet
    assert f'href="/register?join={code}"' in page and f'href="/login?join={code}"' in page
    # The log-in page offers registration with the code too ("Đăng ký tại đây").
    assert f'href="/register?join={code}"' in client.get(f"/login?join={code}").get_data(as_text=True)
    form = client.get(f"/register?join={code}").get_data(as_text=True)
    assert f"you will join the class with the code {services.group_code(code)}" in form
    response = post_form(client, f"/register?join={code}", new_account(places))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Your account is ready." in home and "You are in the class “Lớp tối thứ Ba”." in home
    with app.app_context():
        newcomer = db.session.scalar(select(User.id).where(User.username == "hocvienmoi"))
    assert members(app, class_id) == {newcomer}


def test_an_existing_learner_logs_in_from_the_join_link_and_is_in_the_class(app, client, people):
    class_id = make_class(app, people["teacher"], name="Lớp tối thứ Ba")
    with app.app_context():
        code = db.session.get(ClassGroup, class_id).join_code
    client.set_cookie("lang", "en")
    response = post_form(client, f"/login?join={code.lower()}", {"username": "hocvienan", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "You are in the class “Lớp tối thứ Ba”." in client.get("/").get_data(as_text=True)
    assert members(app, class_id) == {people["an"]}
    # Following the link again once logged in shows the join form with the code filled in.
    again = client.get(f"/login?join={code}")
    assert again.status_code == 302 and again.headers["Location"] == f"/join/{code}"
    assert f'value="{code}"' in client.get(again.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("problem, message", [
    ("expired", "This class code has expired. Ask your teacher for a new one."),
    ("unknown", "No class has this code. Check it with your teacher."),
])
def test_registering_with_a_bad_join_code_still_creates_the_account_and_changes_nothing_else(
        app, client, people, places, problem, message):
    class_id = make_class(app, people["teacher"], [people["an"]])
    with app.app_context():
        group = db.session.get(ClassGroup, class_id)
        if problem == "expired":
            group.join_code_expires_at = utcnow() - timedelta(minutes=1)
            db.session.commit()
        code = group.join_code if problem == "expired" else "ZZZZZZZZ"
        before = (group.join_code, group.join_code_expires_at)
    client.set_cookie("lang", "en")
    response = post_form(client, f"/register?join={code}", new_account(places))
    assert response.status_code == 302 and response.headers["Location"] == "/join"
    page = client.get("/join").get_data(as_text=True)
    assert "Your account is ready." in page and message in page
    with app.app_context():
        assert db.session.scalar(select(User.full_name).where(User.username == "hocvienmoi")) == "Hờ A Dơ"
        group = db.session.get(ClassGroup, class_id)
        assert (group.join_code, group.join_code_expires_at) == before
        assert db.session.scalar(select(func.count()).select_from(ClassMember)) == 1
    assert members(app, class_id) == {people["an"]}


def test_a_teacher_logging_in_with_a_join_code_is_told_and_not_added(app, client, people):
    class_id = make_class(app, people["other"])
    with app.app_context():
        code = db.session.get(ClassGroup, class_id).join_code
    client.set_cookie("lang", "en")
    response = post_form(client, f"/login?join={code}", {"username": "cogiao", "password": PASSWORD})
    assert response.headers["Location"] == "/teach"
    assert "Only learners can join a class with a code." in client.get("/teach").get_data(as_text=True)
    assert members(app, class_id) == set()


def test_join_link_carries_only_a_code_and_never_redirects_off_site(app, client, people, places):
    response = client.get("/register?join=<script>&next=https://evil.example/")
    page = response.get_data(as_text=True)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert response.status_code == 200 and "<script>" not in main and "evil.example" not in main
    assert 'href="/login?join=SCRIPT"' in main  # letters and digits only, the unsafe next left out
    registered = post_form(client, "/register?next=//evil.example/", new_account(places))
    assert registered.headers["Location"] == "/"
    log_out(client)
    # A safe next address is followed after registering, as after logging in.
    registered = post_form(client, "/register?next=/courses", new_account(places, username="hocvienkhac"))
    assert registered.headers["Location"] == "/courses"
    # Posting to the join page without an account leads to the log-in page.
    log_out(client)
    token = csrf_token(client, "/login")
    response = client.post("/join", data={"csrf_token": token, "code": "ABCD-EFGH"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_pasted_list_reports_every_line_and_invites_rather_than_adds(app, client, people):
    class_id = make_class(app, people["teacher"], [people["an"]])
    login(client, "cogiao")
    url = f"/teach/classes/{class_id}"
    response = post_form(client, url + "/members/paste",
                         {"lines": "hocvienan\n  HocVienBinh \nkhongco\n\nthaykhac\n0912 345 678\nnot a name!\n"},
                         form_url=url)
    text = response.get_data(as_text=True)
    rows = dict(re.findall(r"<tr><td>([^<]*)</td><td>\s*(.*?)\s*</td></tr>", text, re.S))
    assert rows["hocvienan"] == "= Already in the class: Nguyễn Văn An"
    invited = "✉ Invitation sent: if someone has this username or phone number, they see it on their home page"
    # An existing learner, a name nobody has, a teacher's name and a phone number: one answer.
    assert rows["HocVienBinh"] == rows["khongco"] == rows["thaykhac"] == rows["0912 345 678"] == invited
    assert rows["not a name!"] == "✗ Not a username or a mobile phone number"
    assert "Trần Thị Bình" not in text and "Thầy Khác" not in text
    with app.app_context():
        assert {u.id for u in services.members_of(db.session.get(ClassGroup, class_id))} == {people["an"]}
        waiting = [i.login_name for i in services.invitations_of_class(db.session.get(ClassGroup, class_id))]
        assert sorted(waiting) == ["0912345678", "HocVienBinh", "khongco", "thaykhac"]


def test_search_stays_within_the_commune_even_for_an_exact_username(app, people, places, huong):
    class_id = make_class(app, people["teacher"], place=places["village"])
    with app.app_context():
        group = db.session.get(ClassGroup, class_id)
        assert [u.full_name for u in services.search_learners(group, "bình")] == ["Trần Thị Bình"]
        assert [u.id for u in services.search_learners(group, "hocvienbinh")] == [people["binh"]]
        assert services.search_learners(group, "huongxakhac") == []  # exists, but in another commune
        group.place_id = None
        db.session.commit()
        assert services.search_learners(group, "bình") == []  # no commune: nobody is listed
        assert services.search_learners(group, "hocvienbinh") == []


@pytest.fixture
def huong(app, make_user, places):
    """Nguyễn Thị Hường in the class's commune, and a namesake in another commune."""
    from lms.models import Place, PlaceKind
    with app.app_context():
        other = Place(name="Xã Ea Tiêu", kind=PlaceKind.COMMUNE, parent_id=places["province"])
        far = Place(name="Thôn 9", kind=PlaceKind.VILLAGE, parent=other)
        db.session.add_all([other, far])
        db.session.commit()
        far_id = far.id
    return {"near": make_user(username="huongthon1", full_name="Nguyễn Thị Hường", place=places["village2"]),
            "far": make_user(username="huongxakhac", full_name="Nguyễn Thị Hường", place=far_id)}


@pytest.mark.parametrize("typed", ["huong", "HUONG", "nguyen thi", "Nguyễn Thị", "hường nguyễn",
                                   unicodedata.normalize("NFD", "Nguyễn Thị Hường")])
def test_search_by_name_ignores_case_and_diacritics_within_the_commune(app, client, people, places, huong, typed):
    class_id = make_class(app, people["teacher"], place=places["village"])
    with app.app_context():
        group = db.session.get(ClassGroup, class_id)
        assert [u.id for u in services.search_learners(group, typed)] == [huong["near"]]  # not the namesake elsewhere
    login(client, "cogiao")
    page = client.get(f"/teach/classes/{class_id}", query_string={"q": typed}).get_data(as_text=True)
    assert "Nguyễn Thị Hường" in page and "huongthon1" in page and "huongxakhac" not in page


def test_search_by_name_finds_nobody_for_wildcards_or_other_names(app, people, places, huong):
    class_id = make_class(app, people["teacher"], place=places["village"])
    with app.app_context():
        group = db.session.get(ClassGroup, class_id)
        assert services.search_learners(group, "%%") == []
        assert services.search_learners(group, "h_ong") == []
        assert services.search_learners(group, "nguyen van huong") == []
        assert services.search_learners(group, "thi cô giáo") == []  # teachers are not offered


def test_progress_page_filters_names_without_diacritics(app, client, people, places, huong):
    class_id = make_class(app, people["teacher"], [huong["near"], people["binh"]], place=places["village"])
    with app.app_context():
        services.assign(db.session.get(User, people["teacher"]), db.session.get(ClassGroup, class_id), "alpha", [], [],
                        None, None)
    login(client, "cogiao")
    page = client.get(f"/teach/classes/{class_id}/progress", query_string={"q": "HUONG"}).get_data(as_text=True)
    assert "Nguyễn Thị Hường" in page and "Trần Thị Bình" not in page
    page = client.get(f"/teach/classes/{class_id}/progress", query_string={"q": "hocvienbinh"}).get_data(as_text=True)
    assert "Trần Thị Bình" in page and "Nguyễn Thị Hường" not in page


# --- accounts with one-time codes ---------------------------------------------------------

def test_teacher_made_account_signs_in_once_with_its_code_then_chooses_a_password(app, client, people, places):
    class_id = make_class(app, people["teacher"])
    login(client, "cogiao")
    url = f"/teach/classes/{class_id}"
    response = post_form(client, url + "/accounts", {"full_name": "Hờ A Dơ", "username": "hoado",
                                                     "target_group": "workers", "village": str(places["village"])},
                         form_url=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "hoado" in page
    code = re.search(r'class="code-big">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})<', page).group(1)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "hoado"))
        assert user.password_hash is None and services.is_member(class_id, user.id)
        stored = db.session.scalar(select(SignInCode.code_hash))
        assert code.replace("-", "") not in stored  # only a hash is kept
    logout(client)
    wrong = post_form(client, "/login/code", {"username": "hoado", "code": "AAAA-BBBB-CC"})
    assert wrong.status_code == 401
    first = post_form(client, "/login/code", {"username": "hoado", "code": code.lower()})
    assert first.status_code == 302 and first.headers["Location"].endswith("/account/password")
    choose = post_form(client, "/account/password", {"password": "một mật khẩu mới", "confirm": "một mật khẩu mới"})
    assert choose.status_code == 302
    logout(client)
    again = post_form(client, "/login/code", {"username": "hoado", "code": code})
    assert again.status_code == 401  # used once already
    assert post_form(client, "/login", {"username": "hoado", "password": "một mật khẩu mới"}).status_code == 302


def test_one_time_codes_expire_and_a_new_one_replaces_the_old(app, people):
    with app.app_context():
        teacher = db.session.get(User, people["teacher"])
        learner = db.session.get(User, people["an"])
        first = services.new_sign_in_code(learner, teacher)
        second = services.new_sign_in_code(learner, teacher)
        assert services.use_sign_in_code("hocvienan", first) is None  # replaced
        row = db.session.scalar(select(SignInCode).where(SignInCode.used_at.is_(None)))
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert services.use_sign_in_code("hocvienan", second) is None  # expired
        third = services.new_sign_in_code(learner, teacher)
        assert services.use_sign_in_code("hocvienan", third).id == learner.id
        assert services.use_sign_in_code("hocvienan", third) is None


# --- assignments and the learner's home page ----------------------------------------------

def test_assigned_work_comes_first_by_due_date_overdue_marked_and_withdrawal_keeps_progress(app, client, people):
    class_id = make_class(app, people["teacher"], [people["an"], people["binh"]])
    with app.app_context():
        teacher = db.session.get(User, people["teacher"])
        group = db.session.get(ClassGroup, class_id)
        m1, m2 = (db.session.scalar(select(CourseModule.id).where(CourseModule.key == k)) for k in ("m1", "m2"))
        later = services.assign(teacher, group, "alpha", [m2], [], date.today() + timedelta(days=10), None)[0]
        services.assign(teacher, group, "alpha", [m1], [], date.today() + timedelta(days=2), "Học trước buổi tối")
        late = services.assign(teacher, group, "beta", [], [people["binh"]], date.today(), None)[0]
        late.due_on = date.today() - timedelta(days=3)  # as if assigned last week
        db.session.commit()
        later_id = later.id
    login(client, "hocvienan")
    page = client.get("/").get_data(as_text=True)
    assigned = page[page.index("Assigned to you"):page.index("Courses for you") if "Courses for you" in page else None]
    assert assigned.index("Module one") < assigned.index("Module two") and "Học trước buổi tối" in assigned
    assert "Beta course" not in assigned  # given to Bình only
    logout(client)
    login(client, "hocvienbinh")
    page = client.get("/").get_data(as_text=True)
    assert page.index("Assigned to you") < page.index("Overdue: was due") < page.index("Module one")
    # Bình reads a lesson of module two; withdrawing it keeps the progress.
    with app.app_context():
        from lms.learn.services import mark_done
        mark_done(db.session.get(User, people["binh"]), db.session.scalar(select(Lesson).where(Lesson.key == "l3")))
        services.withdraw(db.session.get(Assignment, later_id))
        assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1
    assert "Module two" not in client.get("/").get_data(as_text=True).split("Courses for you")[0]


# --- the progress grid --------------------------------------------------------------------

def test_progress_grid_agrees_with_the_database(app, client, people, make_user):
    extra = make_user(username="hocviencuong", full_name="Lê Văn Cường")
    class_id = make_class(app, people["teacher"], [people["an"], people["binh"], extra])
    with app.app_context():
        teacher = db.session.get(User, people["teacher"])
        group = db.session.get(ClassGroup, class_id)
        services.assign(teacher, group, "alpha", [], [], None, None)  # m1 and m2
        services.assign(teacher, group, "beta", [], [people["an"]], None, None)  # only: An alone
        from lms.learn.services import mark_done
        from lms.quiz import services as quiz
        an, binh = db.session.get(User, people["an"]), db.session.get(User, people["binh"])
        for key in ("l1", "l2", "l3"):
            mark_done(an, db.session.scalar(select(Lesson).where(Lesson.key == key)))
        mark_done(binh, db.session.scalar(select(Lesson).where(Lesson.key == "l1")))
        mark_done(an, db.session.scalar(select(Lesson).where(Lesson.key == "b1")))
        module = db.session.scalar(select(CourseModule).where(CourseModule.key == "only"))
        attempt = quiz.start_attempt(an, module)
        quiz.submit_attempt(attempt.id, {f"q{i}": [RIGHT[q["id"]]] for i, q in enumerate(attempt.questions)})
        grid = services.progress_grid(group)
        assert [c.module.key for c in grid.columns] == ["m1", "m2", "only"]
        states = {(u.full_name, c.module.key): (cell.state, cell.lessons_done, cell.best_score)
                  for u in grid.learners for c, cell in zip(grid.columns, grid.row(u)) if cell is not None}
        # Independently from the database: lessons done per learner and module.
        for (name, key), (_state, done, _score) in states.items():
            user = db.session.scalar(select(User).where(User.full_name == name))
            counted = db.session.scalar(select(func.count()).select_from(LessonProgress)
                                        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
                                        .join(CourseModule, CourseModule.id == Lesson.module_id)
                                        .where(LessonProgress.user_id == user.id, CourseModule.key == key))
            assert done == counted, (name, key)
        assert states[("Nguyễn Văn An", "m1")] == ("done", 2, None)
        assert states[("Nguyễn Văn An", "m2")] == ("in_progress", 1, None)
        assert states[("Nguyễn Văn An", "only")] == ("done", 1, 100.0)
        assert states[("Trần Thị Bình", "m1")] == ("in_progress", 1, None)
        assert states[("Lê Văn Cường", "m1")] == ("not_started", 0, None)
        assert ("Trần Thị Bình", "only") not in states  # not assigned to her
        assert grid.column_totals() == [{"done": 1, "in_progress": 1, "not_started": 1},
                                        {"done": 0, "in_progress": 1, "not_started": 2},
                                        {"done": 1, "in_progress": 0, "not_started": 0}]
    login(client, "cogiao")
    page = client.get(f"/teach/classes/{class_id}/progress?sort=progress").get_data(as_text=True)
    assert page.index("Nguyễn Văn An") < page.index("Trần Thị Bình") < page.index("Lê Văn Cường")
    filtered = client.get(f"/teach/classes/{class_id}/progress?state=done").get_data(as_text=True)
    assert "Nguyễn Văn An" in filtered and "Lê Văn Cường" not in filtered


def test_progress_downloads_as_csv_and_xlsx(app, client, people):
    class_id = make_class(app, people["teacher"], [people["an"]], name="=HYPERLINK(\"x\")")
    with app.app_context():
        services.assign(db.session.get(User, people["teacher"]), db.session.get(ClassGroup, class_id), "alpha", [], [],
                        None, None)
        from lms.learn.services import mark_done
        mark_done(db.session.get(User, people["an"]), db.session.scalar(select(Lesson).where(Lesson.key == "l1")))
    login(client, "cogiao")
    response = client.get(f"/teach/classes/{class_id}/progress.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0].startswith("'") or not rows[0][0].startswith("=")  # the title cannot run as a formula
    learner_row = next(r for r in rows if r and r[0] == "Nguyễn Văn An")
    assert learner_row[1] == "hocvienan" and learner_row[3] == "In progress" and learner_row[4] == "1"
    xlsx = client.get(f"/teach/classes/{class_id}/progress.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert not str(values[0][0]).startswith("=")
    row = next(r for r in values if r and r[0] == "Nguyễn Văn An")
    assert row[4] == 1 and isinstance(row[4], int)  # numbers stay numbers


# --- assisted quiz ------------------------------------------------------------------------

def test_teacher_runs_a_quiz_with_the_learner_and_it_is_marked_assisted(app, client, people):
    class_id = make_class(app, people["teacher"], [people["an"]])
    m = module_id(app, "only")
    with app.app_context():
        services.assign(db.session.get(User, people["teacher"]), db.session.get(ClassGroup, class_id), "beta", [], [],
                        None, None)
    login(client, "cogiao")
    detail = f"/teach/classes/{class_id}/learners/{people['an']}"
    response = post_form(client, f"{detail}/assist/{m}", {}, form_url=detail)
    attempt_url = response.headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    assert "Assisted attempt" in page and "Nguyễn Văn An" in page
    assert attempt_url.endswith(f"?class_id={class_id}")  # the quiz pages lead back to this class
    attempt_id = int(attempt_url.split("?")[0].rsplit("/", 1)[1])
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.user_id == people["an"] and attempt.assisted_by_id == people["teacher"]
        # The page sends opaque per-attempt field names and values: encode the answers as it does.
        from lms.quiz.services import attempt_form
        form = attempt_form(attempt).encode({f"q{i}": RIGHT[q["id"]] for i, q in enumerate(attempt.questions)})
    token = csrf_token(client, attempt_url)
    client.post(attempt_url, data={"csrf_token": token, "attempt": str(attempt_id), "action": "submit", **form})
    with app.app_context():
        grid = services.progress_grid(db.session.get(ClassGroup, class_id))
        cell = grid.row(db.session.get(User, people["an"]))[0]
        assert cell.assisted and cell.assisted_by == "Cô Giáo Lan" and cell.best_score == 100.0
    export = client.get(f"/teach/classes/{class_id}/progress.csv").get_data(as_text=True)
    assert "Assisted by" in export and "Cô Giáo Lan" in export
    logout(client)
    login(client, "thaykhac")  # not their teacher
    assert client.get(attempt_url + "/review").status_code == 404


# --- guidance sessions --------------------------------------------------------------------

def test_guidance_sessions_are_recorded_and_checked(app, client, people, places):
    login(client, "cogiao")
    future = (date.today() + timedelta(days=2)).isoformat()
    bad = post_form(client, "/teach/guidance", {"held_on": future, "village": str(places["village"]),
                                                "people_helped": "4", "topic": "Cài VNeID", "class_id": ""})
    assert bad.status_code == 400 and "cannot be in the future" in bad.get_data(as_text=True)
    commune = post_form(client, "/teach/guidance", {"held_on": date.today().isoformat(), "village": str(places["commune"]),
                                                    "people_helped": "4", "topic": "Cài VNeID", "class_id": ""})
    assert commune.status_code == 400
    good = post_form(client, "/teach/guidance", {"held_on": date.today().isoformat(), "village": str(places["village"]),
                                                 "people_helped": "4", "topic": "Cài VNeID", "class_id": ""})
    assert good.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(GuidanceSession)).all()
        assert [(s.people_helped, s.topic, s.place_id) for s in rows] == [(4, "Cài VNeID", places["village"])]


# --- mentoring ----------------------------------------------------------------------------

def test_digital_ambassador_guides_people_who_accept(app, client, people):
    class_id = make_class(app, people["teacher"], [people["an"]])
    login(client, "hocvienan")
    assert client.get("/mentor").status_code == 403
    logout(client)
    login(client, "cogiao")
    detail = f"/teach/classes/{class_id}/learners/{people['an']}"
    post_form(client, detail + "/mentor", {}, form_url=detail)
    logout(client)
    login(client, "hocvienan")
    post_form(client, "/mentor", {"login": "hocvienbinh"})
    page = client.get("/mentor").get_data(as_text=True)
    assert "Trần Thị Bình" in page and "Waiting for them to accept." in page and "You guide 0." in page
    logout(client)
    login(client, "hocvienbinh")
    home = client.get("/").get_data(as_text=True)
    assert "Nguyễn Văn An, a digital ambassador, offers to guide you" in home
    with app.app_context():
        link_id = services.pending_mentors(db.session.get(User, people["binh"]))[0][0].id
    post_form(client, f"/mentor/requests/{link_id}", {"answer": "accept"}, form_url="/")
    logout(client)
    login(client, "hocvienan")
    assert "You guide 1." in client.get("/mentor").get_data(as_text=True)
    with app.app_context():  # someone else's request cannot be answered
        assert db.session.get(User, people["binh"]).target_group == TargetGroup.CITIZENS
    assert post_form(client, f"/mentor/requests/{link_id}", {"answer": "decline"}, form_url="/").status_code == 404


def test_an_assisted_start_refused_by_the_daily_limit_says_when_in_words(app, client, people):
    """The refusal is a sentence the teacher can read, never a raw template."""
    from lms.quiz import services as quiz

    class_id = make_class(app, people["teacher"], [people["an"]])
    m = module_id(app, "only")
    with app.app_context():
        learner, module = db.session.get(User, people["an"]), db.session.get(CourseModule, m)
        for _ in range(3):  # the default policy: three attempts a day
            attempt = quiz.start_attempt(learner, module)
            quiz.submit_attempt(attempt.id, {})
    login(client, "cogiao")
    detail = f"/teach/classes/{class_id}/learners/{people['an']}"
    response = post_form(client, f"{detail}/assist/{m}", {}, form_url=detail, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "You have used today&#39;s attempts (3 a day). You can try again tomorrow." in page
    assert "%(" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 3  # nothing started
