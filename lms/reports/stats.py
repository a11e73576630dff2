"""The dashboard of the movement for administrators: how many learners registered, were
active, were certified, how close a place is to its target, "digital households", digital
ambassadors, guidance sessions and the ranking of villages.

The figures and what they mean are in :mod:`lms.reports.figures`, the place filter in
:mod:`lms.reports.scope`, the targets in :mod:`lms.reports.targets`, the ranking in
:mod:`lms.reports.ranking` and the bars drawn on the page in :mod:`lms.reports.charts`.
A fixed number of queries, whatever the number of learners.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.models import GuidanceSession, Mentorship, Place, TargetGroup, User
from lms.reports.charts import format_number, svg_bars  # noqa: F401  (the dashboard page asks for them here)
from lms.reports.figures import ACTIVE_DAYS, Figures, count_columns, learner_table
from lms.reports.ranking import VillageRank, rank_villages
from lms.reports.scope import GROUPS, place_ids_under
from lms.reports.targets import load_targets, place_target
from lms.teach.services import MENTEES_GOAL

MENTORS_LISTED = 50  # mentors at the goal shown on the dashboard, most mentees first


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
            select(t.c.target_group, *count_columns(t, since)).group_by(t.c.target_group)):
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
        guidance=_guidance(place_id, year), ranking=rank_villages(place_id, target_group, year, targets),
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

