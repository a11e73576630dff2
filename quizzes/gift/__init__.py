"""Moodle GIFT import: GIFT text → questions in our bank format (plain data), graded as Moodle grades them.

The reading follows Moodle's own importer (``question/format/gift/format.php``) step by step:
questions are separated by blank lines, ``//`` lines are comments, ``::name::`` is the title, the
answers are between the first ``{`` and the first ``}``. Text after the answers makes a
"missing word" question: the answers' place in the prompt becomes ``_____`` (so a full stop after
the brace gives "… _____."). ``####`` starts the general feedback (our ``explanation``), ``#`` an
answer's own feedback (kept as ``feedback``), and a leading ``[html]``, ``[moodle]``, ``[markdown]``
or ``[plain]`` sets the format of one text and is removed (HTML becomes plain text).

The question type is chosen as Moodle chooses it: ``{#…}`` numeric; any ``~`` multiple choice,
with one answer (``single_choice``) when an ``=`` is present and several (``multiple_choice``)
otherwise; ``=`` with ``->`` matching; exactly ``T``/``TRUE``/``F``/``FALSE`` true/false; anything
else short answer. Answer weights ``%50%`` and ``%-100%`` become option ``weight``s with Moodle's
grading: the chosen option's weight for one answer, the sum of the ticked weights kept within
0–100 % for several; in short answers and numeric questions the first matching answer gives its
weight, ``*`` matching anything.

Refused, each with its line and the reason: descriptions (no answers), essays (``{}``), matching
with extra answers that have no left side, negative weights where only one answer can be chosen,
weights that do not give 100 % to a right answer, and anything our question types do not accept
(see ``courses/README.md``). ``import_gift(text, keep_good=True)`` keeps the good questions of a
file with refused ones; by default one refused question refuses the whole file.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from quizzes.gift.answers import (  # noqa: F401  (re-exported)
    PHP_NUMBER_RE, WEIGHT_RE, _num, _number, _parts, _split_feedback, _weight,
)
from quizzes.gift.convert import (  # noqa: F401  (re-exported)
    TRUE_FALSE, _choice, _matching, _numeric, _read_question, _short_answer, _true_false,
)
from quizzes.gift.text import (  # noqa: F401  (re-exported)
    BLANK, FORMATS, _blocks, _display, _escape, _formatted, _html_to_text, _Refused, _shown, _slug, _tidy,
    _unescape,
)



@dataclass
class GiftError:
    """A question that was not imported: the line it starts on and why (an English template)."""

    line: int
    message: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"line {self.line}: " + self.message % self.params


@dataclass
class GiftImport:
    """What a GIFT text gave: accepted questions (bank format) with the line each starts on, and
    the refused ones. ``questions`` is empty when the import was all-or-nothing and some question
    was refused."""

    questions: list[dict]
    lines: list[int]
    refused: list[GiftError]
    read: int  # questions found in the text (categories not counted)

# --- a file -----------------------------------------------------------------------------------

def _bank_errors(question: dict, number: int) -> list[GiftError]:
    """What our bank checks say of one converted question (as a question numbered ``number``)."""
    from quizzes.bank import check_bank  # the bank imports the types; keep this module light

    _bank, problems = check_bank({"questions": [{**question, "id": "q"}]})
    return [GiftError(0, p.message, {**p.params, "q": number}) for p in problems if p.is_error]


def import_gift(text: str, *, keep_good: bool = False) -> GiftImport:
    """Read a GIFT text. Every question is converted and checked as our banks check questions;
    one that cannot be imported faithfully is refused with its line and the reason.

    ``keep_good=False`` (the default) is all-or-nothing: any refused question leaves
    ``questions`` empty. ``keep_good=True`` keeps the good questions and reports the others."""
    questions: list[dict] = []
    lines: list[int] = []
    refused: list[GiftError] = []
    used: set[str] = set()
    read = 0
    for line, block in _blocks(text.replace("\r\n", "\n").lstrip("\ufeff")):
        try:
            question = _read_question(block)
        except _Refused as exc:
            read += 1
            refused.append(GiftError(line, exc.message, exc.params))
            continue
        if question is None:  # a $CATEGORY: line
            continue
        read += 1
        title = question.pop("_title")
        errors = _bank_errors(question, read)
        if errors:
            refused.append(GiftError(line, errors[0].message, errors[0].params))
            continue
        qid = _slug(title or question["prompt"], f"q{read}")
        base, n = qid, 2
        while qid in used:
            qid = f"{base[:55]}-{n}"
            n += 1
        used.add(qid)
        questions.append({"id": qid, **question})
        lines.append(line)
    if refused and not keep_good:
        questions, lines = [], []
    return GiftImport(questions, lines, refused, read)


def parse_gift(text: str) -> tuple[list[dict], list[GiftError]]:
    """The good questions of a GIFT text in our bank format, and the refused ones (with lines)."""
    result = import_gift(text, keep_good=True)
    return result.questions, result.refused
