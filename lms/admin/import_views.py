"""Administrators: importing people and places from spreadsheets (on the admin blueprint).

Flow for people (places alike, always all or nothing):

1. ``GET /admin/people/import``: the upload form (file, commune, mode), template downloads.
2. ``POST /admin/people/import``: the file is read and checked and the preview is shown: every
   row with its problems, and the counts. The uploaded bytes are kept server-side in
   ``<instance>/imports/<token>.upload`` (token: 32 random URL-safe characters; the file is
   bound to the administrator who uploaded it and expires after :data:`KEEP`). Parsed data
   never travels through the browser.
3. ``POST /admin/people/import/<token>/commit`` reads the kept file again, checks every row
   against the database as it is now, imports (``lms.admin.imports.import_people``) and shows
   the new accounts' one-time codes, once, on a printable page. The kept file is deleted; only
   the report of the skipped rows is kept (no codes), for ``…/<token>/skipped.csv|xlsx``.

The kept files live in the instance folder of the server that took the upload. With several
application servers behind a load balancer, share ``<instance>/imports`` between them or keep
an administrator on one server (sticky sessions); otherwise a commit reaching another server
asks for the file again.

Upload size: ``MAX_CONTENT_LENGTH`` is 1 MiB for the whole site; the two upload routes accept
files up to ``imports.MAX_FILE_BYTES`` (5 MiB). Flask-WTF's site-wide CSRF hook reads the form
before any view runs, so it would refuse such a body with 413 under the 1 MiB limit: the two
upload views are therefore exempt from that hook, check ``request.content_length`` themselves
(413 above :data:`UPLOAD_MAX_BODY`, before reading anything), raise ``request.max_content_length``
for that request only (Flask ≥ 3.1), and then validate the CSRF token through their FlaskForm,
so the token is still required. The role check runs before any of this, so nobody but an
administrator gets a large body read. Every other route here keeps the normal limits and CSRF
hook.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from lms import exports
from lms.admin import imports
from lms.admin.views import bp
from lms.extensions import csrf, db
from lms.models import Place, PlaceKind, Role
from lms.security import roles_required

UPLOAD_MAX_BODY = imports.MAX_FILE_BYTES + 64 * 1024  # the file plus the form's other fields
KEEP = 24 * 3600  # seconds an uploaded file waits for its commit
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")
SHOW_ALL_UP_TO = 1000  # longer previews show the rows with problems unless asked for all
ACCEPT = ",".join(imports.CSV_EXTENSIONS + imports.XLSX_EXTENSIONS)


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

def _store() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _cleanup(store: Path) -> None:
    """Forget uploads and reports older than KEEP."""
    limit = time.time() - KEEP
    for path in store.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _keep_upload(kind: str, data: bytes, filename: str, **meta) -> str:
    store = _store()
    _cleanup(store)
    token = secrets.token_urlsafe(24)
    _write_private(store / f"{token}.upload", data)
    _write_private(store / f"{token}.json", json.dumps(
        {"kind": kind, "filename": filename, "user_id": current_user.id, "at": time.time(), **meta}).encode())
    return token


def _meta(token: str, kind: str) -> dict | None:
    """The kept upload's description, only for the administrator who uploaded it (404 for
    anyone else); None when it has expired or is not on this server."""
    if not TOKEN_RE.fullmatch(token):
        abort(404)
    path = _store() / f"{token}.json"
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if meta.get("kind") != kind or meta.get("user_id") != current_user.id:
        abort(404)
    if meta.get("at", 0) < time.time() - KEEP:
        return None
    return meta


def _gone(endpoint: str):
    flash(_("This check has expired. Upload the file again."), "error")
    return redirect(url_for(endpoint))


def _kept(token: str, kind: str, start: str):
    """(description, file bytes, None) of a kept upload, or (None, None, a redirect back to the
    upload form ``start``) when it has expired or was already imported."""
    meta = _meta(token, kind)
    if meta is None:
        return None, None, _gone(start)
    data = _upload(token)
    if data is None:
        flash(_("This file was already imported."), "info")
        return None, None, redirect(url_for(start))
    return meta, data, None


def _upload(token: str) -> bytes | None:
    try:
        return (_store() / f"{token}.upload").read_bytes()
    except OSError:
        return None  # already imported


def _allow_large_upload() -> None:
    """Let this request carry a file up to MAX_FILE_BYTES (see the module notes)."""
    length = request.content_length
    if length is not None and length > UPLOAD_MAX_BODY:
        error = RequestEntityTooLarge()
        error.lms_message = _("The file is too large: the limit is %(mb)s MB. Split it into several files.",
                              mb=imports.MAX_FILE_BYTES // (1024 * 1024))
        raise error
    request.max_content_length = UPLOAD_MAX_BODY


def _upload_form() -> UploadForm:
    """The upload form; a POST may carry up to the import limit, a GET clears old uploads."""
    if request.method == "POST":
        _allow_large_upload()
    else:
        _cleanup(_store())
    return UploadForm()


def _read_upload(field) -> tuple[bytes, str]:
    storage = field.data
    data = storage.read(imports.MAX_FILE_BYTES + 1)
    return data, imports.safe_filename(storage.filename or "")


def _show(count: int) -> str:
    show = request.args.get("show")
    if show in ("all", "problems"):
        return show
    return "all" if count <= SHOW_ALL_UP_TO else "problems"


def _download(filename: str, fmt: str, title: str, header: list, rows: list) -> Response:
    headers = {"Content-Disposition": exports.content_disposition(filename), "Cache-Control": "private, no-store"}
    if fmt == "csv":
        body = "".join(exports.csv_stream([title], header, rows)).encode("utf-8")
        return Response(body, mimetype=exports.CSV_MIMETYPE, headers=headers)
    return Response(exports.xlsx_bytes(title, None, header, rows), mimetype=exports.XLSX_MIMETYPE, headers=headers)


def _template_response(data: bytes, fmt: str, name: str) -> Response:
    mimetype = exports.CSV_MIMETYPE if fmt == "csv" else exports.XLSX_MIMETYPE
    response = Response(data, mimetype=mimetype, headers={"Content-Disposition": exports.content_disposition(f"{name}.{fmt}")})
    if fmt == "csv":
        response.charset = "utf-8"
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
    if mode not in imports.MODES:
        mode = "all_or_nothing"

    def again(status: int):
        return render_template("admin/people_import.html", form=form, communes=communes, commune=commune, mode=mode,
                               mode_choices=MODE_CHOICES, limits=_limits()), status

    if not form.validate_on_submit():
        return again(400 if request.method == "POST" else 200)
    data, filename = _read_upload(form.file)
    commune_id = int(commune) if commune else None
    try:
        preview = imports.preview_people(data, filename, commune_id)
    except imports.ImportFileError as exc:
        form.file.errors.append(exc.text(_))
        return again(400)
    token = _keep_upload("people", data, preview.filename, commune_id=commune_id, mode=mode)
    return _render_people_preview(token, preview, mode)


def _limits() -> dict:
    return {"mb": imports.MAX_FILE_BYTES // (1024 * 1024), "rows": imports.MAX_ROWS}


def _render_people_preview(token: str, preview: imports.Preview, mode: str):
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
        preview = imports.preview_people(data, meta["filename"], meta.get("commune_id"))
    except imports.ImportFileError as exc:
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
    if mode not in imports.MODES:
        abort(400)
    try:
        preview = imports.preview_people(data, meta["filename"], meta.get("commune_id"))
        result = imports.import_people(preview, mode, current_user)
    except imports.ImportFileError as exc:
        flash(exc.text(_), "error")
        return redirect(url_for("admin.people_import_preview", token=token))
    if result.refused:
        flash(_("Nothing was imported: %(num)s rows have problems. Fix them in the file and upload it again, or choose to import only the rows without problems.",
                num=len(result.skipped)), "error")
        return redirect(url_for("admin.people_import_preview", token=token, show="problems"))
    store = _store()
    _write_private(store / f"{token}.report.json", json.dumps(
        {"rows": [row.as_dict() for row in result.skipped]}).encode())
    (store / f"{token}.upload").unlink(missing_ok=True)
    from lms.teach.services import SIGN_IN_CODE_DAYS
    return render_template("admin/people_import_done.html", token=token, result=result, counts=result.counts,
                           sign_in_url=url_for("teach.code_sign_in", _external=True), days=SIGN_IN_CODE_DAYS)


@bp.get("/people/import/<token>/skipped.<fmt>")
@roles_required(Role.ADMIN)
def people_import_report(token: str, fmt: str):
    """The rows an import skipped (after the commit) or, before it, the rows with problems."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    meta = _meta(token, "people")
    if meta is None:
        abort(404)
    try:
        rows = json.loads((_store() / f"{token}.report.json").read_text())["rows"]
    except (OSError, ValueError, KeyError):
        data = _upload(token)
        if data is None:
            abort(404)
        try:
            preview = imports.preview_people(data, meta["filename"], meta.get("commune_id"))
        except imports.ImportFileError:
            abort(404)
        rows = [row.as_dict() for row in preview.problem_rows]
    header, table = imports.report_table(rows, translate=_)
    stem = meta["filename"].rsplit(".", 1)[0]
    return _download(f"{stem}-loi.{fmt}", fmt, _("Rows not imported from %(name)s", name=meta["filename"]),
                     header, table)


@bp.get("/people/template.<fmt>")
@roles_required(Role.ADMIN)
def people_template(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return _template_response(imports.people_template(fmt), fmt, "mau-nhap-nguoi-hoc")


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
        preview = imports.preview_units(data, filename)
    except imports.ImportFileError as exc:
        form.file.errors.append(exc.text(_))
        return render_template("admin/units_import.html", form=form, limits=_limits()), 400
    token = _keep_upload("units", data, preview.filename)
    return _render_units_preview(token, preview)


def _render_units_preview(token: str, preview: imports.UnitsPreview):
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
        preview = imports.preview_units(data, meta["filename"])
    except imports.ImportFileError as exc:
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
        preview = imports.preview_units(data, meta["filename"])
        result = imports.import_units(preview, current_user)
    except imports.ImportFileError as exc:
        flash(exc.text(_), "error")
        return redirect(url_for("admin.units_import_preview", token=token))
    if result.refused:
        flash(_("Nothing was imported: %(num)s rows have problems. Fix them in the file and upload it again.",
                num=result.counts["problems"]), "error")
        return redirect(url_for("admin.units_import_preview", token=token, show="problems"))
    (_store() / f"{token}.upload").unlink(missing_ok=True)
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
    return _template_response(imports.units_template(fmt), fmt, "mau-nhap-don-vi")


# The upload views take bodies above the site-wide limit: see the module notes.
csrf.exempt(people_import)
csrf.exempt(units_import)
