"""Which questions a form leaves blank or partly answered, asked before grading (plain data)."""
from __future__ import annotations

import random

import pytest

from quizzes import get_type, registered_types
from quizzes.base import BLANK, COMPLETE, PARTIAL
from quizzes.engine import DrawnQuestion, open_questions, parse_answers

SPECS = {
    "single_choice": {"id": "s", "type": "single_choice", "prompt": "?", "options": [
        {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]},
    "multiple_choice": {"id": "m", "type": "multiple_choice", "prompt": "?", "options": [
        {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]},
    "true_false": {"id": "t", "type": "true_false", "prompt": "?", "answer": False},
    "short_text": {"id": "x", "type": "short_text", "prompt": "?", "answers": ["Ví giấy tờ"]},
    "numeric": {"id": "n", "type": "numeric", "prompt": "?", "answer": 10},
    "ordering": {"id": "o", "type": "ordering", "prompt": "?", "items": ["một", "hai", "ba"]},
    "matching": {"id": "p", "type": "matching", "prompt": "?", "pairs": [
        {"left": "VNeID", "right": "Bộ Công an"}, {"left": "Sổ sức khỏe", "right": "Bộ Y tế"}]},
}
# A full answer and, where the type has parts, a partial one, as form fields of question q0.
FULL = {"single_choice": {"q0": ["a"]}, "multiple_choice": {"q0": ["b"]}, "true_false": {"q0": ["false"]},
        "short_text": {"q0": ["sai"]}, "numeric": {"q0": ["mười"]},  # wrong answers are still answers
        "ordering": {"q0-1": ["3"], "q0-2": ["2"], "q0-3": ["1"]}, "matching": {"q0-1": ["2"], "q0-2": ["1"]}}
PARTS = {"ordering": [{"q0-1": ["1"], "q0-2": ["2"]},                       # one place missing
                      {"q0-1": ["1"], "q0-2": ["1"], "q0-3": ["2"]}],       # a place given twice
         "matching": [{"q0-1": ["2"], "q0-2": [""]}]}


def completeness(type_id, form):
    spec = SPECS[type_id]
    qtype = get_type(type_id)
    order = qtype.shuffle(spec, random.Random(1), False)
    return qtype.completeness(spec, qtype.parse(spec, order, form, "q0"))


def test_every_registered_type_is_covered_here():
    assert set(registered_types()) == set(SPECS)


@pytest.mark.parametrize("type_id", sorted(SPECS))
def test_blank_and_full_answers(type_id):
    assert completeness(type_id, {}) == BLANK
    assert completeness(type_id, {"q0": [""]}) == BLANK  # an empty box or "–" chosen
    assert completeness(type_id, FULL[type_id]) == COMPLETE


@pytest.mark.parametrize("type_id,form", [(t, f) for t, forms in PARTS.items() for f in forms])
def test_half_done_orderings_and_matchings_are_partial(type_id, form):
    assert completeness(type_id, form) == PARTIAL


def test_open_questions_lists_blank_and_partial_ones_in_attempt_order():
    drawn = [DrawnQuestion(spec["id"], spec, get_type(spec["type"]).shuffle(spec, random.Random(2), False))
             for spec in (SPECS["true_false"], SPECS["matching"], SPECS["short_text"], SPECS["ordering"])]
    form = {"q0": ["true"], "q1-1": ["1"], "q2": ["  "], "q3-1": ["1"], "q3-2": ["2"], "q3-3": ["3"]}
    found = open_questions(drawn, parse_answers(drawn, form))
    assert [(q.index, q.id, q.blank) for q in found] == [(1, "p", False), (2, "x", True)]
    nothing = open_questions(drawn, {})
    assert [q.index for q in nothing] == [0, 1, 2, 3] and all(q.blank for q in nothing)
