"""Command-line interface: create-user, seed-demo, courses sync."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from lms.extensions import db
from lms.models import Course, Place, Role, TargetGroup, User
from tests.helpers import post_form


def test_create_user_non_interactive(app, runner, places):
    result = runner.invoke(args=[
        "create-user", "--role", "learner", "--username", "0987654321", "--full-name", "Y Khoa Niê",
        "--group", "citizens", "--place", "Thôn 1", "--password", "mật khẩu dài 123"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.username, user.full_name, user.role, user.target_group, user.place_id) == (
            "0987654321", "Y Khoa Niê", Role.LEARNER, TargetGroup.CITIZENS, places["village"])
    client = app.test_client()
    assert post_form(client, "/login", {"username": "0987654321", "password": "mật khẩu dài 123"}).status_code == 302


def test_create_user_prompts_for_what_is_missing(app, runner, places):
    result = runner.invoke(args=["create-user", "--role", "teacher"],
                           input="giaovien\nTrần Thị Giáo\nnone\n-\nmật khẩu dài 123\nmật khẩu dài 123\n")
    assert result.exit_code == 0, result.output
    assert "Username or mobile phone number" in result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.role == Role.TEACHER and user.target_group is None and user.place_id is None


def test_create_user_refuses_bad_input_and_writes_nothing(app, runner, places, make_user):
    make_user(username="nguoidan")
    for args in (
        ["--username", "NguoiDan", "--group", "citizens", "--place", "Thôn 1", "--password", "mật khẩu dài 123"],
        ["--username", "moi", "--group", "none", "--place", "Thôn 1", "--password", "mật khẩu dài 123"],
        ["--username", "moi", "--group", "citizens", "--place", "Không có", "--password", "mật khẩu dài 123"],
        ["--username", "moi", "--group", "citizens", "--place", "Thôn 1", "--password", "ngắn"],
    ):
        result = runner.invoke(args=["create-user", "--role", "learner", "--full-name", "Tên Thử", *args])
        assert result.exit_code != 0, args
        assert "Error" in result.output
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 1


def test_seed_demo_creates_random_logins_that_work(app, runner, loaded):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    logins_file = Path(app.instance_path) / "demo-logins.txt"
    lines = [line.split() for line in logins_file.read_text(encoding="utf-8").splitlines()]
    roles = [role for role, _user, _password in lines]
    assert roles.count("admin") == 1 and roles.count("teacher") == 1 and roles.count("learner") == 4
    assert oct(logins_file.stat().st_mode & 0o777) == "0o600"
    passwords = [password for *_rest, password in lines]
    assert len(set(passwords)) == len(passwords) and all(len(p) >= 12 for p in passwords)
    with app.app_context():
        groups = {u.target_group for u in db.session.scalars(select(User).where(User.role == Role.LEARNER))}
        assert groups == set(TargetGroup)
        kinds = sorted(p.kind.value for p in db.session.scalars(select(Place)))
        assert kinds.count("province") == 1 and kinds.count("commune") == 1 and kinds.count("village") >= 3
    for _role, username, password in lines:
        client = app.test_client()
        assert post_form(client, "/login", {"username": username, "password": password}).status_code == 302, username
    # Run again: the database is not empty, nothing changes.
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has users" in result.output
    assert logins_file.read_text(encoding="utf-8").splitlines() == [" ".join(line) for line in lines]


def test_demo_passwords_differ_between_installs(app, runner):
    from lms.demo import random_password
    assert len({random_password() for _ in range(50)}) == 50


def test_seed_demo_can_be_turned_off(make_app):
    app = make_app(DEMO=0)
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert "turned off" in result.output
    with app.app_context():
        assert db.session.scalars(select(User)).all() == []


def test_courses_sync_command(app, runner):
    result = runner.invoke(args=["courses", "sync"])
    assert result.exit_code == 0, result.output
    assert "added 2" in result.output
    with app.app_context():
        assert {c.id for c in db.session.scalars(select(Course))} == {"alpha", "beta"}


GIFT = """// Ngân hàng thử
::Cài đặt::Nên cài ứng dụng từ đâu? {=Từ CH Play hoặc App Store ~Từ link lạ ####Chỉ cài từ kho chính thức.}

Công an gọi video để làm việc. {F}
"""


def test_import_gift_writes_a_valid_bank(app, runner, courses_dir, tmp_path):
    gift = tmp_path / "bank.gift"
    gift.write_text(GIFT, encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(gift), "--course", "alpha", "--module", "m2"])
    assert result.exit_code == 0, result.output
    assert (courses_dir / "alpha" / "quizzes" / "m2.yaml").is_file()
    check = runner.invoke(args=["courses", "check"])
    assert check.exit_code == 0, check.output
    from lms.content.sync import sync_packages
    from lms.models import QuizQuestion
    with app.app_context():
        sync_packages(courses_dir)
        from lms.models import CourseModule
        only = db.session.scalar(select(CourseModule).where(CourseModule.key == "m2"))
        types = sorted(q.type for q in db.session.scalars(select(QuizQuestion).where(QuizQuestion.module_id == only.id)))
        assert types == ["single_choice", "true_false"]
    # Importing again needs --replace or --append.
    again = runner.invoke(args=["quizzes", "import-gift", str(gift), "--course", "alpha", "--module", "m2"])
    assert again.exit_code != 0 and "--replace" in again.output
    appended = runner.invoke(args=["quizzes", "import-gift", str(gift), "--course", "alpha", "--module", "m2", "--append"])
    assert appended.exit_code == 0, appended.output
    import yaml
    bank = yaml.safe_load((courses_dir / "alpha" / "quizzes" / "m2.yaml").read_text(encoding="utf-8"))
    assert [q["id"] for q in bank["questions"]] == ["cai-dat", "cong-an-goi-video-de-lam-viec", "cai-dat-2",
                                                     "cong-an-goi-video-de-lam-viec-2"]


def test_import_gift_refuses_unsupported_features_and_writes_nothing(app, runner, courses_dir, tmp_path):
    gift = tmp_path / "bank.gift"
    gift.write_text(GIFT + "\nViết cảm nghĩ của bạn. {}\n", encoding="utf-8")
    result = runner.invoke(args=["quizzes", "import-gift", str(gift), "--course", "alpha", "--module", "m2"])
    assert result.exit_code != 0
    assert f"{gift}:6: error: essay questions" in result.output
    assert not (courses_dir / "alpha" / "quizzes").exists()
    unknown = runner.invoke(args=["quizzes", "import-gift", str(gift), "--course", "alpha", "--module", "nope"])
    assert unknown.exit_code != 0 and "no module 'nope'" in unknown.output
