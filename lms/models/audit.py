"""The audit log: who changed what, and when. Rows are only ever added."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Kept when the account is later removed: the log must still say that someone acted.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60), index=True)  # e.g. "certificate.revoke"
    target: Mapped[str] = mapped_column(String(120))  # e.g. "certificate:K7QM4XRT9PHW"
    # Plain JSON details; schema per action documented where the action is written.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
