"""Lớp Số: a self-hosted learning platform for the "Bình dân học vụ số" movement."""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask

from lms.config import Defaults

log = logging.getLogger(__name__)


def _secret_key(instance_path: Path) -> str:
    """Read the installation's secret key from instance/, creating it once if needed."""
    path = instance_path / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_hex(32)
        handle.write(key)
    log.info("generated a new secret key in %s", path)
    return key


def _database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'lop-so.db'}"
    # We ship psycopg 3; plain postgresql:// URLs would ask SQLAlchemy for psycopg2.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_app(config: dict | None = None) -> Flask:
    """Build the application: defaults → instance/config.py → LMS_* environment → ``config``.

    ``INSTANCE_PATH`` in ``config`` (or ``LMS_INSTANCE_PATH``) moves the instance folder.
    """
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("LMS_INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("LMS")
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(Path(app.instance_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite: wait for a busy database instead of failing at once.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": {"timeout": 30}}
    app.config["COURSES_DIR"] = str(Path(app.config["COURSES_DIR"]).resolve())

    from lms import extensions, models  # noqa: F401 (registers tables)

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(Path(__file__).parent / "migrations"),
                                render_as_batch=True)
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)

    from lms import database, i18n, security, errors, cli, web

    database.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    from lms.admin.cli import register as register_admin_commands
    register_admin_commands(app)
    from lms.reports.cli import register as register_report_commands
    register_report_commands(app)

    from lms.auth.views import bp as auth_bp
    from lms.learn.views import bp as learn_bp
    from lms.admin.views import bp as admin_bp
    from lms.health import bp as health_bp
    from lms.quiz.views import bp as quiz_bp
    from lms.certificates import bp as certificates_bp
    from lms.teach import bp as teach_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(learn_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(teach_bp)
    from lms.api import bp as api_bp
    app.register_blueprint(api_bp)
    from lms.reports import bp as reports_bp
    app.register_blueprint(reports_bp)
    return app
