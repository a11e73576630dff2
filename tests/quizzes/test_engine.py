"""The engine's draw (a retry asks other questions) and questions whose type is missing or
broken (they fail alone and count neither way). Plain data, no Flask."""
from __future__ import annotations

import random

import pytest

from quizzes import engine
from quizzes.bank import Bank, QuizSettings
from quizzes.base import AnswerError, Grade, QuestionType
from quizzes.engine import (
    UNSEEN, DrawnQuestion, available, draw, draw_size, grade, open_questions, parse_answers, present, recency,
)


def true_false(n: int) -> dict:
    return {"id": f"q{n}", "type": "true_false", "prompt": f"Câu {n}", "answer": n % 2 == 0}


def bank_of(size: int, draw_count: int | None, **settings) -> Bank:
    return Bank(QuizSettings(draw=draw_count, **settings), [true_false(n) for n in range(1, size + 1)])


def ids(drawn) -> set[str]:
    return {q.id for q in drawn}


# --- recency ---------------------------------------------------------------------------------

def test_recency_counts_attempts_back_from_the_latest():
    assert recency([["q1", "q2"], ["q2", "q3"], ["q4"]]) == {"q1": 0, "q2": 0, "q3": 1, "q4": 2}
    assert recency([]) == {}


# --- a retry draws other questions ---------------------------------------------------------

@pytest.mark.parametrize("seed", range(20))
def test_with_a_bank_twice_the_draw_two_attempts_in_a_row_share_no_question(seed):
    bank = bank_of(10, 5)
    rng = random.Random(seed)
    history: list[list[str]] = []
    previous = None
    for _attempt in range(6):
        drawn = draw(bank, rng, seen=recency(history))
        assert len(drawn) == 5
        if previous is not None:
            assert not ids(drawn) & previous
        previous = ids(drawn)
        history.insert(0, [q.id for q in drawn])  # newest first


@pytest.mark.parametrize("seed", range(10))
def test_questions_not_yet_seen_come_first_then_the_least_recently_seen(seed):
    bank = bank_of(7, 3)
    rng = random.Random(seed)
    first = draw(bank, rng)
    second = draw(bank, rng, seen=recency([[q.id for q in first]]))
    assert not ids(first) & ids(second)
    # Third attempt: one question never seen, then two of the first attempt (seen longest ago).
    third = draw(bank, rng, seen=recency([[q.id for q in second], [q.id for q in first]]))
    never = {q["id"] for q in bank.questions} - ids(first) - ids(second)
    assert never <= ids(third) and len(ids(third) & ids(first)) == 2 and not ids(third) & ids(second)


def test_among_questions_all_seen_the_oldest_are_drawn():
    bank = bank_of(4, 2)
    seen = {"q1": 0, "q2": 1, "q3": 3, "q4": 2}
    for seed in range(10):
        assert ids(draw(bank, random.Random(seed), seen=seen)) == {"q3", "q4"}


def test_the_draw_is_the_same_for_the_same_seed_and_history():
    bank = bank_of(9, 4)
    seen = {"q1": 0, "q5": 0}
    assert [q.id for q in draw(bank, random.Random(3), seen=seen)] == [q.id for q in draw(bank, random.Random(3), seen=seen)]


def test_without_shuffling_the_drawn_questions_keep_the_bank_order():
    bank = bank_of(8, 4, shuffle_questions=False)
    drawn = draw(bank, random.Random(1), seen={"q1": 0, "q2": 0})
    positions = [int(q.id[1:]) for q in drawn]
    assert positions == sorted(positions) and not {"q1", "q2"} & ids(drawn)


def test_drawing_every_question_ignores_the_history():
    bank = bank_of(3, None)
    assert ids(draw(bank, random.Random(0), seen={"q1": 0, "q2": 0, "q3": 0})) == {"q1", "q2", "q3"}
    assert UNSEEN > 10 ** 9


# --- a question whose type is missing or broken fails alone ----------------------------------

class Broken(QuestionType):
    """A plugin that fails at whatever ``fails`` names."""

    type_id = "broken"

    def __init__(self, fails: str):
        self.fails = fails

    def _maybe_fail(self, step):
        if step == self.fails:
            raise RuntimeError(f"{step} is broken")

    def shuffle(self, spec, rng, shuffle_options):
        self._maybe_fail("shuffle")
        return []

    def present(self, spec, order):
        self._maybe_fail("present")
        return {}

    def parse(self, spec, order, form, name):
        self._maybe_fail("parse")
        return form.get(name, [None])[0]

    def grade(self, spec, answer):
        self._maybe_fail("grade")
        return Grade(1.0 if answer == "ok" else 0.0)


@pytest.fixture
def broken(monkeypatch):
    """Install the type "broken" for the engine only (the registry itself is left alone)."""
    plugins = {}
    real = engine.get_type
    monkeypatch.setattr(engine, "get_type", lambda type_id: plugins.get(type_id) or real(type_id))

    def install(fails: str):
        plugins["broken"] = Broken(fails)
    return install


MISSING = {"id": "tu-luan", "type": "essay", "prompt": "Viết cảm nghĩ"}
BROKEN = {"id": "hong", "type": "broken", "prompt": "?"}


def attempt_with(odd: dict) -> list[DrawnQuestion]:
    return [DrawnQuestion("q1", true_false(1), []), DrawnQuestion(odd["id"], odd, []),
            DrawnQuestion("q2", true_false(2), [])]


def test_a_missing_type_is_never_drawn():
    bank = Bank(QuizSettings(), [true_false(1), MISSING, true_false(2)])
    assert draw_size(bank) == 2
    for seed in range(5):
        assert ids(draw(bank, random.Random(seed))) == {"q1", "q2"}


def test_a_type_failing_to_shuffle_is_skipped_and_another_question_drawn(broken):
    broken("shuffle")
    bank = Bank(QuizSettings(draw=2), [BROKEN, true_false(1), true_false(2)])
    for seed in range(5):
        assert ids(draw(bank, random.Random(seed))) == {"q1", "q2"}


@pytest.mark.parametrize("fails", ["missing", "present", "grade"])
def test_a_question_not_available_counts_neither_way(broken, fails):
    odd = MISSING
    if fails != "missing":
        broken(fails)
        odd = BROKEN
    drawn = attempt_with(odd)
    wrong = grade(drawn, parse_answers(drawn, {"q0": ["true"], "q1": ["ok"], "q2": ["false"]}), 50)
    assert [r.available for r in wrong.results] == [True, False, True]
    assert wrong.percent == 0.0 and not wrong.passed
    right = grade(drawn, parse_answers(drawn, {"q0": ["false"], "q1": ["ok"], "q2": ["true"]}), 50)
    assert right.percent == 100.0 and right.passed  # 2 of 2: the odd question is not counted
    if fails == "grade":  # it could be shown and answered, so the learner is asked for it
        assert [q.id for q in open_questions(drawn, {})] == ["q1", "hong", "q2"]
    else:  # nothing to answer: not listed as left open
        assert [q.id for q in open_questions(drawn, {})] == ["q1", "q2"]


def test_a_type_failing_to_read_an_answer_leaves_that_answer_out_and_the_rest_stands(broken):
    broken("parse")
    drawn = attempt_with(BROKEN)
    answers = parse_answers(drawn, {"q0": ["false"], "q1": ["ok"], "q2": ["true"]})
    assert answers == {"q1": False, "q2": True}
    assert grade(drawn, answers, 50).percent == pytest.approx(200 / 3, abs=0.01)  # as if left blank


def test_present_says_none_for_a_question_not_available(broken):
    assert present(DrawnQuestion("tu-luan", MISSING, [])) is None
    broken("present")
    assert not available(DrawnQuestion("hong", BROKEN, []))
    assert available(DrawnQuestion("q1", true_false(1), []))


def test_a_tampered_answer_is_still_refused_next_to_a_question_not_available():
    drawn = attempt_with(MISSING)
    with pytest.raises(AnswerError):
        parse_answers(drawn, {"q0": ["maybe"]})
    with pytest.raises(AnswerError):
        parse_answers(drawn, {"q7": ["true"]})


def test_an_attempt_with_no_question_available_is_not_passed():
    result = grade([DrawnQuestion("tu-luan", MISSING, [])], {}, 50)
    assert result.percent == 0.0 and not result.passed and result.counted == []
