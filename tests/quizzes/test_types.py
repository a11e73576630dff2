"""Each question type grades its edge cases (plain data, no Flask)."""
from __future__ import annotations

import random
import unicodedata

import pytest

from quizzes import get_type
from quizzes.base import AnswerError

SINGLE = {"id": "s", "type": "single_choice", "prompt": "?", "options": [
    {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}]}
MULTI = {"id": "m", "type": "multiple_choice", "prompt": "?", "options": [
    {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B", "correct": True},
    {"id": "c", "text": "C"}, {"id": "d", "text": "D"}]}
TF = {"id": "t", "type": "true_false", "prompt": "?", "answer": False}
SHORT = {"id": "x", "type": "short_text", "prompt": "?", "answers": ["Ví giấy tờ", "111"]}
NUM = {"id": "n", "type": "numeric", "prompt": "?", "answer": 10, "tolerance": 0.5}
ORDER = {"id": "o", "type": "ordering", "prompt": "?", "items": ["một", "hai", "ba", "bốn"]}
MATCH = {"id": "p", "type": "matching", "prompt": "?", "pairs": [
    {"left": "VNeID", "right": "Bộ Công an"}, {"left": "Sổ sức khỏe", "right": "Bộ Y tế"}, {"left": "111", "right": "Trẻ em"}]}


def parse(spec, form, order=None):
    qtype = get_type(spec["type"])
    order = order if order is not None else qtype.shuffle(spec, random.Random(0), False)
    return qtype.parse(spec, order, form, "q0")


def score(spec, answer):
    return get_type(spec["type"]).grade(spec, answer).score


# single choice
def test_single_choice():
    assert score(SINGLE, parse(SINGLE, {"q0": ["a"]})) == 1
    assert score(SINGLE, parse(SINGLE, {"q0": ["b"]})) == 0
    assert score(SINGLE, parse(SINGLE, {})) == 0  # empty answer
    with pytest.raises(AnswerError):
        parse(SINGLE, {"q0": ["z"]})  # unknown option id
    with pytest.raises(AnswerError):
        parse(SINGLE, {"q0": ["a", "b"]})  # two ticks on a one-answer question


# multiple choice: (right ticked − wrong ticked) ÷ right options, not below 0
@pytest.mark.parametrize("ticked, expected", [
    (["a", "b"], 1.0), (["a"], 0.5), (["a", "c"], 0.0), (["a", "b", "c"], 0.5),
    (["a", "b", "c", "d"], 0.0), ([], 0.0), (["c", "d"], 0.0),
])
def test_multiple_choice_partial_credit(ticked, expected):
    assert score(MULTI, parse(MULTI, {"q0": ticked})) == pytest.approx(expected)


def test_multiple_choice_rejects_unknown_options():
    with pytest.raises(AnswerError):
        parse(MULTI, {"q0": ["a", "e"]})


# true / false
@pytest.mark.parametrize("value, expected", [("false", 1.0), ("true", 0.0)])
def test_true_false(value, expected):
    assert score(TF, parse(TF, {"q0": [value]})) == expected


def test_true_false_empty_and_bad():
    assert score(TF, parse(TF, {})) == 0.0  # unanswered is not "false"
    with pytest.raises(AnswerError):
        parse(TF, {"q0": ["maybe"]})


# short text
@pytest.mark.parametrize("typed, expected", [
    ("Ví giấy tờ", 1.0), ("  ví   GIẤY tờ ", 1.0), (unicodedata.normalize("NFD", "ví giấy tờ"), 1.0),
    ("vi giay to", 0.0), ("111", 1.0), (" 111 ", 1.0), ("", 0.0), ("ví giấy", 0.0),
])
def test_short_text_case_space_and_unicode(typed, expected):
    assert score(SHORT, parse(SHORT, {"q0": [typed]})) == expected


def test_short_text_ignoring_diacritics_when_the_author_allows():
    spec = {**SHORT, "ignore_diacritics": True, "answers": ["Đắk Lắk"]}
    assert score(spec, parse(spec, {"q0": ["dak lak"]})) == 1.0
    assert score(spec, parse(spec, {"q0": ["DAK LAK"]})) == 1.0
    strict = {**SHORT, "ignore_case": False, "answers": ["VNeID"]}
    assert score(strict, parse(strict, {"q0": ["vneid"]})) == 0.0


def test_short_text_too_long():
    with pytest.raises(AnswerError):
        parse(SHORT, {"q0": ["x" * 201]})


# numeric: |given − answer| ≤ tolerance, bounds included
@pytest.mark.parametrize("typed, expected", [
    ("10", 1.0), ("10,5", 1.0), ("9.5", 1.0), ("10.51", 0.0), ("9,49", 0.0), ("", 0.0), ("mười", 0.0),
    (" 10 ", 1.0),
])
def test_numeric_tolerance_bounds(typed, expected):
    assert score(NUM, parse(NUM, {"q0": [typed]})) == expected


def test_numeric_thousands_separators():
    spec = {**NUM, "answer": 10_000_000, "tolerance": 0}
    for typed in ("10.000.000", "10 000 000", "10000000"):
        assert score(spec, parse(spec, {"q0": [typed]})) == 1.0


# ordering: share of pairs in the right relative order
def test_ordering_partial():
    order = ["1", "2", "3", "4"]
    def ranked(*positions):
        return parse(ORDER, {f"q0-{i}": [str(p)] for i, p in zip(order, positions)}, order)
    assert score(ORDER, ranked(1, 2, 3, 4)) == 1.0
    assert score(ORDER, ranked(4, 3, 2, 1)) == 0.0
    assert score(ORDER, ranked(2, 1, 3, 4)) == pytest.approx(5 / 6)
    assert score(ORDER, ranked(1, 1, 3, 4)) == 0.0  # a repeated place
    assert score(ORDER, parse(ORDER, {"q0-1": ["1"]}, order)) == 0.0  # incomplete
    assert score(ORDER, parse(ORDER, {}, order)) == 0.0
    with pytest.raises(AnswerError):
        parse(ORDER, {"q0-9": ["1"]}, order)
    with pytest.raises(AnswerError):
        parse(ORDER, {"q0-1": ["7"]}, order)


def test_ordering_is_never_shown_in_the_right_order():
    qtype = get_type("ordering")
    for seed in range(30):
        assert qtype.shuffle(ORDER, random.Random(seed), True) != ["1", "2", "3", "4"]


# matching
def test_matching_partial():
    qtype = get_type("matching")
    order = qtype.shuffle(MATCH, random.Random(1), True)
    assert score(MATCH, parse(MATCH, {"q0-1": ["1"], "q0-2": ["2"], "q0-3": ["3"]}, order)) == 1.0
    assert score(MATCH, parse(MATCH, {"q0-1": ["1"], "q0-2": ["3"], "q0-3": ["2"]}, order)) == pytest.approx(1 / 3)
    assert score(MATCH, parse(MATCH, {}, order)) == 0.0
    with pytest.raises(AnswerError):
        parse(MATCH, {"q0-1": ["9"]}, order)


def test_presented_questions_never_carry_the_answer():
    for spec in (SINGLE, MULTI, TF, SHORT, NUM, ORDER, MATCH):
        qtype = get_type(spec["type"])
        shown = repr(qtype.present(spec, qtype.shuffle(spec, random.Random(0), True)))
        assert "correct" not in shown and "answer" not in shown
        assert "Bộ Công an" not in shown or spec is MATCH  # right sides are shown, but not paired


def test_quizzes_package_does_not_import_flask():
    import subprocess
    import sys
    code = ("import sys, quizzes, quizzes.engine, quizzes.gift, quizzes.bank;"
            "quizzes.registered_types(); print('flask' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
