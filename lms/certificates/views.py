"""Certificate pages: my certificates, printable view, PDF, public verification, Open Badges,
a class's certificates as one ZIP, and the administrators' list, revoke, re-issue and issuer."""
from __future__ import annotations

import io
import json
import zipfile

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from lms import exports
from lms.certificates import badges, bp, codes, pdf, services
from lms.extensions import db, limiter
from lms.models import Certificate, ClassGroup, ClassMember, ClassTeacher, Course, Role, TargetGroup
from lms.models.people import GROUP_LABELS
from lms.security import roles_required

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập – Tự do – Hạnh phúc"


def external(endpoint: str, **values) -> str:
    """An absolute address. LMS_PUBLIC_URL (e.g. https://lopso.krongA.gov.vn) wins over the
    address the request came in on, so QR codes and badges keep working behind a proxy."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def verify_url(certificate: Certificate) -> str:
    return external("certificates.verify_code", code=certificate.display_code)


def _get_viewable(code: str) -> Certificate:
    """The certificate if the current user may see it (owner, their teacher, administrator); 404
    otherwise, so codes of others' certificates are not confirmed here."""
    certificate = services.by_code(code)
    if certificate is None or not services.may_view(current_user, certificate):
        abort(404)
    return certificate


# --- learners ---------------------------------------------------------------------------

@bp.get("/certificates")
@login_required
def mine():
    return render_template("certificates/mine.html", certificates=services.certificates_of(current_user.id),
                           verify_url=verify_url)


@bp.get("/certificates/<code>")
@login_required
def show(code: str):
    certificate = _get_viewable(code)
    if code != certificate.display_code:
        return redirect(url_for("certificates.show", code=certificate.display_code))
    import segno
    qr_svg = segno.make(verify_url(certificate), error="m").svg_inline(scale=4, title=_("QR code for checking"))
    return render_template("certificates/show.html", c=certificate, url=verify_url(certificate),
                           qr_svg=Markup(qr_svg), labels=pdf_labels(certificate))


def pdf_labels(certificate: Certificate) -> dict[str, str]:
    """The words printed on a certificate, always in Vietnamese (it is an official paper)."""
    with force_locale("vi"):
        day, month, year = pdf.vn_date(certificate.issued_at)
        group = None
        if certificate.target_group:
            try:
                group = _("Group: %(group)s", group=str(GROUP_LABELS[TargetGroup(certificate.target_group)]))
            except ValueError:
                group = None
        if certificate.score is not None:
            version_score = _("Course version %(version)s · average quiz score %(score)s%%",
                              version=certificate.course_version, score=_number(certificate.score))
        else:
            version_score = _("Course version %(version)s", version=certificate.course_version)
        return {
            "nation": NATION, "motto": MOTTO,
            "title": _("Certificate"),
            "subtitle": _("of completing a digital-skills course · the “Bình dân học vụ số” movement"),
            "certifies": _("This certifies that"),
            "group": group,
            "completed": _("has completed the course"),
            "version_score": version_score,
            "check_at": _("Scan the QR code or open this address to check that the certificate is real:"),
            "code": _("Certificate code"),
            "place_date": _("%(place)s, day %(day)s month %(month)s year %(year)s",
                            place=certificate.issuer_place or "", day=f"{day:02d}", month=f"{month:02d}",
                            year=year).lstrip(", "),
        }


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")


def _filename(certificate: Certificate) -> str:
    return f"chung-nhan-{certificate.display_code}-{exports.ascii_slug(certificate.learner_name, 'hoc-vien')}.pdf"


def render_pdf(certificate: Certificate) -> bytes:
    return pdf.render(certificate, verify_url(certificate), pdf_labels(certificate))


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code: str):
    certificate = _get_viewable(code)
    return Response(render_pdf(certificate), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{_filename(certificate)}"',
        "Cache-Control": "private, no-store"})


# --- anyone: verification ---------------------------------------------------------------

def _verify_limit() -> str:
    return current_app.config["VERIFY_LIMIT_PER_ADDRESS"]


@bp.get("/verify")
@limiter.limit(_verify_limit)
def verify():
    typed = request.args.get("code", "")
    if typed.strip():
        code = codes.normalize(typed)
        if code is not None:
            return redirect(url_for("certificates.verify_code", code=codes.display(code)))
        return render_template("certificates/verify.html", typed=typed, certificate=None, checked=True,
                               malformed=True), 404
    return render_template("certificates/verify.html", typed="", certificate=None, checked=False)


@bp.get("/verify/<code>")
@limiter.limit(_verify_limit)
def verify_code(code: str):
    certificate = services.by_code(code)
    if certificate is not None and code != certificate.display_code:
        return redirect(url_for("certificates.verify_code", code=certificate.display_code))
    status = 404 if certificate is None else 200
    return render_template("certificates/verify.html", typed=code, certificate=certificate, checked=True,
                           malformed=codes.normalize(code) is None), status


# --- Open Badges 2.0 --------------------------------------------------------------------

def _json(data: dict, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=2), status=status,
                    mimetype="application/ld+json", headers={"Access-Control-Allow-Origin": "*"})


@bp.get("/badges/issuer.json")
def badge_issuer():
    return _json(badges.issuer_profile(services.issuer(), issuer_url=external("certificates.badge_issuer"),
                                       home_url=external("learn.home")))


@bp.get("/badges/courses/<course_id>.json")
def badge_class(course_id: str):
    course = db.get_or_404(Course, course_id)
    with force_locale("vi"):
        criteria = _("Finish every lesson of the course and pass every module quiz.")
    return _json(badges.badge_class(
        course, badge_url=external("certificates.badge_class", course_id=course.id),
        image_url=external("certificates.badge_image", course_id=course.id),
        issuer_url=external("certificates.badge_issuer"),
        criteria_url=external("learn.course", course_id=course.id), criteria_text=criteria))


@bp.get("/badges/courses/<course_id>.svg")
def badge_image(course_id: str):
    course = db.get_or_404(Course, course_id)
    return Response(badges.badge_image_svg(course.title_vi), mimetype="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/badges/assertions/<code>.json")
@limiter.limit(_verify_limit)
def badge_assertion(code: str):
    certificate = services.by_code(code)
    if certificate is None:
        abort(404)
    data = badges.assertion(
        certificate, assertion_url=external("certificates.badge_assertion", code=certificate.display_code),
        badge_url=external("certificates.badge_class", course_id=certificate.course_id),
        verify_url=verify_url(certificate), secret=current_app.secret_key.encode())
    if not certificate.is_valid:  # hosted badges: a revoked assertion answers 410 Gone
        return _json({"@context": badges.CONTEXT, "id": data["id"], "type": "Assertion", "revoked": True,
                      "revocationReason": data["revocationReason"]}, 410)
    return _json(data)


# --- teachers: a class's certificates as one ZIP ----------------------------------------

def class_certificates(class_id: int) -> tuple[ClassGroup, list[Certificate]]:
    group = db.session.get(ClassGroup, class_id)
    if group is None:
        abort(404)
    if not current_user.is_admin:
        is_teacher = db.session.get(ClassTeacher, (class_id, current_user.id)) is not None
        if not is_teacher:
            abort(404)
    certificates = db.session.scalars(
        select(Certificate).join(ClassMember, ClassMember.user_id == Certificate.user_id)
        .where(ClassMember.class_id == class_id, Certificate.revoked_at.is_(None))
        .order_by(Certificate.learner_name, Certificate.course_title_vi)).all()
    return group, list(certificates)


def zip_of(certificates: list[Certificate]) -> bytes:
    buffer = io.BytesIO()
    # PDFs are compressed already: storing them is as small and much faster.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            archive.writestr(_filename(certificate), render_pdf(certificate))
    return buffer.getvalue()


@bp.get("/classes/<int:class_id>/certificates.zip")
@roles_required(Role.TEACHER, Role.ADMIN)
def class_zip(class_id: int):
    group, certificates = class_certificates(class_id)
    if not certificates:
        flash(_("No learner of this class has a certificate yet."), "info")
        return redirect(request.referrer or url_for("learn.home"))
    slug = exports.ascii_slug(group.name, str(group.id))
    return Response(zip_of(certificates), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="chung-nhan-lop-{slug}.zip"',
        "Cache-Control": "private, no-store"})


# --- administrators ---------------------------------------------------------------------

class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"))


class IssuerForm(FlaskForm):
    name = StringField(_l("Name of the issuing body"), description=_l("For example: Ủy ban nhân dân xã Krông Á"),
                       validators=[DataRequired(_l("Write the name of the issuing body.")), Length(max=160)])
    place = StringField(_l("Place of signing"), description=_l("Printed before the date, for example: Krông Á"),
                        validators=[DataRequired(_l("Write the place of signing.")), Length(max=160)])
    signer_title = StringField(_l("Signer's title"), description=_l("For example: Chủ tịch, or KT. Chủ tịch – Phó Chủ tịch"),
                               validators=[DataRequired(_l("Write the signer's title.")), Length(max=120)])
    signer_name = StringField(_l("Signer's full name"),
                              validators=[DataRequired(_l("Write the signer's full name.")), Length(max=120)])
    national_header = BooleanField(_l("Print the national header (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM – Độc lập – Tự do – Hạnh phúc)"))
    url = StringField(_l("Web site of the issuing body (optional)"),
                      validators=[Optional(), URL(require_tld=False, message=_l("Write a full web address, starting with https://")),
                                  Length(max=300)])
    email = EmailField(_l("Contact e-mail (optional; badge wallets show it)"),
                       validators=[Optional(), Email(check_deliverability=False, message=_l("This e-mail address is not valid.")),
                                   Length(max=160)])


@bp.get("/admin/certificates")
@roles_required(Role.ADMIN)
def admin_list():
    query = request.args.get("q", "")
    status = request.args.get("status", "all")
    if status not in ("all", "valid", "revoked"):
        status = "all"
    page = request.args.get("page", 1, type=int) or 1
    rows, total = services.search(query, status, page)
    return render_template("certificates/admin_list.html", rows=rows, total=total, query=query, status=status,
                           page=page, per_page=50, form=ReasonForm())


def _admin_certificate(code: str) -> Certificate:
    certificate = services.by_code(code)
    if certificate is None:
        abort(404)
    return certificate


@bp.post("/admin/certificates/<code>/revoke")
@roles_required(Role.ADMIN)
def admin_revoke(code: str):
    certificate = _admin_certificate(code)
    form = ReasonForm()
    try:
        if not form.validate_on_submit() and "csrf_token" in form.errors:
            abort(400)
        services.revoke(current_user, certificate, form.reason.data or "")
    except services.CertificateError as exc:
        flash(_(exc.message, **exc.params), "error")
    else:
        flash(_("Certificate %(code)s is revoked. Anyone who checks it now sees that it was revoked.",
                code=certificate.display_code), "success")
    return redirect(url_for("certificates.admin_list", q=certificate.display_code))


@bp.post("/admin/certificates/<code>/reissue")
@roles_required(Role.ADMIN)
def admin_reissue(code: str):
    certificate = _admin_certificate(code)
    form = ReasonForm()
    try:
        if not form.validate_on_submit() and "csrf_token" in form.errors:
            abort(400)
        fresh = services.reissue(current_user, certificate, form.reason.data or "")
    except services.CertificateError as exc:
        flash(_(exc.message, **exc.params), "error")
        return redirect(url_for("certificates.admin_list", q=certificate.display_code))
    flash(_("A new certificate %(new)s replaces %(old)s, with today's name and issuer.",
            new=fresh.display_code, old=certificate.display_code), "success")
    return redirect(url_for("certificates.admin_list", q=fresh.display_code))


@bp.route("/admin/issuer", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_issuer():
    current = services.issuer()
    form = IssuerForm(data=None if request.method == "POST" else vars(current))
    if form.validate_on_submit():
        services.save_issuer(current_user, services.Issuer(
            name=form.name.data.strip(), place=form.place.data.strip(), signer_title=form.signer_title.data.strip(),
            signer_name=form.signer_name.data.strip(), national_header=form.national_header.data,
            url=(form.url.data or "").strip() or None, email=(form.email.data or "").strip() or None))
        flash(_("The issuing body is saved. New certificates carry it; certificates already issued keep theirs."),
              "success")
        return redirect(url_for("certificates.admin_issuer"))
    return render_template("certificates/admin_issuer.html", form=form)


def format_issued(certificate: Certificate) -> str:
    return format_date(certificate.issued_at, "dd/MM/yyyy")


@bp.app_context_processor
def _helpers():
    def my_certificate(course_id: str) -> Certificate | None:
        if not current_user.is_authenticated:
            return None
        return services.valid_certificate(current_user.id, course_id)

    return {"format_issued": format_issued, "my_certificate": my_certificate}


@bp.app_template_filter("format_day")
def format_day(moment) -> str:
    return format_date(moment, "dd/MM/yyyy") if moment else ""
