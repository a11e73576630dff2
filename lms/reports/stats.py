"""The movement's figures for administrators: how many learners registered, were active, were
certified, how close a place is to its target, "digital households", digital ambassadors,
guidance sessions and the ranking of villages.

Definitions (shared with the downloads in :mod:`lms.reports.completion`):

registered
    Learner accounts (role learner), anonymized ones included: deleting a person's identity
    must not change the counts.
active
    Learners whose ``last_active_on`` is on or after ``today − 30 days``.
certified
    Learners with at least one valid (not revoked) certificate; a certificate is issued exactly
    when a course is completed, so a valid certificate *is* a completed course.
completions
    Valid certificates (learner × course).
households ("Gia đình số")
    Distinct non-empty household codes with at least one certified member.
place filter
    The place and everything under it (province → its communes → their villages); people
    sit in villages.
target
    From :class:`~lms.models.Target` rows of the year: the place's own row, or else the sum
    over the highest places under it that have one (a commune's row is not added to its
    villages' rows). For all groups together: the row without a group, or else the sum of
    the groups' targets. Progress toward the target = certified ÷ (population × target % / 100).

Every figure is computed by the database with grouped queries; no learner row is loaded into
Python, and the number of queries does not depend on the number of learners.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import Select, and_, case, distinct, func, or_, select, true
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.models import Certificate, GuidanceSession, Mentorship, Place, PlaceKind, Role, Target, TargetGroup, User
from lms.teach.services import MENTEES_GOAL

ACTIVE_DAYS = 30
MENTORS_LISTED = 50  # mentors at the goal shown on the dashboard, most mentees first

GROUPS: tuple[str, ...] = tuple(g.value for g in TargetGroup)

# How a target was found, for the page to say it.
TARGET_SOURCES = {
    "place": _l("the place's own target"),
    "places": _l("sum of the targets of the places under it"),
    "groups": _l("sum of the target groups' targets"),
}
RANK_BASES = {
    "population": _l("certified ÷ population"),
    "registered": _l("certified ÷ registered (no population figure for the year)"),
}


# --- places -----------------------------------------------------------------------------

def place_ids_under(place_id: int) -> Select:
    """A subquery of the place's id and the ids of every place below it (the tree has three
    levels: province → commune → village)."""
    children = select(Place.id).where(Place.parent_id == place_id)
    return select(Place.id).where(or_(Place.id == place_id, Place.parent_id == place_id,
                                      Place.parent_id.in_(children)))


def _learners(stmt: Select, place_id: int | None, target_group: str | None) -> Select:
    stmt = stmt.where(User.role == Role.LEARNER)
    if place_id is not None:
        stmt = stmt.where(User.place_id.in_(place_ids_under(place_id)))
    if target_group:
        stmt = stmt.where(User.target_group == TargetGroup(target_group))
    return stmt


def learner_table(place_id: int | None, target_group: str | None, issued_from: datetime | None = None,
                  issued_before: datetime | None = None):
    """A derived table with one row per learner in scope: id, place, group, last active day,
    trimmed household code and ``n``, the number of their valid certificates (issued in the
    period when given). Aggregates are taken over it by the database.

    ``n`` is a correlated count answered from the index on ``certificate.user_id``, row by
    row, so the plan stays linear whatever the planner's statistics say. (A join to the
    certificates is about twice as fast when PostgreSQL's statistics are fresh, but right
    after a bulk import, with stale statistics, it picked a nested loop over both whole
    tables: minutes instead of milliseconds for 20,000 learners.) ``OFFSET 0`` keeps the
    derived table from being merged into the outer query, where PostgreSQL would evaluate
    the correlated count once for every reference to ``n`` instead of once per learner.
    """
    condition = [Certificate.user_id == User.id, Certificate.revoked_at.is_(None)]
    if issued_from is not None:
        condition.append(Certificate.issued_at >= issued_from)
    if issued_before is not None:
        condition.append(Certificate.issued_at < issued_before)
    n = select(func.count()).select_from(Certificate).where(*condition).correlate(User).scalar_subquery()
    return _learners(select(User.id.label("id"), User.place_id.label("place_id"), User.target_group.label("target_group"),
                            User.last_active_on.label("last_active_on"),
                            func.trim(User.household_code).label("household"), n.label("n")),
                     place_id, target_group).offset(0).subquery("learner")


def _counts(t, since: date) -> list:
    """Aggregate columns over :func:`learner_table` ``t``: registered, active, certified,
    completions, households with a certified member."""
    certified = t.c.n > 0
    return [
        func.count().label("registered"),
        func.count(case((t.c.last_active_on >= since, 1))).label("active"),
        func.count(case((certified, 1))).label("certified"),
        func.coalesce(func.sum(t.c.n), 0).label("completions"),
        func.count(distinct(case((and_(certified, t.c.household != ""), t.c.household)))).label("households"),
    ]


# --- targets ----------------------------------------------------------------------------

@dataclass(frozen=True)
class TargetRow:
    place_id: int
    group: str | None
    population: int
    target_percent: int
    ancestors: frozenset[int]


@dataclass(frozen=True)
class TargetFigure:
    population: int
    target_people: float  # population × target % / 100, summed
    source: str  # a key of TARGET_SOURCES

    @property
    def target_percent(self) -> float | None:
        return self.target_people * 100 / self.population if self.population else None

    @property
    def source_label(self) -> str:
        return str(TARGET_SOURCES[self.source])


def load_targets(year: int, place_id: int | None = None) -> list[TargetRow]:
    """The year's targets of the place and the places under it (every place when None).
    One query; rows are places × groups, never people."""
    parent = aliased(Place)
    stmt = (select(Target.place_id, Target.target_group, Target.population, Target.target_percent,
                   Place.parent_id, parent.parent_id)
            .join(Place, Place.id == Target.place_id)
            .outerjoin(parent, parent.id == Place.parent_id)
            .where(Target.year == year))
    if place_id is not None:
        stmt = stmt.where(Target.place_id.in_(place_ids_under(place_id)))
    return [TargetRow(pid, group or None, population, percent, frozenset(a for a in (up, upup) if a is not None))
            for pid, group, population, percent, up, upup in db.session.execute(stmt)]


def resolve_target(rows: Iterable[TargetRow], place_id: int | None, group: str | None) -> TargetFigure | None:
    """The target of ``place_id`` (None: everywhere) for ``group`` (None: the all-groups row):
    its own row, or else the sum over the highest places under it that have a row."""
    under = [r for r in rows if r.group == group
             and (place_id is None or r.place_id == place_id or place_id in r.ancestors)]
    own = next((r for r in under if r.place_id == place_id), None)
    if own is not None:
        return TargetFigure(own.population, own.population * own.target_percent / 100, "place")
    places = {r.place_id for r in under}
    top = [r for r in under if not (r.ancestors & places)]
    if not top:
        return None
    return TargetFigure(sum(r.population for r in top), sum(r.population * r.target_percent / 100 for r in top),
                        "places")


def resolve_total_target(rows: Sequence[TargetRow], place_id: int | None) -> TargetFigure | None:
    """All groups together: the all-groups target, or else the sum of the groups' targets."""
    figure = resolve_target(rows, place_id, None)
    if figure is not None:
        return figure
    parts = [f for f in (resolve_target(rows, place_id, g) for g in GROUPS) if f is not None]
    if not parts:
        return None
    return TargetFigure(sum(f.population for f in parts), sum(f.target_people for f in parts), "groups")


def place_target(rows: Sequence[TargetRow], place_id: int | None, group: str | None = None) -> TargetFigure | None:
    """The one rule for a place's target (and so its population) for the year of ``rows``:
    for a group, that group's target; for all groups, the place-level target if set, otherwise
    the sum of its per-group targets. The dashboard, the summary report and the ranking of
    villages all ask this function, so they cannot disagree."""
    return resolve_target(rows, place_id, group) if group else resolve_total_target(rows, place_id)


def targets_by_place(rows: Iterable[TargetRow]) -> dict[int, list[TargetRow]]:
    """The rows each place's target is made of: its own and those of the places under it.
    ``place_target(by_place.get(p, []), p, g)`` equals ``place_target(rows, p, g)`` but reads
    a few rows instead of all of them, for asking many places at once."""
    by_place: dict[int, list[TargetRow]] = {}
    for row in rows:
        for place_id in (row.place_id, *row.ancestors):
            by_place.setdefault(place_id, []).append(row)
    return by_place


# --- the dashboard ----------------------------------------------------------------------

def _share(part: float, whole: float | None) -> float | None:
    return part * 100 / whole if whole else None


@dataclass
class Figures:
    registered: int = 0
    active: int = 0
    certified: int = 0
    completions: int = 0  # valid certificates
    households: int = 0  # "Gia đình số"
    target: TargetFigure | None = None

    @property
    def population(self) -> int | None:
        return self.target.population if self.target else None

    @property
    def target_percent(self) -> float | None:
        return self.target.target_percent if self.target else None

    @property
    def target_people(self) -> float | None:
        return self.target.target_people if self.target else None

    @property
    def certified_percent(self) -> float | None:
        """Share of the population certified, in percent (None without a population)."""
        return _share(self.certified, self.population)

    @property
    def target_reached_percent(self) -> float | None:
        """Progress toward the target: certified ÷ (population × target %), in percent."""
        return _share(self.certified, self.target_people)


@dataclass
class MentorRow:
    user_id: int
    full_name: str
    place: str
    mentees: int


@dataclass
class GuidanceRow:
    place_id: int
    village: str
    commune: str
    sessions: int
    people: int


@dataclass
class VillageRank:
    place_id: int
    village: str
    commune: str
    registered: int
    certified: int
    population: int | None
    basis: str  # "population" or "registered": which denominator the share uses
    share: float | None  # percent

    @property
    def basis_label(self) -> str:
        return str(RANK_BASES[self.basis])


@dataclass
class Dashboard:
    place_id: int | None
    place_path: str | None
    target_group: str | None
    year: int
    today: date
    active_since: date
    total: Figures
    by_group: dict[str | None, Figures]  # TargetGroup value (None: learners without a group) → figures
    households_with_code: int  # distinct non-empty household codes among the learners
    mentors_total: int
    mentors_at_goal: int  # with at least MENTEES_GOAL accepted mentees
    mentors: list[MentorRow]  # those at the goal, most mentees first (at most MENTORS_LISTED)
    guidance: list[GuidanceRow]  # per village, sessions held in the year
    ranking: list[VillageRank]
    mentees_goal: int = MENTEES_GOAL
    guidance_sessions: int = field(init=False)
    guidance_people: int = field(init=False)

    def __post_init__(self) -> None:
        self.guidance_sessions = sum(g.sessions for g in self.guidance)
        self.guidance_people = sum(g.people for g in self.guidance)


def dashboard(place_id: int | None, target_group: str | None, year: int, today: date | None = None) -> Dashboard:
    """The dashboard of ``place_id`` (None: every place) and everything under it, for
    ``target_group`` (None: all groups), with the targets of ``year``.

    A fixed number of queries (seven to ten), whatever the number of learners. Raises
    LookupError for an unknown place and ValueError for an unknown group.
    """
    today = today or date.today()
    since = today - timedelta(days=ACTIVE_DAYS)
    if target_group:
        target_group = TargetGroup(target_group).value
    place_path = None
    if place_id is not None:
        place = db.session.get(Place, place_id)
        if place is None:
            raise LookupError(f"no place {place_id}")
        place_path = place.path()

    # Learners per group: registered, active, certified, completions, households.
    by_group: dict[str | None, Figures] = {} if target_group else {g: Figures() for g in GROUPS}
    t = learner_table(place_id, target_group)
    for group, registered, active, certified, completions, households in db.session.execute(
            select(t.c.target_group, *_counts(t, since)).group_by(t.c.target_group)):
        key = group.value if isinstance(group, TargetGroup) else group
        by_group[key] = Figures(registered, active, certified, int(completions), households)
    if target_group and target_group not in by_group:
        by_group[target_group] = Figures()

    # Households across groups (a household may hold people of several groups).
    hh_certified, hh_all = db.session.execute(select(
        func.count(distinct(case((and_(t.c.n > 0, t.c.household != ""), t.c.household)))),
        func.count(distinct(case((t.c.household != "", t.c.household)))))).one()

    targets = load_targets(year, place_id)
    for key, figures in by_group.items():
        if key is not None:
            figures.target = place_target(targets, place_id, key)
    total = Figures(
        registered=sum(f.registered for f in by_group.values()),
        active=sum(f.active for f in by_group.values()),
        certified=sum(f.certified for f in by_group.values()),
        completions=sum(f.completions for f in by_group.values()),
        households=hh_certified,
        target=place_target(targets, place_id, target_group),
    )
    if None in by_group and by_group[None].registered == 0:
        del by_group[None]

    mentors_total, mentors_at_goal, mentors = _mentors(place_id, target_group)
    return Dashboard(
        place_id=place_id, place_path=place_path, target_group=target_group, year=year, today=today,
        active_since=since, total=total, by_group=by_group, households_with_code=hh_all,
        mentors_total=mentors_total, mentors_at_goal=mentors_at_goal, mentors=mentors,
        guidance=_guidance(place_id, year), ranking=_ranking(place_id, target_group, year, targets),
    )


def _mentors(place_id: int | None, target_group: str | None) -> tuple[int, int, list[MentorRow]]:
    """Digital ambassadors in the place (and group): how many, how many guide at least
    MENTEES_GOAL people who accepted, and those, most mentees first. Two queries."""
    accepted = (select(func.count(Mentorship.id))
                .where(Mentorship.mentor_id == User.id, Mentorship.accepted_at.is_not(None))
                .correlate(User).scalar_subquery())
    stmt = select(User.id.label("id"), User.full_name.label("full_name"), User.place_id.label("place_id"),
                  accepted.label("n")).where(User.is_mentor.is_(True))
    if place_id is not None:
        stmt = stmt.where(User.place_id.in_(place_ids_under(place_id)))
    if target_group:
        stmt = stmt.where(User.target_group == TargetGroup(target_group))
    mentors = stmt.subquery("mentor")
    total, at_goal = db.session.execute(select(func.count(), func.count(case((mentors.c.n >= MENTEES_GOAL, 1))))).one()
    village, commune = aliased(Place), aliased(Place)
    rows = db.session.execute(
        select(mentors.c.id, mentors.c.full_name, village.name, commune.name, mentors.c.n)
        .select_from(mentors)
        .outerjoin(village, village.id == mentors.c.place_id).outerjoin(commune, commune.id == village.parent_id)
        .where(mentors.c.n >= MENTEES_GOAL)
        .order_by(mentors.c.n.desc(), mentors.c.full_name, mentors.c.id).limit(MENTORS_LISTED))
    listed = [MentorRow(uid, name, ", ".join(p for p in (v, c) if p), count) for uid, name, v, c, count in rows]
    return total, at_goal, listed


def _guidance(place_id: int | None, year: int) -> list[GuidanceRow]:
    """Guidance sessions held in ``year`` per village: how many and how many people helped."""
    commune = aliased(Place)
    stmt = (select(Place.id, Place.name, commune.name, func.count(GuidanceSession.id),
                   func.coalesce(func.sum(GuidanceSession.people_helped), 0))
            .select_from(GuidanceSession).join(Place, Place.id == GuidanceSession.place_id)
            .outerjoin(commune, commune.id == Place.parent_id)
            .where(GuidanceSession.held_on >= date(year, 1, 1), GuidanceSession.held_on <= date(year, 12, 31)))
    if place_id is not None:
        stmt = stmt.where(GuidanceSession.place_id.in_(place_ids_under(place_id)))
    stmt = stmt.group_by(Place.id, Place.name, commune.name).order_by(func.count(GuidanceSession.id).desc(), Place.name)
    return [GuidanceRow(pid, name, commune_name or "", sessions, int(people))
            for pid, name, commune_name, sessions, people in db.session.execute(stmt)]


def _ranking(place_id: int | None, target_group: str | None, year: int,
             targets: Sequence[TargetRow] | None = None) -> list[VillageRank]:
    """Villages ("Thôn số tiêu biểu") by certified share: certified ÷ the village's population
    for the year, as :func:`place_target` finds it (the group's target when a group is chosen;
    otherwise the village's all-groups target, or else the sum of its groups' targets), or else
    certified ÷ registered. Villages with a population come first.

    One query for the villages and their counts, plus the year's targets unless ``targets``
    (from :func:`load_targets` for the same place and year) is given: never one per village."""
    if targets is None:
        targets = load_targets(year, place_id)
    by_place = targets_by_place(targets)
    t = learner_table(place_id, target_group)
    per_village = (select(t.c.place_id, func.count().label("registered"),
                          func.count(case((t.c.n > 0, 1))).label("certified"))
                   .group_by(t.c.place_id).subquery("per_village"))
    commune = aliased(Place)
    has_target = (select(Target.id).where(Target.place_id == Place.id, Target.year == year,
                                          Target.target_group == target_group if target_group else true())
                  .exists())
    stmt = (select(Place.id, Place.name, commune.name, per_village.c.registered, per_village.c.certified)
            .select_from(Place)
            .outerjoin(commune, commune.id == Place.parent_id)
            .outerjoin(per_village, per_village.c.place_id == Place.id)
            .where(Place.kind == PlaceKind.VILLAGE, or_(per_village.c.registered > 0, has_target)))
    if place_id is not None:
        stmt = stmt.where(Place.id.in_(place_ids_under(place_id)))
    ranking = []
    for pid, name, commune_name, registered, certified in db.session.execute(stmt):
        registered, certified = registered or 0, certified or 0
        figure = place_target(by_place.get(pid, ()), pid, target_group)
        population = figure.population if figure else None
        if population:
            ranking.append(VillageRank(pid, name, commune_name or "", registered, certified, population,
                                       "population", _share(certified, population)))
        else:
            ranking.append(VillageRank(pid, name, commune_name or "", registered, certified, None,
                                       "registered", _share(certified, registered)))
    ranking.sort(key=lambda r: (r.basis != "population", -(r.share or 0), -r.certified, r.village, r.place_id))
    return ranking


# --- bars drawn on the server -----------------------------------------------------------

_svg_ids = itertools.count(1)

BAR_ROW = 60  # pixels per item: label line, bar, value line
BAR_HEIGHT = 16
INK, TRACK, FILL, EDGE = "#1b1b1b", "#e3e7ee", "#1b6e20", "#555555"


def format_number(value: Any) -> str:
    """A count or share as the reader writes numbers ("1.234" in Vietnamese, "1,234" in English)."""
    if value is None:
        return "–"
    locale = str(get_locale() or "vi")
    if isinstance(value, float) and not value.is_integer():
        return format_decimal(round(value, 1), format="#,##0.#", locale=locale)
    return format_decimal(value, format="#,##0", locale=locale)


def svg_bars(items: Sequence[tuple[Any, float | int | None, float | int | None]], *,
             title: str | None = None) -> Markup:
    """Horizontal bars as inline SVG, one per ``(label, value, max_value_or_target)``.

    Each item takes three lines: the label, the bar (a track for the target or maximum, filled
    up to the value) and the numbers written out ("12 / 40 · 30 %"), so that the chart reads
    without colour and without JavaScript. Without a maximum, bars are scaled to the largest
    value. Widths are percentages, so the chart fits any screen without shrinking its text.
    ``role="img"`` with a <title> and a <desc> holding every value for screen readers.
    """
    title = str(title if title is not None else _l("Chart"))
    number = next(_svg_ids)
    largest = max((float(v or 0) for _label, v, _max in items), default=0.0)
    height = max(len(items), 1) * BAR_ROW
    parts: list[str] = []
    described: list[str] = []
    for index, (label, value, maximum) in enumerate(items):
        value = value or 0
        scale = float(maximum) if maximum else largest
        fraction = min(max(float(value) / scale, 0.0), 1.0) if scale else 0.0
        if maximum:
            numbers = f"{format_number(value)} / {format_number(maximum)} · {format_number(value * 100 / maximum)} %"
        else:
            numbers = format_number(value)
        top = index * BAR_ROW
        text = escape(str(label))
        parts.append(
            f'<text x="0" y="{top + 14}" font-size="14" font-weight="bold" fill="{INK}">{text}</text>'
            f'<rect x="0.5" y="{top + 20}" width="99%" height="{BAR_HEIGHT}" fill="{TRACK}" stroke="{EDGE}"/>'
            f'<rect x="0.5" y="{top + 20}" width="{fraction * 99:.2f}%" height="{BAR_HEIGHT}" fill="{FILL}"/>'
            f'<text x="0" y="{top + 52}" font-size="14" fill="{INK}">{escape(numbers)}</text>')
        described.append(f"{label}: {numbers}")
    title_id, desc_id = f"bars-{number}-title", f"bars-{number}-desc"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" role="img" width="100%" height="{height}" '
        f'aria-labelledby="{title_id} {desc_id}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape("; ".join(described))}</desc>'
        + "".join(parts) + "</svg>")
