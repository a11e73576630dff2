"""``flask --app wsgi reports completion|summary --format csv|xlsx|pdf --out FILE [filters]``:
the administrators' downloads written to a file, e.g. from a nightly cron job."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from lms import exports
from lms.models import TargetGroup
from lms.reports import completion

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.group("reports", cls=AppGroup)
def reports_group():
    """Administrators' reports written to files (CSV, XLSX; the summary also as PDF)."""


def _options(func):
    options = [
        click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), required=True,
                     help="File format (pdf only for the summary)."),
        click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
                     help="File to write."),
        click.option("--place", default=None, help="Place name or number; the place and everything under it."),
        click.option("--group", type=click.Choice([g.value for g in TargetGroup]), default=None,
                     help="Target group (default: all)."),
        click.option("--from", "date_from", type=DAY, default=None, help="Certificates issued from this day (YYYY-MM-DD)."),
        click.option("--to", "date_to", type=DAY, default=None, help="Certificates issued until this day (YYYY-MM-DD)."),
        click.option("--year", type=click.IntRange(2000, 2100), default=None,
                     help="Year of the targets (default: this year)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _place_id(value: str | None) -> int | None:
    if value in (None, "", "-"):
        return None
    from lms.cli import _find_place  # by number, or by an exact name that only one place has

    return _find_place(value).id


def _write(kind: str, fmt: str, out: Path, place: str | None, group: str | None, date_from, date_to,
           year: int | None) -> int:
    start = date_from.date() if date_from else None
    end = date_to.date() if date_to else None
    if start and end and end < start:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    if fmt == "pdf" and kind != "summary":
        raise click.UsageError("PDF is only available for the summary report; use --format csv or xlsx "
                               "for the completion report.")
    place_id = _place_id(place)
    today = date.today()
    year = year or today.year
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")):
        title = completion.report_title(kind)
        subtitle = (_("Made on %(date)s", date=today.strftime("%d/%m/%Y")) + " · "
                    + completion.describe_filters(place_id, group, start, end, year if kind == "summary" else None))
        if fmt == "pdf":
            out.write_bytes(completion.summary_pdf(place_id, year, start, end, target_group=group, today=today))
            return 1
        if kind == "completion":
            header, rows = completion.completion_header(), completion.completion_rows(place_id, group, start, end)
            formats = {5: "0.0"}
        else:
            header = completion.summary_header()
            rows = completion.summary_rows(place_id, year, start, end, target_group=group, today=today)
            formats = {3: "0.0", 7: "0.0", 8: "0.0"}
        counted = _Counter(rows)
        if fmt == "csv":
            with out.open("w", encoding="utf-8", newline="") as handle:
                for chunk in exports.csv_stream([[title], [subtitle]], header, counted):
                    handle.write(chunk)
        else:
            with out.open("wb") as handle:
                for chunk in exports.xlsx_stream(title, subtitle, header, counted, number_formats=formats):
                    handle.write(chunk)
        return counted.n


class _Counter:
    """Counts the rows as they stream past, without keeping them."""

    def __init__(self, rows):
        self.rows, self.n = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            yield row


@reports_group.command("completion")
@_options
def completion_command(fmt, out, place, group, date_from, date_to, year):
    """One row per learner and completed course."""
    n = _write("completion", fmt, out, place, group, date_from, date_to, year)
    click.echo(f"Wrote {n} row(s) to {out}.")


@reports_group.command("summary")
@_options
def summary_command(fmt, out, place, group, date_from, date_to, year):
    """One row per place and target group: population, target, registered, active, certified."""
    n = _write("summary", fmt, out, place, group, date_from, date_to, year)
    click.echo(f"Wrote {out}." if fmt == "pdf" else f"Wrote {n} row(s) to {out}.")


def register(app: Flask) -> None:
    app.cli.add_command(reports_group)
