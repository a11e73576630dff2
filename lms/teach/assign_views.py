"""Teachers' pages: assignments, the progress grid with downloads, assisted quizzes, guidance sessions."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms import exports
from lms.auth.forms import village_choices
from lms.auth.services import username_key
from lms.extensions import db
from lms.models import Assignment, ClassGroup, Course, CourseModule, Role, User
from lms.quiz.services import QuizError
from lms.security import roles_required
from lms.teach import bp, services
from lms.teach.forms import AssignForm, GuidanceForm
from lms.teach.view_helpers import STATE_LABELS, _class_or_404, _int, _teacher_error
from lms.text import matches


# --- assignments ------------------------------------------------------------------------

@bp.route("/teach/classes/<int:class_id>/assign", methods=["GET", "POST"])
@roles_required(Role.TEACHER, Role.ADMIN)
def assign(class_id: int):
    group = _class_or_404(class_id)
    form = AssignForm()
    courses = db.session.scalars(select(Course).where(Course.enabled.is_(True), Course.available.is_(True))
                                 .order_by(Course.title_vi)).all()
    form.course.choices = [("", _l("— Choose a course —"))] + [(c.id, c.title_vi) for c in courses]
    selected = request.values.get("course") or ""
    modules = db.session.scalars(select(CourseModule).where(CourseModule.course_id == selected,
                                                            CourseModule.retired.is_(False))
                                 .order_by(CourseModule.position)).all() if selected else []
    members = services.members_of(group)
    if request.method == "POST" and request.form.get("step") == "assign" and form.validate_on_submit():
        module_ids = [int(v) for v in request.form.getlist("modules") if v.isdigit()]
        learner_ids = [int(v) for v in request.form.getlist("learners") if v.isdigit()] \
            if request.form.get("who") == "chosen" else []
        if request.form.get("who") == "chosen" and not learner_ids:
            flash(_("Tick the learners who should do this work, or choose the whole class."), "error")
        else:
            try:
                services.assign(current_user, group, form.course.data, module_ids, learner_ids, form.due_on.data,
                                form.note.data)
            except services.TeachError as exc:
                db.session.rollback()
                flash(_teacher_error(exc), "error")
            else:
                flash(_("The work is assigned. Learners see it first on their home page."), "success")
                return redirect(url_for("teach.class_page", class_id=group.id))
    return render_template("teach/assign.html", group=group, form=form, modules=modules, members=members,
                           selected=selected)


@bp.post("/teach/assignments/<int:assignment_id>/withdraw")
@roles_required(Role.TEACHER, Role.ADMIN)
def withdraw(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or services.class_for(current_user, assignment.class_id) is None:
        abort(404)
    FlaskForm().validate_on_submit() or abort(400)
    services.withdraw(assignment)
    flash(_("The assignment is withdrawn. Learners keep the progress they made."), "success")
    return redirect(url_for("teach.class_page", class_id=assignment.class_id))


# --- progress ---------------------------------------------------------------------------

SORTS = ("name", "progress", "village")


def _sorted_learners(grid: services.Grid, sort: str, state: str, q: str) -> list[User]:
    learners = grid.learners
    if q:
        key = username_key(q)
        learners = [u for u in learners if matches(q, u.full_name) or key in u.username_key]
    if state in STATE_LABELS:
        learners = [u for u in learners if any(c is not None and c.state == state for c in grid.row(u))]
    if sort == "progress":
        started = lambda u: sum(1 for c in grid.row(u) if c is not None and c.state == "in_progress")  # noqa: E731
        learners = sorted(learners, key=lambda u: (-grid.done_count(u), -started(u), u.full_name))
    elif sort == "village":
        learners = sorted(learners, key=lambda u: (u.place.name if u.place else "", u.full_name))
    return learners


@bp.get("/teach/classes/<int:class_id>/progress")
@roles_required(Role.TEACHER, Role.ADMIN)
def progress(class_id: int):
    group = _class_or_404(class_id)
    grid = services.progress_grid(group)
    sort = request.args.get("sort", "name")
    state = request.args.get("state", "")
    q = request.args.get("q", "")
    learners = _sorted_learners(grid, sort if sort in SORTS else "name", state, q)
    return render_template("teach/progress.html", group=group, grid=grid, learners=learners, sort=sort, state=state,
                           q=q, state_labels=STATE_LABELS, totals=grid.column_totals())


def _export_rows(group: ClassGroup):
    grid = services.progress_grid(group)
    header = [_("Full name"), _("Username"), _("Village")]
    for column in grid.columns:
        title = f"{column.course.title_vi} – {column.module.title_vi}"
        header += [title, _("Lessons done"), _("Best quiz score, %"), _("Assisted by")]
    header.append(_("Modules done"))
    rows = []
    for user in grid.learners:
        row = [user.full_name, user.username, user.place.name if user.place else ""]
        for cell in grid.row(user):
            if cell is None:
                row += [_("Not assigned"), None, None, None]
            else:
                row += [str(STATE_LABELS[cell.state]), cell.lessons_done,
                        round(cell.best_score, 1) if cell.best_score is not None else None,
                        cell.assisted_by or ""]
        row.append(grid.done_count(user))
        rows.append(row)
    return grid, header, rows


@bp.get("/teach/classes/<int:class_id>/progress.<fmt>")
@roles_required(Role.TEACHER, Role.ADMIN)
def progress_download(class_id: int, fmt: str):
    group = _class_or_404(class_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _grid, header, rows = _export_rows(group)
    title = _("Class progress: %(name)s", name=group.name)
    subtitle = _("Downloaded %(date)s", date=format_date(date.today(), "dd/MM/yyyy"))
    name = f"tien-do-{exports.ascii_slug(group.name, 'lop')}-{date.today().isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"}
    if fmt == "csv":
        return Response(exports.csv_stream([[title], [subtitle]], header, rows), mimetype="text/csv", headers=headers)
    data = exports.xlsx_bytes(title, subtitle, header, rows)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers=headers)


@bp.get("/teach/classes/<int:class_id>/learners/<int:user_id>")
@roles_required(Role.TEACHER, Role.ADMIN)
def learner(class_id: int, user_id: int):
    group = _class_or_404(class_id)
    if not services.is_member(group.id, user_id):
        abort(404)
    user = db.session.get(User, user_id)
    grid = services.progress_grid(group)
    cells = list(zip(grid.columns, grid.row(user)))
    from lms.quiz.services import attempts_of
    attempts = {column.module.id: attempts_of(user.id, column.module.id) for column, _cell in cells}
    return render_template("teach/learner.html", group=group, user=user, cells=cells, attempts=attempts,
                           state_labels=STATE_LABELS, courses=services.course_progress_of(user.id))


@bp.post("/teach/classes/<int:class_id>/learners/<int:user_id>/assist/<int:module_id>")
@roles_required(Role.TEACHER, Role.ADMIN)
def assist(class_id: int, user_id: int, module_id: int):
    group = _class_or_404(class_id)
    FlaskForm().validate_on_submit() or abort(400)
    module = db.session.get(CourseModule, module_id)
    if module is None or module.quiz_settings is None or not services.is_member(group.id, user_id):
        abort(404)
    try:
        attempt = services.start_assisted_attempt(current_user, group, user_id, module)
    except QuizError as exc:  # a wait or a daily limit: say until when
        flash(exc.text(), "error")
        return redirect(url_for("teach.learner", class_id=group.id, user_id=user_id))
    except services.TeachError as exc:
        flash(_(exc.message, **exc.params), "error")
        return redirect(url_for("teach.learner", class_id=group.id, user_id=user_id))
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id, class_id=group.id))


@bp.post("/teach/classes/<int:class_id>/learners/<int:user_id>/mentor")
@roles_required(Role.TEACHER, Role.ADMIN)
def toggle_mentor(class_id: int, user_id: int):
    group = _class_or_404(class_id)
    FlaskForm().validate_on_submit() or abort(400)
    if not services.is_member(group.id, user_id):
        abort(404)
    user = db.session.get(User, user_id)
    services.set_mentor(user, not user.is_mentor)
    flash(_("%(name)s is now a digital ambassador.", name=user.full_name) if user.is_mentor
          else _("%(name)s is no longer a digital ambassador.", name=user.full_name), "success")
    return redirect(url_for("teach.learner", class_id=group.id, user_id=user_id))


# --- guidance sessions ------------------------------------------------------------------

@bp.route("/teach/guidance", methods=["GET", "POST"])
@roles_required(Role.TEACHER, Role.ADMIN)
def guidance():
    form = GuidanceForm()
    form.village.choices = village_choices()
    form.class_id.choices = [("", _l("— None —"))] + [(str(g.id), g.name) for g, _n in services.classes_of(current_user)]
    if request.method == "GET":
        form.held_on.data = date.today()
    if form.validate_on_submit():
        try:
            services.record_guidance(current_user, form.held_on.data, _int(form.village.data) or 0,
                                     form.people_helped.data, form.topic.data, form.note.data, _int(form.class_id.data))
        except services.TeachError as exc:
            db.session.rollback()
            form.topic.errors.append(_teacher_error(exc))
        else:
            flash(_("The guidance session is recorded."), "success")
            return redirect(url_for("teach.guidance"))
    return render_template("teach/guidance.html", form=form, sessions=services.guidance_of(current_user)), \
        400 if form.errors else 200
