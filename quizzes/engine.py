"""Drawing an attempt and grading it. Plain data in, dataclasses out.

A question whose type is not installed (or whose plugin fails) is *not available*: it is never
drawn, and in an attempt that already holds it, it is shown as not available and left out of the
score. One broken plugin never takes an attempt down.
"""
from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from quizzes.bank import Bank, QuizSettings
from quizzes.base import BLANK, COMPLETE, AnswerError, QuestionType
from quizzes.registry import get_type

log = logging.getLogger(__name__)


@dataclass
class DrawnQuestion:
    """One question as asked in one attempt: a copy of the question and its option order."""

    id: str
    spec: dict
    order: list[str]


@dataclass
class QuestionResult:
    id: str
    score: float
    answer: Any
    #: False when the question's type is missing or failed: it counts neither way.
    available: bool = True

    @property
    def correct(self) -> bool:
        return self.score >= 0.999999


@dataclass
class AttemptResult:
    results: list[QuestionResult] = field(default_factory=list)
    pass_percent: int = 70

    @property
    def counted(self) -> list[QuestionResult]:
        """The results that make the score: questions not available are left out."""
        return [r for r in self.results if r.available]

    @property
    def percent(self) -> float:
        counted = self.counted
        if not counted:
            return 0.0
        return round(100.0 * sum(r.score for r in counted) / len(counted), 2)

    @property
    def passed(self) -> bool:
        return bool(self.counted) and self.percent >= self.pass_percent


# --- question types, failing alone ------------------------------------------------------------

def question_type(spec: Mapping[str, Any]) -> QuestionType | None:
    """The question's type plugin, or None when it is not installed."""
    type_id = spec.get("type")
    return get_type(type_id) if isinstance(type_id, str) else None


def present(question: DrawnQuestion) -> dict | None:
    """What the learner sees of a question (see ``QuestionType.present``), or None when the
    question is not available: its type is missing or fails."""
    qtype = question_type(question.spec)
    if qtype is None:
        log.warning("question %s: type %r is not installed; shown as not available",
                    question.id, question.spec.get("type"))
        return None
    try:
        return qtype.present(question.spec, question.order)
    except Exception:  # a broken plugin fails alone
        log.exception("question %s: type %r failed to present it; shown as not available",
                      question.id, question.spec.get("type"))
        return None


def available(question: DrawnQuestion) -> bool:
    """Whether the question can be shown and graded in this attempt."""
    return present(question) is not None


def describe_answer(question: DrawnQuestion, answer: Any) -> list[str]:
    """Option ids (or values) an answer chose, for statistics; [] when the type fails."""
    qtype = question_type(question.spec)
    try:
        return list(qtype.describe_answer(question.spec, answer)) if qtype is not None else []
    except Exception:
        log.exception("question %s: type %r failed to describe an answer", question.id, question.spec.get("type"))
        return []


# --- drawing ---------------------------------------------------------------------------------

#: The age of a question never shown to the learner (see :func:`recency`).
UNSEEN = math.inf


def recency(previous: Iterable[Iterable[str]]) -> dict[str, int]:
    """Question id → how many attempts ago the learner was last shown it (0: in their latest
    attempt), from the question ids of their past attempts, newest first."""
    ages: dict[str, int] = {}
    for age, question_ids in enumerate(previous):
        for question_id in question_ids:
            ages.setdefault(question_id, age)
    return ages


def draw_size(bank: Bank) -> int:
    """How many questions an attempt of this bank holds (its available questions, at most)."""
    usable = sum(1 for spec in bank.questions if question_type(spec) is not None)
    return min(bank.settings.draw or usable, usable)


def draw(bank: Bank, rng: random.Random | None = None, seen: Mapping[str, int] | None = None) -> list[DrawnQuestion]:
    """Choose and order the questions of a new attempt, and the order of each one's options.

    ``seen`` (from :func:`recency`) makes a retry ask other questions: those the learner has not
    been shown come first, then those seen longest ago; questions of equal age are chosen at
    random. With a bank twice the draw, two attempts in a row share no question."""
    rng = rng or random.SystemRandom()
    settings: QuizSettings = bank.settings
    seen = seen or {}
    questions = [spec for spec in bank.questions if question_type(spec) is not None]
    count = draw_size(bank)
    if count < len(questions):
        # Oldest first (unseen: infinitely old), then at random among equals.
        ranked = sorted(questions, key=lambda spec: (-seen.get(spec["id"], UNSEEN), rng.random()))
    else:
        ranked = list(questions)
    drawn: list[DrawnQuestion] = []
    for spec in ranked:
        if len(drawn) == count:
            break
        try:
            order = question_type(spec).shuffle(spec, rng, settings.shuffle_options)
        except Exception:  # this question is skipped, another one takes its place
            log.exception("question %s: type %r failed to shuffle it; not drawn", spec.get("id"), spec.get("type"))
            continue
        drawn.append(DrawnQuestion(spec["id"], spec, list(order)))
    if settings.shuffle_questions:
        drawn = rng.sample(drawn, len(drawn))
    else:
        index = {spec["id"]: i for i, spec in enumerate(bank.questions)}
        drawn.sort(key=lambda q: index[q.id])
    return drawn


# --- answering and grading -------------------------------------------------------------------

def field_name(index: int) -> str:
    """Form field name of the question at ``index`` in an attempt (q0, q1, …), as the engine
    reads forms. (The site sends opaque names to the browser and translates them back.)"""
    return f"q{index}"


def parse_answers(drawn: Sequence[DrawnQuestion], form: Mapping[str, Sequence[str]],
                  ignore: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Answers by question id from a submitted form. Raises AnswerError for anything that does
    not belong to the attempt (unknown fields, unknown options) — nothing is partly accepted.
    Questions not available get no answer (fields sent for them are ignored)."""
    names = {field_name(i) for i in range(len(drawn))}
    for key in form:
        if key in ignore:
            continue
        base = key.split("-", 1)[0]
        if base not in names:
            raise AnswerError(f"field {key!r} is not a question of this attempt")
    answers: dict[str, Any] = {}
    for index, question in enumerate(drawn):
        if not available(question):
            continue
        try:
            answers[question.id] = question_type(question.spec).parse(question.spec, question.order, form,
                                                                       field_name(index))
        except AnswerError:
            raise
        except Exception:
            log.exception("question %s: type %r failed to read an answer; left out",
                          question.id, question.spec.get("type"))
    return answers


def grade(drawn: Sequence[DrawnQuestion], answers: Mapping[str, Any], pass_percent: int) -> AttemptResult:
    """Grade every drawn question; unanswered questions score 0. A question not available (or
    whose type fails to grade) is left out of the score: neither right nor counted."""
    result = AttemptResult(pass_percent=pass_percent)
    for question in drawn:
        answer = answers.get(question.id)
        score: float | None = None
        if available(question):
            try:
                score = float(question_type(question.spec).grade(question.spec, answer).score)
            except Exception:
                log.exception("question %s: type %r failed to grade; left out of the score",
                              question.id, question.spec.get("type"))
        if score is None:
            result.results.append(QuestionResult(question.id, 0.0, None, available=False))
        else:
            result.results.append(QuestionResult(question.id, score, answer))
    return result


@dataclass(frozen=True)
class OpenQuestion:
    """A question of an attempt left without a full answer: ``index`` in the attempt (0-based,
    as in :func:`field_name`), and whether it is blank or only partly answered."""

    index: int
    id: str
    blank: bool


def open_questions(drawn: Sequence[DrawnQuestion], answers: Mapping[str, Any]) -> list[OpenQuestion]:
    """The questions an answer set leaves blank or partly answered, in attempt order (questions
    not available are not listed: there is nothing to answer)."""
    found = []
    for index, question in enumerate(drawn):
        if not available(question):
            continue
        try:
            state = question_type(question.spec).completeness(question.spec, answers.get(question.id))
        except Exception:
            log.exception("question %s: type %r failed to check an answer", question.id, question.spec.get("type"))
            continue
        if state != COMPLETE:
            found.append(OpenQuestion(index, question.id, state == BLANK))
    return found
