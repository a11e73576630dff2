"""Quiz attempts as plain functions: start, save, submit (graded exactly once), statistics.

The parts live in sibling modules (attempts, policy, navigation, statistics) and are re-exported
here: callers import ``lms.quiz.services``. The functions that read the clock (``utcnow``) stay
here, so that patching ``services.utcnow`` stops the clock for all of them."""
from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from flask_babel import gettext

from lms.content.i18n import N_
from lms.extensions import db
from lms.models import CourseModule, QuizAttempt, QuizResponse, User
from lms.models.base import utcnow
from lms.quiz.attempts import (
    FORM_FIELDS, attempt_form, attempts_of, available_count, bank_of, drawn_of, open_attempt, open_questions_of,
    settings_of, views_of,
)
from lms.quiz.navigation import NextStep, assisting_class, next_step
from lms.quiz.policy import History, StartCheck, day_bounds, may_show_answers, refusal_text
from lms.quiz.statistics import QuestionStats, _choice_label, _correct_ids, count_submitted, question_statistics
from lms.quiz.tokens import new_form_key
from quizzes.bank import Bank
from quizzes.engine import (
    OpenQuestion, describe_answer, draw, draw_size, grade, parse_answers, question_type, recency,
)

__all__ = [
    "FORM_FIELDS", "GRACE", "RECENT_ATTEMPTS_MAX", "History", "NextStep", "QuestionStats", "QuizError", "StartCheck",
    "_choice_label", "_correct_ids", "assisting_class", "attempt_form", "attempts_of", "available_count", "bank_of",
    "can_start", "count_submitted", "day_bounds", "drawn_of", "history_of", "hold_if_open", "may_show_answers",
    "next_step", "open_attempt", "open_questions_of", "question_statistics", "recently_seen", "refusal_text",
    "save_answers", "settings_of", "start_attempt", "submit_attempt", "views_of",
]

# Answers that arrive this long after the time limit are still graded in full (a slow
# connection must not cost a learner their attempt). Later, only the answers saved before the
# time limit count.
GRACE = timedelta(seconds=60)


class QuizError(Exception):
    def __init__(self, message: str, check: StartCheck | None = None, **params):
        super().__init__(message % params if params else message)
        self.message, self.params, self.check = message, params, check

    def text(self) -> str:
        """The refusal in the reader's language, with the time a new attempt may start."""
        if self.check is not None:
            return refusal_text(self.check)
        return gettext(self.message, **self.params)



def history_of(user_id: int, module_id: int, now: datetime | None = None) -> History:
    """Counts of a learner's attempts at a module quiz, in one query."""
    day_start, _end = day_bounds(now or utcnow())
    submitted = QuizAttempt.status == "submitted"
    row = db.session.execute(select(
        func.count(case((submitted, 1))),
        func.count(case((QuizAttempt.started_at >= day_start, 1))),
        func.max(QuizAttempt.submitted_at),
        func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)),
        func.max(QuizAttempt.number),
        func.max(case((QuizAttempt.status == "open", QuizAttempt.id))),
    ).where(QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id)).one()
    return History(submitted=row[0] or 0, started_today=row[1] or 0, last_submitted_at=row[2],
                   passed=bool(row[3]), last_number=row[4] or 0, open_attempt_id=row[5])


def can_start(module: CourseModule, history: History, now: datetime | None = None) -> StartCheck:
    """The quiz's policy on a new attempt: attempts in all, attempts a day (counted from midnight
    in the site's time zone) and the rest between two attempts."""
    settings = settings_of(module)
    now = now or utcnow()
    if settings.max_attempts and history.submitted >= settings.max_attempts:
        return StartCheck(False, N_("You have used all %(n)s attempts of this quiz."), {"n": settings.max_attempts})
    wait_until = None
    if settings.wait_minutes and history.last_submitted_at is not None:
        wait_until = history.last_submitted_at + timedelta(minutes=settings.wait_minutes)
        if wait_until <= now:
            wait_until = None
    if settings.attempts_per_day and history.started_today >= settings.attempts_per_day:
        _start, tomorrow = day_bounds(now)
        if wait_until is None or wait_until <= tomorrow:
            return StartCheck(False, N_("You have used today's attempts (%(n)s a day). You can try again tomorrow."),
                              {"n": settings.attempts_per_day}, tomorrow)
    if wait_until is not None:
        return StartCheck(False, N_("You can try again after a short rest: at %(time)s."), {}, wait_until)
    return StartCheck(True)


# How far back a new draw looks to avoid questions the learner was just shown: enough attempts
# to have seen the whole bank, at most this many (start stays the same cost however many
# attempts a learner makes).
RECENT_ATTEMPTS_MAX = 20


def recently_seen(user_id: int, module_id: int, bank: Bank) -> dict[str, int]:
    """Question id → attempts ago the learner was last shown it, from their latest submitted
    attempts' graded responses (the compact record of what each attempt asked)."""
    count = draw_size(bank)
    usable = sum(1 for spec in bank.questions if question_type(spec) is not None)
    if not count or count >= usable:
        return {}  # every question is asked anyway
    limit = min(RECENT_ATTEMPTS_MAX, math.ceil(usable / count))
    attempt_ids = list(db.session.scalars(select(QuizAttempt.id).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id, QuizAttempt.status == "submitted")
        .order_by(QuizAttempt.number.desc()).limit(limit)))
    shown: dict[int, list[str]] = {attempt_id: [] for attempt_id in attempt_ids}
    if attempt_ids:
        for attempt_id, key in db.session.execute(select(QuizResponse.attempt_id, QuizResponse.question_key)
                                                  .where(QuizResponse.attempt_id.in_(attempt_ids))):
            shown[attempt_id].append(key)
    return recency(shown[attempt_id] for attempt_id in attempt_ids)


def start_attempt(user: User, module: CourseModule, rng: random.Random | None = None) -> QuizAttempt:
    """Start (or return the open) attempt: questions and option order are drawn now and stored.
    The draw prefers questions the learner has not been shown lately."""
    history = history_of(user.id, module.id)
    if history.open_attempt_id is not None:
        return db.session.get(QuizAttempt, history.open_attempt_id)
    check = can_start(module, history)
    if not check.allowed:
        raise QuizError(check.reason, check=check, **(check.params or {}))
    settings = settings_of(module)
    bank = bank_of(module)
    drawn = draw(bank, rng, seen=recently_seen(user.id, module.id, bank))
    if not drawn:
        raise QuizError(N_("This quiz has no questions yet."))
    now = utcnow()
    attempt = QuizAttempt(
        user_id=user.id, module_id=module.id, number=history.last_number + 1,
        status="open", started_at=now,
        deadline_at=now + timedelta(minutes=settings.time_limit_minutes) if settings.time_limit_minutes else None,
        pass_percent=settings.pass_percent, show_answers=settings.show_answers, max_attempts=settings.max_attempts,
        questions=[{"id": q.id, "spec": q.spec, "order": q.order} for q in drawn], answers={},
        form_key=new_form_key())
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # a double click started the same attempt number at the same moment
        db.session.rollback()
        existing = history_of(user.id, module.id).open_attempt_id
        if existing is None:
            raise
        return db.session.get(QuizAttempt, existing)
    return attempt


def save_answers(attempt: QuizAttempt, form: dict[str, list[str]], now: datetime | None = None) -> bool:
    """Keep answers without submitting (only while the attempt is open and in time)."""
    now = now or utcnow()
    answers = parse_answers(drawn_of(attempt), form, ignore=FORM_FIELDS)  # AnswerError: nothing stored
    if attempt.deadline_at is not None and now > attempt.deadline_at:
        return False
    result = db.session.execute(update(QuizAttempt).where(
        QuizAttempt.id == attempt.id, QuizAttempt.status == "open").values(answers=answers, saved_at=now))
    db.session.commit()
    return result.rowcount == 1



def hold_if_open(attempt: QuizAttempt, form: dict[str, list[str]], now: datetime | None = None) -> list[OpenQuestion]:
    """Before grading a submission: when the form leaves questions blank or partly answered and
    there is still time, save its answers (the attempt stays open) and return those questions,
    for the learner to answer them or confirm. An empty list means: grade now. After the time
    limit nothing can be saved, so a submission is never held then."""
    now = now or utcnow()
    answers = parse_answers(drawn_of(attempt), form, ignore=FORM_FIELDS)  # AnswerError: nothing stored
    missing = open_questions_of(attempt, answers)
    if not missing or not save_answers(attempt, form, now):
        return []  # complete, too late to hold, or already submitted: submit_attempt decides
    return missing


def submit_attempt(attempt_id: int, form: dict[str, list[str]] | None,
                   now: datetime | None = None) -> QuizAttempt | None:
    """Grade and close an attempt, with the answers of ``form``, or with the saved answers when
    ``form`` is None (the learner confirmed a submission that was held). Returns None when it was
    already submitted (a double click, a second tab, a retried request): exactly one submission
    is ever graded."""
    now = now or utcnow()
    attempt = db.session.get(QuizAttempt, attempt_id)
    drawn = drawn_of(attempt)
    if form is None:
        answers = dict(attempt.answers or {})
    else:
        answers = parse_answers(drawn, form, ignore=FORM_FIELDS)  # AnswerError before anything is written
    late = attempt.deadline_at is not None and now > attempt.deadline_at + GRACE
    if late:
        answers = dict(attempt.answers or {})  # only what was saved before the time limit
    result = grade(drawn, answers, attempt.pass_percent)
    claimed = db.session.execute(update(QuizAttempt).where(
        QuizAttempt.id == attempt_id, QuizAttempt.status == "open").values(
        status="submitted", submitted_at=now, answers=answers, score=result.percent, passed=result.passed, late=late))
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    for position, (question, graded) in enumerate(zip(drawn, result.results)):
        if not graded.available:  # not asked, not counted: no row for the statistics either
            continue
        db.session.add(QuizResponse(attempt_id=attempt_id, question_key=question.id, position=position,
                                    score=graded.score, chosen=describe_answer(question, graded.answer)))
    db.session.commit()
    db.session.expire(attempt)
    from lms.learn.services import note_activity
    note_activity(attempt.user_id)
    if result.passed:  # passing the last quiz may complete the course
        from lms.certificates.services import issue_if_complete
        module = db.session.get(CourseModule, attempt.module_id)
        issue_if_complete(attempt.user_id, module.course_id)
    return attempt
