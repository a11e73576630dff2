"""A number, accepted within a tolerance: |given − answer| ≤ tolerance (bounds included).

Learners may write a decimal comma (3,5) or thousands separators with dots or spaces (10.000.000).
"""
from __future__ import annotations

import math
import re

from quizzes.base import AnswerError, BankProblem, Grade, N_, QuestionType, line_of
from quizzes.registry import register

NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(?:[. ]\d{3})+(?:,\d+)?$")


def parse_number(text: str) -> float | None:
    text = text.strip().replace("\u00a0", " ")
    if not text:
        return None
    if GROUPED_RE.match(text):
        text = text.replace(".", "").replace(" ", "").replace(",", ".")
    elif NUMBER_RE.match(text):
        text = text.replace(",", ".")
    else:
        raise AnswerError("not a number")
    value = float(text)
    if not math.isfinite(value):
        raise AnswerError("not a number")
    return value


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@register
class Numeric(QuestionType):
    type_id = "numeric"

    def validate(self, spec):
        problems = []
        if not _is_number(spec.get("answer")):
            problems.append(BankProblem(line_of(spec, "answer") if "answer" in spec else line_of(spec),
                                        N_("question %(q)s: 'answer' must be a number")))
        tolerance = spec.get("tolerance", 0)
        if not _is_number(tolerance) or tolerance < 0:
            problems.append(BankProblem(line_of(spec, "tolerance"), N_("question %(q)s: 'tolerance' must be a number of 0 or more")))
        return problems

    def present(self, spec, order):
        return {"unit": spec.get("unit")}

    def parse(self, spec, order, form, name):
        values = form.get(name, [])
        if len(values) > 1:
            raise AnswerError("one number expected")
        if not values or len(values[0]) > 40:
            if values and len(values[0]) > 40:
                raise AnswerError("answer too long")
            return None
        try:
            return parse_number(values[0])
        except AnswerError:
            return values[0].strip()  # kept as written; graded as wrong

    def grade(self, spec, answer):
        if not _is_number(answer):
            return Grade(0.0)
        tolerance = float(spec.get("tolerance", 0))
        # A hair of slack for binary floating point (0.1 + 0.2 style) at the bounds.
        ok = abs(answer - float(spec["answer"])) <= tolerance + 1e-9 * max(1.0, abs(float(spec["answer"])))
        return Grade(1.0 if ok else 0.0)

    def solution(self, spec, order):
        return {"answer": spec.get("answer"), "tolerance": spec.get("tolerance", 0), "unit": spec.get("unit")}

    def describe_answer(self, spec, answer):
        return [] if answer is None else [str(answer)]
