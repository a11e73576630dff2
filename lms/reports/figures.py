"""The movement's counts and what each one means (shared by the dashboard and the downloads):

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

Which learners are counted is :mod:`lms.reports.scope`; targets are :mod:`lms.reports.targets`.
Every figure is computed by the database with grouped queries; no learner row is loaded into
Python, and the number of queries does not depend on the number of learners.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, distinct, func, select

from lms.models import Certificate, User
from lms.reports.scope import learners_in
from lms.reports.targets import TargetFigure

ACTIVE_DAYS = 30


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
    return learners_in(select(User.id.label("id"), User.place_id.label("place_id"),
                              User.target_group.label("target_group"), User.last_active_on.label("last_active_on"),
                              func.trim(User.household_code).label("household"), n.label("n")),
                       place_id, target_group).offset(0).subquery("learner")


def count_columns(t, since: date) -> list:
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


def percent_of(part: float, whole: float | None) -> float | None:
    """``part`` as a percentage of ``whole``; None without a whole."""
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
        return percent_of(self.certified, self.population)

    @property
    def target_reached_percent(self) -> float | None:
        """Progress toward the target: certified ÷ (population × target %), in percent."""
        return percent_of(self.certified, self.target_people)
