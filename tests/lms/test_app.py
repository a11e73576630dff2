"""Application set-up: configuration, health check, errors, languages, headers, migrations."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lms import create_app
from lms.extensions import db
from tests.helpers import post_form

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_dead_database(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"
    with app.app_context():
        db.engine.dispose()


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    config = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"}
    first = create_app(dict(config)).config["SECRET_KEY"]
    second = create_app(dict(config)).config["SECRET_KEY"]
    assert first == second and len(first) >= 64
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == first and oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_COURSES_DIR", str(tmp_path / "my-courses"))
    monkeypatch.setenv("LMS_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("LMS_DATABASE_URL", "postgresql://lms@db.example/lms")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["COURSES_DIR"] == str((tmp_path / "my-courses").resolve())
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://lms@db.example/lms"
    assert not (tmp_path / "secret_key").exists()


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SITE_NAME", raising=False)
    (tmp_path / "config.py").write_text('SITE_NAME = "Lớp Số xã Krông Á"\nSECRET_KEY = "k"\n', encoding="utf-8")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"})
    assert app.config["SITE_NAME"] == "Lớp Số xã Krông Á"


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lop-so.db'}"


def test_404_page_is_friendly_and_translated(client):
    response = client.get("/khong-co-trang-nay")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'lang="vi"' in page and "Không tìm thấy trang" in page
    client.set_cookie("lang", "en")
    assert "Page not found" in client.get("/khong-co-trang-nay").get_data(as_text=True)


def test_500_page_shows_no_stack_trace(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret internal detail")

    response = client.get("/boom-for-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internal detail" not in page and "Traceback" not in page
    assert "<h1>" in page


def test_oversized_body_is_refused(client):
    response = client.post("/login", data={"username": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_language_choice_is_remembered(app, client, make_user):
    assert 'lang="vi"' in client.get("/").get_data(as_text=True)
    post_form(client, "/language", {"lang": "en", "next": "/courses"}, form_url="/")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    # Logged-in users keep their choice on any device.
    make_user()
    post_form(client, "/login", {"username": "nguoidan", "password": "mật khẩu dài 123"})
    post_form(client, "/language", {"lang": "vi"}, form_url="/")
    other = app.test_client()
    other.set_cookie("lang", "en")
    post_form(other, "/login", {"username": "nguoidan", "password": "mật khẩu dài 123"})
    assert 'lang="vi"' in other.get("/").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    response = post_form(client, "/language", {"lang": "en", "next": "https://evil.example/"}, form_url="/")
    assert response.headers["Location"] == "/"
    response = post_form(client, "/language", {"lang": "en", "next": "//evil.example/"}, form_url="/")
    assert response.headers["Location"] == "/"


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_load_nothing_from_other_sites(client, loaded):
    for url in ("/", "/courses", "/login", "/register", "/courses/alpha"):
        page = client.get(url).get_data(as_text=True)
        for address in re.findall(r'(?:src|href)="([^"]+)"', page):
            assert not address.startswith(("http:", "https:", "//")), (url, address)


def test_every_interface_string_has_a_vietnamese_translation():
    with open(ROOT / "lms" / "translations" / "vi" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale="vi")
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert missing == []
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []


def test_catalog_covers_every_marked_string():
    """Strings added in code or templates must reach the catalogue (run `make messages`)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    with open(ROOT / "lms" / "translations" / "vi" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale="vi")
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog}
    assert sorted(found - known) == []


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


@pytest.mark.parametrize("url", ["/", "/courses", "/login", "/register"])
def test_public_pages_render(client, url):
    assert client.get(url).status_code == 200
