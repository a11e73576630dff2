"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
LMS_TEST_DATABASE_URL is set. The schema is built once per run by the real migrations."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update

from lms import create_app
from lms.extensions import db, limiter
from tests.helpers import Auth

FIXTURE_COURSES = Path(__file__).parent / "fixtures" / "courses"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


def _config(database_url: str, instance: Path, courses: Path, **extra) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "INSTANCE_PATH": str(instance),
        "COURSES_DIR": str(courses),
        "RATELIMIT_STORAGE_URI": "memory://",
        **extra,
    }


@pytest.fixture(scope="session")
def schema(database_url, tmp_path_factory):
    """Drop whatever a previous run left, then build the schema with the migrations."""
    from flask_migrate import upgrade

    instance = tmp_path_factory.mktemp("schema-instance")
    app = create_app(_config(database_url, instance, FIXTURE_COURSES))
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture
def courses_dir(tmp_path) -> Path:
    """A private copy of the fixture course packages, which a test may change."""
    target = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, target)
    return target


@pytest.fixture
def make_app(schema, tmp_path, courses_dir):
    """Build extra application instances on the same database (e.g. to 'restart' the server)."""
    apps = []

    def factory(**extra):
        app = create_app(_config(schema, tmp_path / "instance", courses_dir, **extra))
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app_config() -> dict:
    """Extra configuration for the ``app`` fixture; a test module may override it."""
    return {}


@pytest.fixture
def app(make_app, app_config):
    app = make_app(**app_config)
    with app.app_context():
        _clean()
    limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        _clean()
    limiter.reset()


def _clean() -> None:
    from lms.models import Place

    db.session.execute(update(Place).values(parent_id=None))  # the place tree refers to itself
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def places(app):
    """A province, a commune and two villages."""
    from lms.models import Place, PlaceKind

    with app.app_context():
        province = Place(name="Tỉnh Đắk Lắk", kind=PlaceKind.PROVINCE)
        commune = Place(name="Xã Krông Á", kind=PlaceKind.COMMUNE, parent=province)
        v1 = Place(name="Thôn 1", kind=PlaceKind.VILLAGE, parent=commune)
        v2 = Place(name="Buôn Ea Kênh", kind=PlaceKind.VILLAGE, parent=commune)
        db.session.add_all([province, commune, v1, v2])
        db.session.commit()
        return {"province": province.id, "commune": commune.id, "village": v1.id, "village2": v2.id}


@pytest.fixture
def make_user(app, places):
    """Create a user directly (password 'mật khẩu dài 123' unless given)."""
    from lms.auth.services import NewUser, create_user
    from lms.models import Role, TargetGroup

    def factory(username="nguoidan", role=Role.LEARNER, group=TargetGroup.CITIZENS, password="mật khẩu dài 123",
                full_name="Nguyễn Thị Hường", place=None):
        with app.app_context():
            user = create_user(NewUser(username=username, full_name=full_name, password=password, role=role,
                                       target_group=group, place_id=place or places["village"]))
            db.session.commit()
            return user.id

    return factory


@pytest.fixture
def loaded(app):
    """The fixture course packages loaded into the database."""
    from lms.content.sync import sync_packages

    with app.app_context():
        report = sync_packages(Path(app.config["COURSES_DIR"]))
        assert not report.failed, [str(p) for p in report.problems]
    return report


@pytest.fixture
def auth(client):
    return Auth(client)
