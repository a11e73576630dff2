"""What a report covers: a place and everything under it, and a target group.

The place tree has three levels (province → its communes → their villages); people sit in
villages, so a place filter takes the place and every place below it. No group means all
groups.
"""
from __future__ import annotations

from sqlalchemy import Select, or_, select

from lms.models import Place, Role, TargetGroup, User

GROUPS: tuple[str, ...] = tuple(g.value for g in TargetGroup)


def place_ids_under(place_id: int) -> Select:
    """A subquery of the place's id and the ids of every place below it (the tree has three
    levels: province → commune → village)."""
    children = select(Place.id).where(Place.parent_id == place_id)
    return select(Place.id).where(or_(Place.id == place_id, Place.parent_id == place_id,
                                      Place.parent_id.in_(children)))


def learners_in(stmt: Select, place_id: int | None, target_group: str | None) -> Select:
    """``stmt`` limited to learners (role learner) of the place (and everything under it) and
    the group; None for either means no limit."""
    stmt = stmt.where(User.role == Role.LEARNER)
    if place_id is not None:
        stmt = stmt.where(User.place_id.in_(place_ids_under(place_id)))
    if target_group:
        stmt = stmt.where(User.target_group == TargetGroup(target_group))
    return stmt
