"""Reading a module's quiz and a learner's attempts: settings, bank, drawn questions, form."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import defer

from lms.extensions import db
from lms.models import CourseModule, QuizAttempt, QuizQuestion
from lms.quiz.tokens import AttemptForm, new_form_key
from quizzes.bank import Bank, QuizSettings
from quizzes.engine import DrawnQuestion, OpenQuestion, available, open_questions, present


def settings_of(module: CourseModule) -> QuizSettings:
    return QuizSettings(**module.quiz_settings)


def bank_of(module: CourseModule) -> Bank:
    questions = db.session.scalars(select(QuizQuestion).where(
        QuizQuestion.module_id == module.id, QuizQuestion.retired.is_(False)).order_by(QuizQuestion.position)).all()
    return Bank(settings_of(module), [q.data for q in questions])


def attempts_of(user_id: int, module_id: int) -> list[QuizAttempt]:
    """A learner's attempts at a module quiz, oldest first. The stored questions and answers (the
    bulk of each row) load only when a caller reads them."""
    return list(db.session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id).order_by(QuizAttempt.number)
        .options(defer(QuizAttempt.questions), defer(QuizAttempt.answers))))


def open_attempt(attempts: list[QuizAttempt]) -> QuizAttempt | None:
    return next((a for a in attempts if a.status == "open"), None)


def drawn_of(attempt: QuizAttempt) -> list[DrawnQuestion]:
    return [DrawnQuestion(q["id"], q["spec"], q["order"]) for q in attempt.questions]


def views_of(attempt: QuizAttempt) -> list[dict | None]:
    """What the learner sees of each question of the attempt (None: not available)."""
    return [present(question) for question in drawn_of(attempt)]


def attempt_form(attempt: QuizAttempt, views: list[dict | None] | None = None) -> AttemptForm:
    """The attempt's opaque field names and values (see lms.quiz.tokens). An attempt started
    before attempts had a key gets one now."""
    if not attempt.form_key:
        db.session.execute(update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.form_key.is_(None))
                           .values(form_key=new_form_key()))
        db.session.commit()
        db.session.refresh(attempt)
    return AttemptForm(attempt.form_key, drawn_of(attempt), views if views is not None else views_of(attempt))


def available_count(attempt: QuizAttempt) -> int:
    """How many questions of the attempt can be answered (and count toward the score)."""
    return sum(1 for question in drawn_of(attempt) if available(question))


FORM_FIELDS = frozenset({"csrf_token", "action", "attempt"})


def open_questions_of(attempt: QuizAttempt, answers: dict | None = None) -> list[OpenQuestion]:
    """The questions of the attempt that ``answers`` (by default the saved ones) leave blank or
    partly answered."""
    return open_questions(drawn_of(attempt), (attempt.answers or {}) if answers is None else answers)
