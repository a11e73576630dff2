"""Quiz attempts as plain functions: start, save, submit (graded exactly once), statistics."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from flask_babel import gettext

from lms.content.i18n import N_
from lms.extensions import db
from lms.i18n import format_datetime, site_timezone
from lms.models import (
    ClassGroup, ClassMember, ClassTeacher, CourseModule, QuizAttempt, QuizQuestion, QuizResponse, User,
)
from lms.models.base import utcnow
from lms.quiz.tokens import AttemptForm, new_form_key
from quizzes.bank import Bank, QuizSettings
from quizzes.engine import (
    DrawnQuestion, OpenQuestion, available, describe_answer, draw, draw_size, grade, open_questions, parse_answers,
    present, question_type, recency,
)

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


def refusal_text(check: StartCheck) -> str:
    """Why a new attempt cannot start now, in the reader's language (with the time it can)."""
    when = format_datetime(check.wait_until, "HH:mm dd/MM/yyyy") if check.wait_until else ""
    return gettext(check.reason, **{"time": when, **(check.params or {})})


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


@dataclass(frozen=True)
class History:
    """A learner's attempts at one module's quiz, counted by the database (a few numbers,
    however many attempts there are). ``started_today``: attempts started since midnight in
    the site's time zone."""

    submitted: int = 0
    started_today: int = 0
    last_submitted_at: datetime | None = None
    passed: bool = False
    last_number: int = 0
    open_attempt_id: int | None = None


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Midnight today and midnight tomorrow in the site's time zone (in UTC), around ``now``."""
    zone = site_timezone()
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), zone)
    end = datetime.combine(today + timedelta(days=1), time(0), zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


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


@dataclass
class StartCheck:
    """Whether a new attempt may start; if not, ``reason`` (a message to translate with
    ``params``) and, when waiting ends at a known moment, ``wait_until`` (shown as %(time)s)."""

    allowed: bool
    reason: str | None = None
    params: dict | None = None
    wait_until: datetime | None = None


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


def open_attempt(attempts: list[QuizAttempt]) -> QuizAttempt | None:
    return next((a for a in attempts if a.status == "open"), None)


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


FORM_FIELDS = frozenset({"csrf_token", "action", "attempt"})


def open_questions_of(attempt: QuizAttempt, answers: dict | None = None) -> list[OpenQuestion]:
    """The questions of the attempt that ``answers`` (by default the saved ones) leave blank or
    partly answered."""
    return open_questions(drawn_of(attempt), (attempt.answers or {}) if answers is None else answers)


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


@dataclass
class NextStep:
    """Where a learner goes after passing a module's quiz: ``kind`` is "lesson" (a lesson not yet
    read, of this module or the next), "quiz" (the next module's quiz, its lessons all read) or
    "finished" (every module of the course done)."""

    kind: str
    module: object | None = None   # lms.learn.services.ModuleInfo
    lesson: object | None = None   # lms.learn.services.LessonInfo
    same_module: bool = False


def next_step(outline, module_id: int) -> NextStep | None:
    """The learner's next step once the quiz of ``module_id`` is passed, from their course outline
    (lms.learn.services.build_outline): the lessons this module still has, else the next module
    not yet done (after this one, then from the start of the course), else the end of the course.
    None when nothing is open to go on with."""
    if outline.is_done:
        return NextStep("finished")
    states = outline.modules
    here = next((i for i, m in enumerate(states) if m.module.id == module_id), None)
    if here is None:
        return None
    current = states[here]
    if not current.is_done:
        unread = next((s.lesson for s in current.lessons if not s.done), None)
        return NextStep("lesson", current.module, unread, same_module=True) if unread else None
    for state in states[here + 1:] + states[:here]:
        if state.is_done or state.locked:
            continue
        unread = next((s.lesson for s in state.lessons if not s.done), None)
        if unread is not None:
            return NextStep("lesson", state.module, unread)
        return NextStep("quiz", state.module)
    return None


def assisting_class(attempt: QuizAttempt, teacher_id: int, class_id: int | None = None) -> ClassGroup | None:
    """The class in which a teacher runs an assisted attempt, to send them back to it: the class
    ``class_id`` when the teacher teaches it and the learner is in it, else the newest class
    they share. None when the attempt is not assisted by this teacher or no class links them."""
    if attempt.assisted_by_id != teacher_id:
        return None
    shared = (select(ClassGroup)
              .join(ClassTeacher, ClassTeacher.class_id == ClassGroup.id)
              .join(ClassMember, ClassMember.class_id == ClassGroup.id)
              .where(ClassTeacher.user_id == teacher_id, ClassMember.user_id == attempt.user_id))
    if class_id is not None:
        named = db.session.scalar(shared.where(ClassGroup.id == class_id))
        if named is not None:
            return named
    return db.session.scalar(shared.order_by(ClassGroup.created_at.desc(), ClassGroup.id.desc()).limit(1))


def may_show_answers(attempt: QuizAttempt, history: History) -> bool:
    """Whether the review may show the right answers and explanations, by the rule the attempt
    was taken under: after every attempt; once the learner has passed; once they have passed or
    used the last allowed attempt (with no limit in all, only a pass); or never."""
    if attempt.status != "submitted":
        return False
    rule = attempt.show_answers
    if rule == "after_attempt":
        return True
    if rule == "after_pass":
        return history.passed
    if rule == "after_last_attempt":
        return history.passed or bool(attempt.max_attempts) and history.submitted >= attempt.max_attempts
    return False


@dataclass
class QuestionStats:
    key: str
    prompt: str
    type: str
    attempts: int
    share_correct: float
    most_chosen_wrong: str | None
    most_chosen_wrong_count: int
    discrimination: float | None


def question_statistics(module: CourseModule) -> list[QuestionStats]:
    """Per question of a module's quiz: how many answered it, the share fully correct, the wrong
    answer chosen most, and a discrimination index (share correct among the top 27% of attempts
    by total score minus the share among the bottom 27%; near 0 or negative flags a bad question)."""
    rows = db.session.execute(
        select(QuizResponse.question_key, QuizResponse.score, QuizResponse.chosen, QuizAttempt.id, QuizAttempt.score)
        .join(QuizAttempt, QuizAttempt.id == QuizResponse.attempt_id)
        .where(QuizAttempt.module_id == module.id, QuizAttempt.status == "submitted")).all()
    totals = sorted({(attempt_score or 0.0, attempt_id) for _k, _s, _c, attempt_id, attempt_score in rows})
    group = max(1, round(len(totals) * 0.27)) if len(totals) >= 4 else 0
    bottom = {a for _s, a in totals[:group]}
    top = {a for _s, a in totals[-group:]} if group else set()
    questions = {q.key: q for q in db.session.scalars(select(QuizQuestion).where(QuizQuestion.module_id == module.id))}
    by_key: dict[str, list] = {}
    for key, score, chosen, attempt_id, _total in rows:
        by_key.setdefault(key, []).append((score, chosen or [], attempt_id))
    stats = []
    for key, question in sorted(questions.items(), key=lambda kv: kv[1].position):
        answers = by_key.get(key, [])
        correct = [s >= 0.999999 for s, _c, _a in answers]
        wrong_counts: dict[str, int] = {}
        right_ids = set(_correct_ids(question.data))
        for score, chosen, _a in answers:
            if score < 0.999999:
                for choice in chosen:
                    if choice not in right_ids:
                        wrong_counts[choice] = wrong_counts.get(choice, 0) + 1
        worst = max(wrong_counts.items(), key=lambda kv: kv[1]) if wrong_counts else (None, 0)
        discrimination = None
        if group:
            up = [s >= 0.999999 for s, _c, a in answers if a in top]
            down = [s >= 0.999999 for s, _c, a in answers if a in bottom]
            if up and down:
                discrimination = round(sum(up) / len(up) - sum(down) / len(down), 2)
        stats.append(QuestionStats(
            key=key, prompt=question.data.get("prompt", ""), type=question.type, attempts=len(answers),
            share_correct=(sum(correct) / len(correct)) if correct else 0.0,
            most_chosen_wrong=_choice_label(question.data, worst[0]), most_chosen_wrong_count=worst[1],
            discrimination=discrimination))
    return stats


def _correct_ids(spec: dict) -> list[str]:
    if spec.get("type") in ("single_choice", "multiple_choice"):
        return [str(o["id"]) for o in spec.get("options", []) if o.get("correct") is True]
    if spec.get("type") == "true_false":
        return ["true" if spec.get("answer") else "false"]
    return []


def _choice_label(spec: dict, choice: str | None) -> str | None:
    if choice is None:
        return None
    for option in spec.get("options", []) or []:
        if str(option.get("id")) == choice:
            return str(option.get("text"))
    return choice


def count_submitted(module_id: int) -> int:
    return db.session.scalar(select(func.count(QuizAttempt.id)).where(
        QuizAttempt.module_id == module_id, QuizAttempt.status == "submitted")) or 0
