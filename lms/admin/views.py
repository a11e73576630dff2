"""Administrators: course packages (enable, disable, load, see problems)."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from lms.content.sync import sync_packages
from lms.extensions import db
from lms.models import Course, PackageProblem, Role
from lms.security import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/courses")
@roles_required(Role.ADMIN)
def courses():
    courses = db.session.scalars(select(Course).order_by(Course.title_vi)).all()
    problems = db.session.scalars(
        select(PackageProblem).order_by(PackageProblem.package, PackageProblem.file, PackageProblem.line)).all()
    by_package: dict[str, list[PackageProblem]] = {}
    for p in problems:
        by_package.setdefault(p.package, []).append(p)
    return render_template("admin/courses.html", courses=courses, problems=by_package,
                           describe=lambda problem: _(problem.message, **problem.params))


@bp.post("/courses/<course_id>/toggle")
@roles_required(Role.ADMIN)
def toggle_course(course_id: str):
    course = db.get_or_404(Course, course_id)
    course.enabled = not course.enabled
    db.session.commit()
    if course.enabled:
        flash(_("The course “%(title)s” is open to learners again.", title=course.title_vi), "success")
    else:
        flash(_("The course “%(title)s” is switched off. Learners cannot open it; their progress is kept.",
                title=course.title_vi), "success")
    return redirect(url_for("admin.courses"))


@bp.post("/courses/sync")
@roles_required(Role.ADMIN)
def sync():
    report = sync_packages(Path(current_app.config["COURSES_DIR"]))
    flash(_("Course packages loaded: %(added)s new, %(updated)s updated, %(unchanged)s unchanged, %(failed)s with errors.",
            added=len(report.added), updated=len(report.updated), unchanged=len(report.unchanged),
            failed=len(report.failed)), "success" if not report.failed else "warning")
    return redirect(url_for("admin.courses"))

from lms.admin import import_views, manage  # noqa: E402,F401  (imports; people, targets, audit log, API tokens)
