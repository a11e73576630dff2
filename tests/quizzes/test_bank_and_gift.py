"""Bank checking (with lines), drawing, and GIFT import."""
from __future__ import annotations

import random

import yaml

from lms.content.packages.yaml_lines import LineDict, _LineLoader  # the line-keeping YAML loader
from quizzes.bank import check_bank
from quizzes.engine import draw, grade
from quizzes.gift import parse_gift

BANK = """settings:
  draw: 2
  pass_percent: 50
questions:
  - id: a1
    type: true_false
    prompt: "Một"
    answer: true
  - id: a2
    type: single_choice
    prompt: "Hai"
    options:
      - {id: a, text: "x", correct: true}
      - {id: b, text: "y"}
  - id: a3
    type: numeric
    prompt: "Ba"
    answer: 3
"""


def load(text):
    return yaml.load(text, Loader=_LineLoader)


def test_good_bank_and_draw_is_stable_per_seed():
    bank, problems = check_bank(load(BANK))
    assert problems == []
    first = draw(bank, random.Random(7))
    again = draw(bank, random.Random(7))
    assert len(first) == 2 and [q.id for q in first] == [q.id for q in again]
    result = grade(first, {first[0].id: None}, bank.settings.pass_percent)
    assert result.percent == 0.0 and not result.passed


def test_bank_problems_name_the_line():
    text = BANK.replace("answer: true", "answer: maybe").replace("correct: true}", "}").replace("type: numeric", "type: essay")
    _bank, problems = check_bank(load(text))
    found = {(p.line, p.message % p.params) for p in problems}
    assert (8, "question 1: 'answer' must be true or false") in found
    assert (12, "question 2: mark at least 1 option as correct: true") in found
    assert any(line == 16 and msg.startswith("question 3: unknown type 'essay'") for line, msg in found)


def test_duplicate_ids_and_draw_too_large():
    text = BANK.replace("id: a2", "id: a1").replace("draw: 2", "draw: 9")
    _bank, problems = check_bank(load(text))
    messages = [p.message % p.params for p in problems]
    assert any("is used by another question" in m for m in messages)
    assert any("'draw' is 9 but the bank has only 3 questions" in m for m in messages)


def test_gift_supported_types():
    questions, errors = parse_gift(
        "// chú thích\n::Cài đặt::Nên cài từ đâu? {=CH Play ~Link lạ#sai ####Chỉ cài từ kho chính thức.}\n\n"
        "Công an gọi video. {F}\n\nMấy chữ số? {#6:0}\n\nKhoảng {#1..5}\n\n"
        "Nối {=A -> 1 =B -> 2}\n\nTổng đài? {=111 =một một một}\n\nChọn {~%50%X ~%50%Y ~%-100%Z}\n")
    assert errors == []
    types = [q["type"] for q in questions]
    assert types == ["single_choice", "true_false", "numeric", "numeric", "matching", "short_text", "multiple_choice"]
    assert questions[0]["id"] == "cai-dat" and questions[0]["explanation"] == "Chỉ cài từ kho chính thức."
    assert questions[3]["answer"] == 3 and questions[3]["tolerance"] == 2
    bank, problems = check_bank({"questions": questions})
    assert len(bank.questions) == 7
    # Weighted as in Moodle (50 + 50 − 100): ticking everything earns 0, so no warning.
    assert problems == []


def test_multiple_choice_with_more_right_than_wrong_options_is_a_warning():
    text = BANK.replace("""    type: single_choice
    prompt: "Hai"
    options:
      - {id: a, text: "x", correct: true}
      - {id: b, text: "y"}""", """    type: multiple_choice
    prompt: "Hai"
    options:
      - {id: a, text: "x", correct: true}
      - {id: b, text: "y", correct: true}
      - {id: c, text: "z"}""")
    bank, problems = check_bank(load(text))
    assert bank is not None and len(bank.questions) == 3
    assert [(p.line, p.is_error, str(p)) for p in problems] == [
        (12, False, "question 2: 2 right options but only 1 wrong ones; ticking every option would earn credit. "
                    "Add wrong options until there are at least as many as right ones")]
    balanced, problems = check_bank(load(text.replace('{id: c, text: "z"}', '{id: c, text: "z"}\n      - {id: d, text: "w"}')))
    assert balanced is not None and problems == []


def test_gift_unsupported_features_name_their_line():
    questions, errors = parse_gift("Câu một {T}\n\nViết cảm nghĩ {}\n\n// x\nThủ đô là {=Hà Nội} của Việt Nam.\n\nChỉ là mô tả\n")
    assert [e.line for e in errors] == [3, 8]
    assert "essay" in str(errors[0]) and "description" in str(errors[1])
    # Text after the answers makes a missing-word question, as in Moodle.
    assert questions[1]["prompt"] == "Thủ đô là _____ của Việt Nam."


def test_gift_escapes():
    questions, errors = parse_gift("Dấu \\= và \\{ ngoặc? {=a\\~b ~c}\n")
    assert errors == []
    assert questions[0]["prompt"] == "Dấu = và { ngoặc?"
    assert questions[0]["options"][0]["text"] == "a~b"
    assert isinstance(load("a: 1"), LineDict)
