"""Several correct options, with partial credit.

Score = (correct options ticked − wrong options ticked) ÷ number of correct options, never below 0.
Ticking every option therefore scores 0 as soon as there are as many wrong options as correct ones.

Weighted, optional (Moodle's multiple-answer questions): when any option has a ``weight``, each
option earns its weight (percent, −100 to 100; none = 0) when ticked, and the score is the sum of
the ticked options' weights, kept between 0 and 100 %. The correct options are exactly those with a
positive weight, and their weights add up to 100. Wrong options usually carry negative weights so
that ticking everything does not pay.
"""
from __future__ import annotations

from typing import Mapping

from quizzes.base import N_, BankProblem, Grade, line_of, options_of, validate_options
from quizzes.registry import register
from quizzes.types.single_choice import SingleChoice, is_weighted, option_credit, validate_option_extras


def _percent(value: float):
    value = round(value, 2)
    return int(value) if value.is_integer() else value


@register
class MultipleChoice(SingleChoice):
    type_id = "multiple_choice"
    multiple = True

    def validate(self, spec):
        if is_weighted(spec):
            return self._validate_weighted(spec)
        problems = super().validate(spec)
        if problems:
            return problems
        right = sum(1 for o in options_of(spec) if o.get("correct") is True)
        wrong = len(options_of(spec)) - right
        if wrong < right:
            problems.append(BankProblem(
                line_of(spec, "options"),
                N_("question %(q)s: %(right)s right options but only %(wrong)s wrong ones; ticking every option "
                   "would earn credit. Add wrong options until there are at least as many as right ones"),
                {"right": right, "wrong": wrong}, is_error=False))
        return problems

    def _validate_weighted(self, spec):
        problems = validate_options(spec, min_correct=1) + validate_option_extras(spec, -100, 100)
        if problems:
            return problems
        options = options_of(spec)
        for n, option in enumerate(options, 1):
            if (option.get("correct") is True) != (option_credit(option) > 0):
                problems.append(BankProblem(line_of(option), N_(
                    "question %(q)s: option %(n)s: with weights, the correct options are exactly those with a "
                    "positive 'weight' (correct: true and weight above 0, or neither)"), {"n": n}))
        total = sum(option_credit(o) for o in options if option_credit(o) > 0)
        if not problems and abs(total - 100) >= 0.5:
            problems.append(BankProblem(line_of(spec, "options"), N_(
                "question %(q)s: the weights of the correct options add up to %(total)s %%; they must add up to 100"),
                {"total": _percent(total)}))
        everything = max(0.0, min(100.0, sum(option_credit(o) for o in options)))
        if not problems and everything > 0:
            problems.append(BankProblem(line_of(spec, "options"), N_(
                "question %(q)s: ticking every option earns %(percent)s %%; give the wrong options negative weights"),
                {"percent": _percent(everything)}, is_error=False))
        return problems

    def grade(self, spec, answer):
        chosen = set(answer or [])
        if is_weighted(spec):
            # Moodle's multiple-answer grading: the sum of the ticked weights, within 0–100 %.
            total = sum(option_credit(o) for o in options_of(spec) if isinstance(o, Mapping) and str(o["id"]) in chosen)
            return Grade(max(0.0, min(1.0, total / 100)))
        correct = {str(o["id"]) for o in options_of(spec) if o.get("correct") is True}
        if not correct:
            return Grade(0.0)
        score = (len(chosen & correct) - len(chosen - correct)) / len(correct)
        return Grade(max(0.0, min(1.0, score)))

    def solution(self, spec, order):
        return {"correct": [str(o["id"]) for o in options_of(spec) if o.get("correct") is True]}
