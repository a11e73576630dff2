"""Command line imports: ``flask --app wsgi users import FILE`` and ``units import FILE``.

Thin wrappers over ``lms.admin.imports``; call ``register(app)`` once per application. The
commands join ``users`` / ``units`` groups that another module may already have registered.
Messages are in English, like the other commands.
"""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from lms import imports
from lms.extensions import db
from lms.models import Place, PlaceKind


def _find_commune(value: str) -> Place:
    """A commune by number or by name (ignoring case and diacritics)."""
    if value.isdigit():
        place = db.session.get(Place, int(value))
        if place is not None and place.kind == PlaceKind.COMMUNE:
            return place
    key = imports.place_key(value)
    matches = [p for p in db.session.scalars(select(Place).where(Place.kind == PlaceKind.COMMUNE))
               if imports.place_key(p.name) == key]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise click.BadParameter(f"no commune is named {value!r}; give its name or its number", param_hint="--commune")
    raise click.BadParameter("several communes are named {!r}: give the number of one of them: {}".format(
        value, ", ".join(f"{p.id} ({p.path()})" for p in matches)), param_hint="--commune")


def _read(path: str) -> bytes:
    file = Path(path)
    if file.stat().st_size > imports.MAX_FILE_BYTES:
        raise click.ClickException(f"{file.name} is too large: the limit is {imports.MAX_FILE_BYTES // (1024 * 1024)} MB")
    return file.read_bytes()


def _echo_problems(rows) -> None:
    for row in rows:
        for problem in row.problems:
            click.echo(f"row {row.row}: {problem.text()}")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--commune", help="Match villages within this commune only (its name or number).")
@click.option("--mode", type=click.Choice(imports.MODES), default="all_or_nothing", show_default=True,
              help="valid_only: import the rows without problems; all_or_nothing: import nothing if a row has one.")
@click.option("--dry-run", is_flag=True, help="Only check the file; write nothing.")
@click.option("--codes-out", type=click.Path(dir_okay=False, writable=True),
              help="Write the new accounts' one-time sign-in codes to this CSV file (it must not exist yet).")
@with_appcontext
def import_users_command(file, commune, mode, dry_run, codes_out):
    """Create accounts from a CSV or XLSX file; each gets a one-time sign-in code."""
    commune_id = _find_commune(commune).id if commune else None
    codes_file = None
    if codes_out and not dry_run:
        try:  # opened now, so that a bad path fails before anything is written
            fd = os.open(codes_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise click.BadParameter(f"{codes_out} already exists; choose a new file so that no codes are lost",
                                     param_hint="--codes-out") from None
        except OSError as exc:
            raise click.BadParameter(f"cannot write {codes_out}: {exc.strerror}", param_hint="--codes-out") from None
        codes_file = os.fdopen(fd, "w", encoding="utf-8", newline="")
    try:
        try:
            preview = imports.preview_people(_read(file), Path(file).name, commune_id)
        except imports.ImportFileError as exc:
            raise click.ClickException(exc.text()) from None
        _echo_problems(preview.rows)
        counts = preview.counts
        click.echo(f"{counts['rows']} rows: {counts['valid']} without problems, {counts['problems']} with problems.")
        if dry_run:
            click.echo("Dry run: nothing was written.")
            return
        try:
            result = imports.import_people(preview, mode, None)
        except imports.ImportFileError as exc:
            raise click.ClickException(exc.text()) from None
        if result.refused:
            click.echo(f"Nothing was imported: {len(result.skipped)} rows have problems (mode all_or_nothing). "
                       "Fix them, or use --mode valid_only.", err=True)
            click.get_current_context().exit(1)
        click.echo(f"Created {len(result.created)} accounts; skipped {len(result.skipped)} rows.")
        if not result.created:
            return
        rows = [(a.row, a.full_name, a.username, a.village or "", a.code) for a in result.created]
        if codes_file is not None:
            from lms.exports import csv_stream

            expires = result.expires_at.date().isoformat() if result.expires_at else ""
            header = ["Dòng", "Họ và tên", "Tên đăng nhập", "Thôn/tổ dân phố", "Mã đăng nhập một lần", "Hết hạn"]
            for chunk in csv_stream(None, header, [row + (expires,) for row in rows]):
                codes_file.write(chunk)
            click.echo(f"One-time codes written to {codes_out} (valid until {expires}).")
        else:
            click.echo("One-time sign-in codes (shown once; use --codes-out FILE to save them):")
            for row, name, username, _village, code in rows:
                click.echo(f"{row}\t{username}\t{code}\t{name}")
    finally:
        if codes_file is not None:
            empty = codes_file.tell() == 0
            codes_file.close()
            if empty:
                os.unlink(codes_out)  # nothing was imported: leave no empty file behind


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only check the file; write nothing.")
@with_appcontext
def import_units_command(file, dry_run):
    """Create provinces, communes and villages from a CSV or XLSX file (all or nothing)."""
    try:
        preview = imports.preview_units(_read(file), Path(file).name)
    except imports.ImportFileError as exc:
        raise click.ClickException(exc.text()) from None
    _echo_problems(preview.rows)
    for row in preview.rows:
        if row.ok and row.status == "exists":
            click.echo(f"row {row.row}: already there: {row.village}, {row.commune}, {row.province}")
    counts = preview.counts
    click.echo(f"{counts['rows']} rows: {counts['villages']} new villages, {counts['communes']} new communes, "
               f"{counts['provinces']} new provinces, {counts['existing']} already there, "
               f"{counts['problems']} with problems.")
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    try:
        result = imports.import_units(preview, None)
    except imports.ImportFileError as exc:
        raise click.ClickException(exc.text()) from None
    if result.refused:
        click.echo(f"Nothing was imported: {result.counts['problems']} rows have problems.", err=True)
        click.get_current_context().exit(1)
    click.echo(f"Created {result.counts['villages']} villages, {result.counts['communes']} communes and "
               f"{result.counts['provinces']} provinces.")


def _group(app: Flask, name: str, help_text: str) -> click.Group:
    group = app.cli.commands.get(name)
    if not isinstance(group, click.Group):
        group = AppGroup(name, help=help_text)
        app.cli.add_command(group)
    return group


def register(app: Flask) -> None:
    """Add ``users import`` and ``units import`` to ``app.cli`` (safe to call twice)."""
    _group(app, "users", "Accounts.").add_command(import_users_command)
    _group(app, "units", "Administrative units: provinces, communes, villages.").add_command(import_units_command)
