"""Teachers' pages: classes, members and invitations, join codes, accounts with one-time codes,
assignments, the progress grid with downloads, assisted quizzes, guidance sessions. Learners'
side: joining a class, answering invitations, signing in with a one-time code, digital
ambassadors and their mentees.

Every class route goes through ``_class_or_404``: a teacher reaches only classes they teach
(administrators reach all); anything else is a 404, so class ids are not confirmed. A learner's
pages within a class answer 404 unless they are a member (invited is not enough)."""
from __future__ import annotations

from datetime import date
from typing import NoReturn

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import Forbidden
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms import exports
from lms.auth.forms import GroupedSelect, group_choices, village_choices
from lms.auth.services import AccountError, username_key
from lms.extensions import db, limiter, login_manager
from lms.models import Assignment, ClassGroup, Course, CourseModule, Place, Role, User
from lms.quiz.services import QuizError
from lms.security import roles_required, start_page, start_session
from lms.teach import bp, services
from lms.text import matches

STATE_LABELS = {"not_started": _l("Not started"), "in_progress": _l("In progress"), "done": _l("Done")}


def _class_or_404(class_id: int) -> ClassGroup:
    group = services.class_for(current_user, class_id)
    if group is None:
        abort(404)
    return group


def _teacher_error(exc: services.TeachError) -> str:
    return _(exc.message, **exc.params)


def _forbidden(message: str) -> NoReturn:
    """A 403 page that says why."""
    exc = Forbidden()
    exc.lms_message = message
    raise exc


def _place_choices(include_none: bool = True) -> list:
    choices = village_choices()
    choices[0] = ("", _l("— No particular village —")) if include_none else choices[0]
    return choices


# --- forms ------------------------------------------------------------------------------

class ClassForm(FlaskForm):
    name = StringField(_l("Class name"), validators=[DataRequired(_l("Give the class a name.")), Length(max=120)],
                       description=_l("For example: Lớp kỹ năng số thôn 1, tối thứ Ba"))
    place = SelectField(_l("Village or residential group"), validate_choice=False, widget=GroupedSelect())
    target_group = SelectField(_l("Target group"), validate_choice=False)
    schedule = StringField(_l("When and where it meets (optional)"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class AccountForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Write the learner's full name.")), Length(max=120)])
    username = StringField(_l("Username or mobile phone number (optional)"), validators=[Optional(), Length(max=40)],
                           description=_l("Leave empty to make one from the name."))
    target_group = SelectField(_l("Target group"), validators=[InputRequired(_l("Choose the group the learner belongs to."))],
                               validate_choice=False)
    village = SelectField(_l("Village or residential group"), widget=GroupedSelect(), validate_choice=False,
                          validators=[InputRequired(_l("Choose the learner's village or residential group."))])


class AssignForm(FlaskForm):
    course = SelectField(_l("Course"), validators=[InputRequired(_l("Choose a course from the list."))],
                         validate_choice=False)
    due_on = DateField(_l("Due date (optional)"), validators=[Optional()])
    note = StringField(_l("Note for learners (optional)"), validators=[Optional(), Length(max=300)])


class GuidanceForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[InputRequired(_l("Write the date of the session."))])
    village = SelectField(_l("Village or residential group"), widget=GroupedSelect(), validate_choice=False,
                          validators=[InputRequired(_l("Choose the village or residential group where you helped."))])
    people_helped = IntegerField(_l("People helped"), validators=[
        InputRequired(_l("Write how many people you helped (1 to 500).")),
        NumberRange(1, 500, _l("Write how many people you helped (1 to 500)."))])
    topic = StringField(_l("What you helped with"), validators=[DataRequired(_l("Write what you helped with.")),
                                                                Length(max=200)],
                        description=_l("For example: cài VNeID, nộp hồ sơ dịch vụ công, nhận biết tin nhắn lừa đảo"))
    class_id = SelectField(_l("Class (optional)"), validate_choice=False)
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class CodeSignInForm(FlaskForm):
    username = StringField(_l("Username or mobile phone number"),
                           validators=[DataRequired(message=_l("Write your username or phone number."))])
    code = StringField(_l("One-time code"), validators=[DataRequired(message=_l("Write the code on your paper."))],
                       description=_l("The code your teacher printed for you, for example ABCD-EFGH-JK."))


# --- classes ----------------------------------------------------------------------------

@bp.get("/teach")
@roles_required(Role.TEACHER, Role.ADMIN)
def index():
    return render_template("teach/index.html", classes=services.classes_of(current_user),
                           sessions=services.guidance_of(current_user, limit=5))


@bp.route("/teach/classes/new", methods=["GET", "POST"])
@roles_required(Role.TEACHER, Role.ADMIN)
def new_class():
    form = ClassForm()
    form.place.choices = _place_choices()
    form.target_group.choices = [("", _l("— Any group —"))] + group_choices()[1:]
    if form.validate_on_submit():
        try:
            group = services.create_class(current_user, form.name.data, _int(form.place.data), form.target_group.data,
                                          form.schedule.data, form.note.data)
        except services.TeachError as exc:
            db.session.rollback()
            form.name.errors.append(_teacher_error(exc))
        else:
            flash(_("The class is ready. Give learners the join code below."), "success")
            return redirect(url_for("teach.class_page", class_id=group.id))
    return render_template("teach/class_new.html", form=form), 400 if form.errors else 200


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@bp.get("/teach/classes/<int:class_id>")
@roles_required(Role.TEACHER, Role.ADMIN)
def class_page(class_id: int):
    group = _class_or_404(class_id)
    query = request.args.get("q", "")
    found = services.search_learners(group, query) if query else []
    members = services.members_of(group)
    join_url = url_for("teach.join", code=group.join_code, _external=True) if group.join_code else None
    qr = None
    if join_url:
        import segno
        qr = Markup(segno.make(join_url, error="m").svg_inline(scale=4, title=_("QR code to join the class")))
    account_form = AccountForm()
    account_form.target_group.choices = group_choices()
    account_form.village.choices = village_choices()
    if group.place_id:
        account_form.village.data = str(group.place_id)
    if group.target_group:
        account_form.target_group.data = group.target_group
    return render_template("teach/class.html", group=group, members=members,
                           codable={m.id for m in members if services.may_print_code(current_user, m)},
                           invitations=services.invitations_of_class(group),
                           invite_name=services.login_name_of(query) if query else None,
                           teachers=services.teachers_of(group), assignments=services.assignments_of_class(group),
                           query=query, found=found, join_url=join_url, qr=qr, account_form=account_form,
                           join_code=services.group_code(group.join_code) if group.join_code else None,
                           modules=_modules_by_id(group), courses=_courses_by_id(group))


def _modules_by_id(group: ClassGroup) -> dict[int, CourseModule]:
    ids = [a.module_id for a in services.assignments_of_class(group) if a.module_id]
    return {m.id: m for m in db.session.scalars(select(CourseModule).where(CourseModule.id.in_(ids)))} if ids else {}


def _courses_by_id(group: ClassGroup) -> dict[str, Course]:
    ids = {a.course_id for a in services.assignments_of_class(group)}
    return {c.id: c for c in db.session.scalars(select(Course).where(Course.id.in_(ids)))} if ids else {}


@bp.post("/teach/classes/<int:class_id>/members")
@roles_required(Role.TEACHER, Role.ADMIN)
def add_member(class_id: int):
    """Invite someone by exact username or phone number. The answer is the same whether or not
    an account has that name (see ``services.invite``)."""
    group = _class_or_404(class_id)
    FlaskForm().validate_on_submit() or abort(400)
    typed = request.form.get("login", "").strip()
    try:
        result = services.invite(current_user, group, typed)
    except services.TeachError as exc:
        flash(_teacher_error(exc), "error")
        return redirect(url_for("teach.class_page", class_id=group.id))
    if result.outcome == "invalid":
        flash(_("“%(name)s” is not a username or a mobile phone number. Check what you typed.", name=typed), "error")
    elif result.outcome == "added":
        flash(_("%(name)s is now in the class.", name=result.name), "success")
    elif result.outcome == "already":
        flash(_("%(name)s was already in the class.", name=result.name), "success")
    else:
        flash(_("If someone has the username or phone number “%(name)s”, they see your invitation on their home page. They are in the class once they accept it.",
                name=services.login_name_of(typed)), "success")
    return redirect(url_for("teach.class_page", class_id=group.id))


@bp.post("/teach/classes/<int:class_id>/members/paste")
@roles_required(Role.TEACHER, Role.ADMIN)
def paste_members(class_id: int):
    group = _class_or_404(class_id)
    FlaskForm().validate_on_submit() or abort(400)
    try:
        results = services.add_pasted(current_user, group, request.form.get("lines", ""))
    except services.TeachError as exc:
        flash(_teacher_error(exc), "error")
        return redirect(url_for("teach.class_page", class_id=group.id))
    return render_template("teach/paste_result.html", group=group, results=results)


@bp.post("/teach/classes/<int:class_id>/invitations/<int:invitation_id>/withdraw")
@roles_required(Role.TEACHER, Role.ADMIN)
def withdraw_invitation(class_id: int, invitation_id: int):
    group = _class_or_404(class_id)
    FlaskForm().validate_on_submit() or abort(400)
    if not services.withdraw_invitation(group, invitation_id):
        abort(404)
    flash(_("The invitation is withdrawn."), "success")
    return redirect(url_for("teach.class_page", class_id=group.id))


@bp.post("/teach/classes/<int:class_id>/members/<int:user_id>/remove")
@roles_required(Role.TEACHER, Role.ADMIN)
def remove_member(class_id: int, user_id: int):
    group = _class_or_404(class_id)
    FlaskForm().validate_on_submit() or abort(400)
    if not services.is_member(group.id, user_id):
        abort(404)
    services.remove_member(group, user_id)
    flash(_("The learner is no longer in this class. Their progress is kept."), "success")
    return redirect(url_for("teach.class_page", class_id=group.id))


@bp.post("/teach/classes/<int:class_id>/teachers")
@roles_required(Role.TEACHER, Role.ADMIN)
def add_teacher(class_id: int):
    group = _class_or_404(class_id)
    FlaskForm().validate_on_submit() or abort(400)
    try:
        user = services.add_co_teacher(group, request.form.get("login", ""))
    except services.TeachError as exc:
        flash(_teacher_error(exc), "error")
    else:
        flash(_("%(name)s now teaches this class too.", name=user.full_name), "success")
    return redirect(url_for("teach.class_page", class_id=group.id))


@bp.post("/teach/classes/<int:class_id>/join-code")
@roles_required(Role.TEACHER, Role.ADMIN)
def renew_code(class_id: int):
    group = _class_or_404(class_id)
    FlaskForm().validate_on_submit() or abort(400)
    services.renew_join_code(group)
    db.session.commit()
    flash(_("A new join code is ready; the old one no longer works."), "success")
    return redirect(url_for("teach.class_page", class_id=group.id))


@bp.post("/teach/classes/<int:class_id>/accounts")
@roles_required(Role.TEACHER, Role.ADMIN)
def create_account(class_id: int):
    group = _class_or_404(class_id)
    form = AccountForm()
    form.target_group.choices = group_choices()
    form.village.choices = village_choices()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(url_for("teach.class_page", class_id=group.id))
    try:
        user, code = services.create_learner_account(current_user, group, form.full_name.data,
                                                     (form.username.data or "").strip() or None,
                                                     form.target_group.data, _int(form.village.data) or 0)
    except AccountError as exc:
        db.session.rollback()
        flash(_(exc.message, **exc.params), "error")
        return redirect(url_for("teach.class_page", class_id=group.id))
    except services.TeachError as exc:
        db.session.rollback()
        flash(_teacher_error(exc), "error")
        return redirect(url_for("teach.class_page", class_id=group.id))
    return _print_code(group, user, code)


@bp.post("/teach/classes/<int:class_id>/learners/<int:user_id>/code")
@roles_required(Role.TEACHER, Role.ADMIN)
def new_code(class_id: int, user_id: int):
    group = _class_or_404(class_id)
    FlaskForm().validate_on_submit() or abort(400)
    if not services.is_member(group.id, user_id):
        abort(404)
    user = db.session.get(User, user_id)
    try:
        code = services.print_sign_in_code(current_user, group, user)
    except services.CodeRefused as exc:
        _forbidden(_teacher_error(exc))
    return _print_code(group, user, code)


def _print_code(group: ClassGroup, user: User, code: str):
    sign_in_url = url_for("teach.code_sign_in", _external=True)
    return render_template("teach/code_print.html", group=group, user=user, code=services.group_code(code),
                           sign_in_url=sign_in_url, days=services.SIGN_IN_CODE_DAYS)


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


# --- learners: joining, one-time sign-in ------------------------------------------------

def _join_limit() -> str:
    return current_app.config["JOIN_LIMIT_PER_ADDRESS"]


@bp.route("/join", methods=["GET", "POST"])
@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
def join(code: str | None = None):
    """A class's join link (its QR code). Someone not logged in is asked to log in or create an
    account; the code goes with them and they are in the class as soon as they are in. The
    code is not looked up before then, so this page tells nobody whether a code exists."""
    if not current_user.is_authenticated:
        if request.method == "POST":
            return login_manager.unauthorized()
        carried = services.normalize_code((code or "")[:40])
        args = {"join": carried} if carried else {}
        return render_template("teach/join_guest.html", code=services.group_code(carried) if carried else None,
                               login_url=url_for("auth.login", **args), register_url=url_for("auth.register", **args))
    typed = request.form.get("code", code or "")
    if request.method == "POST":
        FlaskForm().validate_on_submit() or abort(400)
        try:
            group = services.join_by_code(current_user, typed)
        except services.TeachError as exc:
            flash(_teacher_error(exc), "error")
            return render_template("teach/join.html", typed=typed), 400
        flash(_("You are in the class “%(name)s”.", name=group.name), "success")
        return redirect(url_for("learn.home"))
    return render_template("teach/join.html", typed=typed)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=lambda response: response.status_code != 302)
def code_sign_in():
    form = CodeSignInForm()
    if form.validate_on_submit():
        user = services.use_sign_in_code(form.username.data, form.code.data)
        if user is not None:
            start_session(user)
            if user.password_hash is None:
                flash(_("Welcome, %(name)s! Choose a password now, or keep signing in with a code from your teacher.",
                        name=user.full_name), "success")
                return redirect(url_for("auth.change_password"))
            return redirect(start_page(user))
        form.code.errors.append(_("This code is not right, was already used or has expired. Ask your teacher for a new one."))
    return render_template("teach/code_sign_in.html", form=form), 401 if form.errors and request.method == "POST" else 200


@bp.post("/class-invitations/<int:invitation_id>")
@login_required
def invitation_answer(invitation_id: int):
    """A learner accepts or declines an invitation to a class (from their home page)."""
    FlaskForm().validate_on_submit() or abort(400)
    accept = request.form.get("answer") == "accept"
    try:
        group = services.answer_invitation(current_user, invitation_id, accept)
    except services.TeachError:
        abort(404)
    if accept:
        flash(_("You are in the class “%(name)s”.", name=group.name), "success")
    else:
        flash(_("You declined the invitation to the class “%(name)s”.", name=group.name), "info")
    return redirect(url_for("learn.home"))


# --- digital ambassadors ----------------------------------------------------------------

@bp.route("/mentor", methods=["GET", "POST"])
@login_required
def mentor():
    if not current_user.is_mentor:
        abort(403)
    if request.method == "POST":
        FlaskForm().validate_on_submit() or abort(400)
        try:
            services.add_mentee(current_user, request.form.get("login", ""))
        except services.TeachError as exc:
            flash(_teacher_error(exc), "error")
        else:
            flash(_("Request sent. The person sees it on their home page and must accept it."), "success")
        return redirect(url_for("teach.mentor"))
    links = services.mentees_of(current_user)
    progress = {u.id: services.course_progress_of(u.id) for link, u in links if link.accepted_at}
    accepted = sum(1 for link, _u in links if link.accepted_at)
    return render_template("teach/mentor.html", links=links, progress=progress, accepted=accepted,
                           goal=services.MENTEES_GOAL)


@bp.post("/mentor/links/<int:link_id>/remove")
@login_required
def mentor_remove(link_id: int):
    FlaskForm().validate_on_submit() or abort(400)
    try:
        services.remove_mentee(current_user, link_id)
    except services.TeachError:
        abort(404)
    return redirect(url_for("teach.mentor"))


@bp.post("/mentor/requests/<int:link_id>")
@login_required
def mentor_answer(link_id: int):
    FlaskForm().validate_on_submit() or abort(400)
    try:
        services.answer_mentorship(current_user, link_id, request.form.get("answer") == "accept")
    except services.TeachError:
        abort(404)
    return redirect(url_for("learn.home"))


@bp.app_context_processor
def _helpers():
    def place_name(place_id):
        place = db.session.get(Place, place_id) if place_id else None
        return place.name if place else ""

    def teacher_name(user_id):
        user = db.session.get(User, user_id) if user_id else None
        return user.full_name if user else ""

    def class_invitations():
        """Invitations to classes waiting for the signed-in learner's answer (home page)."""
        return services.invitations_for(current_user) if current_user.is_authenticated else []

    return {"place_name": place_name, "teacher_name": teacher_name, "class_invitations": class_invitations}
