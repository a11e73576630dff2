"""Teaching: classes, assignments, one-time sign-in codes, guidance sessions and mentoring.

Teachers see and act only on their own classes (see ``lms.teach.services.class_for``).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class ClassGroup(db.Model):
    __tablename__ = "class_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), index=True)
    target_group: Mapped[str | None] = mapped_column(String(16))
    schedule: Mapped[str | None] = mapped_column(String(200))  # "Tối thứ Ba, 19:00, nhà văn hóa thôn"
    note: Mapped[str | None] = mapped_column(Text)
    # Learners join with this short code (or its link / QR code) until it expires.
    join_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    join_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClassTeacher(db.Model):
    """A teacher of a class (the one who created it and any co-teachers)."""

    __tablename__ = "class_teacher"

    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True)


class ClassMember(db.Model):
    """A learner in a class: they joined with the class's code, accepted an invitation, or a
    teacher of the class made their account. Only members are visible to the class's teachers."""

    __tablename__ = "class_member"

    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClassInvitation(db.Model):
    """A teacher's invitation to a class, waiting for the person to accept it on their home page.

    It is not a membership: until they accept, the class's teachers see nothing of the person.
    It is kept by the login name the teacher typed (``login_key`` is ``username_key`` of the
    normalized name), not by an account, so that inviting a name nobody has looks exactly like
    inviting one somebody has; whoever has (or later takes) that name sees the invitation."""

    __tablename__ = "class_invitation"
    __table_args__ = (UniqueConstraint("class_id", "login_key", name="uq_class_invitation_class_login"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"))
    login_name: Mapped[str] = mapped_column(String(64))  # as the teacher will see it again
    login_key: Mapped[str] = mapped_column(String(64), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Assignment(db.Model):
    """A course or one module given to a class (or to chosen learners of it), maybe with a due date.

    Withdrawing keeps the row (and every learner's progress); it only stops showing."""

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("course_module.id", ondelete="CASCADE"))  # None: whole course
    due_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))
    # False: the whole class; True: only the learners in AssignmentLearner.
    chosen_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AssignmentLearner(db.Model):
    __tablename__ = "assignment_learner"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True)


class SignInCode(db.Model):
    """A printable one-time sign-in code for someone without e-mail or smartphone.

    Only a hash is stored; the code works once and until it expires."""

    __tablename__ = "sign_in_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GuidanceSession(db.Model):
    """In-person help recorded by a teacher: when, where, how many people, about what."""

    __tablename__ = "guidance_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), index=True)
    people_helped: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("class_group.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mentorship(db.Model):
    """A digital ambassador (Đại sứ số) and a person they guide. Counts once the mentee accepts."""

    __tablename__ = "mentorship"
    __table_args__ = (UniqueConstraint("mentor_id", "mentee_id", name="uq_mentorship_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
