"""Match each left-hand item with its right-hand partner.

Partial credit: the share of left items matched with the right partner.
"""
from __future__ import annotations

from quizzes.base import BLANK, COMPLETE, PARTIAL, AnswerError, BankProblem, Grade, N_, QuestionType, line_of
from quizzes.registry import register


def pairs_of(spec) -> list:
    pairs = spec.get("pairs")
    return pairs if isinstance(pairs, list) else []


@register
class Matching(QuestionType):
    type_id = "matching"
    has_options = True

    def validate(self, spec):
        pairs = spec.get("pairs")
        line = line_of(spec, "pairs") if "pairs" in spec else line_of(spec)
        if not isinstance(pairs, list) or not 2 <= len(pairs) <= 8:
            return [BankProblem(line, N_("question %(q)s: 'pairs' must list 2 to 8 pairs of left and right"))]
        problems = []
        for i, pair in enumerate(pairs, 1):
            if not hasattr(pair, "get") or not str(pair.get("left", "")).strip() or not str(pair.get("right", "")).strip():
                problems.append(BankProblem(line_of(pair) or line, N_("question %(q)s: pair %(n)s needs both 'left' and 'right'"), {"n": i}))
        rights = [str(p.get("right", "")).strip() for p in pairs if hasattr(p, "get")]
        if len(set(rights)) != len(rights):
            problems.append(BankProblem(line, N_("question %(q)s: two pairs have the same right side; every right side must differ")))
        return problems

    def shuffle(self, spec, rng, shuffle_options):
        # The order of the right-hand choices ("1", "2", … by pair number).
        order = [str(i + 1) for i in range(len(pairs_of(spec)))]
        rng.shuffle(order)
        return order

    def present(self, spec, order):
        pairs = pairs_of(spec)
        return {"lefts": [{"id": str(i + 1), "text": str(p["left"])} for i, p in enumerate(pairs)],
                "rights": [{"id": r, "text": str(pairs[int(r) - 1]["right"])} for r in order]}

    def parse(self, spec, order, form, name):
        ids = {str(i + 1) for i in range(len(pairs_of(spec)))}
        chosen: dict[str, str] = {}
        for key in form:
            if key.startswith(f"{name}-") and key[len(name) + 1:] not in ids:
                raise AnswerError("unknown item")
        for left in ids:
            values = [v for v in form.get(f"{name}-{left}", []) if v != ""]
            if len(values) > 1:
                raise AnswerError("one match per item")
            if values:
                if values[0] not in ids:
                    raise AnswerError("unknown match")
                chosen[left] = values[0]
        return chosen or None

    def grade(self, spec, answer):
        total = len(pairs_of(spec))
        if not answer or not total:
            return Grade(0.0)
        return Grade(sum(1 for left, right in answer.items() if left == right) / total)

    def solution(self, spec, order):
        return {"pairs": [{"left": str(p["left"]), "right": str(p["right"])} for p in pairs_of(spec)]}

    def describe_answer(self, spec, answer):
        return [f"{k}>{v}" for k, v in sorted((answer or {}).items())]

    def completeness(self, spec, answer):
        if not answer:
            return BLANK
        return COMPLETE if len(answer) >= len(pairs_of(spec)) else PARTIAL
