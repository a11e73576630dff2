"""A number, accepted within a tolerance: |given − answer| ≤ tolerance (bounds included).

Learners may write a decimal comma (3,5) or thousands separators with dots or spaces (10.000.000).

Several answers, optional (Moodle's numerical questions): instead of ``answer`` and ``tolerance``,
``answers`` lists ``{answer, tolerance, weight, feedback}``; ``weight`` is the percentage of the
credit (0–100, default 100) and ``answer: "*"`` matches any response (Moodle's catch-all, usually
weight 0 with feedback). They are tried in the order written and the first that matches gives the
score, as in Moodle; at least one must earn 100 %.
"""
from __future__ import annotations

import math
import re
from typing import Mapping

from quizzes.base import AnswerError, BankProblem, Grade, N_, QuestionType, line_of
from quizzes.registry import register

ANSWER_KEYS = {"answer", "tolerance", "weight", "feedback"}
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


def _within(given, target) -> bool:
    """Whether a parsed answer lies within ``target``'s answer ± tolerance (bounds included)."""
    if not _is_number(given) or not _is_number(target.get("answer")):
        return False
    expected, tolerance = float(target["answer"]), float(target.get("tolerance", 0))
    # A hair of slack for binary floating point (0.1 + 0.2 style) at the bounds.
    return abs(given - expected) <= tolerance + 1e-9 * max(1.0, abs(expected))


@register
class Numeric(QuestionType):
    type_id = "numeric"

    def validate(self, spec):
        if "answers" in spec:
            return self._validate_answers(spec)
        problems = []
        if not _is_number(spec.get("answer")):
            problems.append(BankProblem(line_of(spec, "answer") if "answer" in spec else line_of(spec),
                                        N_("question %(q)s: 'answer' must be a number")))
        tolerance = spec.get("tolerance", 0)
        if not _is_number(tolerance) or tolerance < 0:
            problems.append(BankProblem(line_of(spec, "tolerance"), N_("question %(q)s: 'tolerance' must be a number of 0 or more")))
        return problems

    def _validate_answers(self, spec):
        answers = spec.get("answers")
        line = line_of(spec, "answers")
        if "answer" in spec or "tolerance" in spec:
            return [BankProblem(line, N_("question %(q)s: write either 'answer' (with 'tolerance') or 'answers', "
                                         "not both"))]
        if not isinstance(answers, list) or not answers or not all(isinstance(a, Mapping) for a in answers):
            return [BankProblem(line, N_("question %(q)s: 'answers' must list mappings such as "
                                         "{answer: 1822, tolerance: 2, weight: 50}"))]
        problems = []
        for n, item in enumerate(answers, 1):
            where = line_of(item) or line
            if not (_is_number(item.get("answer")) or item.get("answer") == "*"):
                problems.append(BankProblem(where, N_("question %(q)s: answer %(n)s: 'answer' must be a number "
                                                      "(or \"*\" for any other response)"), {"n": n}))
            tolerance = item.get("tolerance", 0)
            if not _is_number(tolerance) or tolerance < 0:
                problems.append(BankProblem(where, N_("question %(q)s: answer %(n)s: 'tolerance' must be a number "
                                                      "of 0 or more"), {"n": n}))
            weight = item.get("weight", 100)
            if not _is_number(weight) or not 0 <= weight <= 100:
                problems.append(BankProblem(where, N_("question %(q)s: answer %(n)s: 'weight' must be a number from 0 "
                                                      "to 100, the percentage of the credit it earns"), {"n": n}))
            if "feedback" in item and not isinstance(item["feedback"], str):
                problems.append(BankProblem(where, N_("question %(q)s: answer %(n)s: 'feedback' must be text"), {"n": n}))
            for key in item:
                if key not in ANSWER_KEYS:
                    problems.append(BankProblem(where, N_("question %(q)s: answer %(n)s: unknown key '%(key)s' "
                                                          "(known keys: answer, feedback, tolerance, weight)"),
                                                {"n": n, "key": key}))
        if not problems and not any(_is_number(a["answer"]) and a.get("weight", 100) >= 100 for a in answers):
            problems.append(BankProblem(line, N_("question %(q)s: no answer earns 100 %%; give one number "
                                                 "weight 100")))
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
        if "answers" in spec:
            for item in spec["answers"]:  # the first that matches decides, as in Moodle
                if item["answer"] == "*" and answer is not None or _within(answer, item):
                    return Grade(max(0.0, min(1.0, float(item.get("weight", 100)) / 100)))
            return Grade(0.0)
        return Grade(1.0 if _within(answer, spec) else 0.0)

    def solution(self, spec, order):
        if "answers" in spec:
            best = next((a for a in spec["answers"] if _is_number(a["answer"]) and a.get("weight", 100) >= 100), {})
            return {"answer": best.get("answer"), "tolerance": best.get("tolerance", 0), "unit": spec.get("unit")}
        return {"answer": spec.get("answer"), "tolerance": spec.get("tolerance", 0), "unit": spec.get("unit")}

    def describe_answer(self, spec, answer):
        return [] if answer is None else [str(answer)]
