"""Drawing an attempt and grading it. Plain data in, dataclasses out."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from quizzes.bank import Bank, QuizSettings
from quizzes.base import BLANK, COMPLETE, AnswerError
from quizzes.registry import get_type


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

    @property
    def correct(self) -> bool:
        return self.score >= 0.999999


@dataclass
class AttemptResult:
    results: list[QuestionResult] = field(default_factory=list)
    pass_percent: int = 70

    @property
    def percent(self) -> float:
        if not self.results:
            return 0.0
        return round(100.0 * sum(r.score for r in self.results) / len(self.results), 2)

    @property
    def passed(self) -> bool:
        return self.percent >= self.pass_percent


def draw(bank: Bank, rng: random.Random | None = None) -> list[DrawnQuestion]:
    """Choose and order the questions of a new attempt, and the order of each one's options."""
    rng = rng or random.SystemRandom()
    settings: QuizSettings = bank.settings
    questions = list(bank.questions)
    count = min(settings.draw or len(questions), len(questions))
    chosen = rng.sample(questions, count) if count < len(questions) else questions
    if settings.shuffle_questions:
        chosen = rng.sample(chosen, len(chosen))
    elif count < len(questions):
        index = {q["id"]: i for i, q in enumerate(questions)}
        chosen = sorted(chosen, key=lambda q: index[q["id"]])
    drawn = []
    for spec in chosen:
        qtype = get_type(spec["type"])
        drawn.append(DrawnQuestion(spec["id"], spec, qtype.shuffle(spec, rng, settings.shuffle_options)))
    return drawn


def field_name(index: int) -> str:
    """Form field name of the question at ``index`` in an attempt (q0, q1, …)."""
    return f"q{index}"


def parse_answers(drawn: Sequence[DrawnQuestion], form: Mapping[str, Sequence[str]],
                  ignore: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Answers by question id from a submitted form. Raises AnswerError for anything that does
    not belong to the attempt (unknown fields, unknown options) — nothing is partly accepted."""
    names = {field_name(i) for i in range(len(drawn))}
    for key in form:
        if key in ignore:
            continue
        base = key.split("-", 1)[0]
        if base not in names:
            raise AnswerError(f"field {key!r} is not a question of this attempt")
    answers: dict[str, Any] = {}
    for index, question in enumerate(drawn):
        qtype = get_type(question.spec["type"])
        answers[question.id] = qtype.parse(question.spec, question.order, form, field_name(index))
    return answers


def grade(drawn: Sequence[DrawnQuestion], answers: Mapping[str, Any], pass_percent: int) -> AttemptResult:
    """Grade every drawn question; unanswered questions score 0."""
    result = AttemptResult(pass_percent=pass_percent)
    for question in drawn:
        qtype = get_type(question.spec["type"])
        answer = answers.get(question.id)
        result.results.append(QuestionResult(question.id, qtype.grade(question.spec, answer).score, answer))
    return result


@dataclass(frozen=True)
class OpenQuestion:
    """A question of an attempt left without a full answer: ``index`` in the attempt (0-based,
    as in :func:`field_name`), and whether it is blank or only partly answered."""

    index: int
    id: str
    blank: bool


def open_questions(drawn: Sequence[DrawnQuestion], answers: Mapping[str, Any]) -> list[OpenQuestion]:
    """The questions an answer set leaves blank or partly answered, in attempt order."""
    found = []
    for index, question in enumerate(drawn):
        qtype = get_type(question.spec["type"])
        state = qtype.completeness(question.spec, answers.get(question.id))
        if state != COMPLETE:
            found.append(OpenQuestion(index, question.id, state == BLANK))
    return found
