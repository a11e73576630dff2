"""Module quizzes: questions loaded from banks, attempts and their graded responses.

Stored JSON shapes (schema version 1):
- ``QuizQuestion.data``: the question exactly as written in the bank (see courses/README.md).
- ``QuizAttempt.questions``: ``[{"id": str, "spec": {...question...}, "order": [option ids]}]`` —
  what was really asked, frozen at the start of the attempt.
- ``QuizAttempt.answers``: ``{question id: answer as the question type parsed it}``.
- ``QuizAttempt.form_key``: the random key of the attempt's opaque form fields
  (lms.quiz.tokens); the page never shows real option ids, item ids or places.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class QuizQuestion(db.Model):
    __tablename__ = "quiz_question"
    __table_args__ = (UniqueConstraint("module_id", "key", name="uq_quiz_question_module_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "number", name="uq_quiz_attempt_user_module_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)  # open | submitted
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pass_percent: Mapped[int] = mapped_column(Integer)
    show_answers: Mapped[str] = mapped_column(String(24))
    max_attempts: Mapped[int] = mapped_column(Integer, default=0)
    questions: Mapped[list] = mapped_column(JSON)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # Key of the attempt's opaque form field names and values (lms.quiz.tokens).
    form_key: Mapped[str | None] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    # Set when a teacher ran the quiz with the learner at their side; shown in every report.
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    responses: Mapped[list[QuizResponse]] = relationship(cascade="all, delete-orphan", order_by="QuizResponse.position")


class QuizResponse(db.Model):
    """One graded answer of a submitted attempt (rows for statistics)."""

    __tablename__ = "quiz_response"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    # Option ids (or normalized values) the learner chose, for "most chosen wrong answer".
    chosen: Mapped[list] = mapped_column(JSON, default=list)
