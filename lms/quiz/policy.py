"""The quiz's rules on attempts that need no clock of their own: a learner's attempt history,
the site's day, why a new attempt is refused, and when the review may show the answers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from flask_babel import gettext

from lms.i18n import format_datetime, site_timezone
from lms.models import QuizAttempt


def refusal_text(check: StartCheck) -> str:
    """Why a new attempt cannot start now, in the reader's language (with the time it can)."""
    when = format_datetime(check.wait_until, "HH:mm dd/MM/yyyy") if check.wait_until else ""
    return gettext(check.reason, **{"time": when, **(check.params or {})})


@dataclass(frozen=True)
class History:
    """A learner's attempts at one module's quiz, counted by the database (a few numbers,
    however many attempts there are). ``started_today``: attempts started since midnight in
    the site's time zone."""

    submitted: int = 0
    started_today: int = 0
    last_submitted_at: datetime | None = None
    passed: bool = False
    last_number: int = 0
    open_attempt_id: int | None = None


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Midnight today and midnight tomorrow in the site's time zone (in UTC), around ``now``."""
    zone = site_timezone()
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), zone)
    end = datetime.combine(today + timedelta(days=1), time(0), zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


@dataclass
class StartCheck:
    """Whether a new attempt may start; if not, ``reason`` (a message to translate with
    ``params``) and, when waiting ends at a known moment, ``wait_until`` (shown as %(time)s)."""

    allowed: bool
    reason: str | None = None
    params: dict | None = None
    wait_until: datetime | None = None


def may_show_answers(attempt: QuizAttempt, history: History) -> bool:
    """Whether the review may show the right answers and explanations, by the rule the attempt
    was taken under: after every attempt; once the learner has passed; once they have passed or
    used the last allowed attempt (with no limit in all, only a pass); or never."""
    if attempt.status != "submitted":
        return False
    rule = attempt.show_answers
    if rule == "after_attempt":
        return True
    if rule == "after_pass":
        return history.passed
    if rule == "after_last_attempt":
        return history.passed or bool(attempt.max_attempts) and history.submitted >= attempt.max_attempts
    return False
