"""Quiz pages: overview, attempt (works without JavaScript), submit, review, statistics."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from lms.extensions import db
from lms.learn import services as learn
from lms.learn.views import _get_course
from lms.models import CourseModule, QuizAttempt, Role, User
from lms.models.base import utcnow
from lms.quiz import services
from lms.certificates.services import teaches
from lms.security import roles_required
from quizzes.base import AnswerError
from quizzes.engine import field_name
from quizzes.registry import get_type

bp = Blueprint("quiz", __name__)

MAX_QUIZ_BODY = 64 * 1024


def _module(course_id: str, module_key: str):
    course = _get_course(course_id)
    module = db.session.scalar(select(CourseModule).where(
        CourseModule.course_id == course.id, CourseModule.key == module_key, CourseModule.retired.is_(False)))
    if module is None or module.quiz_settings is None:
        abort(404)
    return course, module


def _module_state(course, module: CourseModule, user_id: int | None = None):
    """The learner's state of the module (lessons done, locked, quiz passed)."""
    outline = learn.build_outline(course, user_id or current_user.id)
    return next(m for m in outline.modules if m.module.id == module.id)


def _attempt_for_owner(attempt_id: int) -> QuizAttempt:
    """The attempt if it is the current learner's own, or one their teacher runs with them at
    their side (an assisted attempt); 404 otherwise (never reveal others')."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None:
        abort(404)
    if attempt.user_id == current_user.id:
        return attempt
    if attempt.assisted_by_id == current_user.id and teaches(current_user.id, attempt.user_id):
        return attempt
    abort(404)


def _assisted_learner(attempt: QuizAttempt) -> User | None:
    """The learner, when the teacher is the one looking at the attempt (assisted)."""
    return db.session.get(User, attempt.user_id) if attempt.user_id != current_user.id else None


def _bad_request(message: str):
    exc = BadRequest()
    exc.lms_message = message
    raise exc


def _form() -> dict[str, list[str]]:
    if request.content_length is not None and request.content_length > MAX_QUIZ_BODY:
        _bad_request(_("What was sent is too large for a quiz. Reload the page and try again."))
    return {key: request.form.getlist(key) for key in request.form.keys()}


@bp.get("/courses/<course_id>/<module_key>/quiz")
@login_required
def overview(course_id: str, module_key: str):
    course, module = _module(course_id, module_key)
    state = _module_state(course, module)
    attempts = services.attempts_of(current_user.id, module.id)
    check = services.can_start(module, attempts)
    wait_text = format_datetime(check.wait_until, "HH:mm dd/MM/yyyy") if check.wait_until else None
    return render_template("quiz/overview.html", course=course, module=module, state=state,
                           settings=services.settings_of(module), attempts=attempts,
                           open_attempt=services.open_attempt(attempts), check=check, wait_text=wait_text,
                           question_count=len(services.bank_of(module).questions))


@bp.post("/courses/<course_id>/<module_key>/quiz/start")
@login_required
def start(course_id: str, module_key: str):
    course, module = _module(course_id, module_key)
    state = _module_state(course, module)
    if state.locked:
        abort(403)
    try:
        attempt = services.start_attempt(current_user, module)
    except services.QuizError as exc:
        flash(_(exc.message, **exc.params), "warning")
        return redirect(url_for("quiz.overview", course_id=course.id, module_key=module.key))
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id))


def _questions_for_page(attempt: QuizAttempt, answers: dict, show_solution: bool = False):
    items = []
    for index, question in enumerate(attempt.questions):
        spec = question["spec"]
        qtype = get_type(spec["type"])
        item = {"index": index, "name": field_name(index), "type": spec["type"], "prompt": spec.get("prompt", ""),
                "image": spec.get("image"), "image_alt": spec.get("image_alt"),
                "view": qtype.present(spec, question["order"]), "answer": answers.get(question["id"])}
        if show_solution:
            item["solution"] = qtype.solution(spec, question["order"])
            item["explanation"] = spec.get("explanation")
        items.append(item)
    return items


@bp.get("/quiz/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = _attempt_for_owner(attempt_id)
    if attempt.status != "open":
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    module = db.session.get(CourseModule, attempt.module_id)
    course = _get_course(module.course_id)
    remaining = None
    if attempt.deadline_at is not None:
        remaining = max(0, int((attempt.deadline_at - utcnow()).total_seconds()))
    return render_template("quiz/attempt.html", attempt=attempt, module=module, course=course, remaining=remaining,
                           assisted_learner=_assisted_learner(attempt),
                           items=_questions_for_page(attempt, attempt.answers or {}))


@bp.post("/quiz/attempts/<int:attempt_id>")
@login_required
def answer(attempt_id: int):
    attempt = _attempt_for_owner(attempt_id)
    form = _form()
    action = form.get("action", [""])[-1]
    if action not in ("save", "submit") or form.get("attempt") != [str(attempt.id)]:
        _bad_request(_("This form is incomplete. Reload the quiz page and try again."))
    if attempt.status != "open":
        flash(_("This attempt was already submitted; it is graded once."), "info")
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    try:
        if action == "save":
            saved = services.save_answers(attempt, form)
            flash(_("Your answers are saved.") if saved else _("Time is up: answers can no longer be saved."),
                  "success" if saved else "warning")
            return redirect(url_for("quiz.attempt", attempt_id=attempt.id))
        graded = services.submit_attempt(attempt.id, form)
    except AnswerError:
        db.session.rollback()
        _bad_request(_("Some answers do not belong to this quiz. Nothing was saved. Reload the quiz page and try again."))
    if graded is None:
        flash(_("This attempt was already submitted; it is graded once."), "info")
    return redirect(url_for("quiz.review", attempt_id=attempt.id))


@bp.get("/quiz/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    attempt = _attempt_for_owner(attempt_id)
    if attempt.status == "open":
        return redirect(url_for("quiz.attempt", attempt_id=attempt.id))
    module = db.session.get(CourseModule, attempt.module_id)
    course = _get_course(module.course_id)
    attempts = services.attempts_of(attempt.user_id, module.id)
    show = services.may_show_answers(attempt, attempts)
    scores = {r.question_key: r.score for r in attempt.responses}
    items = _questions_for_page(attempt, attempt.answers or {}, show_solution=show)
    for item, question in zip(items, attempt.questions):
        item["score"] = scores.get(question["id"], 0.0)
    state = _module_state(course, module, attempt.user_id)
    return render_template("quiz/review.html", attempt=attempt, module=module, course=course, items=items,
                           assisted_learner=_assisted_learner(attempt),
                           show=show, state=state, check=services.can_start(module, attempts))


@bp.get("/courses/<course_id>/<module_key>/quiz/statistics")
@roles_required(Role.TEACHER, Role.ADMIN)
def statistics(course_id: str, module_key: str):
    course, module = _module(course_id, module_key)
    return render_template("quiz/statistics.html", course=course, module=module,
                           stats=services.question_statistics(module), submitted=services.count_submitted(module.id))
