"""Classes: a teacher's group of learners. Teachers see and act only on their own classes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class ClassGroup(db.Model):
    __tablename__ = "class_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClassTeacher(db.Model):
    """A teacher of a class (the one who created it and any co-teachers)."""

    __tablename__ = "class_teacher"

    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True)


class ClassMember(db.Model):
    """A learner in a class."""

    __tablename__ = "class_member"

    class_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
