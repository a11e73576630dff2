"""The targets of a year: how many people a place should certify, and how that is found.

A target comes from :class:`~lms.models.Target` rows of the year: the place's own row, or else
the sum over the highest places under it that have one (a commune's row is not added to its
villages' rows). For all groups together: the row without a group, or else the sum of the
groups' targets. Progress toward the target = certified ÷ (population × target % / 100).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.models import Place, Target
from lms.reports.scope import GROUPS, place_ids_under

# How a target was found, for the page to say it.
TARGET_SOURCES = {
    "place": _l("the place's own target"),
    "places": _l("sum of the targets of the places under it"),
    "groups": _l("sum of the target groups' targets"),
}


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
