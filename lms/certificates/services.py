"""Issuing, finding, revoking and re-issuing certificates; who may see which one.

Plain functions, no request needed: the quiz and lesson services call ``issue_if_complete``
after every change that can complete a course, and package sync calls
``issue_for_course`` (a re-sync can complete a course by removing a module).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from lms.auth.services import username_key
from lms.certificates import codes
from lms.content.i18n import N_
from lms.extensions import db
from lms.models import (
    AuditEntry,
    Certificate,
    ClassMember,
    ClassTeacher,
    Course,
    CourseModule,
    IssuingBody,
    Lesson,
    LessonProgress,
    QuizAttempt,
    User,
)
from lms.models.base import folded_contains, utcnow
from lms.text import matches

log = logging.getLogger(__name__)


class CertificateError(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


# --- the issuing body -------------------------------------------------------------------

@dataclass
class Issuer:
    name: str
    place: str
    signer_title: str
    signer_name: str
    national_header: bool
    url: str | None = None
    email: str | None = None


def issuer(config: dict | None = None) -> Issuer:
    """The issuing body an administrator configured, or the site's defaults until then."""
    row = db.session.get(IssuingBody, 1)
    if row is not None:
        return Issuer(row.name, row.place, row.signer_title, row.signer_name, row.national_header, row.url, row.email)
    from flask import current_app
    cfg = config or current_app.config
    return Issuer(cfg.get("ISSUER_NAME") or cfg.get("SITE_NAME", "Lớp Số"), cfg.get("ISSUER_PLACE", ""),
                  cfg.get("ISSUER_SIGNER_TITLE", ""), cfg.get("ISSUER_SIGNER_NAME", ""), bool(cfg.get("ISSUER_NATIONAL_HEADER", True)))


def save_issuer(actor: User, data: Issuer) -> None:
    row = db.session.get(IssuingBody, 1)
    before = None
    if row is None:
        row = IssuingBody(id=1)
        db.session.add(row)
    else:
        before = {"name": row.name, "place": row.place, "signer_title": row.signer_title,
                  "signer_name": row.signer_name, "national_header": row.national_header}
    row.name, row.place, row.signer_title, row.signer_name = data.name, data.place, data.signer_title, data.signer_name
    row.national_header, row.url, row.email = data.national_header, data.url, data.email
    audit(actor, "issuer.update", "issuer:1", {"before": before, "after": {
        "name": data.name, "place": data.place, "signer_title": data.signer_title, "signer_name": data.signer_name,
        "national_header": data.national_header}})
    db.session.commit()


# --- the audit log ----------------------------------------------------------------------

def audit(actor: User | None, action: str, target: str, details: dict | None = None) -> None:
    """Add an audit entry to the current transaction (the caller commits it with the change)."""
    db.session.add(AuditEntry(actor_id=actor.id if actor else None,
                              actor_name=actor.username if actor else "system",
                              action=action, target=target, details=details or {}))


# --- completion and issuing -------------------------------------------------------------

def course_score(user_id: int, course: Course) -> float | None:
    """Mean of the learner's best passing score per quiz of the course (None: no quizzes)."""
    best = db.session.execute(
        select(QuizAttempt.module_id, func.max(QuizAttempt.score))
        .join(CourseModule, CourseModule.id == QuizAttempt.module_id)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.passed.is_(True), CourseModule.course_id == course.id,
               CourseModule.retired.is_(False))
        .group_by(QuizAttempt.module_id)).all()
    if not best:
        return None
    return round(sum(score for _module, score in best) / len(best), 1)


def _snapshot(user: User, course: Course) -> dict:
    who = issuer()
    return dict(learner_name=user.full_name, target_group=user.target_group.value if user.target_group else None,
                place_name=user.place.path() if user.place else None,
                course_title_vi=course.title_vi, course_title_en=course.title_en or course.title_vi, course_version=course.version,
                score=course_score(user.id, course), issuer_name=who.name, issuer_place=who.place,
                signer_title=who.signer_title, signer_name=who.signer_name, national_header=who.national_header)


def _new_certificate(user: User, course: Course) -> Certificate:
    return Certificate(code=codes.new_code(), user_id=user.id, course_id=course.id, issued_at=utcnow(),
                       **_snapshot(user, course))


def valid_certificate(user_id: int, course_id: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.course_id == course_id, Certificate.revoked_at.is_(None)))


def issue_if_complete(user_id: int, course_id: str) -> Certificate | None:
    """Issue the learner's certificate for the course if they have completed it and never had one.

    Exactly once: a certificate that exists (valid or revoked by an administrator) is never
    issued again automatically, and two requests completing the course at the same moment
    meet the database's one-valid-certificate rule: the second returns the first's certificate.
    """
    from lms.learn.services import build_outline

    existing = db.session.scalar(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.course_id == course_id).order_by(Certificate.id.desc()).limit(1))
    if existing is not None:
        return existing if existing.is_valid else None
    course = db.session.get(Course, course_id)
    user = db.session.get(User, user_id)
    if course is None or user is None or not course.available:
        return None
    if not build_outline(course, user_id).is_done:
        return None
    certificate = _new_certificate(user, course)
    db.session.add(certificate)
    try:
        db.session.commit()
    except IntegrityError:  # issued by a concurrent request (or, once in 2^60, a code collision)
        db.session.rollback()
        certificate = valid_certificate(user_id, course_id)
        if certificate is None:
            raise
        return certificate
    log.info("certificate %s issued to user %s for %s", certificate.code, user_id, course_id)
    return certificate


def issue_for_course(course_id: str) -> int:
    """After a package sync: issue to every learner who now completes the course. Returns how many."""
    learners = db.session.scalars(
        select(LessonProgress.user_id).distinct()
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(CourseModule, CourseModule.id == Lesson.module_id)
        .where(CourseModule.course_id == course_id,
               ~exists().where(Certificate.user_id == LessonProgress.user_id, Certificate.course_id == course_id))).all()
    issued = 0
    for user_id in learners:
        if issue_if_complete(user_id, course_id) is not None:
            issued += 1
    return issued


# --- finding and permissions ------------------------------------------------------------

def by_code(text: str) -> Certificate | None:
    code = codes.normalize(text)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def teaches(teacher_id: int, learner_id: int) -> bool:
    """Whether the teacher teaches a class the learner is in."""
    return db.session.scalar(select(exists().where(
        ClassTeacher.user_id == teacher_id, ClassMember.class_id == ClassTeacher.class_id,
        ClassMember.user_id == learner_id))) or False


def may_view(user: User, certificate: Certificate) -> bool:
    """The owner, their teachers and administrators."""
    if not user.is_authenticated:
        return False
    if user.id == certificate.user_id or user.is_admin:
        return True
    return user.is_teacher and teaches(user.id, certificate.user_id)


def certificates_of(user_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                                   .order_by(Certificate.issued_at.desc())))


def search(query: str = "", status: str = "all", page: int = 1, per_page: int = 50) -> tuple[list[Certificate], int]:
    """Administrators' list: by learner name, username, code or course; newest first.

    Names and course titles match ignoring case and diacritics ("huong" finds "Nguyễn Thị
    Hường"): the name printed on the certificate, or the learner's name today."""
    stmt = select(Certificate).join(User, User.id == Certificate.user_id)
    q = " ".join((query or "").split())
    if q:
        code = codes.normalize(q)
        # A few dozen courses at most: their titles are matched here rather than stored folded.
        courses = [course_id for course_id, title_vi, title_en in
                   db.session.execute(select(Course.id, Course.title_vi, Course.title_en))
                   if matches(q, title_vi) or matches(q, title_en)]
        stmt = stmt.where(or_(folded_contains(Certificate.learner_name_key, q), folded_contains(User.name_key, q),
                              User.username_key.contains(username_key(q), autoescape=True),
                              Certificate.course_id.in_(courses),
                              func.lower(Certificate.course_title_vi).contains(q.lower(), autoescape=True),
                              Certificate.course_id.contains(q.lower(), autoescape=True),
                              Certificate.code == (code or "")))
    if status == "valid":
        stmt = stmt.where(Certificate.revoked_at.is_(None))
    elif status == "revoked":
        stmt = stmt.where(Certificate.revoked_at.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Certificate.issued_at.desc(), Certificate.id.desc())
                              .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return list(rows), total


# --- administrators' changes ------------------------------------------------------------

REASON_MAX = 300


def _reason(text: str) -> str:
    reason = " ".join((text or "").split())
    if not reason:
        raise CertificateError(N_("Write the reason for revoking or re-issuing: it is kept in the audit log."))
    if len(reason) > REASON_MAX:
        raise CertificateError(N_("The reason is too long (at most %(n)s characters)."), n=REASON_MAX)
    return reason


def revoke(actor: User, certificate: Certificate, reason: str) -> None:
    reason = _reason(reason)
    if not certificate.is_valid:
        raise CertificateError(N_("This certificate was already revoked."))
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    audit(actor, "certificate.revoke", f"certificate:{certificate.code}",
          {"reason": reason, "learner": certificate.learner_name, "course": certificate.course_id})
    db.session.commit()


def reissue(actor: User, certificate: Certificate, reason: str) -> Certificate:
    """A new certificate from today's data (e.g. a corrected name); the old one is revoked."""
    reason = _reason(reason)
    user = db.session.get(User, certificate.user_id)
    course = db.session.get(Course, certificate.course_id)
    fresh = _new_certificate(user, course)
    if certificate.is_valid:
        certificate.revoked_at = utcnow()
        certificate.revoked_reason = reason
        db.session.flush()  # the old one stops being valid before the new one is
    db.session.add(fresh)
    db.session.flush()
    certificate.replaced_by_id = fresh.id
    audit(actor, "certificate.reissue", f"certificate:{certificate.code}",
          {"reason": reason, "new_code": fresh.code, "learner": fresh.learner_name, "course": fresh.course_id})
    db.session.commit()
    return fresh
