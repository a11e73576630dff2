"""GIFT import, one rule at a time: Moodle's weights, catch-all, feedback, formats, punctuation
around the braces, partial import; and the answer weights of the question types themselves."""
from __future__ import annotations

import pytest

from quizzes.bank import check_bank
from quizzes.gift import import_gift, parse_gift
from quizzes.registry import get_type
from tests.quizzes.test_gift_real_files import score


def one(text: str) -> dict:
    questions, errors = parse_gift(text)
    assert errors == [] and len(questions) == 1, [str(e) for e in errors]
    return questions[0]


def refused(text: str) -> str:
    questions, errors = parse_gift(text)
    assert questions == [] and len(errors) == 1
    return str(errors[0])


# --- multiple choice ------------------------------------------------------------------------

def test_plain_single_choice_is_written_as_before():
    question = one("Cài từ đâu? {=CH Play ~Link lạ ~Tệp APK}")
    assert question["options"] == [{"id": "a", "text": "CH Play", "correct": True}, {"id": "b", "text": "Link lạ"},
                                   {"id": "c", "text": "Tệp APK"}]


def test_partial_weights_with_one_right_answer_give_that_share():
    question = one("Hometown? {~Jerusalem ~%25%Bethlehem ~%50%Galilee =Nazareth}")
    assert question["type"] == "single_choice"
    assert [score(question, t) for t in ("Jerusalem", "Bethlehem", "Galilee", "Nazareth")] == [0, 0.25, 0.5, 1]


def test_without_an_equals_sign_several_answers_are_ticked_and_weights_add_up():
    question = one("Which two? {~%-50%No one ~%50%Grant ~%50%Grant's wife ~%-50%Grant's father}")
    assert question["type"] == "multiple_choice"
    assert score(question, {"Grant"}) == 0.5
    assert score(question, {"Grant", "Grant's wife"}) == 1
    assert score(question, {"Grant", "Grant's wife", "No one"}) == 0.5
    assert score(question, {"No one", "Grant's father"}) == 0  # never below 0


def test_a_single_full_weight_without_equals_is_still_a_ticking_question():
    question = one("Colour? {~%100%yellow ~%-50%red ~%-50%blue}")
    assert question["type"] == "multiple_choice"
    assert score(question, {"yellow"}) == 1 and score(question, {"yellow", "red"}) == 0.5


@pytest.mark.parametrize("text, reason", [
    ("Q? {=a ~%-50%b ~c}", "negative weight"),
    ("Q? {~%50%a ~%40%b ~c}", "add up to 90 %"),
    ("Q? {~a ~b}", "no answer is marked right"),
    ("Q? {=a ~}", "at least two answers"),
    ("Q? {~%150%a ~b}", "from -100 to 100"),
])
def test_weights_moodle_would_not_accept_are_refused_with_the_reason(text, reason):
    assert reason in refused(text)


def test_feedback_and_general_feedback_are_kept():
    question = one("Q? {=yes#Đúng rồi. ~no#[html]<b>Sai</b>. ####[html]<p>Vì&nbsp;thế.</p>}")
    assert question["options"][0]["feedback"] == "Đúng rồi." and question["options"][1]["feedback"] == "Sai."
    assert question["explanation"] == "Vì thế."


# --- short answer ---------------------------------------------------------------------------

def test_short_answer_weights_and_catch_all_in_order():
    question = one("Best animal? {=Frog#Good! =%50%Cat#Cats? =%0%*#Completely wrong}")
    assert question["answers"] == [{"text": "Frog", "feedback": "Good!"}, {"text": "Cat", "weight": 50, "feedback": "Cats?"},
                                   {"text": "*", "weight": 0, "feedback": "Completely wrong"}]
    assert [score(question, r) for r in ("frog", "CAT", "dog")] == [1, 0.5, 0]
    assert get_type("short_text").solution(question, []) == {"answers": ["Frog"]}


def test_the_star_matches_any_characters_and_an_escaped_star_itself():
    question = one("Q? {=Fro* =%50%a\\*b}")
    assert [score(question, r) for r in ("Frog", "frogs", "Fr", "a*b", "axb")] == [1, 1, 0, 0.5, 0]


def test_the_first_matching_answer_decides_as_in_moodle():
    question = one("Q? {=%0%* =Frog}")
    assert score(question, "Frog") == 0


def test_short_answer_without_equals_and_lowercase_true_are_short_answers():
    assert one("Số một viết là? {Một}")["answers"] == ["Một"]
    # Moodle reads only T, TRUE, F and FALSE (in capitals) as true/false.
    assert one("Q? {true}") == {"id": "q", "prompt": "Q?", "type": "short_text", "answers": ["true"]}


def test_plain_short_answers_keep_exact_text_behaviour():
    question = one("Tổng đài? {=111 =một một một}")
    assert question["answers"] == ["111", "một một một"]
    assert score(question, "11*") == 0  # a star in a plain answer is not a wildcard


# --- numeric ----------------------------------------------------------------------------------

def test_numeric_forms():
    assert one("Q? {#1822:5}") | {"id": "x"} == {"id": "x", "prompt": "Q?", "type": "numeric", "answer": 1822,
                                                 "tolerance": 5}
    assert one("Q? {#1..5}")["answer"] == 3 and one("Q? {#1..5}")["tolerance"] == 2
    assert one("Q? {#5..1}")["tolerance"] == 2  # Moodle keeps the size of the tolerance


def test_numeric_several_answers_with_weights_and_wrong_answer_feedback():
    question = one("Born? {#=1822:0#Right =%50%1822:2#Close ~#Far off}")
    assert question["answers"] == [{"answer": 1822, "feedback": "Right"},
                                   {"answer": 1822, "tolerance": 2, "weight": 50, "feedback": "Close"},
                                   {"answer": "*", "weight": 0, "feedback": "Far off"}]
    assert [score(question, r) for r in ("1822", "1820", "1830")] == [1, 0.5, 0]
    assert get_type("numeric").solution(question, []) == {"answer": 1822, "tolerance": 0, "unit": None}


def test_numeric_answers_moodle_would_misread_are_refused():
    assert "cannot read the number 'abc'" in refused("Q? {#abc}")  # Moodle silently makes it a catch-all


# --- text, punctuation and formats ---------------------------------------------------------------

def test_text_after_the_answers_leaves_a_blank_and_a_full_stop_is_accepted():
    assert one("Giá trị của pi? {#3.1415:0.0005}.")["prompt"] == "Giá trị của pi? _____."
    assert one("{=Asia} is the largest continent.")["prompt"] == "_____ is the largest continent."
    assert one("Grant is {~buried =entombed} in the tomb.")["prompt"] == "Grant is _____ in the tomb."


def test_format_markers_never_reach_the_text():
    question = one("::T::[html]<p>Hướng <b>mặt trời</b> mọc?</p>{=[plain]Đông#[html]<i>Đúng</i> ~[moodle]Tây}")
    assert question["prompt"] == "Hướng mặt trời mọc?"
    assert [o["text"] for o in question["options"]] == ["Đông", "Tây"]
    assert question["options"][0]["feedback"] == "Đúng"
    assert one("[markdown]Chọn **một**{T}")["prompt"] == "Chọn **một**"


def test_escapes_and_backslashes():
    question = one("A \\\\ B \\: C? {=\\\\ ~\\= ~\\#}")
    assert question["prompt"] == "A \\ B : C?"
    assert [o["text"] for o in question["options"]] == ["\\", "=", "#"]


def test_true_false_feedback_follows_moodle_order():
    question = one("42? {FALSE#wrong answer given#right answer given}")
    assert question["answer"] is False
    assert question["feedback"] == {"true": "wrong answer given", "false": "right answer given"}


# --- partial import --------------------------------------------------------------------------------

GIFT = "$CATEGORY: $course$/Test\n\nMột? {T}\n\n// tự luận\nViết gì đó. {}\n\nBa? {=a ~b}\n\nChỉ là mô tả\n"


def test_all_or_nothing_by_default():
    result = import_gift(GIFT)
    assert result.questions == [] and [(e.line, "essay" in str(e)) for e in result.refused][0] == (6, True)
    assert result.read == 4


def test_keep_good_imports_the_others_and_names_the_refused_lines():
    result = import_gift(GIFT, keep_good=True)
    assert [q["id"] for q in result.questions] == ["mot", "ba"] and result.lines == [3, 8]
    assert [e.line for e in result.refused] == [6, 10]


def test_a_question_our_bank_would_refuse_is_refused_with_its_line():
    result = import_gift("Nối {=a -> 1 =b -> 1}\n", keep_good=True)
    assert [e.line for e in result.refused] == [1]
    assert "same right side" in str(result.refused[0])


# --- the question types' weights ------------------------------------------------------------------

def bank(question: dict):
    return check_bank({"questions": [{"id": "q", "prompt": "?", **question}]})


def test_weighted_single_choice_validation():
    good, problems = bank({"type": "single_choice", "options": [
        {"id": "a", "text": "x", "correct": True}, {"id": "b", "text": "y", "weight": 50}, {"id": "c", "text": "z"}]})
    assert good is not None and problems == []
    _bad, problems = bank({"type": "single_choice", "options": [
        {"id": "a", "text": "x", "correct": True, "weight": 50}, {"id": "b", "text": "y", "weight": -10}]})
    messages = [str(p) for p in problems]
    assert any("option 1 is correct: true, which always earns 100 %" in m for m in messages)
    assert any("option 2: 'weight' must be a number from 0 to 100" in m for m in messages)


def test_weighted_multiple_choice_validation_and_warning():
    _bad, problems = bank({"type": "multiple_choice", "options": [
        {"id": "a", "text": "x", "correct": True, "weight": 50}, {"id": "b", "text": "y", "weight": 50}]})
    assert any("exactly those with a positive 'weight'" in str(p) for p in problems)
    good, problems = bank({"type": "multiple_choice", "options": [
        {"id": "a", "text": "x", "correct": True, "weight": 50}, {"id": "b", "text": "y", "correct": True, "weight": 50},
        {"id": "c", "text": "z"}]})
    assert good is not None
    assert [(p.is_error, str(p)) for p in problems] == [
        (False, "question 1: ticking every option earns 100 %; give the wrong options negative weights")]


def test_types_without_weights_grade_exactly_as_before():
    single = {"type": "single_choice", "options": [{"id": "a", "text": "x", "correct": True}, {"id": "b", "text": "y"}]}
    assert get_type("single_choice").grade(single, "a").score == 1 and get_type("single_choice").grade(single, "b").score == 0
    multi = {"type": "multiple_choice", "options": [{"id": "a", "text": "x", "correct": True},
                                                     {"id": "b", "text": "y", "correct": True}, {"id": "c", "text": "z"}]}
    assert get_type("multiple_choice").grade(multi, ["a", "c"]).score == 0  # (1 right − 1 wrong) ÷ 2


def test_short_text_and_numeric_answer_mappings_are_checked():
    _bad, problems = bank({"type": "short_text", "answers": [{"text": "a", "weight": 50, "colour": "x"}]})
    messages = [str(p) for p in problems]
    assert any("unknown key 'colour'" in m for m in messages)
    _bad, problems = bank({"type": "short_text", "answers": [{"text": "a", "weight": 50}]})
    assert any("no answer earns 100 %" in str(p) for p in problems)
    _bad, problems = bank({"type": "numeric", "answer": 3, "answers": [{"answer": 3}]})
    assert any("not both" in str(p) for p in problems)
    good, problems = bank({"type": "numeric", "answers": [{"answer": 3, "tolerance": 1}, {"answer": "*", "weight": 0}]})
    assert good is not None and problems == []
