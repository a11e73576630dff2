"""The ranking of villages ("Thôn số tiêu biểu"): which villages have certified the largest
share of their people.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select, true
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.models import Place, PlaceKind, Target
from lms.reports.figures import learner_table, percent_of
from lms.reports.scope import place_ids_under
from lms.reports.targets import TargetRow, load_targets, place_target, targets_by_place

RANK_BASES = {
    "population": _l("certified ÷ population"),
    "registered": _l("certified ÷ registered (no population figure for the year)"),
}


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


def rank_villages(place_id: int | None, target_group: str | None, year: int,
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
                                       "population", percent_of(certified, population)))
        else:
            ranking.append(VillageRank(pid, name, commune_name or "", registered, certified, None,
                                       "registered", percent_of(certified, registered)))
    ranking.sort(key=lambda r: (r.basis != "population", -(r.share or 0), -r.certified, r.village, r.place_id))
    return ranking
