"""Registration, log-in, log-out, profile and password pages."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.auth import services
from lms.auth.forms import LoginForm, PasswordChangeForm, ProfileForm, RegistrationForm, group_choices, village_choices
from lms.auth.services import AccountError, NewUser
from lms.extensions import db, limiter
from lms.i18n import safe_next
from lms.models import AccountOrigin, TargetGroup, User
from lms.security import end_other_sessions, end_session, start_page, start_session
from lms.teach import services as teaching

bp = Blueprint("auth", __name__)


def _account_key() -> str:
    return "login-account:" + services.lookup_key(request.form.get("username", ""))


def _failed(response) -> bool:
    return response.status_code != 302


def _fill_choices(form) -> None:
    form.target_group.choices = group_choices()
    form.village.choices = village_choices()


def _field_error(form, field_name: str, exc: AccountError) -> None:
    getattr(form, field_name).errors.append(_(exc.message, **exc.params))


def _parse_int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# A person who scans a class's QR code arrives with its join code (``?join=``): it is carried
# between the log-in and registration pages, and once they are in, they are put in the class.

def _join_code() -> str | None:
    """The class join code carried in the address, normalized to letters and digits (so it is
    safe to put back into links); None when there is none."""
    return teaching.normalize_code(request.args.get("join", "")[:40]) or None


def _shown_join_code() -> str | None:
    """The carried join code as a teacher's paper shows it (ABCD-EFGH)."""
    return teaching.group_code(_join_code()) if _join_code() else None


def _carried() -> dict[str, str]:
    """The join code and a safe ``next`` address, to carry between log-in and registration."""
    carried = {}
    if _join_code():
        carried["join"] = _join_code()
    target = safe_next(request.args.get("next"), "")
    if target:
        carried["next"] = target
    return carried


def _join_after_sign_in(user: User, code: str):
    """Put the person who just logged in or registered in the class of ``code``. A wrong or
    expired code changes nothing else: they are told why and can type the right one."""
    try:
        group = teaching.join_by_code(user, code)
    except teaching.TeachError as exc:
        flash(_(exc.message, **exc.params), "error")
        return redirect(url_for("teach.join") if user.is_learner else start_page(user))
    flash(_("You are in the class “%(name)s”.", name=group.name), "success")
    return redirect(url_for("learn.home"))


def _already_signed_in():
    if _join_code():
        return redirect(url_for("teach.join", code=_join_code()))
    return redirect(safe_next(request.args.get("next"), start_page(current_user)))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return _already_signed_in()
    form = RegistrationForm()
    _fill_choices(form)
    if form.validate_on_submit():
        group = form.target_group.data if form.target_group.data in TargetGroup._value2member_map_ else None
        village = services.get_village(_parse_int(form.village.data))
        ok = True
        if group is None:
            form.target_group.errors.append(_("Choose the group you belong to."))
            ok = False
        if village is None:
            form.village.errors.append(_("Choose your village or residential group from the list."))
            ok = False
        if ok:
            try:
                user = services.create_user(NewUser(
                    username=form.username.data, full_name=form.full_name.data, password=form.password.data,
                    target_group=TargetGroup(group), place_id=village.id, created_via=AccountOrigin.SELF))
                user.locale = request.cookies.get("lang") if request.cookies.get("lang") in current_app.config["LANGUAGES"] else None
                db.session.commit()
            except AccountError as exc:
                db.session.rollback()
                _field_error(form, exc.field, exc)
            else:
                start_session(user)
                flash(_("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success")
                if _join_code():
                    return _join_after_sign_in(user, _join_code())
                return redirect(safe_next(request.args.get("next"), url_for("learn.home")))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form, join_code=_shown_join_code(), carried=_carried()), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], deduct_when=_failed,
               key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return _already_signed_in()
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            start_session(user)
            if _join_code():
                return _join_after_sign_in(user, _join_code())
            return redirect(safe_next(request.args.get("next"), start_page(user)))
        form.password.errors.append(_("The username or password is not right. Check them and try again."))
    status = 401 if form.errors and request.method == "POST" else 200
    return render_template("auth/login.html", form=form, join_code=_shown_join_code(), carried=_carried()), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        end_session()
        flash(_("You have logged out."), "info")
    return redirect(url_for("learn.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ProfileForm(obj=current_user) if request.method == "GET" else ProfileForm()
    _fill_choices(form)
    if request.method == "GET":
        form.target_group.data = current_user.target_group.value if current_user.target_group else ""
        form.village.data = str(current_user.place_id or "")
    elif form.validate_on_submit():
        group = form.target_group.data if form.target_group.data in TargetGroup._value2member_map_ else None
        village = services.get_village(_parse_int(form.village.data))
        name = None
        try:
            name = services.full_name_ok(form.full_name.data)
        except AccountError as exc:
            _field_error(form, "full_name", exc)
        if group is None:
            form.target_group.errors.append(_("Choose the group you belong to."))
        if village is None:
            form.village.errors.append(_("Choose your village or residential group from the list."))
        if name and group and village:
            current_user.full_name = name
            current_user.target_group = TargetGroup(group)
            current_user.place_id = village.id
            current_user.household_code = (form.household_code.data or "").strip() or None
            current_user.birth_year = form.birth_year.data
            db.session.commit()
            flash(_("Your details are saved."), "success")
            return redirect(url_for("auth.account"))
    status = 400 if form.errors else 200
    return render_template("auth/account.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 15 minutes", methods=["POST"], deduct_when=_failed)
def change_password():
    form = PasswordChangeForm()
    first_password = current_user.password_hash is None  # signed in with a one-time code
    if first_password:
        del form.current
    if form.validate_on_submit():
        from werkzeug.security import check_password_hash
        if not first_password and not check_password_hash(current_user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            try:
                services.check_password_rules(form.password.data, current_user.username)
            except AccountError as exc:
                _field_error(form, "password", exc)
            else:
                services.set_own_password(current_user, form.password.data)
                db.session.commit()
                end_other_sessions(current_user)
                flash(_("Your password is changed. Other phones and computers where you were logged in are logged out."), "success")
                return redirect(url_for("auth.account"))
    status = 400 if form.errors else 200
    return render_template("auth/password.html", form=form, first_password=first_password), status


@bp.get("/account/data.json")
@login_required
def my_data():
    """Everything kept about the signed-in person, as a JSON file to keep."""
    import json

    from flask import Response

    from lms.admin.services import my_data as collect
    body = json.dumps(collect(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="du-lieu-cua-toi.json"', "Cache-Control": "private, no-store"})


@bp.route("/account/delete-request", methods=["GET", "POST"])
@login_required
def delete_request():
    """Asking for one's data to be deleted takes two steps: the first (from the account page)
    only shows what will happen; the request is recorded when that page is confirmed."""
    from lms.admin.services import request_deletion
    if current_user.deletion_requested_at is not None:
        return redirect(url_for("auth.account"))  # the account page says when it was asked
    if request.method == "POST" and request.form.get("confirm") == "yes":
        request_deletion(current_user)
        flash(_("Your request is recorded. An administrator will delete your data; your anonymous learning records stay in the statistics."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/delete_confirm.html")
