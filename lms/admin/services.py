"""Administrators' work on people, targets, the audit log, API tokens and personal data.

Every change is written to the audit log in the same transaction as the change itself.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from lms.admin import audit_log
from lms.auth.services import username_key
from lms.certificates.services import audit
from lms.content.i18n import N_
from lms.extensions import db
from lms.i18n import site_timezone
from lms.models import (
    ApiToken,
    AuditEntry,
    Certificate,
    ClassGroup,
    ClassInvitation,
    ClassMember,
    LessonProgress,
    LoginSession,
    Mentorship,
    Place,
    PlaceKind,
    QuizAttempt,
    Role,
    SignInCode,
    Target,
    TargetGroup,
    User,
)
from lms.models.base import folded_contains, folded_key, utcnow
from lms.models.certificates import LEARNER_NAME_KEY_LENGTH


class AdminError(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


# --- people -----------------------------------------------------------------------------

def places_under(place_id: int) -> list[int]:
    """The place and every place below it (province → communes → villages)."""
    ids = [place_id]
    frontier = [place_id]
    while frontier:
        frontier = list(db.session.scalars(select(Place.id).where(Place.parent_id.in_(frontier))))
        ids += frontier
    return ids


def search_users(query: str = "", group: str = "", place_id: int | None = None, role: str = "", status: str = "",
                 page: int = 1, per_page: int = 50) -> tuple[list[User], int]:
    """People by name, username, phone or household code, group, place, role and status."""
    stmt = select(User).where(User.deleted_at.is_(None))
    q = " ".join((query or "").split())
    if q:
        # Names ignoring case and diacritics ("huong" finds "Nguyễn Thị Hường"); usernames and
        # phone numbers by any part; household codes exactly.
        stmt = stmt.where(or_(folded_contains(User.name_key, q),
                              User.username_key.contains(username_key(q), autoescape=True),
                              User.household_code == q))
    if group in {g.value for g in TargetGroup}:
        stmt = stmt.where(User.target_group == TargetGroup(group))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    if place_id:
        stmt = stmt.where(User.place_id.in_(places_under(place_id)))
    if status == "active":
        stmt = stmt.where(User.is_active_account.is_(True))
    elif status == "inactive":
        stmt = stmt.where(User.is_active_account.is_(False))
    elif status == "deletion":
        stmt = stmt.where(User.deletion_requested_at.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(User.full_name, User.id).limit(per_page)
                              .offset((max(page, 1) - 1) * per_page)).all()
    return list(rows), total


def _admins_left(excluding: int) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.is_active_account.is_(True), User.deleted_at.is_(None), User.id != excluding))


def set_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise AdminError(N_("You cannot deactivate your own account."))
    if not active and user.role == Role.ADMIN and _admins_left(user.id) == 0:
        raise AdminError(N_("At least one active administrator must remain."))
    user.is_active_account = active
    if not active:
        db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))  # logged out at once
    audit(actor, "user.activate" if active else "user.deactivate", f"user:{user.id}", {"username": user.username})
    db.session.commit()


def set_role(actor: User, user: User, role: str) -> None:
    try:
        new = Role(role)
    except ValueError:
        raise AdminError(N_("Choose a role from the list.")) from None
    if user.id == actor.id and new != Role.ADMIN:
        raise AdminError(N_("You cannot remove your own administrator role."))
    if user.role == Role.ADMIN and new != Role.ADMIN and _admins_left(user.id) == 0:
        raise AdminError(N_("At least one active administrator must remain."))
    if new == Role.LEARNER and user.target_group is None:
        raise AdminError(N_("A learner needs a target group: set it on the account first."))
    before = user.role.value
    user.role = new
    audit(actor, "user.role", f"user:{user.id}", {"username": user.username, "before": before, "after": new.value})
    db.session.commit()


def reset_with_code(actor: User, user: User) -> str:
    """A printable one-time sign-in code for any account; the password stops working and every
    session ends. Written to the audit log with the code, in the same transaction."""
    from lms.teach.services import new_sign_in_code

    # Schema: {"username": str, "had_password": whether a password stopped working}
    audit(actor, "user.reset", f"user:{user.id}", {"username": user.username,
                                                   "had_password": user.password_hash is not None})
    user.password_hash = None
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return new_sign_in_code(user, actor)  # commits


# --- personal data ----------------------------------------------------------------------

def my_data(user: User) -> dict:
    """Everything the platform keeps about a person, for them to download."""
    progress = db.session.execute(select(LessonProgress.lesson_id, LessonProgress.completed_at)
                                  .where(LessonProgress.user_id == user.id)).all()
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                                  .order_by(QuizAttempt.id)).all()
    certificates = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)).all()
    classes = db.session.scalars(select(ClassGroup.name).join(ClassMember, ClassMember.class_id == ClassGroup.id)
                                 .where(ClassMember.user_id == user.id)).all()
    return {
        "account": {"username": user.username, "full_name": user.full_name, "role": user.role.value,
                    "target_group": user.target_group.value if user.target_group else None,
                    "place": user.place.path() if user.place else None, "household_code": user.household_code,
                    "birth_year": user.birth_year, "created_at": user.created_at.isoformat(),
                    "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
                    "last_active_on": user.last_active_on.isoformat() if user.last_active_on else None,
                    "deletion_requested_at": user.deletion_requested_at.isoformat()
                    if user.deletion_requested_at else None},
        "lessons_done": [{"lesson_id": lesson_id, "completed_at": at.isoformat()} for lesson_id, at in progress],
        "quiz_attempts": [{"module_id": a.module_id, "number": a.number, "status": a.status,
                           "started_at": a.started_at.isoformat(),
                           "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                           "score": a.score, "passed": a.passed, "answers": a.answers,
                           "assisted": a.assisted_by_id is not None} for a in attempts],
        "certificates": [{"code": c.display_code, "course": c.course_title_vi, "issued_at": c.issued_at.isoformat(),
                          "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None} for c in certificates],
        "classes": list(classes),
    }


def request_deletion(user: User) -> None:
    if user.deletion_requested_at is None:
        user.deletion_requested_at = utcnow()
        audit(user, "user.deletion_request", f"user:{user.id}", {})
        db.session.commit()


def anonymize(actor: User, user: User) -> None:
    """Delete a person's identity but keep anonymous counts right: the account stays as
    "deleted user #id" with its group, village and learning records (so targets and statistics
    do not change), while the name, username, household, birth year, password, sessions,
    codes, mentoring links and the names printed on their certificates are removed."""
    if user.id == actor.id:
        raise AdminError(N_("You cannot delete your own account."))
    if user.role == Role.ADMIN and _admins_left(user.id) == 0:
        raise AdminError(N_("At least one active administrator must remain."))
    old_username, old_key = user.username, user.username_key
    placeholder = f"Người dùng đã xóa #{user.id}"
    user.full_name = placeholder
    user.username = f"deleted-{user.id}"
    user.username_key = f"deleted-{user.id}"
    user.password_hash = None
    user.household_code = None
    user.birth_year = None
    user.locale = None
    user.is_active_account = False
    user.is_mentor = False
    user.deleted_at = utcnow()
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(delete(SignInCode).where(SignInCode.user_id == user.id))
    db.session.execute(delete(Mentorship).where(or_(Mentorship.mentor_id == user.id, Mentorship.mentee_id == user.id)))
    # Invitations are kept by login name: the old name's ones would otherwise still show it.
    db.session.execute(delete(ClassInvitation).where(ClassInvitation.login_key == old_key))
    db.session.execute(update(Certificate).where(Certificate.user_id == user.id).values(
        learner_name=placeholder, learner_name_key=folded_key(placeholder, LEARNER_NAME_KEY_LENGTH)))
    # The audit log keeps that a deletion happened, not who was deleted.
    audit(actor, "user.delete", f"user:{user.id}", {"had_username": bool(old_username)})
    db.session.commit()


# --- targets ----------------------------------------------------------------------------

@dataclass
class TargetInput:
    place_id: int
    target_group: str | None
    year: int
    population: int
    target_percent: int


def save_target(actor: User, data: TargetInput) -> Target:
    place = db.session.get(Place, data.place_id)
    if place is None:
        raise AdminError(N_("Choose a place from the list."))
    if data.target_group and data.target_group not in {g.value for g in TargetGroup}:
        raise AdminError(N_("Choose a target group from the list."))
    if not 2020 <= data.year <= date.today().year + 10:
        raise AdminError(N_("The year must be between 2020 and %(last)s.", last=date.today().year + 10))
    if not 1 <= data.population <= 100_000_000:
        raise AdminError(N_("The population must be a whole number of at least 1."))
    if not 1 <= data.target_percent <= 100:
        raise AdminError(N_("The target must be a percentage from 1 to 100."))
    target = db.session.scalar(select(Target).where(
        Target.place_id == place.id, Target.year == data.year,
        Target.target_group.is_(None) if not data.target_group else Target.target_group == data.target_group))
    before = None
    if target is None:
        target = Target(place_id=place.id, target_group=data.target_group or None, year=data.year,
                        population=data.population, target_percent=data.target_percent)
        db.session.add(target)
    else:
        before = {"population": target.population, "target_percent": target.target_percent}
        target.population, target.target_percent = data.population, data.target_percent
    audit(actor, "target.save", f"place:{place.id}", {"place": place.name, "group": data.target_group, "year": data.year,
                                                      "population": data.population,
                                                      "target_percent": data.target_percent, "before": before})
    db.session.commit()
    return target


def delete_target(actor: User, target: Target) -> None:
    audit(actor, "target.delete", f"place:{target.place_id}", {"group": target.target_group, "year": target.year})
    db.session.delete(target)
    db.session.commit()


def targets(year: int | None = None) -> list[tuple[Target, Place]]:
    stmt = select(Target, Place).join(Place, Place.id == Target.place_id)
    if year:
        stmt = stmt.where(Target.year == year)
    return list(db.session.execute(stmt.order_by(Target.year.desc(), Place.name, Target.target_group)).tuples())


def place_choices() -> list[tuple[int, str]]:
    """Every place, as "Tỉnh … › Xã … › Thôn …", ordered as the tree."""
    places = db.session.scalars(select(Place)).all()
    by_parent: dict[int | None, list[Place]] = {}
    for p in places:
        by_parent.setdefault(p.parent_id, []).append(p)
    out: list[tuple[int, str]] = []

    def walk(parent: int | None, prefix: str) -> None:
        for p in sorted(by_parent.get(parent, []), key=lambda x: x.name):
            label = f"{prefix}{p.name}"
            out.append((p.id, label))
            if p.kind != PlaceKind.VILLAGE:
                walk(p.id, label + " › ")

    walk(None, "")
    return out


# --- the audit log ----------------------------------------------------------------------

def audit_entries(action: str = "", actor: str = "", date_from: date | None = None, date_to: date | None = None,
                  page: int = 1, per_page: int = 100) -> tuple[list[AuditEntry], int]:
    stmt = _audit_query(action, actor, date_from, date_to)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(per_page)
                              .offset((max(page, 1) - 1) * per_page)).all()
    return list(rows), total


def audit_actions_present() -> list[str]:
    """The distinct action codes in the log (answered from the index on ``action``)."""
    return list(db.session.scalars(select(AuditEntry.action).distinct()))


def _audit_query(action, actor, date_from, date_to):
    """Entries matching the filter. ``action`` is a known action code (that action only), or
    else the start of codes (``user.`` for every account action, as older addresses say)."""
    local = site_timezone()
    stmt = select(AuditEntry)
    action = (action or "").strip()
    if action in audit_log.ACTIONS:
        stmt = stmt.where(AuditEntry.action == action)
    elif action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor:
        stmt = stmt.where(AuditEntry.actor_name == actor.strip())
    if date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(date_from, time.min, local).astimezone(timezone.utc))
    if date_to:
        stmt = stmt.where(AuditEntry.at < datetime.combine(date_to + timedelta(days=1), time.min, local)
                          .astimezone(timezone.utc))
    return stmt


def audit_header() -> list[str]:
    """The download's columns: the stored form first (for scripts), then the same in words."""
    return [_("Time (UTC, ISO 8601)"), _("Who"), _("Action code"), _("Object"), _("Details (JSON)"),
            _("Time (%(zone)s)", zone=site_timezone().key), _("Action"), _("Object, in words"), _("Details, in words")]


def audit_rows(action: str = "", actor: str = "", date_from: date | None = None, date_to: date | None = None,
               batch: int = 500):
    """Every matching entry, oldest first, streamed for a download (see :func:`audit_header`).

    Read ``batch`` entries at a time; names are looked up once per batch."""
    stmt = _audit_query(action, actor, date_from, date_to).order_by(AuditEntry.at, AuditEntry.id)
    for entries in db.session.scalars(stmt.execution_options(yield_per=batch)).partitions():
        for r in audit_log.describe(entries):
            e = r.entry
            yield [audit_log.iso_utc(e.at), e.actor_name, e.action, e.target, audit_log.raw_details(e.details),
                   e.at, r.action_label, r.target_label, r.details_text()]


# --- API tokens -------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(actor: User, name: str) -> str:
    name = " ".join((name or "").split())[:80]
    if not name:
        raise AdminError(N_("Give the token a name, e.g. the script or office that uses it."))
    token = "lopso_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=actor.id, name=name, token_hash=hash_token(token)))
    audit(actor, "token.create", f"token:{name}", {})
    db.session.commit()
    return token


def revoke_token(actor: User, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit(actor, "token.revoke", f"token:{token.name}", {})
        db.session.commit()


def user_for_token(token: str) -> User | None:
    """The administrator a bearer token belongs to, if it is valid and they still are one."""
    if not token:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                                                   ApiToken.revoked_at.is_(None)))
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_admin or not user.is_active_account:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
        row.last_used_at = now
        db.session.commit()
    return user
