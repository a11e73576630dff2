"""GIFT import against real files written by others (Moodle's own fixtures and examples, and the
test set of the gift-pegjs parser; origins and licences in tests/fixtures/gift/SOURCES.md).

For every file: which questions are imported and which are refused (by line). For every imported
question: responses graded by our engine, against the fraction Moodle gives them. The expected
fractions are written by hand from Moodle's rules (question/format/gift/format.php and the
question types' grading) and the weights written in each file, never copied from our output:

- multiple choice with an ``=``: one answer; the chosen answer's weight (``=`` is 100 %, ``~`` 0,
  ``~%n%`` n %);
- multiple choice without ``=``: several answers; the sum of the ticked weights within 0–100 %;
- short answer and numeric: the first answer that matches gives its weight (``=`` alone 100 %),
  ``*`` matches anything, case is ignored (Moodle's default), numbers within ± tolerance;
- matching: the share of pairs matched right; true/false: 1 or 0.

Numbers are typed the Vietnamese way (decimal comma), as our learners type them: "3,1415" is the
value 3.1415.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from quizzes.gift import import_gift
from quizzes.registry import get_type

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gift"

# --- expected grading of questions that several files share --------------------------------
TRUE = [(True, 1), (False, 0)]
FALSE = [(True, 0), (False, 1)]
GRANT_MC = [("Grant", 0), ("Jefferson", 0), ("no one", 1)]                       # {~Grant ~Jefferson =no one}
ENTOMBED = [("buried", 0), ("entombed", 1), ("living", 0)]                        # {~buried =entombed ~living}
THANKSGIVING = [("second", 0), ("third", 0), ("fourth", 1)]
JAPAN = [("India", 0), ("China", 1), ("Korea", 0), ("Egypt", 0)]
NO_ONE = [("no one", 1), ("nobody", 1), ("No One", 1), ("Grant", 0)]           # {=no one =nobody}
FOUR = [("four", 1), ("4", 1), ("Four", 1), ("five", 0)]                          # {=four =4}
ASIA = [("Asia", 1), ("asia", 1), ("Europe", 0)]
KANJI = [("China", 1), ("china", 1), ("Japan", 0)]
FEEDBACK_MC = [("wrong answer", 0), ("another wrong answer", 0), ("right answer", 1)]
HALF_CREDIT = [("wrong answer", 0), ("half credit answer", 0.5), ("full credit answer", 1)]  # ~%50%
JESUS_MC = [("Jerusalem", 0), ("Bethlehem", 0.25), ("Galilee", 0.5), ("Nazareth", 1)]       # ~%25% ~%50% =
JESUS_SHORT = [("Nazareth", 1), ("nazareth", 1), ("Nazereth", 0.75), ("Bethlehem", 0.25), ("Jerusalem", 0)]
TOMB_TWO = [  # ~No one ~%50%Grant ~%50%Grant's wife ~Grant's father: several answers, sum of weights
    ({"Grant"}, 0.5), ({"Grant's wife"}, 0.5), ({"Grant", "Grant's wife"}, 1), ({"No one"}, 0),
    ({"Grant", "No one"}, 0.5), ({"No one", "Grant", "Grant's wife", "Grant's father"}, 1)]
TOMB_TWO_NEGATIVE = [  # ~%-50%No one ~%50%Grant ~%50%Grant's wife ~%-50%Grant's father
    ({"Grant"}, 0.5), ({"Grant", "Grant's wife"}, 1), ({"Grant", "Grant's wife", "No one"}, 0.5),
    ({"No one"}, 0), ({"Grant", "No one"}, 0), ({"No one", "Grant", "Grant's wife", "Grant's father"}, 0)]
EQUALS_5 = [("= 2 + 2", 0), ("= 2 + 3", 1), ("= 2 + 4", 0)]                      # ~ \= 2 + 2 = \= 2 + 3 …
CONTROL_CHARACTERS = [("~", 0), ("=", 0), ("#", 0), ("{", 0), ("}", 0), ("\\", 1)]
BORN_0 = [("1822", 1), ("1821", 0), ("1823", 0)]                                  # {#1822}
BORN_1 = [("1822", 1), ("1821", 1), ("1823", 1), ("1820", 0), ("1824", 0)]        # {#1822:1}
BORN_5 = [("1822", 1), ("1817", 1), ("1827", 1), ("1816", 0), ("1828", 0)]        # {#1822:5}
BORN_WEIGHTED = [("1822", 1), ("1821", 0.5), ("1824", 0.5), ("1820", 0.5), ("1825", 0), ("1819", 0)]  # =1822:0 =%50%1822:2
PI = [("3,1415", 1), ("3,141", 1), ("3,142", 1), ("3,14", 0), ("3,143", 0)]    # {#3.1415:0.0005} and {#3.141..3.142}
TWO_PLUS_TWO = [("4", 1), ("5", 0), ("3", 0)]
MATCH_3 = [({"subquestion1": "subanswer1", "subquestion2": "subanswer2", "subquestion3": "subanswer3"}, 1),
           ({"subquestion1": "subanswer2", "subquestion2": "subanswer1", "subquestion3": "subanswer3"}, 1 / 3)]
CAPITALS_3 = [({"Canada": "Ottawa", "Italy": "Rome", "Japan": "Tokyo"}, 1),
              ({"Canada": "Rome", "Italy": "Ottawa", "Japan": "Tokyo"}, 1 / 3),
              ({"Canada": "Ottawa"}, 1 / 3)]
CAPITALS_4 = [({"Canada": "Ottawa", "Italy": "Rome", "Japan": "Tokyo", "India": "New Delhi"}, 1),
              ({"Canada": "Ottawa", "Italy": "Rome", "Japan": "New Delhi", "India": "Tokyo"}, 0.5)]
SPECTRUM = [("yellow", 1), ("red", 0), ("blue", 0)]
COLOURS = [  # ~%50%yellow ~%-100%red ~%50%off-beige ~%-100%blue
    ({"yellow"}, 0.5), ({"off-beige"}, 0.5), ({"yellow", "off-beige"}, 1), ({"yellow", "off-beige", "red"}, 0),
    ({"red"}, 0), ({"yellow", "red"}, 0), ({"yellow", "off-beige", "red", "blue"}, 0)]
Q5 = [("3", 1), ("1", 1), ("5", 1), ("0", 0), ("6", 0), ("5,5", 0)]               # {#3:2~#Completely wrong}
BEST_ANIMAL = [("Frog", 1), ("frog", 1), ("Cat", 0.5), ("cat", 0.5), ("Dog", 0), ("Frogs", 0)]  # =Frog =%50%Cat =%0%*

# --- per file: refused questions (line → part of the reason) and graded questions (line → table)
EXPECTED: dict[str, dict] = {
    "moodle/questions.gift.txt": {
        "refused": {2: "essay", 5: "without a left side"},
        "graded": {14: SPECTRUM, 22: COLOURS, 31: Q5, 34: BEST_ANIMAL, 41: FALSE, 46: TRUE, 49: TRUE}},
    "moodle/questions_in_category.gift.txt": {
        "refused": {5: "without a left side"},
        "graded": {14: [("English", 0), ("French", 1), ("German", 0), ("Spanish", 0)],
                   22: [("Moodler", 1), ("moodler", 1), ("Moodle", 0)],
                   27: TRUE}},
    "moodle/examples.txt": {
        "refused": {},
        "graded": {8: GRANT_MC, 10: ENTOMBED, 12: FALSE, 14: NO_ONE, 16: BORN_1, 25: GRANT_MC, 27: ENTOMBED,
                   29: THANKSGIVING, 35: JAPAN, 43: NO_ONE, 45: FOUR, 49: FALSE, 51: TRUE, 55: MATCH_3,
                   61: CAPITALS_4, 70: BORN_0, 72: PI, 74: PI, 76: BORN_WEIGHTED, 85: TWO_PLUS_TWO, 90: KANJI,
                   93: THANKSGIVING, 98: FEEDBACK_MC, 103: NO_ONE, 108: NO_ONE, 113: FALSE, 115: HALF_CREDIT,
                   117: JESUS_MC, 123: JESUS_SHORT, 130: TOMB_TWO, 136: TOMB_TWO_NEGATIVE, 143: EQUALS_5,
                   148: CONTROL_CHARACTERS, 167: GRANT_MC, 169: ENTOMBED, 171: FALSE, 173: NO_ONE, 175: BORN_5,
                   177: CAPITALS_3, 184: ENTOMBED, 190: HALF_CREDIT, 195: JESUS_SHORT, 202: BORN_WEIGHTED}},
    "gift-pegjs/TFTwoFeedback.gift": {"refused": {}, "graded": {1: FALSE, 3: TRUE, 5: TRUE}},
    "gift-pegjs/category1.gift": {"refused": {}, "graded": {}},
    "gift-pegjs/categorySpecialCharacter.gift": {"refused": {}, "graded": {}},
    "gift-pegjs/description1.gift": {"refused": {1: "description"}, "graded": {3: TRUE}},
    "gift-pegjs/descriptionTitleEscapedColon.gift": {"refused": {1: "description"}, "graded": {3: TRUE}},
    "gift-pegjs/descriptionWithID.gift": {"refused": {2: "description"}, "graded": {4: TRUE}},
    "gift-pegjs/escapeAll.gift": {"refused": {}, "graded": {1: [
        ("~", 0), ("=", 0), ("#", 0), ("{", 0), ("}", 0), (":", 0), ("\\", 1)]}},
    # One answer may be chosen (there is an =), and four of them are worth 100 %.
    "gift-pegjs/escapeColon.gift": {"refused": {}, "graded": {1: [
        ("spring", 1), ("summer", 1), ("winter", 1), ("autumn", 1), ("easter", 0)]}},
    "gift-pegjs/escapeEquals.gift": {"refused": {}, "graded": {2: EQUALS_5}},
    "gift-pegjs/essay1.gift": {"refused": {1: "essay"}, "graded": {}},
    "gift-pegjs/formatExamples.gift": {"refused": {}, "graded": {2: [("The east.", 1), ("The west.", 0)]}},
    "gift-pegjs/giftFormatPhpExamples.gift": {"refused": {}, "graded": {
        5: GRANT_MC, 7: ENTOMBED, 9: FALSE, 11: NO_ONE, 13: BORN_5, 15: CAPITALS_3, 22: ENTOMBED,
        28: HALF_CREDIT, 33: JESUS_SHORT, 40: BORN_WEIGHTED}},
    "gift-pegjs/markdown.gift": {"refused": {1: "description", 3: "description", 6: "description",
                                            11: "description"}, "graded": {}},
    "gift-pegjs/matching1.gift": {"refused": {}, "graded": {3: MATCH_3, 9: CAPITALS_4}},
    "gift-pegjs/mc1.gift": {"refused": {}, "graded": {1: GRANT_MC}},
    "gift-pegjs/mc2.gift": {"refused": {}, "graded": {1: ENTOMBED}},
    "gift-pegjs/mc4.gift": {"refused": {}, "graded": {2: GRANT_MC}},
    "gift-pegjs/mc5.gift": {"refused": {}, "graded": {7: GRANT_MC, 9: ENTOMBED, 11: THANKSGIVING, 17: JAPAN}},
    "gift-pegjs/mcHTMLComment.gift": {"refused": {}, "graded": {1: [
        ("En ausencia del Juez de Instrucción, titular de la actuaciones, y por razones de urgencia, debidamente "
         "acreditadas.", 0), ("Cuando se trate de delitos de terrorismo.", 0), ("Nunca.", 1)]}},
    "gift-pegjs/multiLineFeedback1.gift": {"refused": {}, "graded": {3: FEEDBACK_MC, 11: [
        ("Client", 0), ("ConditionAbonnement", 0), ("Paiement", 0), ("Emprunt", 0), ("ContrôleurAbonnement", 1),
        ("CléAccess", 0)]}},
    # ~%33.33333% three times, ~%-100% twice.
    "gift-pegjs/multipleAnswersFloat.gift": {"refused": {}, "graded": {1: [
        ({"Africa"}, 0.3333333), ({"Africa", "Asia"}, 0.6666666), ({"Africa", "Asia", "Antarctica"}, 0.9999999),
        ({"Africa", "Asia", "Antarctica", "China"}, 0), ({"China"}, 0),
        ({"Africa", "Asia", "China", "Antarctica", "America"}, 0)]}},
    "gift-pegjs/newlineAndLaTeX.gift": {"refused": {1: "essay"}, "graded": {}},
    "gift-pegjs/numerical1.gift": {"refused": {}, "graded": {
        3: BORN_0, 5: [("-1", 1), ("1", 0)], 7: PI,
        9: [("-3,142", 1), ("-3,141", 1), ("-3,143", 1), ("-3,144", 0), ("3,142", 0)],
        11: PI, 13: [("-3,1415", 1), ("-3,141", 1), ("-3,142", 1), ("-3,143", 0), ("-3,14", 0)],
        15: [("1", 1), ("3", 1), ("5", 1), ("0", 0), ("6", 0)], 17: [("-5", 1), ("0", 1), ("5", 1), ("-6", 0), ("6", 0)],
        19: BORN_WEIGHTED, 23: [("9", 1), ("5", 0), ("23", 0), ("7", 0)]}},
    "gift-pegjs/options1.gift": {"refused": {}, "graded": {
        6: TWO_PLUS_TWO, 11: KANJI, 14: THANKSGIVING, 19: FEEDBACK_MC, 24: NO_ONE, 29: NO_ONE, 34: FALSE,
        36: HALF_CREDIT, 38: JESUS_MC, 44: JESUS_SHORT, 51: TOMB_TWO, 57: TOMB_TWO_NEGATIVE, 64: EQUALS_5,
        69: CONTROL_CHARACTERS}},
    "gift-pegjs/shortAnswer1.gift": {"refused": {}, "graded": {3: NO_ONE, 5: FOUR}},
    "gift-pegjs/shortAnswer2.gift": {"refused": {}, "graded": {1: NO_ONE, 5: [("One", 1), ("one", 1), ("1", 0)]}},
    # Both have a ~, so both are multiple choice whatever their ->.
    "gift-pegjs/shortAnswerNotMatching.gift": {"refused": {}, "graded": {
        1: [("go to starbucks -> order a coffee", 0), ("get coffee powder -> add water", 1)],
        4: [("todas las versiones de Word cambian la orientación de página igual (archivo->diseño de página)", 0),
            ("-archivo->configurar->orientación ó -archivo->configurar->diseño de página", 0),
            ("-archivo-configurar página ó -diseño de página-orientación", 1)]}},
    "gift-pegjs/shortFirstEmbedded.gift": {"refused": {}, "graded": {1: ASIA, 3: ASIA}},
    "gift-pegjs/shortFirstEmbeddedUnderline.gift": {"refused": {}, "graded": {1: ASIA, 5: ASIA}},
    "gift-pegjs/shortFirstEmbeddedUnderlineHTML.gift": {"refused": {}, "graded": {1: ASIA, 5: ASIA}},
    "gift-pegjs/symbolsAll.gift": {"refused": {}, "graded": {1: TRUE}},
    "gift-pegjs/tag_id.gift": {"refused": {2: "essay"}, "graded": {}},
    "gift-pegjs/tag_id_and_two_tags.gift": {"refused": {3: "essay"}, "graded": {}},
    "gift-pegjs/tag_two_tags.gift": {"refused": {2: "essay"}, "graded": {}},
    "gift-pegjs/tf1.gift": {"refused": {}, "graded": {1: FALSE}},
    "gift-pegjs/tf1_html.gift": {"refused": {}, "graded": {1: FALSE}},
    "gift-pegjs/tf1_markdown.gift": {"refused": {}, "graded": {1: FALSE}},
    "gift-pegjs/tf2.gift": {"refused": {}, "graded": {3: FALSE, 5: TRUE}},
    "gift-pegjs/totara_moodle_backslash.gift": {"refused": {4: "essay"}, "graded": {}},
    "gift-pegjs/totara_moodle_essay.gift": {"refused": {4: "essay"}, "graded": {}},
    "gift-pegjs/totara_moodle_match.gift": {"refused": {4: "without a left side"}, "graded": {}},
    "gift-pegjs/totara_moodle_multichoice.gift": {"refused": {}, "graded": {4: SPECTRUM}},
    "gift-pegjs/totara_moodle_multichoice_multi.gift": {"refused": {}, "graded": {4: COLOURS}},
    "gift-pegjs/totara_moodle_numerical.gift": {"refused": {}, "graded": {12: Q5}},
    "gift-pegjs/totara_moodle_pre_content.gift": {"refused": {3: "essay"}, "graded": {}},
    "gift-pegjs/totara_moodle_shortanswer.gift": {"refused": {}, "graded": {4: BEST_ANIMAL}},
    "gift-pegjs/totara_moodle_shortanswer_general_feedback.gift": {"refused": {}, "graded": {4: BEST_ANIMAL}},
    "gift-pegjs/totara_moodle_truefalse.gift": {"refused": {}, "graded": {4: FALSE}},
    "gift-pegjs/totara_moodle_truefalse_true_answer1.gift": {"refused": {}, "graded": {4: TRUE}},
    "gift-pegjs/totara_moodle_truefalse_true_answer2.gift": {"refused": {}, "graded": {4: TRUE}},
    # Moodle imports it, but its answers span two lines, which no learner can type: refused.
    "gift-pegjs/type_inferred_multiline_markdown.gift": {"refused": {1: "several lines"}, "graded": {}},
}
# The totals the closing note of issue "Trustworthy results" (part 3) reports.
TOTALS = {"files": 54, "questions": 156, "imported": 136, "refused": 20, "mismatched": 0}


def _form(question: dict, response, name: str = "q") -> dict:
    """The form fields a learner's response sends for this question."""
    qtype = question["type"]
    if qtype in ("single_choice", "multiple_choice"):
        by_text = {str(o["text"]): str(o["id"]) for o in question["options"]}
        chosen = [response] if isinstance(response, str) else sorted(response)
        return {name: [by_text[text] for text in chosen]}
    if qtype == "true_false":
        return {name: ["true" if response else "false"]}
    if qtype == "matching":
        number = {str(p["right"]): str(i) for i, p in enumerate(question["pairs"], 1)}
        left = {str(p["left"]): str(i) for i, p in enumerate(question["pairs"], 1)}
        return {f"{name}-{left[k]}": [number[v]] for k, v in response.items()}
    return {name: [response]}


def score(question: dict, response) -> float:
    """Our grade of a response, through the same parse and grade steps as a submitted attempt."""
    qtype = get_type(question["type"])
    order = qtype.shuffle(question, random.Random(1), False)
    return qtype.grade(question, qtype.parse(question, order, _form(question, response), "q")).score


def _read(name: str):
    return import_gift((FIXTURES / name).read_text(encoding="utf-8"), keep_good=True)


def _mismatches(name: str) -> list[str]:
    result = _read(name)
    found = []
    for line, question in zip(result.lines, result.questions):
        for response, expected in EXPECTED[name]["graded"].get(line, []):
            got = score(question, response)
            if abs(got - expected) > 1e-6:
                found.append(f"{name}:{line}: {response!r} scores {got:.4f}, Moodle gives {expected:.4f}")
    return found


def test_every_fixture_file_has_expectations():
    files = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*") if p.is_file())
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_imported_and_refused_by_line(name):
    result = _read(name)
    expected = EXPECTED[name]
    assert result.lines == sorted(expected["graded"])
    assert {e.line: str(e) for e in result.refused}.keys() == expected["refused"].keys()
    for error in result.refused:
        assert expected["refused"][error.line] in str(error), str(error)
    assert result.read == len(expected["graded"]) + len(expected["refused"])


@pytest.mark.parametrize("name", sorted(name for name in EXPECTED if EXPECTED[name]["graded"]))
def test_grading_matches_moodle(name):
    assert _mismatches(name) == []


def test_imported_questions_load_as_a_bank():
    from quizzes.bank import check_bank

    for name in EXPECTED:
        questions = _read(name).questions
        if questions:
            bank, problems = check_bank({"questions": questions})
            assert bank is not None, (name, [str(p) for p in problems if p.is_error])


def test_summary(capsys):
    """Files, questions, imported, refused (with their lines) and mismatched, for the closing note."""
    refused_lines = []
    totals = {"files": 0, "questions": 0, "imported": 0, "refused": 0, "mismatched": 0}
    for name in sorted(EXPECTED):
        result = _read(name)
        totals["files"] += 1
        totals["questions"] += result.read
        totals["imported"] += len(result.questions)
        totals["refused"] += len(result.refused)
        totals["mismatched"] += len({m.split(": ")[0] for m in _mismatches(name)})  # questions, not responses
        refused_lines += [f"{name}:{e}" for e in result.refused]
    with capsys.disabled():
        print("\nGIFT real files: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
        for line in refused_lines:
            print("  refused " + line)
    assert totals == TOTALS
