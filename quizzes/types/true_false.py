"""A statement that is true or false.

Optional ``feedback`` (kept from Moodle imports): ``{true: "…", false: "…"}``, the text written
for each answer.
"""
from __future__ import annotations

from typing import Mapping

from quizzes.base import AnswerError, BankProblem, Grade, N_, QuestionType, choice_values, line_of
from quizzes.registry import register

VALUES = ("true", "false")


@register
class TrueFalse(QuestionType):
    type_id = "true_false"

    def validate(self, spec):
        problems = []
        if spec.get("answer") not in (True, False):
            problems.append(BankProblem(line_of(spec, "answer") if "answer" in spec else line_of(spec),
                                        N_("question %(q)s: 'answer' must be true or false")))
        feedback = spec.get("feedback", {})
        if not isinstance(feedback, Mapping) or any(
                key not in (True, False, "true", "false") or not isinstance(text, str) for key, text in feedback.items()):
            problems.append(BankProblem(line_of(spec, "feedback"),
                                        N_("question %(q)s: 'feedback' must map true and false to a text each")))
        return problems

    def present(self, spec, order):
        return {"options": [{"id": "true", "text": None}, {"id": "false", "text": None}]}

    def parse(self, spec, order, form, name):
        values = choice_values(form, name)
        if not values:
            return None
        if len(values) > 1 or values[0] not in VALUES:
            raise AnswerError("answer must be true or false")
        return values[0] == "true"

    def grade(self, spec, answer):
        return Grade(1.0 if answer is not None and answer == spec.get("answer") else 0.0)

    def solution(self, spec, order):
        return {"correct": ["true" if spec.get("answer") else "false"]}

    def describe_answer(self, spec, answer):
        return [] if answer is None else ["true" if answer else "false"]
