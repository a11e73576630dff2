"""The one folding function behind every name search, the stored keys that follow the names,
and the migration that computed the keys of existing rows."""
from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Certificate, Role, User
from lms.text import fold, matches, nfc, strip_marks

NAME = "Nguyễn Thị Hường"


@pytest.mark.parametrize("typed", [
    "Nguyễn Thị Hường", "nguyen thi huong", "NGUYEN THI HUONG", "  Nguyễn   Thị\tHường ",
    unicodedata.normalize("NFD", "Nguyễn Thị Hường"), "NGUYỄN THỊ HƯỜNG",
])
def test_every_way_of_typing_a_name_folds_to_one_key(typed):
    assert fold(typed) == "nguyen thi huong"


def test_fold_handles_d_with_stroke_compatibility_forms_and_nothing():
    assert fold("Đắk Lắk") == fold("ĐẮK LẮK") == fold("Ðắk Lắk") == "dak lak"
    assert fold("Ｈường ﬁ") == "huong fi"  # full-width letters and ligatures from odd keyboards
    assert fold("") == fold(None) == fold("   ") == ""
    assert fold("Y-Blin Niê") == "y-blin nie"  # punctuation is kept: it is part of names


def test_strip_marks_keeps_case_and_nfc_composes():
    assert strip_marks("Lớp Đắk Lắk") == "Lop Dak Lak"
    assert nfc(unicodedata.normalize("NFD", NAME)) == NAME


@pytest.mark.parametrize("query, found", [
    ("huong", True), ("thi huong", True), ("huong nguyen", True), ("Hường", True), ("nguyen van", False),
    ("", True),
])
def test_matches_every_word_in_any_order(query, found):
    assert matches(query, NAME) is found


def test_name_keys_follow_the_names_on_every_write(app, make_user):
    user_id = make_user(username="huong", full_name=NAME)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.name_key == "nguyen thi huong"
        user.full_name = "Trần Thị Bình"
        db.session.commit()
        assert db.session.scalar(sa.select(User.name_key).where(User.id == user_id)) == "tran thi binh"
        # Rows written without ORM objects (bulk inserts) get their key from the column default.
        db.session.execute(sa.insert(User), [
            {"username": "bulk", "username_key": "bulk", "full_name": "Lê Văn Cường", "role": Role.LEARNER}])
        db.session.commit()
        assert db.session.scalar(sa.select(User.name_key).where(User.username == "bulk")) == "le van cuong"
        # A folded name longer than the column is cut, not refused.
        user.full_name = "ß" * 120
        db.session.commit()
        assert db.session.get(User, user_id).name_key == "ss" * 60


def test_certificate_name_keys_follow_the_printed_name(app):
    certificate = Certificate(learner_name=NAME)
    assert certificate.learner_name_key == "nguyen thi huong"
    certificate.learner_name = "Người dùng đã xóa #7"
    assert certificate.learner_name_key == "nguoi dung da xoa #7"


def test_the_migration_computes_the_keys_of_existing_rows(tmp_path, courses_dir):
    """Upgrading a database that already has people and certificates fills their keys with the
    same function the application uses (on a database of its own, built up to 0005)."""
    from flask_migrate import downgrade, upgrade

    from lms import create_app
    from tests.conftest import _config

    url = "sqlite:///" + str(tmp_path / "old.db")
    app = create_app(_config(url, tmp_path / "instance", courses_dir))
    now = "2026-01-05 08:00:00"
    with app.app_context():
        upgrade(revision="0005")
        user = sa.table("user_account", *(sa.column(c) for c in (
            "id", "username", "username_key", "full_name", "role", "is_active_account", "is_mentor", "created_at")))
        course = sa.table("course", sa.column("authors", sa.JSON), *(sa.column(c) for c in (
            "id", "version", "title_vi", "summary_vi", "estimated_minutes", "sequential", "enabled", "available",
            "package_hash", "synced_at")))
        certificate = sa.table("certificate", *(sa.column(c) for c in (
            "id", "code", "user_id", "course_id", "issued_at", "learner_name", "course_title_vi", "course_title_en",
            "course_version", "issuer_name", "issuer_place", "signer_title", "signer_name", "national_header")))
        with db.engine.begin() as connection:
            connection.execute(user.insert(), [
                {"id": 1, "username": "huong", "username_key": "huong", "full_name": unicodedata.normalize("NFD", NAME),
                 "role": "learner", "is_active_account": True, "is_mentor": False, "created_at": now},
                {"id": 2, "username": "binh", "username_key": "binh", "full_name": "TRẦN THỊ BÌNH",
                 "role": "learner", "is_active_account": True, "is_mentor": False, "created_at": now}])
            connection.execute(course.insert().values(
                id="alpha", version="1", title_vi="Khóa", summary_vi="", estimated_minutes=1, sequential=False,
                authors=[], enabled=True, available=True, package_hash="x", synced_at=now))
            connection.execute(certificate.insert().values(
                id=1, code="ABCDEFGHJKLM", user_id=1, course_id="alpha", issued_at=now, learner_name=NAME,
                course_title_vi="Khóa", course_title_en="Course", course_version="1", issuer_name="UBND",
                issuer_place="Krông Á", signer_title="Chủ tịch", signer_name="Y Blin Niê", national_header=True))
        upgrade()
        with db.engine.connect() as connection:
            keys = connection.execute(sa.text("SELECT id, name_key FROM user_account ORDER BY id")).all()
            assert [tuple(row) for row in keys] == [(1, "nguyen thi huong"), (2, "tran thi binh")]
            assert connection.execute(sa.text("SELECT learner_name_key FROM certificate")).scalar() == "nguyen thi huong"
        downgrade(revision="0005")
        with db.engine.connect() as connection:
            assert "name_key" not in {c["name"] for c in sa.inspect(connection).get_columns("user_account")}
            assert connection.execute(sa.text("SELECT count(*) FROM certificate")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
