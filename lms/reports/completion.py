"""The reports administrators download: completions (one row per learner and completed course)
and the summary (one row per place and target group), as rows for :mod:`lms.exports` and the
summary also as a printable A4 PDF.

Definitions are those of :mod:`lms.reports.figures`. Dates given as filters are local days
(Asia/Ho_Chi_Minh), both ends included, and select certificates by their issue date.
"""
from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import escape as xml_escape

from flask_babel import get_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from lms.certificates.pdf import BOLD, REGULAR, _register_fonts, _render_lock
from lms.exports.cells import LOCAL_TZ
from lms.extensions import db
from lms.models import Certificate, CourseModule, Place, QuizAttempt, TargetGroup, User
from lms.models.people import GROUP_LABELS
from lms.reports.charts import format_number
from lms.reports.figures import ACTIVE_DAYS, Figures, learner_table
from lms.reports.scope import GROUPS, learners_in, place_ids_under
from lms.reports.targets import load_targets, place_target

YIELD_PER = 500  # rows fetched from the database at a time while streaming


# --- shared helpers -----------------------------------------------------------------------

def local_day_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC-comparable bounds for local days ``date_from`` … ``date_to`` (both included)."""
    start = datetime.combine(date_from, time(), LOCAL_TZ) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time(), LOCAL_TZ) if date_to else None
    return start, end


def group_label(value: TargetGroup | str | None) -> str:
    if not value:
        return ""
    try:
        return str(GROUP_LABELS[TargetGroup(value)])
    except ValueError:
        return str(value)


def _path(*names: str | None) -> str:
    return ", ".join(n for n in names if n)


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def place_label(place_id: int | None) -> str:
    if place_id is None:
        return _("All places")
    place = db.session.get(Place, place_id)
    return place.path() if place is not None else "?"


def describe_filters(place_id: int | None, target_group: str | None, date_from: date | None, date_to: date | None,
                     year: int | None = None) -> str:
    """The filters of a report in words, for its subtitle: place, group, period (and year)."""
    parts = [_("Place: %(place)s", place=place_label(place_id)),
             _("Group: %(group)s", group=group_label(target_group) if target_group else _("All groups"))]
    if year is not None:
        parts.append(_("Targets of %(year)s", year=year))
    if date_from and date_to:
        parts.append(_("Certificates issued from %(start)s to %(end)s", start=_day(date_from), end=_day(date_to)))
    elif date_from:
        parts.append(_("Certificates issued from %(start)s", start=_day(date_from)))
    elif date_to:
        parts.append(_("Certificates issued until %(end)s", end=_day(date_to)))
    else:
        parts.append(_("All certificates"))
    return " · ".join(parts)


# --- completions ------------------------------------------------------------------------

def completion_header() -> list[str]:
    return [_("Full name"), _("Target group"), _("Place"), _("Course"), _("Completed on"), _("Quiz score (%)"),
            _("Certificate code"), _("Assisted"), _("Assisted by")]


def _display_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def completion_rows(place_id: int | None, target_group: str | None, date_from: date | None,
                    date_to: date | None) -> Iterator[list]:
    """One row per learner and completed course (a valid certificate) of learners in the place
    (and everything under it) and group, issued between the two local days (both included):
    full name, group, place path, course title, completion date, quiz score (a number),
    certificate code, assisted (any quiz attempt of the course run with a teacher at the
    learner's side) and by whom.

    A generator over one query read ``YIELD_PER`` rows at a time (a server-side cursor on
    PostgreSQL): memory stays flat whatever the number of rows. Learners without a
    completion are not listed.
    """
    english = _get_lang() == "en"
    yes, no = _("Yes"), _("No")
    start, end = local_day_bounds(date_from, date_to)
    village, commune, province = aliased(Place), aliased(Place), aliased(Place)
    helper = aliased(User)

    # Who assisted which learner in which course: distinct names, then joined into one text.
    pairs = (select(QuizAttempt.user_id.label("user_id"), CourseModule.course_id.label("course_id"),
                    helper.full_name.label("name"))
             .join(CourseModule, CourseModule.id == QuizAttempt.module_id)
             .join(helper, helper.id == QuizAttempt.assisted_by_id)
             .where(QuizAttempt.assisted_by_id.is_not(None)).distinct())
    if place_id is not None:
        pairs = pairs.where(QuizAttempt.user_id.in_(
            select(User.id).where(User.place_id.in_(place_ids_under(place_id)))))
    pairs = pairs.subquery()
    helpers = (select(pairs.c.user_id, pairs.c.course_id,
                      func.aggregate_strings(pairs.c.name, ", ").label("names"))
               .group_by(pairs.c.user_id, pairs.c.course_id).subquery())

    stmt = (select(User.full_name, User.target_group, village.name, commune.name, province.name,
                   Certificate.course_title_vi, Certificate.course_title_en, Certificate.issued_at, Certificate.score,
                   Certificate.code, helpers.c.names)
            .select_from(Certificate).join(User, User.id == Certificate.user_id)
            .outerjoin(village, village.id == User.place_id)
            .outerjoin(commune, commune.id == village.parent_id)
            .outerjoin(province, province.id == commune.parent_id)
            .outerjoin(helpers, and_(helpers.c.user_id == Certificate.user_id,
                                     helpers.c.course_id == Certificate.course_id))
            .where(Certificate.revoked_at.is_(None)))
    stmt = learners_in(stmt, place_id, target_group)
    if start is not None:
        stmt = stmt.where(Certificate.issued_at >= start)
    if end is not None:
        stmt = stmt.where(Certificate.issued_at < end)
    stmt = stmt.order_by(func.coalesce(province.name, ""), func.coalesce(commune.name, ""),
                         func.coalesce(village.name, ""), User.full_name, User.id, Certificate.issued_at,
                         Certificate.id)

    labels = {g: group_label(g) for g in TargetGroup}  # translated once, not per row
    result = db.session.execute(stmt, execution_options={"yield_per": YIELD_PER})
    try:
        for (name, group, v, c, p, title_vi, title_en, issued_at, score, code, names) in result:
            yield [
                name,
                labels.get(group, "") if group is not None else "",
                _path(v, c, p),
                (title_en or title_vi) if english else title_vi,
                issued_at.astimezone(LOCAL_TZ).date(),
                round(score, 1) if score is not None else None,
                _display_code(code),
                yes if names else no,
                names or "",
            ]
    finally:
        result.close()


def _get_lang() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "vi"


# --- the summary ------------------------------------------------------------------------

def summary_header() -> list[str]:
    return [_("Place"), _("Target group"), _("Population"), _("Target (%)"), _("Registered"),
            _("Active in the last %(days)s days", days=ACTIVE_DAYS), _("Certified"),
            _("Certified, share of population (%)"), _("Target reached (%)")]


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def summary_rows(place_id: int | None, year: int, date_from: date | None, date_to: date | None,
                 target_group: str | None = None, today: date | None = None) -> list[list]:
    """One row per place × target group for the chosen place and each place directly under it
    (no place: the whole site and each top-level place). For each place an "all groups" row
    comes first, then one row per group (only the chosen group when ``target_group`` is
    given): population, target %, registered, active in the last 30 days, certified, share
    of the population certified, share of the target reached (percent numbers; None when the
    place has no target for ``year``).

    Certified counts learners with a valid certificate issued between the two local days
    (any date when not given); registered and active are as of ``today``. A fixed number of
    queries whatever the number of learners: the database counts per village and group, and
    those counts (places × groups, never people) are added up here, place by place.
    """
    today = today or date.today()
    since = today - timedelta(days=ACTIVE_DAYS)
    if target_group:
        target_group = TargetGroup(target_group).value

    # The places of the rows: the chosen one and its children (None stands for everywhere).
    rows_places: list[tuple[int | None, str]] = []
    if place_id is None:
        rows_places.append((None, _("All places")))
        children = db.session.scalars(select(Place).where(Place.parent_id.is_(None)).order_by(Place.name)).all()
        rows_places += [(p.id, p.name) for p in children]
    else:
        place = db.session.get(Place, place_id)
        if place is None:
            raise LookupError(f"no place {place_id}")
        path = place.path()
        rows_places.append((place.id, path))
        children = db.session.scalars(select(Place).where(Place.parent_id == place.id).order_by(Place.name)).all()
        rows_places += [(p.id, f"{p.name}, {path}") for p in children]
    row_ids = {pid for pid, _label in rows_places}

    # Counts per village and group, with the village's parent and grandparent.
    start, end = local_day_bounds(date_from, date_to)
    t = learner_table(place_id, target_group, start, end)
    village, parent = aliased(Place), aliased(Place)
    stmt = (select(t.c.place_id, village.parent_id, parent.parent_id, t.c.target_group, func.count(),
                   func.count(case((t.c.last_active_on >= since, 1))), func.count(case((t.c.n > 0, 1))))
            .select_from(t)
            .outerjoin(village, village.id == t.c.place_id).outerjoin(parent, parent.id == village.parent_id)
            .group_by(t.c.place_id, village.parent_id, parent.parent_id, t.c.target_group))
    counts: dict[tuple[int | None, str | None], Figures] = {}
    for village_id, up, upup, group, n_registered, n_active, n_certified in db.session.execute(stmt):
        key_group = group.value if isinstance(group, TargetGroup) else group
        owners = {None} | ({village_id, up, upup} & row_ids)
        for owner in owners:
            if owner is None and place_id is not None:
                continue
            figures = counts.setdefault((owner, key_group), Figures())
            figures.registered += n_registered
            figures.active += n_active
            figures.certified += n_certified

    targets = load_targets(year, place_id)
    groups = [target_group] if target_group else list(GROUPS)
    out: list[list] = []
    for pid, label in rows_places:
        per_group = {g: counts.get((pid, g), Figures()) for g in groups}
        for g, figures in per_group.items():
            figures.target = place_target(targets, pid, g)
        if not target_group:
            total = Figures(
                registered=sum(f.registered for (owner, _g), f in counts.items() if owner == pid),
                active=sum(f.active for (owner, _g), f in counts.items() if owner == pid),
                certified=sum(f.certified for (owner, _g), f in counts.items() if owner == pid),
                target=place_target(targets, pid))
            out.append(_summary_row(label, _("All groups"), total))
        for g in groups:
            out.append(_summary_row(label, group_label(g), per_group[g]))
    return out


def _summary_row(place: str, group: str, f: Figures) -> list:
    return [place, group, f.population, _round(f.target_percent), f.registered, f.active, f.certified,
            _round(f.certified_percent), _round(f.target_reached_percent)]


# --- the summary as a printable PDF ---------------------------------------------------------

def report_title(kind: str) -> str:
    return _("Completed courses") if kind == "completion" else _("Summary by place and target group")


def summary_pdf(place_id: int | None, year: int, date_from: date | None, date_to: date | None,
                target_group: str | None = None, today: date | None = None) -> bytes:
    """The summary as an A4 (landscape) PDF: title, date, filters and the table, with the
    project's embedded font so every Vietnamese letter prints."""
    today = today or date.today()
    rows = summary_rows(place_id, year, date_from, date_to, target_group=target_group, today=today)
    header = summary_header()
    texts = {
        "title": report_title("summary"),
        "date": _("Made on %(date)s", date=_day(today)),
        "filters": describe_filters(place_id, target_group, date_from, date_to, year),
        "page": _("Page %(number)s"),  # filled in on each page
        "empty": _("No data."),
    }
    _register_fonts()
    with _render_lock:
        return _summary_pdf(header, rows, texts)


def _nfc(value) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value))


def _summary_pdf(header: list[str], rows: list[list], texts: dict[str, str]) -> bytes:
    title_style = ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, spaceAfter=2 * mm)
    meta_style = ParagraphStyle("meta", fontName=REGULAR, fontSize=10, leading=13)
    head_style = ParagraphStyle("head", fontName=BOLD, fontSize=8.5, leading=10.5)
    cell_style = ParagraphStyle("cell", fontName=REGULAR, fontSize=8.5, leading=10.5)
    number_style = ParagraphStyle("number", parent=cell_style, alignment=2)  # right-aligned

    def para(text, style) -> Paragraph:
        return Paragraph(xml_escape(_nfc(text)), style)

    data = [[para(h, head_style) for h in header]]
    for row in rows:
        data.append([para(v, cell_style) if i < 2 else para(format_number(v) if v is not None else "–", number_style)
                     for i, v in enumerate(row)])
    if not rows:
        data.append([para(texts["empty"], cell_style)] + [""] * (len(header) - 1))

    buffer = io.BytesIO()
    page_w, _page_h = landscape(A4)
    margin = 12 * mm
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=14 * mm, title=_nfc(texts["title"]), author="Lớp Số",
                            creator="Lớp Số", invariant=1)
    width = page_w - 2 * margin
    fixed = [62 * mm, 44 * mm]
    rest = (width - sum(fixed)) / (len(header) - 2)
    table = Table(data, colWidths=fixed + [rest] * (len(header) - 2), repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#808080")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(REGULAR, 8.5)
        canvas.drawRightString(page_w - margin, 7 * mm, _nfc(texts["page"] % {"number": document.page}))
        canvas.restoreState()

    story = [para(texts["title"], title_style), para(texts["date"], meta_style), para(texts["filters"], meta_style),
             Spacer(1, 5 * mm), table]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
