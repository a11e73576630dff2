"""Question banks: settings and questions of one module's quiz, checked."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from quizzes.base import BankProblem, N_, line_of
from quizzes.registry import get_type

QUESTION_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$|^[a-z0-9]$")
SHOW_ANSWERS = ("after_attempt", "after_pass", "after_last_attempt", "never")
COMMON_KEYS = {"id", "type", "prompt", "explanation", "image", "image_alt"}
TYPE_KEYS = {
    "single_choice": {"options"}, "multiple_choice": {"options"}, "true_false": {"answer", "feedback"},
    "short_text": {"answers", "ignore_case", "ignore_diacritics"}, "numeric": {"answer", "tolerance", "unit", "answers"},
    "ordering": {"items"}, "matching": {"pairs"},
}


@dataclass(frozen=True)
class QuizSettings:
    """A quiz's policy. The defaults are what a fair examiner would sign: a pass needs 70 %, at
    most three attempts a day, and the right answers are shown once the learner has passed (or
    has used their last attempt), so that trying again and again cannot stand in for learning.
    A course sets its own defaults (``quiz_defaults`` in course.yaml); a bank's ``settings``
    override them for one module."""

    draw: int | None = None              # None: every question
    shuffle_questions: bool = True
    shuffle_options: bool = True
    pass_percent: int = 70
    max_attempts: int = 0                # 0: no limit in all
    attempts_per_day: int = 3            # 0: no daily limit
    wait_minutes: int = 0                # between two attempts
    time_limit_minutes: int = 0          # 0: no limit
    show_answers: str = "after_pass"

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Bank:
    settings: QuizSettings
    questions: list[dict] = field(default_factory=list)  # plain dicts, as written

    def by_id(self) -> dict[str, dict]:
        return {q["id"]: q for q in self.questions}


def plain(value: Any) -> Any:
    """Line-keeping YAML containers → plain dicts and lists (for storage as JSON)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


SETTING_KEYS = frozenset({"draw", "shuffle_questions", "shuffle_options", "pass_percent", "max_attempts",
                          "attempts_per_day", "wait_minutes", "time_limit_minutes", "show_answers"})


def _bool(settings: Mapping, key: str, default: bool, problems: list) -> bool:
    value = settings.get(key, default)
    if value not in (True, False):
        problems.append(BankProblem(line_of(settings, key), N_("settings: '%(key)s' must be true or false"), {"key": key}))
        return default
    return value


def _int(settings: Mapping, key: str, default: int, low: int, high: int, problems: list) -> int:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(BankProblem(line_of(settings, key), N_("settings: '%(key)s' must be a whole number from %(low)s to %(high)s"),
                                    {"key": key, "low": low, "high": high}))
        return default
    return value


def read_settings(data: Mapping, problems: list, inherited: QuizSettings | None = None) -> QuizSettings:
    """The bank's ``settings``; keys it leaves out come from ``inherited`` (the course's
    defaults), else from ``QuizSettings``' own defaults."""
    base = inherited or QuizSettings()
    settings = data.get("settings", {})
    if settings is None:
        settings = {}
    if not isinstance(settings, Mapping):
        problems.append(BankProblem(line_of(data, "settings"), N_("'settings' must be a mapping of keys and values")))
        return base
    for key in settings:
        if key not in SETTING_KEYS:
            problems.append(BankProblem(line_of(settings, key), N_("settings: unknown key '%(key)s' (known keys: %(known)s)"),
                                        {"key": key, "known": ", ".join(sorted(SETTING_KEYS))}))
    draw = settings.get("draw", base.draw)
    if draw is not None:
        draw = _int(settings, "draw", 1, 1, 500, problems) if "draw" in settings else draw
    show = settings.get("show_answers", base.show_answers)
    if show not in SHOW_ANSWERS:
        problems.append(BankProblem(line_of(settings, "show_answers"), N_("settings: 'show_answers' must be one of %(values)s"),
                                    {"values": ", ".join(SHOW_ANSWERS)}))
        show = base.show_answers
    return QuizSettings(
        draw=draw,
        shuffle_questions=_bool(settings, "shuffle_questions", base.shuffle_questions, problems),
        shuffle_options=_bool(settings, "shuffle_options", base.shuffle_options, problems),
        pass_percent=_int(settings, "pass_percent", base.pass_percent, 1, 100, problems),
        max_attempts=_int(settings, "max_attempts", base.max_attempts, 0, 100, problems),
        attempts_per_day=_int(settings, "attempts_per_day", base.attempts_per_day, 0, 100, problems),
        wait_minutes=_int(settings, "wait_minutes", base.wait_minutes, 0, 10080, problems),
        time_limit_minutes=_int(settings, "time_limit_minutes", base.time_limit_minutes, 0, 600, problems),
        show_answers=show,
    )


def check_bank(data: Any, *, image_exists=None, inherited: QuizSettings | None = None
               ) -> tuple[Bank | None, list[BankProblem]]:
    """Check a bank read from YAML. ``image_exists(path) -> (message, params) | None`` checks an
    image path (a message template and its parameters, or None when the picture is fine).
    ``inherited``: the course's quiz defaults, which the bank's own settings override."""
    problems: list[BankProblem] = []
    if not isinstance(data, Mapping):
        return None, [BankProblem(1, N_("a question bank must be a mapping with 'settings' and 'questions'"))]
    for key in data:
        if key not in ("settings", "questions"):
            problems.append(BankProblem(line_of(data, key), N_("unknown key '%(key)s' (known keys: questions, settings)"), {"key": key}))
    settings = read_settings(data, problems, inherited)
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        problems.append(BankProblem(line_of(data, "questions") if "questions" in data else line_of(data),
                                    N_("'questions' must list at least one question")))
        raw = []
    questions: list[dict] = []
    seen: set[str] = set()
    for n, spec in enumerate(raw, 1):
        where = {"n": n}
        if not isinstance(spec, Mapping):
            problems.append(BankProblem(line_of(data, "questions"), N_("question %(n)s must be a mapping"), where))
            continue
        before = sum(p.is_error for p in problems)
        qid = str(spec.get("id", ""))
        if not QUESTION_ID_RE.match(qid):
            problems.append(BankProblem(line_of(spec, "id") if "id" in spec else line_of(spec),
                                        N_("question %(n)s: 'id' must be lowercase letters a-z, digits and hyphens, e.g. q-otp-1"), where))
        elif qid in seen:
            problems.append(BankProblem(line_of(spec, "id"), N_("question %(n)s: the id '%(id)s' is used by another question"),
                                        {"n": n, "id": qid}))
        seen.add(qid)
        type_id = spec.get("type")
        qtype = get_type(type_id) if isinstance(type_id, str) else None
        if qtype is None:
            problems.append(BankProblem(line_of(spec, "type") if "type" in spec else line_of(spec),
                                        N_("question %(n)s: unknown type '%(type)s'; use one of %(types)s"),
                                        {"n": n, "type": type_id, "types": ", ".join(sorted(TYPE_KEYS))}))
            continue
        if not isinstance(spec.get("prompt"), str) or not spec.get("prompt", "").strip():
            problems.append(BankProblem(line_of(spec), N_("question %(n)s: 'prompt' (the question text) is missing"), where))
        if "explanation" in spec and not isinstance(spec["explanation"], str):
            problems.append(BankProblem(line_of(spec, "explanation"), N_("question %(n)s: 'explanation' must be text"), where))
        for key in spec:
            if key not in COMMON_KEYS | TYPE_KEYS.get(type_id, set()):
                problems.append(BankProblem(line_of(spec, key), N_("question %(n)s: unknown key '%(key)s' for type %(type)s"),
                                            {"n": n, "key": key, "type": type_id}))
        if "image" in spec:
            if not isinstance(spec.get("image_alt"), str) or not spec["image_alt"].strip():
                problems.append(BankProblem(line_of(spec, "image"), N_("question %(n)s: the image needs 'image_alt', a description of the picture"), where))
            if image_exists is not None:
                error = image_exists(str(spec["image"]))
                if error:
                    message, params = error
                    problems.append(BankProblem(line_of(spec, "image"), message, params))
        for problem in qtype.validate(spec):
            problems.append(BankProblem(problem.line or line_of(spec), problem.message, {**problem.params, "q": n},
                                        problem.is_error))
        if sum(p.is_error for p in problems) == before:
            questions.append(plain(spec))
    if settings.draw is not None and questions and settings.draw > len(raw):
        problems.append(BankProblem(line_of(data.get("settings", {}), "draw"),
                                    N_("settings: 'draw' is %(draw)s but the bank has only %(count)s questions"),
                                    {"draw": settings.draw, "count": len(raw)}))
    if any(p.is_error for p in problems):
        return None, problems
    return Bank(settings, questions), problems  # warnings only
