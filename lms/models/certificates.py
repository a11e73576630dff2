"""Certificates of completion and the body that issues them.

A certificate keeps a snapshot of what it certifies at issue time (name, group, place, course
title and version, score, issuer): later changes to the account, the course or the issuer do
not change a certificate already handed out. Re-issuing makes a new certificate from today's
data and revokes the old one.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, validates

from lms.extensions import db
from lms.models.base import UTCDateTime, folded_default, folded_key, utcnow

LEARNER_NAME_KEY_LENGTH = 120


class IssuingBody(db.Model):
    """Who signs certificates, as an administrator configured it (one row, id 1)."""

    __tablename__ = "issuing_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))  # "Ủy ban nhân dân xã Krông Á"
    place: Mapped[str] = mapped_column(String(160))  # where it is signed: "Krông Á"
    signer_title: Mapped[str] = mapped_column(String(120))  # "Chủ tịch"
    signer_name: Mapped[str] = mapped_column(String(120))
    national_header: Mapped[bool] = mapped_column(Boolean, default=True)
    url: Mapped[str | None] = mapped_column(String(300))  # the issuer's own web site, for badges
    email: Mapped[str | None] = mapped_column(String(160))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Certificate(db.Model):
    __tablename__ = "certificate"
    __table_args__ = (
        # One valid certificate per learner and course: a second concurrent issue fails here.
        Index("uq_certificate_valid", "user_id", "course_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # 12 symbols, no separators
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("course.id", ondelete="RESTRICT"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    # Snapshot at issue time.
    learner_name: Mapped[str] = mapped_column(String(120))
    # ``lms.text.fold(learner_name)``, kept by ``_keep_name_key``: what the administrators' list
    # searches (see ``User.name_key``).
    learner_name_key: Mapped[str] = mapped_column(
        String(LEARNER_NAME_KEY_LENGTH), index=True, server_default="",
        default=folded_default("learner_name", LEARNER_NAME_KEY_LENGTH))
    target_group: Mapped[str | None] = mapped_column(String(16))
    place_name: Mapped[str | None] = mapped_column(String(400))
    course_title_vi: Mapped[str] = mapped_column(String(200))
    course_title_en: Mapped[str] = mapped_column(String(200))
    course_version: Mapped[str] = mapped_column(String(40))
    score: Mapped[float | None] = mapped_column(Float)  # mean of the best passing quiz scores, percent
    issuer_name: Mapped[str] = mapped_column(String(160))
    issuer_place: Mapped[str] = mapped_column(String(160))
    signer_title: Mapped[str] = mapped_column(String(120))
    signer_name: Mapped[str] = mapped_column(String(120))
    national_header: Mapped[bool] = mapped_column(Boolean, default=True)

    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(300))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id", ondelete="SET NULL"))

    @validates("learner_name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.learner_name_key = folded_key(value, LEARNER_NAME_KEY_LENGTH)
        return value

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))
