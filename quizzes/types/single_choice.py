"""One correct option among several.

Partial credit, optional (Moodle's answer weights): an option may carry ``weight``, the percentage
of the credit it earns when chosen, 0–100. The option marked ``correct: true`` always earns 100;
an option with neither earns 0; another option with ``weight: 100`` is also fully right. Without
any ``weight`` grading is exactly 1 for the correct option and 0 for the others. An option may
also keep ``feedback``, the text written for it (kept from Moodle imports).
"""
from __future__ import annotations

import math
from typing import Any, Mapping

from quizzes.base import (
    N_, AnswerError, BankProblem, Grade, QuestionType, choice_values, line_of, options_of, validate_options,
)
from quizzes.registry import register

OPTION_EXTRA_KEYS = ("weight", "feedback")


def is_weight(value: Any, low: float, high: float) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and low <= value <= high)


def option_credit(option: Mapping[str, Any]) -> float:
    """The percentage of the credit an option earns when chosen."""
    if "weight" in option:
        return float(option["weight"])
    return 100.0 if option.get("correct") is True else 0.0


def is_weighted(spec: Mapping[str, Any]) -> bool:
    return any(isinstance(o, Mapping) and "weight" in o for o in options_of(spec))


def validate_option_extras(spec: Mapping[str, Any], low: float, high: float) -> list[BankProblem]:
    """Problems of the optional ``weight`` and ``feedback`` of each option."""
    problems = []
    for n, option in enumerate(options_of(spec), 1):
        if not isinstance(option, Mapping):
            continue
        if "weight" in option and not is_weight(option["weight"], low, high):
            problems.append(BankProblem(line_of(option, "weight"),
                                        N_("question %(q)s: option %(n)s: 'weight' must be a number from %(low)s to "
                                           "%(high)s, the percentage of the credit the option earns"),
                                        {"n": n, "low": low, "high": high}))
        if "feedback" in option and not isinstance(option["feedback"], str):
            problems.append(BankProblem(line_of(option, "feedback"),
                                        N_("question %(q)s: option %(n)s: 'feedback' must be text"), {"n": n}))
    return problems


@register
class SingleChoice(QuestionType):
    type_id = "single_choice"
    has_options = True
    multiple = False

    def validate(self, spec):
        problems = validate_options(spec, min_correct=1, max_correct=None if self.multiple else 1)
        problems += validate_option_extras(spec, 0, 100)
        for n, option in enumerate(options_of(spec), 1):
            if isinstance(option, Mapping) and option.get("correct") is True and "weight" in option \
                    and option["weight"] != 100:
                problems.append(BankProblem(line_of(option, "weight"),
                                            N_("question %(q)s: option %(n)s is correct: true, which always earns "
                                               "100 %%; remove its 'weight', or remove 'correct' to give it part "
                                               "of the credit"), {"n": n}))
        return problems

    def shuffle(self, spec, rng, shuffle_options):
        order = [str(o["id"]) for o in options_of(spec)]
        if shuffle_options:
            rng.shuffle(order)
        return order

    def _by_id(self, spec):
        return {str(o["id"]): o for o in options_of(spec)}

    def present(self, spec, order):
        by_id = self._by_id(spec)
        return {"options": [{"id": oid, "text": str(by_id[oid]["text"])} for oid in order if oid in by_id],
                "multiple": self.multiple}

    def parse(self, spec, order, form, name):
        values = choice_values(form, name)
        known = set(order)
        for value in values:
            if value not in known:
                raise AnswerError(f"unknown option {value!r}")
        if not values:
            return None
        if not self.multiple:
            if len(values) > 1:
                raise AnswerError("only one option may be chosen")
            return values[0]
        return sorted(set(values))

    def grade(self, spec, answer):
        # Without weights this is 1 for the correct option and 0 for any other.
        option = self._by_id(spec).get(answer) if isinstance(answer, str) else None
        if option is None:
            return Grade(0.0)
        return Grade(max(0.0, min(1.0, option_credit(option) / 100)))

    def solution(self, spec, order):
        # Every fully right option (one, unless a weighted question accepts several).
        return {"correct": [str(o["id"]) for o in options_of(spec) if option_credit(o) >= 100]}

    def describe_answer(self, spec, answer):
        if answer is None:
            return []
        return [answer] if isinstance(answer, str) else list(answer)
