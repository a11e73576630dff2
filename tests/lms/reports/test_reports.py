"""Administrators' reports: dashboard figures against hand counts (with place and group
filters), a fixed number of queries, completion and summary downloads (CSV, XLSX, PDF), formula
injection, the CLI, and who may open the pages."""
from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import event, select

from lms.certificates import codes
from lms.exports import BOM, HEADER_ROW
from lms.extensions import db
from lms.models import (
    Certificate,
    CourseModule,
    GuidanceSession,
    Mentorship,
    Place,
    PlaceKind,
    QuizAttempt,
    Role,
    Target,
    TargetGroup,
    User,
)
from lms.models.base import utcnow
from lms.reports import completion, stats
from tests.helpers import post_form

PASSWORD = "mật khẩu dài 123"
TODAY = date(2026, 6, 15)
YEAR = 2026
# Every Vietnamese vowel with every tone mark, and đ: the PDF must print them all.
LOWER = "àáảãạ ăằắẳẵặ âầấẩẫậ èéẻẽẹ êềếểễệ ìíỉĩị òóỏõọ ôồốổỗộ ơờớởỡợ ùúủũụ ưừứửữự ỳýỷỹỵ đ"
VILLAGE3 = "Thôn " + LOWER
VILLAGE4 = "Xóm " + LOWER.upper()


@pytest.fixture
def app(app):
    """The application with the reports wired in (until lms/__init__.py does it)."""
    if "reports" not in app.blueprints:
        from lms.reports import bp

        app.register_blueprint(bp)
    if "reports" not in app.cli.commands:
        from lms.reports.cli import register

        register(app)
    return app


def at(day: str, hour: int = 3) -> datetime:
    y, m, d = map(int, day.split("-"))
    return datetime(y, m, d, hour, tzinfo=timezone.utc)


def add_certificate(user_id: int, course_id: str, issued: datetime, revoked: datetime | None = None,
                    score: float | None = None) -> Certificate:
    titles = {"alpha": ("Khóa Alpha", "Alpha course"), "beta": ("Khóa Beta", "Beta course")}[course_id]
    cert = Certificate(code=codes.new_code(), user_id=user_id, course_id=course_id, issued_at=issued,
                       learner_name="x", course_title_vi=titles[0], course_title_en=titles[1], course_version="1.0.0",
                       score=score, issuer_name="UBND xã Krông Á", issuer_place="Krông Á", signer_title="Chủ tịch",
                       signer_name="Nguyễn Văn Ký", national_header=True, revoked_at=revoked,
                       revoked_reason="sai tên" if revoked else None)
    db.session.add(cert)
    return cert


def add_learner(username: str, full_name: str, group: TargetGroup | None, place_id: int, household: str | None = None,
                active: date | None = None, **extra) -> User:
    """A learner inserted directly (the account rules are not what is tested here)."""
    user = User(username=username, username_key=username, full_name=full_name, role=Role.LEARNER, target_group=group,
                place_id=place_id, household_code=household, last_active_on=active, **extra)
    db.session.add(user)
    db.session.flush()
    return user


def attempt(user_id: int, module_id: int, number: int, assisted_by: int | None) -> QuizAttempt:
    a = QuizAttempt(user_id=user_id, module_id=module_id, number=number, status="submitted", pass_percent=70,
                    show_answers="after", questions=[], answers={}, score=80.0, passed=True,
                    submitted_at=utcnow(), assisted_by_id=assisted_by)
    db.session.add(a)
    return a


@pytest.fixture
def data(app, places, make_user, loaded):
    """A small province, counted by hand in the tests below.

    Tỉnh Đắk Lắk
      Xã Krông Á  (target 2026: all groups 100 people, 80 %; citizens 60, 50 %)
        Thôn 1        (target 2026: all groups 20, 50 %; officials 5, 100 %)
          L1 Nguyễn Văn An   citizens  HD-01  active −3   alpha ✓ (assisted by Thầy Bảo), beta ✓  mentor of 5
          L2 Trần Thị Bình   citizens  HD-01  active −40  alpha revoked
          L3 Lê Văn Cường    officials HD-02  active −30  beta ✓ (assisted twice by Cô Giáo Lan)
          L4 Phạm Thị Dung   citizens  HD-06  never       —
          teacher Cô Giáo Lan (not a learner) alpha ✓
        Buôn Ea Kênh  (no 2026 target; a 2025 one)
          L5 H'Hen Niê       citizens  HD-03  today       alpha ✓ 01/03 20:00 UTC = 02/03 local; mentor of 4
          L6 Y Bhin Êban     students  "  "   active −10  alpha ✓
          L7 Lý Thị Em       students  HD-04  never       alpha revoked, alpha ✓ (re-issued)
      Xã Ea Tul
        Thôn àáả…  (target 2026: all groups 10, 100 %)
          L8 (anonymized)    workers   —      active −1   alpha ✓
        Xóm ÀÁẢ…  (nobody)
    """
    teacher = make_user(username="cogiao", role=Role.TEACHER, group=None, full_name="Cô Giáo Lan")
    helper = make_user(username="thaybao", role=Role.TEACHER, group=None, full_name="Thầy Bảo")
    admin = make_user(username="quantri", role=Role.ADMIN, group=None, full_name="Quản Trị Viên")
    l1 = make_user(username="hocvienan", full_name="Nguyễn Văn An")
    with app.app_context():
        v1, v2 = places["village"], places["village2"]
        province = places["province"]
        c2 = Place(name="Xã Ea Tul", kind=PlaceKind.COMMUNE, parent_id=province)
        db.session.add(c2)
        db.session.flush()
        v3 = Place(name=VILLAGE3, kind=PlaceKind.VILLAGE, parent_id=c2.id)
        v4 = Place(name=VILLAGE4, kind=PlaceKind.VILLAGE, parent_id=c2.id)
        db.session.add_all([v3, v4])
        db.session.flush()

        u1 = db.session.get(User, l1)
        u1.household_code, u1.last_active_on, u1.is_mentor = "HD-01", TODAY - timedelta(days=3), True
        u2 = add_learner("binh", "Trần Thị Bình", TargetGroup.CITIZENS, v1, "HD-01", TODAY - timedelta(days=40))
        u3 = add_learner("cuong", "Lê Văn Cường", TargetGroup.OFFICIALS, v1, "HD-02", TODAY - timedelta(days=30))
        u4 = add_learner("dung", "Phạm Thị Dung", TargetGroup.CITIZENS, v1, "HD-06", None)
        u5 = add_learner("hen", "H'Hen Niê", TargetGroup.CITIZENS, v2, "HD-03", TODAY, is_mentor=True)
        u6 = add_learner("bhin", "Y Bhin Êban", TargetGroup.STUDENTS, v2, "  ", TODAY - timedelta(days=10))
        u7 = add_learner("em", "Lý Thị Em", TargetGroup.STUDENTS, v2, "HD-04", None)
        u8 = add_learner("deleted-8", "Người dùng đã xóa", TargetGroup.WORKERS, v3.id, None,
                         TODAY - timedelta(days=1), deleted_at=utcnow(), is_active_account=False)

        c_alpha = add_certificate(u1.id, "alpha", at("2026-05-10"), score=90.0)
        c_beta = add_certificate(u1.id, "beta", at("2026-05-20"))
        add_certificate(u2.id, "alpha", at("2026-04-01"), revoked=at("2026-04-05"))
        c3 = add_certificate(u3.id, "beta", at("2026-06-01"), score=75.5)
        c5 = add_certificate(u5.id, "alpha", at("2026-03-01", 20), score=100.0)
        c6 = add_certificate(u6.id, "alpha", at("2026-02-01"), score=70.0)
        add_certificate(u7.id, "alpha", at("2026-01-10"), revoked=at("2026-01-11"))
        c7 = add_certificate(u7.id, "alpha", at("2026-01-12"), score=85.0)
        c8 = add_certificate(u8.id, "alpha", at("2026-04-15"), score=95.0)
        add_certificate(teacher, "alpha", at("2026-05-01"))

        m1 = db.session.scalar(select(CourseModule.id).where(CourseModule.course_id == "alpha", CourseModule.key == "m1"))
        mb = db.session.scalar(select(CourseModule.id).where(CourseModule.course_id == "beta"))
        attempt(u1.id, m1, 1, helper)
        attempt(u1.id, mb, 1, None)
        attempt(u3.id, mb, 1, teacher)
        attempt(u3.id, mb, 2, teacher)
        attempt(u5.id, m1, 1, None)

        accepted = utcnow()
        for mentee in (u2, u3, u4, u5, u6):
            db.session.add(Mentorship(mentor_id=u1.id, mentee_id=mentee.id, accepted_at=accepted))
        db.session.add(Mentorship(mentor_id=u1.id, mentee_id=u7.id))  # not accepted yet
        for mentee in (u1, u2, u6, u7):
            db.session.add(Mentorship(mentor_id=u5.id, mentee_id=mentee.id, accepted_at=accepted))
        db.session.add(Mentorship(mentor_id=u5.id, mentee_id=u3.id))

        for day, village, people in ((date(2026, 2, 3), v1, 5), (date(2026, 4, 9), v1, 7), (date(2026, 3, 1), v2, 3),
                                     (date(2026, 5, 5), v3.id, 4), (date(2025, 12, 30), v1, 9)):
            db.session.add(GuidanceSession(teacher_id=teacher, held_on=day, place_id=village, people_helped=people,
                                           topic="Cài ứng dụng VNeID"))

        commune = places["commune"]
        db.session.add_all([
            Target(place_id=commune, target_group=None, year=YEAR, population=100, target_percent=80),
            Target(place_id=commune, target_group="citizens", year=YEAR, population=60, target_percent=50),
            Target(place_id=v1, target_group=None, year=YEAR, population=20, target_percent=50),
            Target(place_id=v1, target_group="officials", year=YEAR, population=5, target_percent=100),
            Target(place_id=v3.id, target_group=None, year=YEAR, population=10, target_percent=100),
            Target(place_id=v2, target_group=None, year=2025, population=50, target_percent=70),
        ])
        db.session.commit()
        return {
            **places, "c2": c2.id, "v3": v3.id, "v4": v4.id, "teacher": teacher, "admin": admin,
            "l": {1: u1.id, 2: u2.id, 3: u3.id, 4: u4.id, 5: u5.id, 6: u6.id, 7: u7.id, 8: u8.id},
            "codes": {"l1a": c_alpha.display_code, "l1b": c_beta.display_code, "l3": c3.display_code,
                      "l5": c5.display_code, "l6": c6.display_code, "l7": c7.display_code, "l8": c8.display_code},
        }


def login(client, username):
    response = post_form(client, "/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, (username, response.status_code)
    client.set_cookie("lang", "en")


# --- dashboard figures against hand counts ---------------------------------------------------

def figures(f: stats.Figures) -> tuple:
    return f.registered, f.active, f.certified, f.completions, f.households


def test_dashboard_everywhere(app, data):
    with app.app_context():
        d = stats.dashboard(None, None, YEAR, today=TODAY)
    # registered, active (L3 exactly 30 days ago counts), certified (L2 revoked only: no;
    # the teacher's certificate: not a learner), completions, households with a certified member
    assert figures(d.total) == (8, 5, 6, 7, 4)
    assert d.households_with_code == 5  # HD-01 … HD-04 and HD-06; "  " is empty
    assert figures(d.by_group["citizens"]) == (4, 2, 2, 3, 2)
    assert figures(d.by_group["officials"]) == (1, 1, 1, 1, 1)
    assert figures(d.by_group["students"]) == (2, 1, 2, 2, 1)
    assert figures(d.by_group["workers"]) == (1, 1, 1, 1, 0)
    assert None not in d.by_group
    # No row for the whole site: the highest rows under it, Xã Krông Á (not its Thôn 1 again)
    # and the Ea Tul village: 100 + 10 people, 80 + 10 to reach.
    assert d.total.target.source == "places"
    assert d.total.population == 110 and d.total.target_people == pytest.approx(90)
    assert d.total.target_reached_percent == pytest.approx(6 * 100 / 90)
    assert d.total.certified_percent == pytest.approx(6 * 100 / 110)
    assert (d.by_group["citizens"].population, d.by_group["citizens"].target_people) == (60, 30)
    assert (d.by_group["officials"].population, d.by_group["officials"].target_percent) == (5, 100)
    assert d.by_group["students"].target is None
    # Digital ambassadors: L1 has 5 accepted mentees (and one pending), L5 has 4.
    assert (d.mentors_total, d.mentors_at_goal) == (2, 1)
    assert [(m.user_id, m.mentees) for m in d.mentors] == [(data["l"][1], 5)]
    assert d.mentors[0].place == "Thôn 1, Xã Krông Á"
    # Guidance sessions of 2026 per village (the one of 2025 is left out).
    assert [(g.place_id, g.sessions, g.people) for g in d.guidance] == [
        (data["village"], 2, 12), (data["village2"], 1, 3), (data["v3"], 1, 4)]
    assert (d.guidance_sessions, d.guidance_people) == (4, 19)
    # Ranking: villages with a population first (Thôn 1: 2 of 20; the Ea Tul village: 1 of 10),
    # then Buôn Ea Kênh on certified ÷ registered (its only target is for 2025).
    assert [(r.place_id, r.basis, r.share) for r in d.ranking] == [
        (data["village"], "population", 10.0), (data["v3"], "population", 10.0),
        (data["village2"], "registered", 100.0)]
    assert (d.ranking[2].registered, d.ranking[2].certified, d.ranking[2].population) == (3, 3, None)


def test_dashboard_place_filter(app, data):
    with app.app_context():
        commune = stats.dashboard(data["commune"], None, YEAR, today=TODAY)
        village = stats.dashboard(data["village"], None, YEAR, today=TODAY)
        other = stats.dashboard(data["c2"], None, YEAR, today=TODAY)
        province = stats.dashboard(data["province"], None, YEAR, today=TODAY)
    assert figures(commune.total) == (7, 4, 5, 6, 4)
    assert commune.households_with_code == 5
    assert commune.total.target.source == "place"  # the commune's own row
    assert (commune.total.population, commune.total.target_percent) == (100, 80)
    assert commune.total.target_reached_percent == pytest.approx(5 * 100 / 80)
    assert commune.place_path == "Xã Krông Á, Tỉnh Đắk Lắk"
    assert [r.place_id for r in commune.ranking] == [data["village"], data["village2"]]
    assert [g.place_id for g in commune.guidance] == [data["village"], data["village2"]]
    assert (commune.mentors_total, commune.mentors_at_goal) == (2, 1)

    assert figures(village.total) == (4, 2, 2, 3, 2)
    assert village.households_with_code == 3
    assert (village.total.population, village.total.target_people) == (20, 10)
    assert village.total.target_reached_percent == pytest.approx(20)
    assert figures(village.by_group["citizens"]) == (3, 1, 1, 2, 1)
    assert village.by_group["citizens"].target is None  # the commune's citizens row is above it
    assert (village.mentors_total, village.mentors_at_goal) == (1, 1)

    assert figures(other.total) == (1, 1, 1, 1, 0)
    assert (other.total.population, other.total.target.source) == (10, "places")
    assert [(r.place_id, r.share) for r in other.ranking] == [(data["v3"], 10.0)]  # Xóm ÀÁẢ…: nobody, no target
    assert (other.mentors_total, other.guidance_sessions) == (0, 1)

    assert figures(province.total) == (8, 5, 6, 7, 4)
    assert province.total.population == 110


def test_dashboard_group_filter(app, data):
    with app.app_context():
        officials = stats.dashboard(None, "officials", YEAR, today=TODAY)
        citizens = stats.dashboard(data["commune"], "citizens", YEAR, today=TODAY)
        in_buon = stats.dashboard(data["village2"], "citizens", YEAR, today=TODAY)
        no_target = stats.dashboard(None, None, 2030, today=TODAY)
    assert list(officials.by_group) == ["officials"]
    assert figures(officials.total) == (1, 1, 1, 1, 1)
    assert officials.households_with_code == 1
    assert (officials.total.population, officials.total.target_people) == (5, 5)
    assert officials.total.target_reached_percent == pytest.approx(20)
    assert officials.mentors_total == 0
    assert [(r.place_id, r.basis, r.share) for r in officials.ranking] == [(data["village"], "population", 20.0)]

    assert figures(citizens.total) == (4, 2, 2, 3, 2)
    assert (citizens.total.population, citizens.total.target_percent, citizens.total.target.source) == (60, 50, "place")
    assert citizens.total.target_reached_percent == pytest.approx(2 * 100 / 30)
    assert (citizens.mentors_total, citizens.mentors_at_goal) == (2, 1)  # both ambassadors are citizens

    assert figures(in_buon.total) == (1, 1, 1, 1, 1)
    assert in_buon.total.target is None
    assert (in_buon.mentors_total, in_buon.mentors_at_goal, in_buon.mentors) == (1, 0, [])

    assert no_target.total.target is None and no_target.total.target_reached_percent is None
    assert no_target.guidance == []


def test_dashboard_falls_back_to_the_groups_targets(app, data):
    with app.app_context():
        db.session.add_all([Target(place_id=data["village2"], target_group=g, year=2027, population=10, target_percent=p)
                            for g, p in (("citizens", 50), ("students", 100))])
        db.session.commit()
        d = stats.dashboard(data["village2"], None, 2027, today=TODAY)
    assert d.total.target.source == "groups"
    assert (d.total.population, d.total.target_people) == (20, 15)
    # The ranking finds the village's population by the same rule: the sum of its groups.
    assert (d.ranking[0].population, d.ranking[0].basis, d.ranking[0].share) == (20, "population", 3 * 100 / 20)


@pytest.fixture
def group_targets_only(app, data):
    """2027: targets entered per target group only, none for all groups. Buôn Ea Kênh: 100
    adult residents and 35 pupils and students, 135 people; Thôn 1: 40 officials."""
    with app.app_context():
        db.session.add_all([
            Target(place_id=data["village2"], target_group="citizens", year=2027, population=100, target_percent=80),
            Target(place_id=data["village2"], target_group="students", year=2027, population=35, target_percent=100),
            Target(place_id=data["village"], target_group="officials", year=2027, population=40, target_percent=100),
        ])
        db.session.commit()
    return data


def test_ranking_and_summary_agree_on_a_population_set_per_group(app, group_targets_only):
    data = group_targets_only
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        d = stats.dashboard(data["commune"], None, 2027, today=TODAY)
        summary = completion.summary_rows(data["commune"], 2027, None, None, today=TODAY)
        buon_alone = stats.dashboard(data["village2"], None, 2027, today=TODAY)
    ranked = {r.place_id: r for r in d.ranking}
    buon, thon = ranked[data["village2"]], ranked[data["village"]]
    # The summary's "all groups" row of the village and the ranking show the same population.
    summary_population = {row[0].split(",")[0]: row[2] for row in summary if row[1] == "All groups"}
    assert summary_population["Buôn Ea Kênh"] == 135 == buon.population == buon_alone.total.population
    assert summary_population["Thôn 1"] == 40 == thon.population
    # …and the ranking's share uses it: 3 certified of 135 people, 2 of 40.
    assert (buon.basis, buon.share) == ("population", pytest.approx(3 * 100 / 135))
    assert (thon.basis, thon.share) == ("population", pytest.approx(2 * 100 / 40))
    assert [r.place_id for r in d.ranking] == [data["village"], data["village2"]]  # 5 % before 2.2 %

    with app.app_context():  # one group: that group's target only
        students = stats.dashboard(data["commune"], "students", 2027, today=TODAY)
        officials = stats.dashboard(None, "officials", 2027, today=TODAY)
    assert [(r.place_id, r.population, r.share) for r in students.ranking] == [
        (data["village2"], 35, pytest.approx(2 * 100 / 35))]
    assert [(r.place_id, r.population, r.share) for r in officials.ranking] == [
        (data["village"], 40, pytest.approx(1 * 100 / 40))]


def test_dashboard_page_ranks_villages_on_their_groups_targets(app, client, group_targets_only):
    data = group_targets_only
    login(client, "quantri")
    page = client.get(f"/admin/dashboard?place={data['commune']}&group=&year=2027").get_data(as_text=True)
    ranking = page[page.index('<table aria-labelledby="ranking">'):]
    ranking = ranking[:ranking.index("</table>")]
    buon = ranking[ranking.index("Buôn Ea Kênh"):]
    buon = buon[:buon.index("</tr>")]
    assert "<td>135</td>" in buon and "certified ÷ population" in buon and "–" not in buon
    assert "certified ÷ registered" not in ranking


def test_the_number_of_queries_does_not_grow_with_learners(app, data):
    def count_queries(place_id, group):
        statements = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        db.session.remove()  # nothing cached from an earlier call
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            stats.dashboard(place_id, group, YEAR, today=TODAY)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    with app.app_context():
        before = {(p, g): count_queries(p, g) for p in (None, data["commune"], data["village"]) for g in (None, "citizens")}
        villages = [data["village"], data["village2"], data["v3"]]
        groups = list(TargetGroup)
        for i in range(50):
            user = add_learner(f"them{i}", f"Học Viên {i}", groups[i % 4], villages[i % 3], f"HX-{i % 7}",
                               TODAY - timedelta(days=i), is_mentor=i < 3)
            if i % 2:
                add_certificate(user.id, "alpha", at("2026-05-01"))
            if i % 5 == 0:
                add_certificate(user.id, "beta", at("2026-05-02"))
            db.session.add(Mentorship(mentor_id=user.id, mentee_id=data["l"][1], accepted_at=utcnow()))
        db.session.commit()
        after = {(p, g): count_queries(p, g) for p in (None, data["commune"], data["village"]) for g in (None, "citizens")}
        assert stats.dashboard(None, None, YEAR, today=TODAY).total.registered == 58
    assert after == before
    assert max(before.values()) <= 12


def test_the_number_of_queries_does_not_grow_with_villages(app, data):
    """The ranking finds every village's population from targets read once, not per village."""
    def count_queries():
        statements = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        db.session.remove()
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            d = stats.dashboard(None, None, YEAR, today=TODAY)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements), d

    with app.app_context():
        before, _d = count_queries()
        for i in range(30):
            village = Place(name=f"Thôn mới {i}", kind=PlaceKind.VILLAGE, parent_id=data["c2"])
            db.session.add(village)
            db.session.flush()
            db.session.add_all([Target(place_id=village.id, target_group=g, year=YEAR, population=10 + i,
                                       target_percent=50) for g in ("citizens", "workers")])
            if i % 3 == 0:
                add_learner(f"moi{i}", f"Người Mới {i}", TargetGroup.CITIZENS, village.id, None, TODAY)
        db.session.commit()
        after, d = count_queries()
    assert after == before
    new = [r for r in d.ranking if r.village.startswith("Thôn mới")]
    assert len(new) == 30 and all(r.basis == "population" for r in new)
    assert {r.village: r.population for r in new}["Thôn mới 7"] == 2 * 17


def test_svg_bars_are_readable_without_colour():
    svg = str(stats.svg_bars([("Người dân <thôn>", 12, 40), ("Học sinh", 3, None), ("Không có", 0, 0)],
                             title="Đã cấp giấy"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "Đã cấp giấy" in svg
    assert "Người dân &lt;thôn&gt;" in svg  # labels are escaped
    assert "12 / 40 · 30 %" in svg  # values written as text
    assert ">3<" in svg
    assert "<script" not in svg and "style=" not in svg


# --- completion rows ---------------------------------------------------------------------------

def expected_completions(data) -> list[list]:
    """In English, ordered by place (province, commune, village), then name and date."""
    c = data["codes"]
    v3 = f"{VILLAGE3}, Xã Ea Tul, Tỉnh Đắk Lắk"
    buon = "Buôn Ea Kênh, Xã Krông Á, Tỉnh Đắk Lắk"
    thon = "Thôn 1, Xã Krông Á, Tỉnh Đắk Lắk"
    return [
        ["Người dùng đã xóa", "Workers in enterprises and cooperatives", v3, "Alpha course", date(2026, 4, 15), 95.0,
         c["l8"], "No", ""],
        ["H'Hen Niê", "Adult residents", buon, "Alpha course", date(2026, 3, 2), 100.0, c["l5"], "No", ""],
        ["Lý Thị Em", "Pupils and students", buon, "Alpha course", date(2026, 1, 12), 85.0, c["l7"], "No", ""],
        ["Y Bhin Êban", "Pupils and students", buon, "Alpha course", date(2026, 2, 1), 70.0, c["l6"], "No", ""],
        ["Lê Văn Cường", "Public officials and employees", thon, "Beta course", date(2026, 6, 1), 75.5, c["l3"],
         "Yes", "Cô Giáo Lan"],
        ["Nguyễn Văn An", "Adult residents", thon, "Alpha course", date(2026, 5, 10), 90.0, c["l1a"], "Yes", "Thầy Bảo"],
        ["Nguyễn Văn An", "Adult residents", thon, "Beta course", date(2026, 5, 20), None, c["l1b"], "No", ""],
    ]


def test_completion_rows_filters_and_streams(app, data):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        rows = completion.completion_rows(None, None, None, None)
        assert not isinstance(rows, list)  # a generator, read as it goes
        assert list(rows) == expected_completions(data)
        assert len(completion.completion_header()) == len(expected_completions(data)[0])
        commune = list(completion.completion_rows(data["commune"], None, None, None))
        assert [r[6] for r in commune] == [r[6] for r in expected_completions(data)[1:]]
        students = list(completion.completion_rows(None, "students", None, None))
        assert [r[0] for r in students] == ["Lý Thị Em", "Y Bhin Êban"]
        # Local days: issued 01/03 20:00 UTC is 02/03 in Viet Nam.
        assert list(completion.completion_rows(None, None, date(2026, 3, 1), date(2026, 3, 1))) == []
        assert [r[0] for r in completion.completion_rows(None, None, date(2026, 3, 2), date(2026, 3, 2))] == ["H'Hen Niê"]
        may = list(completion.completion_rows(None, None, date(2026, 5, 1), None))
        assert [r[6] for r in may] == [data["codes"][k] for k in ("l3", "l1a", "l1b")]


def test_completion_csv_download(app, client, data):
    login(client, "quantri")
    response = client.get(f"/admin/reports/download?report=completion&format=csv&place={data['province']}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Completed courses"]
    assert "Place: Tỉnh Đắk Lắk" in rows[1][0]
    assert rows[2] == completion_header_en()
    as_text = [["" if v is None else v.isoformat() if isinstance(v, date) else str(v) for v in row]
               for row in expected_completions(data)]
    assert rows[3:] == as_text


def completion_header_en() -> list[str]:
    return ["Full name", "Target group", "Place", "Course", "Completed on", "Quiz score (%)", "Certificate code",
            "Assisted", "Assisted by"]


def test_completion_xlsx_download_keeps_numbers_and_dates(app, client, data):
    login(client, "quantri")
    response = client.get("/admin/reports/download?report=completion&format=xlsx&date_from=2026-01-01&date_to=2026-12-31")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    assert sheet.cell(1, 1).value == "Completed courses"
    assert "01/01/2026" in sheet.cell(2, 1).value and "31/12/2026" in sheet.cell(2, 1).value
    assert [c.value for c in sheet[HEADER_ROW]] == completion_header_en()
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    expected = [[datetime.combine(v, datetime.min.time()) if isinstance(v, date) else None if v == "" else v
                 for v in row] for row in expected_completions(data)]
    assert rows == expected
    scores = [row[5] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    assert all(c.data_type == "n" for c in scores)
    assert scores[2].value == 85 and isinstance(scores[4].value, float)  # 75.5
    assert sheet.cell(HEADER_ROW + 1, 5).is_date


def test_formula_injection_is_neutralized_in_csv_and_xlsx(app, client, data):
    with app.app_context():
        # The account rules refuse such a name; an old import or a direct edit may not.
        user = add_learner("formula", "=1+1", TargetGroup.CITIZENS, data["village"], "=HYPERLINK(\"x\")")
        add_certificate(user.id, "alpha", at("2026-05-11"))
        db.session.commit()
    login(client, "quantri")
    text = client.get("/admin/reports/download?report=completion&format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert ["'=1+1"] == [r[0] for r in rows[3:] if r[0].endswith("=1+1")]
    assert not any(r[0].startswith("=") for r in rows)

    book = openpyxl.load_workbook(io.BytesIO(client.get("/admin/reports/download?report=completion&format=xlsx")
                                             .get_data()))
    cells = [row[0] for row in book.active.iter_rows(min_row=HEADER_ROW + 1)]
    formula = [c for c in cells if str(c.value).endswith("=1+1")]
    assert [c.value for c in formula] == ["'=1+1"] and formula[0].data_type == "s"


# --- summary -------------------------------------------------------------------------------------

def test_summary_rows(app, data):
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        rows = completion.summary_rows(data["commune"], YEAR, None, None, today=TODAY)
        header = completion.summary_header()
    assert len(header) == 9
    commune = "Xã Krông Á, Tỉnh Đắk Lắk"
    buon, thon = f"Buôn Ea Kênh, {commune}", f"Thôn 1, {commune}"
    r = lambda v: round(v, 1)  # noqa: E731
    assert rows == [
        [commune, "All groups", 100, 80.0, 7, 4, 5, 5.0, r(5 * 100 / 80)],
        [commune, "Public officials and employees", 5, 100.0, 1, 1, 1, 20.0, 20.0],
        [commune, "Pupils and students", None, None, 2, 1, 2, None, None],
        [commune, "Workers in enterprises and cooperatives", None, None, 0, 0, 0, None, None],
        [commune, "Adult residents", 60, 50.0, 4, 2, 2, r(2 * 100 / 60), r(2 * 100 / 30)],
        [buon, "All groups", None, None, 3, 2, 3, None, None],
        [buon, "Public officials and employees", None, None, 0, 0, 0, None, None],
        [buon, "Pupils and students", None, None, 2, 1, 2, None, None],
        [buon, "Workers in enterprises and cooperatives", None, None, 0, 0, 0, None, None],
        [buon, "Adult residents", None, None, 1, 1, 1, None, None],
        [thon, "All groups", 20, 50.0, 4, 2, 2, 10.0, 20.0],
        [thon, "Public officials and employees", 5, 100.0, 1, 1, 1, 20.0, 20.0],
        [thon, "Pupils and students", None, None, 0, 0, 0, None, None],
        [thon, "Workers in enterprises and cooperatives", None, None, 0, 0, 0, None, None],
        [thon, "Adult residents", None, None, 3, 1, 1, None, None],
    ]

    with app.test_request_context(headers={"Cookie": "lang=en"}):
        may_june = completion.summary_rows(data["commune"], YEAR, date(2026, 5, 1), date(2026, 6, 30),
                                           target_group="citizens", today=TODAY)
        everywhere = completion.summary_rows(None, YEAR, None, None, today=TODAY)
    assert may_june == [[commune, "Adult residents", 60, 50.0, 4, 2, 1, r(100 / 60), r(100 / 30)],
                        [buon, "Adult residents", None, None, 1, 1, 0, None, None],
                        [thon, "Adult residents", None, None, 3, 1, 1, None, None]]
    assert everywhere[0][:7] == ["All places", "All groups", 110, r(90 * 100 / 110), 8, 5, 6]
    assert everywhere[5][:7] == ["Tỉnh Đắk Lắk", "All groups", 110, r(90 * 100 / 110), 8, 5, 6]


def test_summary_xlsx_and_pdf_downloads(app, client, data):
    login(client, "quantri")
    response = client.get(f"/admin/reports/download?report=summary&format=xlsx&place={data['commune']}&year={YEAR}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    first = [c.value for c in sheet[HEADER_ROW + 1]]
    assert first[:2] == ["Xã Krông Á, Tỉnh Đắk Lắk", "All groups"]
    # (active learners are counted as of the real today here)
    assert first[2:5] + first[6:] == [100, 80, 7, 5, 5, round(5 * 100 / 80, 1)]
    assert all(c.data_type == "n" for c in sheet[HEADER_ROW + 1][2:])

    response = client.get(f"/admin/reports/download?report=summary&format=pdf&place={data['c2']}&year={YEAR}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.get_data())
    for name in (VILLAGE3, VILLAGE4, "Xã Ea Tul", "Tỉnh Đắk Lắk", "Summary by place and target group",
                 "Workers in enterprises and cooperatives"):
        assert squash(name) in text, name


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    return squash("".join(page.extract_text() for page in reader.pages))


def test_summary_pdf_in_vietnamese(app, data):
    with app.test_request_context():  # no language chosen: Vietnamese
        pdf = completion.summary_pdf(data["c2"], YEAR, date(2026, 1, 1), None, today=TODAY)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert squash(VILLAGE3) in text and squash(VILLAGE4) in text and squash("15/06/2026") in text


def test_download_form_refuses_bad_input(app, client, data):
    login(client, "quantri")
    page = client.get("/admin/reports")
    assert page.status_code == 200 and 'name="date_from"' in page.get_data(as_text=True)
    pdf = client.get("/admin/reports/download?report=completion&format=pdf")
    assert pdf.status_code == 400 and "PDF is only available for the summary" in pdf.get_data(as_text=True)
    backwards = client.get("/admin/reports/download?report=summary&format=csv&date_from=2026-05-01&date_to=2026-04-01")
    assert backwards.status_code == 400 and "before its start" in backwards.get_data(as_text=True)
    unknown = client.get("/admin/reports/download?report=summary&format=csv&place=999999")
    assert unknown.status_code == 400


def test_dashboard_page(app, client, data):
    login(client, "quantri")
    response = client.get(f"/admin/dashboard?place={data['commune']}&group=&year={YEAR}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'role="img"' in page and "<title" in page and "<script" not in page
    assert "Xã Krông Á, Tỉnh Đắk Lắk" in page
    assert "Nguyễn Văn An" in page  # the ambassador at the goal
    assert "certified ÷ registered" in page  # Buôn Ea Kênh has no population for the year
    assert f'<option value="{data["commune"]}" selected>' in page
    assert client.get("/admin/dashboard?place=abc&group=nope&year=x").status_code == 200


# --- command line --------------------------------------------------------------------------------

def test_cli_writes_files(app, runner, data, tmp_path):
    out = tmp_path / "hoan-thanh.csv"
    result = runner.invoke(args=["reports", "completion", "--format", "csv", "--out", str(out),
                                 "--place", "Xã Krông Á", "--from", "2026-01-01", "--to", "2026-12-31"])
    assert result.exit_code == 0, result.output
    assert "Wrote 6 row(s)" in result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert [r[6] for r in rows[3:]] == [r[6] for r in expected_completions(data)[1:]]

    xlsx = tmp_path / "tong-hop.xlsx"
    result = runner.invoke(args=["reports", "summary", "--format", "xlsx", "--out", str(xlsx),
                                 "--place", str(data["commune"]), "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet.cell(HEADER_ROW + 1, 1).value == "Xã Krông Á, Tỉnh Đắk Lắk"
    assert sheet.cell(HEADER_ROW + 1, 3).value == 100

    pdf = tmp_path / "tong-hop.pdf"
    result = runner.invoke(args=["reports", "summary", "--format", "pdf", "--out", str(pdf), "--place", "Xã Ea Tul",
                                 "--group", "workers"])
    assert result.exit_code == 0, result.output
    assert squash(VILLAGE3) in pdf_text(pdf.read_bytes())

    xlsx2 = tmp_path / "hoan-thanh.xlsx"
    result = runner.invoke(args=["reports", "completion", "--format", "xlsx", "--out", str(xlsx2), "--group", "students"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(xlsx2).active.max_row == HEADER_ROW + 2


def test_cli_refuses_pdf_for_completions_and_unknown_places(app, runner, data, tmp_path):
    out = tmp_path / "x.pdf"
    result = runner.invoke(args=["reports", "completion", "--format", "pdf", "--out", str(out)])
    assert result.exit_code != 0 and "only available for the summary" in result.output
    assert not out.exists()
    result = runner.invoke(args=["reports", "summary", "--format", "csv", "--out", str(out), "--place", "Nowhere"])
    assert result.exit_code != 0 and "no place is named" in result.output


# --- who may open the pages ----------------------------------------------------------------------

def report_urls(app) -> list[str]:
    urls = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("reports.")]
    assert {"/admin/dashboard", "/admin/reports", "/admin/reports/download"} <= set(urls)
    return urls


@pytest.mark.parametrize("username", ["cogiao", "hocvienan"])
def test_teachers_and_learners_get_403_everywhere(app, client, data, username):
    login(client, username)
    for url in report_urls(app):
        for query in ("", "?report=summary&format=pdf", "?report=completion&format=csv"):
            assert client.get(url + query).status_code == 403, (username, url + query)


def test_anonymous_visitors_are_sent_to_log_in(app, client, data):
    for url in report_urls(app):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
