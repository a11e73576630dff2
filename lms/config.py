"""Configuration defaults.

Three layers, later ones win: these defaults, then ``instance/config.py``, then environment
variables prefixed with ``LMS_`` (``LMS_DATABASE_URL``, ``LMS_SECRET_KEY``, ``LMS_COURSES_DIR``…).
Values of environment variables are parsed as JSON when they can be (``LMS_DEMO=0`` is the
number 0), else taken as strings.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    # Database: SQLite file in instance/ unless DATABASE_URL is given.
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Where course packages live.
    COURSES_DIR = str(PROJECT_ROOT / "courses")
    # Sessions
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set LMS_SESSION_COOKIE_SECURE=true behind HTTPS
    SESSION_LIFETIME_DAYS = 14
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    # The cookie is re-sent only when the session changes; expiry is enforced on the server.
    SESSION_REFRESH_EACH_REQUEST = False
    # Static files carry a content hash in their address (see web.static_url).
    SEND_FILE_MAX_AGE_DEFAULT = timedelta(days=365)
    # Forms
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 1024 * 1024  # bodies above 1 MiB are refused with 413
    # Languages
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    # Rate limits (Flask-Limiter). With several processes or servers, point this at Redis:
    # LMS_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_ADDRESS = "20 per 15 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    REGISTER_LIMIT_PER_ADDRESS = "10 per hour"
    # Public certificate checks (and badge assertions), per address: enough for a hall of
    # people scanning QR codes, far too few to guess a 60-bit code.
    VERIFY_LIMIT_PER_ADDRESS = "60 per minute; 1000 per day"
    # Joining a class with a code, per address: a class hall of people, not a guessing script.
    JOIN_LIMIT_PER_ADDRESS = "20 per minute; 200 per day"
    # The read-only API, per token.
    API_LIMIT_PER_TOKEN = "120 per minute"
    # The site's public address, e.g. https://lopso.example.gov.vn, used in QR codes and badges.
    # Empty: the address the request arrived on.
    PUBLIC_URL = ""
    # Issuing body until an administrator sets it under Administration → Issuing body.
    ISSUER_NAME = ""
    ISSUER_PLACE = ""
    ISSUER_SIGNER_TITLE = ""
    ISSUER_SIGNER_NAME = ""
    ISSUER_NATIONAL_HEADER = True
    # Demo data is seeded by `make run` when the database is empty, unless LMS_DEMO=0.
    DEMO = 1
    # Site name shown in the header.
    SITE_NAME = "Lớp Số"
