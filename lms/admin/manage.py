"""Administrators' pages: people, targets, the audit log and API tokens (on the admin blueprint)."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from lms import exports
from lms.admin import audit_log as audit_words
from lms.admin import services
from lms.admin.views import bp
from lms.extensions import db
from lms.i18n import site_timezone
from lms.models import ApiToken, Role, Target, User
from lms.models.people import GROUP_LABELS, ROLE_LABELS
from lms.security import roles_required


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _checked_form() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


def _error(exc: services.AdminError) -> None:
    flash(_(exc.message, **exc.params), "error")


# --- people -----------------------------------------------------------------------------

@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    args = request.args
    page = _int(args.get("page")) or 1
    rows, total = services.search_users(args.get("q", ""), args.get("group", ""), _int(args.get("place")),
                                        args.get("role", ""), args.get("status", ""), page)
    return render_template("admin/users.html", rows=rows, total=total, page=page, per_page=50, args=args,
                           places=services.place_choices(), groups=GROUP_LABELS, roles=ROLE_LABELS)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        abort(404)
    return user


@bp.get("/users/<int:user_id>")
@roles_required(Role.ADMIN)
def user(user_id: int):
    return render_template("admin/user.html", user=_user_or_404(user_id), roles=ROLE_LABELS)


@bp.post("/users/<int:user_id>/active")
@roles_required(Role.ADMIN)
def user_active(user_id: int):
    person = _user_or_404(user_id)
    _checked_form()
    try:
        services.set_active(current_user, person, request.form.get("active") == "1")
    except services.AdminError as exc:
        _error(exc)
    else:
        flash(_("The account is active again.") if person.is_active_account
              else _("The account is deactivated: it cannot log in; its records are kept."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/role")
@roles_required(Role.ADMIN)
def user_role(user_id: int):
    person = _user_or_404(user_id)
    _checked_form()
    try:
        services.set_role(current_user, person, request.form.get("role", ""))
    except services.AdminError as exc:
        _error(exc)
    else:
        flash(_("The role is changed."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/reset")
@roles_required(Role.ADMIN)
def user_reset(user_id: int):
    person = _user_or_404(user_id)
    _checked_form()
    code = services.reset_with_code(current_user, person)
    from lms.teach.services import SIGN_IN_CODE_DAYS, group_code
    return render_template("admin/user_code.html", user=person, code=group_code(code), days=SIGN_IN_CODE_DAYS,
                           sign_in_url=url_for("teach.code_sign_in", _external=True))


@bp.post("/users/<int:user_id>/delete")
@roles_required(Role.ADMIN)
def user_delete(user_id: int):
    person = _user_or_404(user_id)
    _checked_form()
    if request.form.get("confirm") != person.username:
        flash(_("To delete, type the username exactly as shown."), "error")
        return redirect(url_for("admin.user", user_id=user_id))
    try:
        services.anonymize(current_user, person)
    except services.AdminError as exc:
        _error(exc)
        return redirect(url_for("admin.user", user_id=user_id))
    flash(_("The person's data is deleted. Their anonymous learning records still count in statistics."), "success")
    return redirect(url_for("admin.users"))


# --- targets ----------------------------------------------------------------------------

@bp.route("/targets", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def targets():
    year = _int(request.values.get("year")) or date.today().year
    if request.method == "POST":
        _checked_form()
        try:
            services.save_target(current_user, services.TargetInput(
                place_id=_int(request.form.get("place")) or 0, target_group=request.form.get("group") or None,
                year=_int(request.form.get("year")) or 0, population=_int(request.form.get("population")) or 0,
                target_percent=_int(request.form.get("target_percent")) or 0))
        except services.AdminError as exc:
            _error(exc)
            return render_template("admin/targets.html", rows=services.targets(year), year=year,
                                   places=services.place_choices(), groups=GROUP_LABELS, form=request.form), 400
        flash(_("The target is saved."), "success")
        return redirect(url_for("admin.targets", year=year))
    return render_template("admin/targets.html", rows=services.targets(year), year=year, places=services.place_choices(),
                           groups=GROUP_LABELS, form={})


@bp.post("/targets/<int:target_id>/delete")
@roles_required(Role.ADMIN)
def target_delete(target_id: int):
    target = db.get_or_404(Target, target_id)
    _checked_form()
    year = target.year
    services.delete_target(current_user, target)
    flash(_("The target is deleted."), "success")
    return redirect(url_for("admin.targets", year=year))


# --- the audit log ----------------------------------------------------------------------

@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit_log():
    args = request.args
    page = _int(args.get("page")) or 1
    rows, total = services.audit_entries(args.get("action", ""), args.get("actor", ""), _date(args.get("from")),
                                         _date(args.get("to")), page)
    return render_template("admin/audit.html", rows=audit_words.describe(rows), total=total, page=page, per_page=100,
                           args=args, actions=audit_words.action_choices(services.audit_actions_present()))


@bp.get("/audit.<fmt>")
@roles_required(Role.ADMIN)
def audit_download(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    args = request.args
    rows = services.audit_rows(args.get("action", ""), args.get("actor", ""), _date(args.get("from")),
                               _date(args.get("to")))
    header = services.audit_header()
    title = _("Audit log")
    subtitle = _("Downloaded %(date)s", date=format_date(date.today(), "dd/MM/yyyy"))
    name = f"nhat-ky-thay-doi-{date.today().isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"}
    if fmt == "csv":
        from flask import stream_with_context
        return Response(stream_with_context(exports.csv_stream([title, subtitle], header, rows, tz=site_timezone())),
                        mimetype="text/csv", headers=headers)
    return Response(exports.xlsx_bytes(title, subtitle, header, rows, tz=site_timezone()),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers=headers)


# --- API tokens -------------------------------------------------------------------------

@bp.route("/tokens", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def tokens():
    new_token = None
    if request.method == "POST":
        _checked_form()
        try:
            new_token = services.create_token(current_user, request.form.get("name", ""))
        except services.AdminError as exc:
            _error(exc)
    rows = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == current_user.id)
                              .order_by(ApiToken.created_at.desc())).all()
    return render_template("admin/tokens.html", rows=rows, new_token=new_token)


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required(Role.ADMIN)
def token_revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    _checked_form()
    services.revoke_token(current_user, token)
    flash(_("The token no longer works."), "success")
    return redirect(url_for("admin.tokens"))

