"""Administrators' reports: the dashboard and the downloads (completions, summary).

Every route is for administrators only (403 for teachers and learners). All are GET: they
change nothing, and their addresses can be bookmarked or shared between administrators.
"""
from __future__ import annotations

from datetime import date

from flask import Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from lms import exports
from lms.extensions import db
from lms.models import Place, PlaceKind, Role
from lms.models.people import GROUP_LABELS
from lms.reports import bp
from lms.reports import completion, stats
from lms.security import roles_required

REPORTS = {"completion": _l("Completed courses (one row per learner and course)"),
           "summary": _l("Summary by place and target group")}
FORMATS = {"csv": _l("CSV (other programs, LibreOffice, Google Sheets)"), "xlsx": _l("Excel (XLSX)"),
           "pdf": _l("PDF to print (summary only)")}
FIRST_YEAR, LAST_YEAR = 2020, 2100
RANKING_SHOWN = 30
NO_STORE = {"Cache-Control": "private, no-store"}


def place_choices() -> list[tuple[str, str]]:
    """Every place in tree order (province, its communes, their villages), indented, with
    villages followed by their commune so that two "Thôn 1" can be told apart. One query."""
    places = db.session.execute(select(Place.id, Place.name, Place.kind, Place.parent_id)).all()
    by_parent: dict[int | None, list] = {}
    names = {p.id: p.name for p in places}
    for p in places:
        by_parent.setdefault(p.parent_id, []).append(p)
    known = set(names)
    roots = [p for p in places if p.parent_id is None or p.parent_id not in known]
    choices: list[tuple[str, str]] = [("", str(_l("All places")))]
    indent = "\u00a0\u00a0\u00a0"

    def walk(items, depth: int) -> None:
        for p in sorted(items, key=lambda x: (x.name, x.id)):
            label = p.name
            if p.kind == PlaceKind.VILLAGE and p.parent_id in names:
                label = f"{p.name} ({names[p.parent_id]})"
            choices.append((str(p.id), indent * depth + label))
            walk(by_parent.get(p.id, []), depth + 1)

    walk(roots, 0)
    return choices


def group_choices() -> list[tuple[str, str]]:
    return [("", str(_l("All groups")))] + [(g.value, str(label)) for g, label in GROUP_LABELS.items()]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- the dashboard ------------------------------------------------------------------------

@bp.get("/dashboard")
@roles_required(Role.ADMIN)
def dashboard():
    place_id = _int(request.args.get("place"))
    if place_id is not None and db.session.get(Place, place_id) is None:
        place_id = None
    group = request.args.get("group") or None
    if group not in stats.GROUPS:
        group = None
    year = _int(request.args.get("year")) or date.today().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        year = date.today().year
    d = stats.dashboard(place_id, group, year)

    group_items = [(completion.group_label(key) if key else _("No group given"), f) for key, f in d.by_group.items()]
    toward_target = [(label, f.certified, f.target_people) for label, f in group_items if f.target_people]
    of_registered = [(label, f.certified, f.registered) for label, f in group_items if f.registered]
    charts = []
    if toward_target:
        title = _("Certified learners toward the target of %(year)s", year=year)
        charts.append((title, stats.svg_bars(toward_target, title=title)))
    if of_registered:
        title = _("Certified learners among registered learners")
        charts.append((title, stats.svg_bars(of_registered, title=title)))
    return render_template(
        "reports/dashboard.html", d=d, group_items=group_items, charts=charts,
        ranking=d.ranking[:RANKING_SHOWN], ranking_shown=RANKING_SHOWN,
        places=place_choices(), groups=group_choices(), place_id=place_id, group=group or "", year=year,
        num=stats.format_number, pct=_percent)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{stats.format_number(round(value, 1))} %"


# --- the downloads ------------------------------------------------------------------------

def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    report = SelectField(_l("Report"), choices=_choices(REPORTS.items()), default="completion")
    place = SelectField(_l("Place"), validate_choice=False, description=_l("The place and every place under it."))
    group = SelectField(_l("Target group"), validate_choice=False)
    year = IntegerField(_l("Year of the targets (summary)"), validators=[
        Optional(), NumberRange(FIRST_YEAR, LAST_YEAR, message=_l("Write a year such as 2025."))])
    date_from = DateField(_l("Certificates issued from (optional)"), validators=[Optional()])
    date_to = DateField(_l("Certificates issued until (optional)"), validators=[Optional()])
    format = SelectField(_l("Format"), choices=_choices(FORMATS.items()), default="xlsx")

    def validate_place(self, field):
        if field.data and (_int(field.data) is None or db.session.get(Place, _int(field.data)) is None):
            raise ValidationError(_l("Choose a place from the list."))

    def validate_group(self, field):
        if field.data and field.data not in stats.GROUPS:
            raise ValidationError(_l("Choose a target group from the list."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the period is before its start."))

    def validate_format(self, field):
        if field.data == "pdf" and self.report.data != "summary":
            raise ValidationError(_l("PDF is only available for the summary. Choose CSV or Excel."))


def _form() -> ReportForm:
    form = ReportForm(formdata=request.args if request.args else None)
    form.place.choices = _choices(place_choices())
    form.group.choices = _choices(group_choices())
    if form.year.data is None and not request.args.get("year"):
        form.year.data = date.today().year
    return form


@bp.get("/reports")
@roles_required(Role.ADMIN)
def index():
    return render_template("reports/index.html", form=_form())


@bp.get("/reports/download")
@roles_required(Role.ADMIN)
def download():
    form = _form()
    if not form.validate():
        return render_template("reports/index.html", form=form), 400
    kind, fmt = form.report.data, form.format.data
    place_id = _int(form.place.data)
    group = form.group.data or None
    year = form.year.data or date.today().year
    start, end = form.date_from.data, form.date_to.data
    today = date.today()

    title = completion.report_title(kind)
    filters = completion.describe_filters(place_id, group, start, end, year if kind == "summary" else None)
    subtitle = _("Made on %(date)s", date=today.strftime("%d/%m/%Y")) + " · " + filters
    filename = f"{'hoan-thanh' if kind == 'completion' else 'tong-hop'}-{today.isoformat()}.{fmt}"
    headers = {"Content-Disposition": exports.content_disposition(filename), **NO_STORE}

    if fmt == "pdf":  # the form allows it for the summary only
        data = completion.summary_pdf(place_id, year, start, end, target_group=group, today=today)
        return Response(data, mimetype="application/pdf", headers=headers)
    if kind == "completion":
        header = completion.completion_header()
        rows = completion.completion_rows(place_id, group, start, end)
        formats = {5: "0.0"}
    else:
        header = completion.summary_header()
        rows = completion.summary_rows(place_id, year, start, end, target_group=group, today=today)
        formats = {3: "0.0", 7: "0.0", 8: "0.0"}

    if fmt == "csv":
        return Response(stream_with_context(exports.csv_stream([[title], [subtitle]], header, rows)),
                        mimetype=exports.CSV_MIMETYPE, headers=headers)
    return Response(exports.xlsx_stream(title, subtitle, header, rows, number_formats=formats),
                    mimetype=exports.XLSX_MIMETYPE, headers=headers)
