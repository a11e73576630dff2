"""Home, catalogue, course and lesson pages."""
from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from lms.content.packages.files import IMAGE_TYPES, safe_package_path
from lms.extensions import db
from lms.i18n import localized
from lms.learn import services
from lms.models import Course, TargetGroup
from lms.models.people import GROUP_LABELS

bp = Blueprint("learn", __name__)


def _get_course(course_id: str) -> Course:
    """The course if the current user may open it, else a 404 that says why."""
    course = services.open_course(course_id, current_user)
    if course is None:
        exists = db.session.get(Course, course_id)
        if exists is not None and exists.available:
            exc = NotFound()
            exc.lms_message = _("This course is switched off for now. Ask your teacher or administrator when it opens again.")
            raise exc
        abort(404)
    return course


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        _mine, courses = services.visible_courses(None)
        return render_template("learn/welcome.html", courses=courses)
    group = current_user.target_group.value if current_user.target_group else None
    mine, others = services.visible_courses(group)
    progress = services.progress_by_course(current_user.id, [c.id for c in mine + others])
    target = services.continue_target(current_user)
    from lms.teach.services import assigned_to, pending_mentors
    assigned = assigned_to(current_user) if current_user.is_learner else []
    return render_template("learn/home.html", mine=mine, others=others, progress=progress, target=target,
                           assigned=assigned, mentor_requests=pending_mentors(current_user))


@bp.get("/courses")
def catalogue():
    group = current_user.target_group.value if current_user.is_authenticated and current_user.target_group else None
    want_group = request.args.get("group", "")
    want_area = request.args.get("area", "")
    areas = services.framework_areas()
    if want_group not in {g.value for g in TargetGroup}:
        want_group = ""
    if want_area not in {a.code for a in areas}:
        want_area = ""
    if want_group or want_area:
        mine, others = [], services.filtered_courses(want_group or None, want_area or None)
    else:
        mine, others = services.visible_courses(group)
    progress = services.progress_by_course(current_user.id, [c.id for c in mine + others]) \
        if current_user.is_authenticated else {}
    return render_template("learn/catalogue.html", mine=mine, others=others, progress=progress, areas=areas,
                           want_group=want_group, want_area=want_area, groups=GROUP_LABELS,
                           filtered=bool(want_group or want_area))


@bp.get("/courses/<course_id>")
def course(course_id: str):
    course = _get_course(course_id)
    outline = services.build_outline(course, current_user.id if current_user.is_authenticated else None)
    return render_template("learn/course.html", course=course, outline=outline)


def _find_lesson(course_id: str, module_key: str, lesson_key: str):
    """(course, outline, module state, lesson state) for the current learner, or 404."""
    course = _get_course(course_id)
    outline = services.build_outline(course, current_user.id)
    found = outline.find(module_key, lesson_key)
    if found is None:
        abort(404)
    return course, outline, found[0], found[1]


@bp.get("/courses/<course_id>/<module_key>/<lesson_key>")
@login_required
def lesson(course_id: str, module_key: str, lesson_key: str):
    course, outline, module_state, lesson_state = _find_lesson(course_id, module_key, lesson_key)
    found = (module_state, lesson_state)
    if module_state.locked:
        return render_template("learn/locked.html", course=course, outline=outline, state=module_state), 403
    flat = outline.flat()
    index = flat.index(found)
    previous = flat[index - 1] if index > 0 else None
    following = flat[index + 1] if index + 1 < len(flat) else None
    services.remember_lesson(current_user, lesson_state.lesson)
    return render_template("learn/lesson.html", course=course, outline=outline, module_state=module_state,
                           lesson_state=lesson_state, previous=previous, following=following,
                           html=services.lesson_html(course, lesson_state.lesson.id))


@bp.post("/courses/<course_id>/<module_key>/<lesson_key>/done")
@login_required
def lesson_done(course_id: str, module_key: str, lesson_key: str):
    """Moving on from a lesson marks it read: "I have finished" and "Next" both post here.

    The learner then goes where they would expect: when leaving the module, to its quiz if
    every lesson is read and the quiz is still to pass; else to the lesson that follows this
    one; after the last lesson, back to the course."""
    course, _outline, module_state, lesson_state = _find_lesson(course_id, module_key, lesson_key)
    if module_state.locked:
        abort(403)
    services.mark_done(current_user, lesson_state.lesson)
    outline = services.build_outline(course, current_user.id)
    module_state, lesson_state = outline.find(module_key, lesson_key)
    if outline.is_done:
        flash(_("Well done! You have finished every lesson of this course."), "success")
        return redirect(url_for("learn.course", course_id=course.id))
    if module_state.is_done:
        flash(_("Well done! You have finished the module “%(module)s”.",
                module=localized(module_state.module, "title")), "success")
    flat = outline.flat()
    index = flat.index((module_state, lesson_state))
    following = flat[index + 1] if index + 1 < len(flat) else None
    leaving_module = following is None or following[0] is not module_state
    if leaving_module and module_state.lessons_done and module_state.module.has_quiz and not module_state.quiz_passed:
        flash(_("You have read every lesson of this module. Take its quiz to finish it."), "success")
        return redirect(url_for("quiz.overview", course_id=course.id, module_key=module_state.module.key))
    if following is None or following[0].locked:
        return redirect(url_for("learn.course", course_id=course.id))
    return redirect(url_for("learn.lesson", course_id=course.id, module_key=following[0].module.key,
                            lesson_key=following[1].lesson.key))


@bp.get("/courses/<course_id>/files/<path:path>")
def course_file(course_id: str, path: str):
    """Pictures of a course package. Only image files inside the package folder are served."""
    course = _get_course(course_id)
    folder = Path(current_app.config["COURSES_DIR"]) / course.id
    target = safe_package_path(folder, path)
    if target is None or not target.is_file() or target.suffix.lower() not in IMAGE_TYPES:
        abort(404)
    response = send_file(target, mimetype=IMAGE_TYPES[target.suffix.lower()] or mimetypes.guess_type(target.name)[0],
                         max_age=7 * 24 * 3600, conditional=True)
    # An SVG opened on its own must not run anything.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
