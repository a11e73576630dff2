"""Log-in sessions, the current user, and role checks."""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import wraps

from flask import Flask, abort, current_app, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select

from lms.extensions import db, login_manager
from lms.models import LoginSession, Role, User
from lms.models.base import utcnow
from lms.models.people import hash_token


def start_session(user: User) -> None:
    """Log ``user`` in on this browser with a new server-side session."""
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(days=current_app.config["SESSION_LIFETIME_DAYS"])
    db.session.add(LoginSession(token_hash=hash_token(token), user_id=user.id, expires_at=utcnow() + lifetime))
    user.last_login_at = utcnow()
    db.session.commit()
    user.current_session_token = token
    session.clear()  # a fresh session (and CSRF token) at every log-in
    session.permanent = True
    login_user(user)


def start_page(user: User) -> str:
    """Where a person lands after logging in when no page was asked for: their own work."""
    if user.is_admin:
        return url_for("reports.dashboard")
    if user.is_teacher:
        return url_for("teach.index")
    return url_for("learn.home")


def end_session() -> None:
    """Log out this browser: its server-side session is deleted, so the cookie is worthless."""
    token = current_user.get_id() if current_user.is_authenticated else None
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == hash_token(token)))
        db.session.commit()
    logout_user()
    session.clear()


def end_other_sessions(user: User) -> None:
    """After a password change, every other browser of this user is logged out."""
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.token_hash != hash_token(user.get_id() or "")))
    db.session.commit()


def load_user(token: str) -> User | None:
    row = db.session.scalar(select(LoginSession).where(LoginSession.token_hash == hash_token(token)))
    if row is None or row.expires_at < utcnow() or not row.user.is_active_account:
        return None
    user = row.user
    user.current_session_token = token
    return user


def roles_required(*roles: Role):
    """Allow a view only to signed-in users with one of ``roles`` (403 for others)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are server-side; see start_session
