"""Administrators: importing people and places from spreadsheets (on the admin blueprint).

Flow for people (places alike, always all or nothing):

1. ``GET /admin/people/import``: the upload form (file, commune, mode), template downloads.
2. ``POST /admin/people/import``: the file is read and checked and the preview is shown: every
   row with its problems, and the counts. The uploaded bytes are kept on the server, bound to
   the administrator who uploaded it, under a random token (``lms.admin.import_uploads``).
3. ``POST /admin/people/import/<token>/commit`` reads the kept file again, checks every row
   against the database as it is now, imports (``lms.imports.writing.import_people``) and shows
   the new accounts' one-time codes, once, on a printable page. The kept file is deleted; only
   the report of the skipped rows is kept (no codes), for ``…/<token>/skipped.csv|xlsx``.

The spreadsheets themselves are read, checked and written by :mod:`lms.imports`.

Upload size: ``MAX_CONTENT_LENGTH`` is 1 MiB for the whole site; the two upload routes accept
files up to ``MAX_FILE_BYTES`` (5 MiB). Flask-WTF's site-wide CSRF hook reads the form
before any view runs, so it would refuse such a body with 413 under the 1 MiB limit: the two
upload views are therefore exempt from that hook, check ``request.content_length`` themselves
(413 above :data:`UPLOAD_MAX_BODY`, before reading anything), raise ``request.max_content_length``
for that request only (Flask ≥ 3.1), and then validate the CSRF token through their FlaskForm,
so the token is still required. The role check runs before any of this, so nobody but an
administrator gets a large body read. Every other route here keeps the normal limits and CSRF
hook.
"""
from __future__ import annotations

import io

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from lms.admin.import_uploads import (
    forget_expired,
    forget_upload,
    keep_report,
    keep_upload,
    read_report,
    read_upload,
    upload_meta,
)
from lms.admin.views import bp
from lms.exports.csv_writer import CSV_MIMETYPE, csv_stream
from lms.exports.xlsx_writer import XLSX_MIMETYPE, xlsx_bytes
from lms.extensions import csrf, db
from lms.imports.files import MAX_FILE_BYTES, MAX_ROWS, safe_filename
from lms.imports.people import Preview, preview_people
from lms.imports.places import UnitsPreview, preview_units
from lms.imports.problems import ImportFileError
from lms.imports.reports import report_table
from lms.imports.templates import people_template as people_template_file
from lms.imports.templates import units_template as units_template_file
from lms.imports.writing import MODES, import_people, import_units
from lms.models import Place, PlaceKind, Role
from lms.security import roles_required
from lms.teach.services import SIGN_IN_CODE_DAYS

UPLOAD_MAX_BODY = MAX_FILE_BYTES + 64 * 1024  # the file plus the form's other fields
SHOW_ALL_UP_TO = 1000  # longer previews show the rows with problems unless asked for all


# --- forms ------------------------------------------------------------------------------

MODE_CHOICES = [
    ("all_or_nothing", _l("Import nothing if a row has a problem, so that I can fix the file first")),
    ("valid_only", _l("Import the rows without problems and list the others")),
]


class UploadForm(FlaskForm):
    """The file (and the CSRF token). The commune and mode of the people form are plain
    fields checked in the view against the lists offered."""

    file = FileField(_l("Spreadsheet (.csv or .xlsx)"), validators=[FileRequired(_l("Choose a file."))])


def _commune_choices() -> list[tuple[str, str]]:
    communes = db.session.execute(
        select(Place.id, Place.name, Place.parent_id).where(Place.kind == PlaceKind.COMMUNE).order_by(Place.name)).all()
    parents = dict(db.session.execute(select(Place.id, Place.name).where(
        Place.id.in_({p for _i, _n, p in communes if p is not None}))).all()) if communes else {}
    return [("", _("Any commune (villages are looked up everywhere)"))] + [
        (str(i), f"{n} ({parents[p]})" if p in parents else n) for i, n, p in communes]


# --- the kept uploads -------------------------------------------------------------------

def _kept(token: str, kind: str, start: str):
    """(description, file bytes, None) of a kept upload, or (None, None, a redirect back to the
    upload form ``start``) when it has expired or was already imported."""
    meta = upload_meta(token, kind)
    if meta is None:
        flash(_("This check has expired. Upload the file again."), "error")
        return None, None, redirect(url_for(start))
    data = read_upload(token)
    if data is None:
        flash(_("This file was already imported."), "info")
        return None, None, redirect(url_for(start))
    return meta, data, None


def _allow_large_upload() -> None:
    """Let this request carry a file up to MAX_FILE_BYTES (see the module notes)."""
    length = request.content_length
    if length is not None and length > UPLOAD_MAX_BODY:
        error = RequestEntityTooLarge()
        error.lms_message = _("The file is too large: the limit is %(mb)s MB. Split it into several files.",
                              mb=MAX_FILE_BYTES // (1024 * 1024))
        raise error
    request.max_content_length = UPLOAD_MAX_BODY


def _upload_form() -> UploadForm:
    """The upload form; a POST may carry up to the import limit, a GET clears old uploads."""
    if request.method == "POST":
        _allow_large_upload()
    else:
        forget_expired()
    return UploadForm()


def _read_upload(field) -> tuple[bytes, str]:
    storage = field.data
    data = storage.read(MAX_FILE_BYTES + 1)
    return data, safe_filename(storage.filename or "")


def _show(count: int) -> str:
    show = request.args.get("show")
    if show in ("all", "problems"):
        return show
    return "all" if count <= SHOW_ALL_UP_TO else "problems"


def _attachment(data: bytes, fmt: str, filename: str) -> Response:
    """``data`` as a download named ``filename`` (CSV or XLSX by ``fmt``; text as UTF-8).

    ``max_age=0``: made for this request, unlike the static files that the site's
    ``SEND_FILE_MAX_AGE_DEFAULT`` lets browsers keep for a year."""
    mimetype = CSV_MIMETYPE if fmt == "csv" else XLSX_MIMETYPE
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)


def _download(filename: str, fmt: str, title: str, header: list, rows: list) -> Response:
    """A report of rows, kept out of every cache: it holds people's names and phone numbers."""
    if fmt == "csv":
        data = "".join(csv_stream([title], header, rows)).encode("utf-8")
    else:
        data = xlsx_bytes(title, None, header, rows)
    response = _attachment(data, fmt, filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- people -----------------------------------------------------------------------------

@bp.route("/people/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def people_import():
    form = _upload_form()
    communes = _commune_choices()
    commune = request.form.get("commune", "")
    mode = request.form.get("mode", "all_or_nothing")
    if commune not in {value for value, _label in communes}:
        commune = ""
    if mode not in MODES:
        mode = "all_or_nothing"

    def again(status: int):
        return render_template("admin/people_import.html", form=form, communes=communes, commune=commune, mode=mode,
                               mode_choices=MODE_CHOICES, limits=_limits()), status

    if not form.validate_on_submit():
        return again(400 if request.method == "POST" else 200)
    data, filename = _read_upload(form.file)
    commune_id = int(commune) if commune else None
    try:
        preview = preview_people(data, filename, commune_id)
    except ImportFileError as exc:
        form.file.errors.append(exc.text(_))
        return again(400)
    token = keep_upload("people", data, preview.filename, commune_id=commune_id, mode=mode)
    return _render_people_preview(token, preview, mode)


def _limits() -> dict:
    return {"mb": MAX_FILE_BYTES // (1024 * 1024), "rows": MAX_ROWS}


def _render_people_preview(token: str, preview: Preview, mode: str):
    show = _show(len(preview.rows))
    rows = preview.rows if show == "all" else preview.problem_rows
    return render_template("admin/people_import_preview.html", token=token, preview=preview, rows=rows, show=show,
                           counts=preview.counts, mode=mode, mode_choices=MODE_CHOICES)


@bp.get("/people/import/<token>")
@roles_required(Role.ADMIN)
def people_import_preview(token: str):
    meta, data, stop = _kept(token, "people", "admin.people_import")
    if stop is not None:
        return stop
    try:
        preview = preview_people(data, meta["filename"], meta.get("commune_id"))
    except ImportFileError as exc:
        flash(exc.text(_), "error")
        return redirect(url_for("admin.people_import"))
    return _render_people_preview(token, preview, meta.get("mode") or "all_or_nothing")


@bp.post("/people/import/<token>/commit")
@roles_required(Role.ADMIN)
def people_import_commit(token: str):
    meta, data, stop = _kept(token, "people", "admin.people_import")
    if stop is not None:
        return stop
    mode = request.form.get("mode") or meta.get("mode") or "all_or_nothing"
    if mode not in MODES:
        abort(400)
    try:
        preview = preview_people(data, meta["filename"], meta.get("commune_id"))
        result = import_people(preview, mode, current_user)
    except ImportFileError as exc:
        flash(exc.text(_), "error")
        return redirect(url_for("admin.people_import_preview", token=token))
    if result.refused:
        flash(_("Nothing was imported: %(num)s rows have problems. Fix them in the file and upload it again, or choose to import only the rows without problems.",
                num=len(result.skipped)), "error")
        return redirect(url_for("admin.people_import_preview", token=token, show="problems"))
    keep_report(token, [row.as_dict() for row in result.skipped])
    return render_template("admin/people_import_done.html", token=token, result=result, counts=result.counts,
                           sign_in_url=url_for("teach.code_sign_in", _external=True), days=SIGN_IN_CODE_DAYS)


@bp.get("/people/import/<token>/skipped.<fmt>")
@roles_required(Role.ADMIN)
def people_import_report(token: str, fmt: str):
    """The rows an import skipped (after the commit) or, before it, the rows with problems."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    meta = upload_meta(token, "people")
    if meta is None:
        abort(404)
    rows = read_report(token)
    if rows is None:
        data = read_upload(token)
        if data is None:
            abort(404)
        try:
            preview = preview_people(data, meta["filename"], meta.get("commune_id"))
        except ImportFileError:
            abort(404)
        rows = [row.as_dict() for row in preview.problem_rows]
    header, table = report_table(rows, translate=_)
    stem = meta["filename"].rsplit(".", 1)[0]
    return _download(f"{stem}-loi.{fmt}", fmt, _("Rows not imported from %(name)s", name=meta["filename"]),
                     header, table)


@bp.get("/people/template.<fmt>")
@roles_required(Role.ADMIN)
def people_template(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return _attachment(people_template_file(fmt), fmt, f"mau-nhap-nguoi-hoc.{fmt}")


# --- places -----------------------------------------------------------------------------

@bp.route("/units/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def units_import():
    form = _upload_form()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("admin/units_import.html", form=form, limits=_limits()), status
    data, filename = _read_upload(form.file)
    try:
        preview = preview_units(data, filename)
    except ImportFileError as exc:
        form.file.errors.append(exc.text(_))
        return render_template("admin/units_import.html", form=form, limits=_limits()), 400
    token = keep_upload("units", data, preview.filename)
    return _render_units_preview(token, preview)


def _render_units_preview(token: str, preview: UnitsPreview):
    show = _show(len(preview.rows))
    rows = preview.rows if show == "all" else preview.problem_rows
    return render_template("admin/units_import_preview.html", token=token, preview=preview, rows=rows, show=show,
                           counts=preview.counts)


@bp.get("/units/import/<token>")
@roles_required(Role.ADMIN)
def units_import_preview(token: str):
    meta, data, stop = _kept(token, "units", "admin.units_import")
    if stop is not None:
        return stop
    try:
        preview = preview_units(data, meta["filename"])
    except ImportFileError as exc:
        flash(exc.text(_), "error")
        return redirect(url_for("admin.units_import"))
    return _render_units_preview(token, preview)


@bp.post("/units/import/<token>/commit")
@roles_required(Role.ADMIN)
def units_import_commit(token: str):
    meta, data, stop = _kept(token, "units", "admin.units_import")
    if stop is not None:
        return stop
    try:
        preview = preview_units(data, meta["filename"])
        result = import_units(preview, current_user)
    except ImportFileError as exc:
        flash(exc.text(_), "error")
        return redirect(url_for("admin.units_import_preview", token=token))
    if result.refused:
        flash(_("Nothing was imported: %(num)s rows have problems. Fix them in the file and upload it again.",
                num=result.counts["problems"]), "error")
        return redirect(url_for("admin.units_import_preview", token=token, show="problems"))
    forget_upload(token)
    counts = result.counts
    flash(_("Places imported: %(villages)s new villages, %(communes)s new communes, %(provinces)s new provinces; %(existing)s were already there.",
            villages=counts["villages"], communes=counts["communes"], provinces=counts["provinces"],
            existing=counts["existing"]), "success")
    return redirect(url_for("admin.units_import"))


@bp.get("/units/template.<fmt>")
@roles_required(Role.ADMIN)
def units_template(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return _attachment(units_template_file(fmt), fmt, f"mau-nhap-don-vi.{fmt}")


# The upload views take bodies above the site-wide limit: see the module notes.
csrf.exempt(people_import)
csrf.exempt(units_import)
