"""Several correct options, with partial credit.

Score = (correct options ticked − wrong options ticked) ÷ number of correct options, never below 0.
Ticking every option therefore scores 0 as soon as there are as many wrong options as correct ones.
"""
from __future__ import annotations

from quizzes.base import N_, BankProblem, Grade, line_of, options_of
from quizzes.registry import register
from quizzes.types.single_choice import SingleChoice


@register
class MultipleChoice(SingleChoice):
    type_id = "multiple_choice"
    multiple = True

    def validate(self, spec):
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

    def grade(self, spec, answer):
        correct = {str(o["id"]) for o in options_of(spec) if o.get("correct") is True}
        chosen = set(answer or [])
        if not correct:
            return Grade(0.0)
        score = (len(chosen & correct) - len(chosen - correct)) / len(correct)
        return Grade(max(0.0, min(1.0, score)))
