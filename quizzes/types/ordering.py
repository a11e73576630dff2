"""Put items in the right order. Items are written in the correct order and shown shuffled.

Partial credit: the share of item pairs placed in the right relative order (1 when all are right,
0 when the order is reversed). An incomplete or repeated ranking scores 0.
"""
from __future__ import annotations

from itertools import combinations

from quizzes.base import BLANK, COMPLETE, PARTIAL, AnswerError, BankProblem, Grade, N_, QuestionType, line_of
from quizzes.registry import register


def item_ids(spec) -> list[str]:
    items = spec.get("items")
    return [str(i + 1) for i in range(len(items))] if isinstance(items, list) else []


@register
class Ordering(QuestionType):
    type_id = "ordering"
    has_options = True

    def validate(self, spec):
        items = spec.get("items")
        if not isinstance(items, list) or not 2 <= len(items) <= 8 or not all(
                isinstance(i, (str, int, float)) and str(i).strip() for i in items):
            return [BankProblem(line_of(spec, "items") if "items" in spec else line_of(spec),
                                N_("question %(q)s: 'items' must list 2 to 8 items, in the correct order"))]
        if len({str(i).strip() for i in items}) != len(items):
            return [BankProblem(line_of(spec, "items"), N_("question %(q)s: two items are the same; every item must differ"))]
        return []

    def shuffle(self, spec, rng, shuffle_options):
        order = item_ids(spec)
        if len(order) > 1:
            while order == item_ids(spec):  # always shown out of order, or it gives itself away
                rng.shuffle(order)
        return order

    def present(self, spec, order):
        items = spec["items"]
        return {"items": [{"id": i, "text": str(items[int(i) - 1])} for i in order], "positions": len(order)}

    def parse(self, spec, order, form, name):
        ids = set(item_ids(spec))
        ranking: dict[str, int] = {}
        for item in ids:
            values = [v for v in form.get(f"{name}-{item}", []) if v != ""]
            if len(values) > 1:
                raise AnswerError("one position per item")
            if values:
                if not values[0].isdigit() or not 1 <= int(values[0]) <= len(ids):
                    raise AnswerError("position out of range")
                ranking[item] = int(values[0])
        for key in form:
            if key.startswith(f"{name}-") and key[len(name) + 1:] not in ids:
                raise AnswerError("unknown item")
        if not ranking:
            return None
        # The learner's order: items sorted by the position they gave.
        return [item for item, _pos in sorted(ranking.items(), key=lambda kv: (kv[1], int(kv[0])))] \
            if len(set(ranking.values())) == len(ranking) == len(ids) else {"incomplete": ranking}

    def grade(self, spec, answer):
        if not isinstance(answer, list) or sorted(answer) != sorted(item_ids(spec)):
            return Grade(0.0)
        position = {item: index for index, item in enumerate(answer)}
        pairs = list(combinations(item_ids(spec), 2))  # (earlier, later) in the correct order
        right = sum(1 for a, b in pairs if position[a] < position[b])
        return Grade(right / len(pairs))

    def solution(self, spec, order):
        return {"order": [str(i) for i in spec.get("items", [])]}

    def describe_answer(self, spec, answer):
        return ["-".join(answer)] if isinstance(answer, list) else []

    def completeness(self, spec, answer):
        if answer is None:
            return BLANK
        # A ranking with a missing or repeated place is kept as {"incomplete": …} and scores 0.
        return COMPLETE if isinstance(answer, list) else PARTIAL
