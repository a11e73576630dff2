"""One correct option among several."""
from __future__ import annotations

from quizzes.base import AnswerError, Grade, QuestionType, choice_values, options_of, validate_options
from quizzes.registry import register


@register
class SingleChoice(QuestionType):
    type_id = "single_choice"
    has_options = True
    multiple = False

    def validate(self, spec):
        return validate_options(spec, min_correct=1, max_correct=None if self.multiple else 1)

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
        correct = {str(o["id"]) for o in options_of(spec) if o.get("correct") is True}
        return Grade(1.0 if answer in correct else 0.0)

    def solution(self, spec, order):
        return {"correct": [str(o["id"]) for o in options_of(spec) if o.get("correct") is True]}

    def describe_answer(self, spec, answer):
        if answer is None:
            return []
        return [answer] if isinstance(answer, str) else list(answer)
