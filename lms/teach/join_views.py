"""Learners' side: joining a class, answering invitations, signing in with a one-time code,
digital ambassadors and their mentees."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms.extensions import limiter, login_manager
from lms.security import start_page, start_session
from lms.teach import bp, services
from lms.teach.forms import CodeSignInForm
from lms.teach.view_helpers import _teacher_error


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
