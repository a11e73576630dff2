"""Teachers' pages: classes, members and invitations, join codes, accounts with one-time codes,
assignments, the progress grid with downloads, assisted quizzes, guidance sessions. Learners'
side: joining a class, answering invitations, signing in with a one-time code, digital
ambassadors and their mentees.

Every class route goes through ``_class_or_404``: a teacher reaches only classes they teach
(administrators reach all); anything else is a 404, so class ids are not confirmed. A learner's
pages within a class answer 404 unless they are a member (invited is not enough)."""
# The routes are split by topic over this module, assign_views and join_views (all on ``bp``,
# all imported in lms/teach/__init__.py); shared helpers are in view_helpers, forms in forms.
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select

from lms.auth.forms import group_choices, village_choices
from lms.auth.services import AccountError
from lms.extensions import db
from lms.models import ClassGroup, Course, CourseModule, Place, Role, User
from lms.security import roles_required
from lms.teach import bp, services
from lms.teach.forms import AccountForm, ClassForm
from lms.teach.view_helpers import _class_or_404, _forbidden, _int, _place_choices, _teacher_error


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
