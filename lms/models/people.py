"""People: accounts, roles, target groups and log-in sessions."""
from __future__ import annotations

import enum
import hashlib
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from lms.extensions import db
from lms.models.base import UTCDateTime, folded_default, folded_key, utcnow
from lms.models.places import Place


class Role(str, enum.Enum):
    LEARNER = "learner"
    TEACHER = "teacher"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {Role.LEARNER: _l("Learner"), Role.TEACHER: _l("Teacher"), Role.ADMIN: _l("Administrator")}


class TargetGroup(str, enum.Enum):
    """The four target groups named by the Ministry's guidance. Stored by value: never rename."""

    OFFICIALS = "officials"
    STUDENTS = "students"
    WORKERS = "workers"
    CITIZENS = "citizens"

    @property
    def label(self) -> str:
        return str(GROUP_LABELS[self])


GROUP_LABELS = {
    TargetGroup.OFFICIALS: _l("Public officials and employees"),
    TargetGroup.STUDENTS: _l("Pupils and students"),
    TargetGroup.WORKERS: _l("Workers in enterprises and cooperatives"),
    TargetGroup.CITIZENS: _l("Adult residents"),
}


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, length=16,
                values_callable=lambda members: [m.value for m in members])


NAME_KEY_LENGTH = 120


class AccountOrigin(str, enum.Enum):
    """How an account was made. Stored by value: never rename."""

    SELF = "self"  # the person registered
    TEACHER = "teacher"  # a teacher's "create an account" in a class
    IMPORT = "import"  # an administrator's import of a file
    COMMAND_LINE = "command_line"  # ``flask create-user`` on the server

    @property
    def label(self) -> str:
        return str(ORIGIN_LABELS[self])


ORIGIN_LABELS = {
    AccountOrigin.SELF: _l("Registered themselves"),
    AccountOrigin.TEACHER: _l("Made by a teacher"),
    AccountOrigin.IMPORT: _l("Imported from a file"),
    AccountOrigin.COMMAND_LINE: _l("Made on the server's command line"),
}


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # As typed (NFC). ``username_key`` is the NFC, case-folded form that must be unique.
    username: Mapped[str] = mapped_column(String(64))
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    # ``lms.text.fold(full_name)``, kept by ``_keep_name_key``: what name searches match, so that
    # "huong" finds "Nguyễn Thị Hường" on SQLite and PostgreSQL alike. The server default is
    # only for rows written outside SQLAlchemy (and let the column be added to a full table).
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), index=True, server_default="",
                                          default=folded_default("full_name", NAME_KEY_LENGTH))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"), default=Role.LEARNER)
    target_group: Mapped[TargetGroup | None] = mapped_column(_enum(TargetGroup, "target_group"), index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), index=True)
    household_code: Mapped[str | None] = mapped_column(String(30), index=True)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # When the owner chose a password themselves (registering, changing it, or choosing one after
    # signing in with a code). Never cleared: once someone has had a password of their own, only
    # an administrator may give them a sign-in code (see ``lms.teach.services.may_print_code``).
    password_chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who made the account (None: the person, or made before this was recorded) and how. No ON
    # DELETE rule: accounts are never deleted, only anonymized (``lms.admin.services.anonymize``).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_via: Mapped[AccountOrigin | None] = mapped_column(_enum(AccountOrigin, "account_origin"))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # A digital ambassador (Đại sứ số) who guides neighbours; marked by a teacher or administrator.
    is_mentor: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The last day the person learned something (a lesson done, a quiz sent): "active" counts.
    last_active_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Personal data: a learner may ask for deletion; deleting anonymizes the account and keeps
    # its anonymous progress so that counts and targets stay right.
    deletion_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locale: Mapped[str | None] = mapped_column(String(8))
    last_lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    place: Mapped[Place | None] = relationship()

    # Flask-Login keeps the id of the log-in session (not of the user) in the cookie, so that
    # logging out can end exactly that session on the server.
    current_session_token = None  # set per request by the user loader; not a column

    def get_id(self) -> str | None:
        return self.current_session_token

    @validates("full_name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = folded_key(value, NAME_KEY_LENGTH)
        return value

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot log in
        return self.is_active_account

    @property
    def is_learner(self) -> bool:
        return self.role == Role.LEARNER

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def has_own_password(self) -> bool:
        """Whether the owner ever chose a password (or the account has one of unknown origin)."""
        return self.password_chosen_at is not None or self.password_hash is not None

    def __repr__(self) -> str:
        return f"<User {self.username!r} {self.role.value}>"


def hash_token(token: str) -> str:
    """Session tokens are stored hashed, so a copy of the database cannot log anyone in."""
    return hashlib.sha256(token.encode()).hexdigest()


class LoginSession(db.Model):
    """One signed-in browser. Deleting the row logs that browser out."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
