"""Quiz pages: overview, attempt (works without JavaScript), submit, review, statistics."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from lms.extensions import db
from lms.learn import services as learn
from lms.learn.views import _get_course
from lms.models import ClassGroup, CourseModule, QuizAttempt, Role, User
from lms.models.base import utcnow
from lms.quiz import services
from lms.certificates.services import teaches
from lms.security import roles_required
from quizzes.base import AnswerError
from quizzes.engine import draw_size, present, question_type

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


def _assist_class(attempt: QuizAttempt) -> ClassGroup | None:
    """The class a teacher running this assisted attempt goes back to (None for the learner).
    A ``class_id`` in the address names it; it counts only if the teacher teaches that class and
    the learner is in it."""
    if attempt.user_id == current_user.id:
        return None
    return services.assisting_class(attempt, current_user.id, request.args.get("class_id", type=int))


def _attempt_url(endpoint: str, attempt: QuizAttempt, group: ClassGroup | None = None, **values) -> str:
    """An address of the attempt's pages that keeps the teacher's class along (assisted attempts)."""
    return url_for(endpoint, attempt_id=attempt.id, class_id=group.id if group is not None else None, **values)


def _seconds_left(attempt: QuizAttempt) -> int | None:
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - utcnow()).total_seconds()))


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
    """The quiz and its rules, before the learner starts: what a pass needs, how many tries,
    when the right answers are shown, and how many attempts are left today."""
    course, module = _module(course_id, module_key)
    state = _module_state(course, module)
    attempts = services.attempts_of(current_user.id, module.id)
    history = services.history_of(current_user.id, module.id)
    check = services.can_start(module, history)
    settings = services.settings_of(module)
    bank = services.bank_of(module)
    left_today = max(0, settings.attempts_per_day - history.started_today) if settings.attempts_per_day else None
    left_in_all = max(0, settings.max_attempts - history.submitted) if settings.max_attempts else None
    return render_template("quiz/overview.html", course=course, module=module, state=state, settings=settings,
                           attempts=attempts, open_attempt=services.open_attempt(attempts), check=check,
                           refusal=None if check.allowed else services.refusal_text(check),
                           question_count=draw_size(bank),
                           bank_size=sum(1 for spec in bank.questions if question_type(spec) is not None),
                           left_today=left_today, left_in_all=left_in_all)


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
        flash(exc.text(), "warning")
        return redirect(url_for("quiz.overview", course_id=course.id, module_key=module.key))
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id))


def _questions_for_page(attempt: QuizAttempt, answers: dict, show_solution: bool = False, review: bool = False):
    """The questions of an attempt as the templates draw them. On the attempt page every field
    name and offered value is an opaque token of the attempt (lms.quiz.tokens); the review sends
    nothing, so it carries no names or values at all. Real option ids never reach the page."""
    drawn = services.drawn_of(attempt)
    views = [present(question) for question in drawn]
    form = None if review else services.attempt_form(attempt, views)
    items = []
    for index, (question, view) in enumerate(zip(drawn, views)):
        spec = question.spec
        item = {"index": index, "anchor": f"q{index}", "type": spec.get("type"), "prompt": spec.get("prompt", ""),
                "image": spec.get("image"), "image_alt": spec.get("image_alt"), "available": view is not None}
        items.append(item)
        if view is None:  # its type is missing or broken: shown as not available, not counted
            continue
        fields = form.questions[index] if form is not None else None
        answer = answers.get(question.id)
        solution = None
        if show_solution:
            try:
                solution = question_type(spec).solution(spec, question.order)
            except Exception:  # a broken plugin fails alone: no right answer shown for it
                current_app.logger.exception("question %s: its type failed to give the solution", question.id)
            item["solution"] = solution or {}
            item["explanation"] = spec.get("explanation")
        item.update(view=view, name=fields.name if fields else None, answer=answer)
        if item["type"] == "numeric" and isinstance(answer, float) and answer.is_integer():
            item["answer"] = int(answer)  # "6", as typed, not "6.0"
        if "options" in view:
            chosen = _chosen(answer)
            right = set((solution or {}).get("correct", []))
            item["options"] = [{
                "value": fields.value(option["id"]) if fields else None,
                "label": option["text"] if option["text"] is not None else (_("True") if option["id"] == "true" else _("False")),
                "checked": str(option["id"]) in chosen, "right": str(option["id"]) in right,
            } for option in view["options"]]
        elif item["type"] == "ordering":
            places = _ordering_places(answer)
            if fields:
                item["rows"] = [{"field": fields.sub(it["id"]), "text": it["text"], "places": [
                    {"value": fields.value(n), "n": n, "selected": places.get(it["id"]) == n}
                    for n in range(1, view["positions"] + 1)]} for it in view["items"]]
            item["places"] = places
            # The learner's order, for the review: placed items by place, then those left out.
            rows = [{"place": places.get(it["id"]), "text": it["text"]} for it in view["items"]]
            item["order_rows"] = sorted(rows, key=lambda row: (row["place"] is None, row["place"] or 0))
        elif item["type"] == "matching":
            item["pairs"] = _matching_rows(item)
            if fields:
                for row in item["pairs"]:
                    row["field"] = fields.sub(row["id"])
                    row["choices"] = [{"value": fields.value(right["id"]), "text": right["text"],
                                       "selected": row["given"] == right["id"]} for right in view["rights"]]
    return items


def _chosen(answer) -> set[str]:
    """The option ids a choice answer picked (true/false answers are booleans)."""
    if answer is True or answer is False:
        return {"true" if answer else "false"}
    if isinstance(answer, str):
        return {answer}
    if isinstance(answer, list):
        return {str(a) for a in answer}
    return set()


def _ordering_places(answer) -> dict[str, int]:
    """Item id → the place the learner gave it, from a full ranking (a list of ids) or a partial
    one saved as {"incomplete": {id: place}}."""
    if isinstance(answer, list):
        return {item_id: place for place, item_id in enumerate(answer, 1)}
    if isinstance(answer, dict) and isinstance(answer.get("incomplete"), dict):
        return {str(k): v for k, v in answer["incomplete"].items()}
    return {}


def _matching_rows(item: dict) -> list[dict]:
    """One row per left-hand text: the learner's match (id and text) and, once the review may show
    it, the right match and whether theirs is it."""
    chosen = item["answer"] if isinstance(item["answer"], dict) else {}
    texts = {right["id"]: right["text"] for right in item["view"]["rights"]}
    solution = item.get("solution", {}).get("pairs", [])
    rows = []
    for position, left in enumerate(item["view"]["lefts"]):
        given = chosen.get(left["id"])
        row = {"id": left["id"], "left": left["text"], "given": given, "given_text": texts.get(given)}
        if position < len(solution):  # the solution lists pairs in the lefts' order
            row["right_text"] = solution[position]["right"]
            row["ok"] = row["given_text"] == row["right_text"]
        rows.append(row)
    return rows


@bp.get("/quiz/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = _attempt_for_owner(attempt_id)
    group = _assist_class(attempt)
    if attempt.status != "open":
        return redirect(_attempt_url("quiz.review", attempt, group))
    module = db.session.get(CourseModule, attempt.module_id)
    course = _get_course(module.course_id)
    return render_template("quiz/attempt.html", attempt=attempt, module=module, course=course,
                           remaining=_seconds_left(attempt), assisted_learner=_assisted_learner(attempt), group=group,
                           items=_questions_for_page(attempt, attempt.answers or {}))


@bp.get("/quiz/attempts/<int:attempt_id>/confirm")
@login_required
def confirm(attempt_id: int):
    """A submission that left questions blank or partly answered: which ones, with the choice to
    go back and answer them or to submit anyway (the answers were saved)."""
    attempt = _attempt_for_owner(attempt_id)
    group = _assist_class(attempt)
    if attempt.status != "open":
        return redirect(_attempt_url("quiz.review", attempt, group))
    module = db.session.get(CourseModule, attempt.module_id)
    course = _get_course(module.course_id)
    missing = services.open_questions_of(attempt)
    return render_template("quiz/confirm.html", attempt=attempt, module=module, course=course, group=group,
                           assisted_learner=_assisted_learner(attempt), remaining=_seconds_left(attempt),
                           missing=missing, total=services.available_count(attempt))


@bp.post("/quiz/attempts/<int:attempt_id>")
@login_required
def answer(attempt_id: int):
    """Save, submit (held for confirmation when questions are left open) or confirm (grade the
    saved answers) an attempt."""
    attempt = _attempt_for_owner(attempt_id)
    group = _assist_class(attempt)
    sent = _form()
    action = sent.get("action", [""])[-1]
    if action not in ("save", "submit", "confirm") or sent.get("attempt") != [str(attempt.id)]:
        _bad_request(_("This form is incomplete. Reload the quiz page and try again."))
    if attempt.status != "open":
        flash(_("This attempt was already submitted; it is graded once."), "info")
        return redirect(_attempt_url("quiz.review", attempt, group))
    try:
        # The page sent opaque tokens: back to real names and ids (anything else is refused).
        form = services.attempt_form(attempt).decode(sent, ignore=services.FORM_FIELDS)
        if action == "save":
            saved = services.save_answers(attempt, form)
            flash(_("Your answers are saved.") if saved else _("Time is up: answers can no longer be saved."),
                  "success" if saved else "warning")
            return redirect(_attempt_url("quiz.attempt", attempt, group))
        if action == "submit" and services.hold_if_open(attempt, form):
            return redirect(_attempt_url("quiz.confirm", attempt, group))
        # "confirm" grades what was saved when the submission was held.
        graded = services.submit_attempt(attempt.id, None if action == "confirm" else form)
    except AnswerError:
        db.session.rollback()
        _bad_request(_("Some answers do not belong to this quiz. Nothing was saved. Reload the quiz page and try again."))
    if graded is None:
        flash(_("This attempt was already submitted; it is graded once."), "info")
    return redirect(_attempt_url("quiz.review", attempt, group))


@bp.get("/quiz/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    attempt = _attempt_for_owner(attempt_id)
    group = _assist_class(attempt)
    if attempt.status == "open":
        return redirect(_attempt_url("quiz.attempt", attempt, group))
    module = db.session.get(CourseModule, attempt.module_id)
    course = _get_course(module.course_id)
    history = services.history_of(attempt.user_id, module.id)
    show = services.may_show_answers(attempt, history)
    scores = {r.question_key: r.score for r in attempt.responses}
    items = _questions_for_page(attempt, attempt.answers or {}, show_solution=show, review=True)
    for item, question in zip(items, attempt.questions):
        item["score"] = scores.get(question["id"], 0.0)
    outline = learn.build_outline(course, attempt.user_id)
    state = next(m for m in outline.modules if m.module.id == module.id)
    assisted_learner = _assisted_learner(attempt)
    # The way on is the learner's own: a teacher who assisted goes back to the class instead.
    step = services.next_step(outline, module.id) if attempt.passed and assisted_learner is None else None
    check = services.can_start(module, history)
    return render_template("quiz/review.html", attempt=attempt, module=module, course=course, items=items,
                           assisted_learner=assisted_learner, group=group, step=step, show=show, state=state,
                           check=check, refusal=None if check.allowed else services.refusal_text(check))


@bp.get("/courses/<course_id>/<module_key>/quiz/statistics")
@roles_required(Role.TEACHER, Role.ADMIN)
def statistics(course_id: str, module_key: str):
    course, module = _module(course_id, module_key)
    return render_template("quiz/statistics.html", course=course, module=module,
                           stats=services.question_statistics(module), submitted=services.count_submitted(module.id))
