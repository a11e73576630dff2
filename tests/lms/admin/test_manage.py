"""Administrators: people, targets, the audit log, API tokens, personal data; and nobody else
reaches any of it."""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

import openpyxl
import pytest
from sqlalchemy import func, select

from lms.admin import services
from lms.extensions import db
from lms.models import AuditEntry, Certificate, LessonProgress, Role, Target, TargetGroup, User
from tests.helpers import PASSWORD, csrf_token, log_in, post_form


def login(client, username, password=PASSWORD):
    return log_in(client, username, password, lang="en")


@pytest.fixture
def admin_client(app, client, make_user):
    make_user(username="quantri", role=Role.ADMIN, group=None, full_name="Lê Văn Quản")
    assert login(client, "quantri").status_code == 302
    return client


def user_id(app, username):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


# --- who may come in ----------------------------------------------------------------------

def admin_and_api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/admin", "/api/v1")) and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:int:)?(\w+)>", lambda m: "1" if "int:" in m.group(0) or m.group(1).endswith("id") else "x",
                          rule.rule)
            path = path.replace("/x.json", "/x.json")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, path


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TEACHER])
def test_teachers_and_learners_get_403_on_every_admin_page_and_api_route(app, client, make_user, role):
    make_user(username="khach", role=role, group=TargetGroup.CITIZENS if role == Role.LEARNER else None)
    login(client, "khach")
    token = csrf_token(client, "/account")
    routes = list(admin_and_api_routes(app))
    assert len(routes) > 20
    for method, path in routes:
        response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
        assert response.status_code == 403, (method, path, response.status_code)


def test_api_needs_a_valid_administrator_token(app, client, make_user):
    admin_id = make_user(username="quantri", role=Role.ADMIN, group=None)
    assert client.get("/api/v1/completions").status_code == 401
    assert client.get("/api/v1/completions", headers={"Authorization": "Bearer nope"}).status_code == 401
    with app.app_context():
        token = services.create_token(db.session.get(User, admin_id), "Sở TT&TT")
    auth = {"Authorization": f"Bearer {token}"}
    ok = client.get("/api/v1/completions?per_page=10", headers=auth)
    assert ok.status_code == 200 and ok.json["items"] == [] and ok.json["has_more"] is False
    assert client.get("/api/v1/completions?per_page=5000", headers=auth).status_code == 400
    summary = client.get("/api/v1/summary?year=2026", headers=auth)
    assert summary.status_code == 200 and summary.json["year"] == 2026
    assert summary.json["total"]["registered"] == 0 and "by_group" in summary.json
    assert client.get("/api/v1/summary?year=abc", headers=auth).status_code == 400
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.") and {"/summary", "/completions"} <= set(spec["paths"])
    with app.app_context():  # a demoted administrator's token stops working
        db.session.get(User, admin_id).role = Role.TEACHER
        db.session.commit()
    assert client.get("/api/v1/completions", headers=auth).status_code == 401


# --- people -------------------------------------------------------------------------------

def test_search_and_filter_people(app, admin_client, make_user, places):
    make_user(username="hocvienan", full_name="Nguyễn Văn An", place=places["village"])
    make_user(username="hocvienbinh", full_name="Trần Thị Bình", place=places["village2"], group=TargetGroup.WORKERS)
    make_user(username="cogiao", full_name="Cô Giáo", role=Role.TEACHER, group=None)
    page = admin_client.get("/admin/users", query_string={"group": "workers"}).get_data(as_text=True)
    assert "Trần Thị Bình" in page and "Nguyễn Văn An" not in page
    page = admin_client.get("/admin/users", query_string={"place": places["commune"], "role": "learner"}).get_data(as_text=True)
    assert "Trần Thị Bình" in page and "Nguyễn Văn An" in page and "Cô Giáo" not in page
    page = admin_client.get("/admin/users", query_string={"q": "an"}).get_data(as_text=True)
    assert "Nguyễn Văn An" in page


@pytest.mark.parametrize("typed", ["huong", "HUONG", "nguyen thi", "Nguyễn Thị", "thi hường",
                                   unicodedata.normalize("NFD", "Nguyễn Thị Hường")])
def test_people_are_found_by_name_ignoring_case_and_diacritics(app, admin_client, make_user, places, typed):
    make_user(username="huong", full_name="Nguyễn Thị Hường", place=places["village"])
    make_user(username="hocvienbinh", full_name="Trần Thị Bình", place=places["village2"])
    page = admin_client.get("/admin/users", query_string={"q": typed}).get_data(as_text=True)
    assert "Nguyễn Thị Hường" in page and "Trần Thị Bình" not in page


def test_people_search_unhappy_paths(app, admin_client, make_user, places):
    huong = make_user(username="huong", full_name="Nguyễn Thị Hường", place=places["village"])
    for typed in ("100%", "h_ong", "nguyen van"):  # wildcards are searched as typed
        assert "Nguyễn Thị Hường" not in admin_client.get("/admin/users", query_string={"q": typed}).get_data(as_text=True)
    with app.app_context():
        services.anonymize(db.session.scalar(select(User).where(User.username == "quantri")), db.session.get(User, huong))
        assert db.session.get(User, huong).name_key == f"nguoi dung da xoa #{huong}"
        assert services.search_users("huong") == ([], 0)


def test_deactivate_logs_out_and_blocks_log_in_and_is_audited(app, admin_client, make_user):
    make_user(username="hocvienan", full_name="Nguyễn Văn An")
    other = app.test_client()
    assert login(other, "hocvienan").status_code == 302
    an = user_id(app, "hocvienan")
    post_form(admin_client, f"/admin/users/{an}/active", {"active": "0"}, form_url=f"/admin/users/{an}")
    assert other.get("/account").status_code == 302  # the open session ended
    assert login(app.test_client(), "hocvienan").status_code != 302
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.deactivate"))
        assert entry.actor_name == "quantri" and entry.target == f"user:{an}"


def test_the_last_administrator_cannot_be_demoted_or_deactivated(app, admin_client):
    me = user_id(app, "quantri")
    response = post_form(admin_client, f"/admin/users/{me}/role", {"role": "teacher"}, form_url=f"/admin/users/{me}")
    assert "You cannot remove your own administrator role." in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, me).role == Role.ADMIN


def test_role_change_and_reset_with_a_one_time_code(app, admin_client, make_user):
    make_user(username="hocvienan", full_name="Nguyễn Văn An")
    an = user_id(app, "hocvienan")
    post_form(admin_client, f"/admin/users/{an}/role", {"role": "teacher"}, form_url=f"/admin/users/{an}")
    page = post_form(admin_client, f"/admin/users/{an}/reset", {}, form_url=f"/admin/users/{an}").get_data(as_text=True)
    code = re.search(r'class="code-big">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})<', page).group(1)
    with app.app_context():
        assert db.session.get(User, an).role == Role.TEACHER and db.session.get(User, an).password_hash is None
        assert [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == ["user.role", "user.reset"]
    fresh = app.test_client()
    assert login(fresh, "an").status_code != 302  # the old password is gone
    assert post_form(fresh, "/login/code", {"username": "hocvienan", "code": code}).status_code == 302


# --- personal data ------------------------------------------------------------------------

def test_learner_downloads_own_data_and_deletion_anonymizes_but_counts_stay(app, client, make_user, loaded):
    from tests.lms.test_certificates import complete_beta
    an = make_user(username="hocvienan", full_name="Nguyễn Văn An")
    make_user(username="hocvienbinh", full_name="Trần Thị Bình")
    complete_beta(app, an)
    login(client, "hocvienan")
    data = json.loads(client.get("/account/data.json").data)
    assert data["account"]["full_name"] == "Nguyễn Văn An" and len(data["certificates"]) == 1
    assert "Trần Thị Bình" not in json.dumps(data, ensure_ascii=False)
    post_form(client, "/account/delete-request", {}, form_url="/account")  # asks "are you sure?" first
    with app.app_context():
        assert db.session.get(User, an).deletion_requested_at is None
    post_form(client, "/account/delete-request", {"confirm": "yes"}, form_url="/account")
    with app.app_context():
        before = (db.session.scalar(select(func.count()).select_from(LessonProgress)),
                  db.session.scalar(select(func.count()).select_from(Certificate)),
                  db.session.scalar(select(func.count()).select_from(User).where(User.target_group == TargetGroup.CITIZENS)))
    make_user(username="quantri", role=Role.ADMIN, group=None)
    admin = app.test_client()
    login(admin, "quantri")
    assert "Nguyễn Văn An" in admin.get("/admin/users?status=deletion").get_data(as_text=True)
    wrong = post_form(admin, f"/admin/users/{an}/delete", {"confirm": "nope"}, form_url=f"/admin/users/{an}")
    assert wrong.status_code == 302
    with app.app_context():
        assert db.session.get(User, an).deleted_at is None
    post_form(admin, f"/admin/users/{an}/delete", {"confirm": "hocvienan"}, form_url=f"/admin/users/{an}")
    with app.app_context():
        person = db.session.get(User, an)
        assert person.deleted_at is not None and "Nguyễn" not in person.full_name and person.username == f"deleted-{an}"
        assert db.session.scalar(select(Certificate.learner_name)) == person.full_name
        after = (db.session.scalar(select(func.count()).select_from(LessonProgress)),
                 db.session.scalar(select(func.count()).select_from(Certificate)),
                 db.session.scalar(select(func.count()).select_from(User).where(User.target_group == TargetGroup.CITIZENS)))
        assert after == before
        logged = json.dumps([e.details for e in db.session.scalars(select(AuditEntry))], ensure_ascii=False)
        assert "Nguyễn" not in logged
    assert login(app.test_client(), "hocvienan").status_code != 302


# --- targets ------------------------------------------------------------------------------

def test_targets_are_saved_updated_checked_and_audited(app, admin_client, places):
    form = {"place": str(places["commune"]), "group": "citizens", "year": "2026", "population": "5000",
            "target_percent": "80"}
    assert post_form(admin_client, "/admin/targets", form).status_code == 302
    assert post_form(admin_client, "/admin/targets", dict(form, population="5200")).status_code == 302
    bad = post_form(admin_client, "/admin/targets", dict(form, target_percent="120"))
    assert bad.status_code == 400 and "percentage from 1 to 100" in bad.get_data(as_text=True)
    zero = post_form(admin_client, "/admin/targets", dict(form, population="0"))
    assert zero.status_code == 400
    with app.app_context():
        rows = db.session.scalars(select(Target)).all()
        assert [(t.population, t.target_percent, t.target_group, t.year) for t in rows] == [(5200, 80, "citizens", 2026)]
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "target.save")) == 2


# --- the audit log ------------------------------------------------------------------------

def test_audit_log_is_listed_and_exported_with_formulas_neutralized(app, admin_client):
    with app.app_context():
        db.session.add(AuditEntry(actor_name="quantri", action="user.role", target="=HYPERLINK(\"http://x\")",
                                  details={"note": "+1"}))
        db.session.commit()
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "user.role" in page
    text = admin_client.get("/admin/audit.csv").get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    row = next(r for r in rows if "user.role" in r)
    assert row[3].startswith("'=")
    sheet = openpyxl.load_workbook(io.BytesIO(admin_client.get("/admin/audit.xlsx").data)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "'=HYPERLINK(\"http://x\")" in cells and not any(str(c).startswith("=") for c in cells)
