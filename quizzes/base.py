"""The contract every question type fulfils, and the results the engine returns."""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping, Sequence

OPTION_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,19}$")


def N_(message: str) -> str:  # noqa: N802 - marks a message for translation where it is shown
    return message


@dataclass(frozen=True)
class BankProblem:
    """Something wrong in a question bank. ``message`` is an English template with %(name)s
    placeholders; the application translates it where it is shown. A warning (``is_error``
    false) points at a weak question but does not stop the bank from loading."""

    line: int | None
    message: str
    params: dict = field(default_factory=dict)
    is_error: bool = True

    def __str__(self) -> str:
        return self.message % self.params


class AnswerError(ValueError):
    """A submitted answer refers to something the question does not have (tampered form)."""


@dataclass(frozen=True)
class Grade:
    """The score of one answer, between 0 and 1."""

    score: float

    @property
    def correct(self) -> bool:
        return self.score >= 0.999999


def line_of(data: Any, key: str | None = None) -> int | None:
    """The source line of a YAML mapping (or of one of its keys), when the loader kept lines."""
    if key is not None and hasattr(data, "line_of"):
        return data.line_of(key)
    return getattr(data, "line", None)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """"Ví giấy tờ" → "Vi giay to" (đ/Đ become d/D, which Unicode does not decompose)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))


BLANK, PARTIAL, COMPLETE = "blank", "partial", "complete"  # QuestionType.completeness


class QuestionType:
    """Base class of question types. A type is one module under ``quizzes/types`` that defines
    a subclass and registers it; adding one touches no core code.

    The engine passes plain data: ``spec`` is the question as written in the bank (a mapping),
    ``order`` the per-attempt order of options chosen by :meth:`shuffle`, ``form`` the submitted
    form fields as a mapping of name → list of values.
    """

    type_id: ClassVar[str]
    #: Whether the option order is shuffled when the quiz asks for shuffled options.
    has_options: ClassVar[bool] = False

    # --- bank checking ----------------------------------------------------------------
    def validate(self, spec: Mapping[str, Any]) -> list[BankProblem]:
        """Problems of this type's own fields (the common fields are checked by the bank)."""
        return []

    # --- an attempt --------------------------------------------------------------------
    def shuffle(self, spec: Mapping[str, Any], rng: random.Random, shuffle_options: bool) -> list[str]:
        """The order of options (by id) for one attempt; stored with the attempt."""
        return []

    def present(self, spec: Mapping[str, Any], order: Sequence[str]) -> dict:
        """What the learner sees: never anything that tells the correct answer."""
        raise NotImplementedError

    def parse(self, spec: Mapping[str, Any], order: Sequence[str], form: Mapping[str, Sequence[str]],
              name: str) -> Any:
        """The answer from form fields named ``name`` (and ``name-…``). Raises AnswerError for
        values the question does not offer. Returns None when nothing was answered."""
        raise NotImplementedError

    def grade(self, spec: Mapping[str, Any], answer: Any) -> Grade:
        """Score an answer (None = not answered) between 0 and 1."""
        raise NotImplementedError

    def solution(self, spec: Mapping[str, Any], order: Sequence[str]) -> dict:
        """The correct answer, for the review page once the quiz settings allow it."""
        raise NotImplementedError

    def describe_answer(self, spec: Mapping[str, Any], answer: Any) -> list[str]:
        """Option ids (or values) the answer chose, for statistics of wrong choices."""
        return []

    def completeness(self, spec: Mapping[str, Any], answer: Any) -> str:
        """How much of the question a parsed answer covers: ``BLANK`` (nothing), ``PARTIAL``
        (some parts left open, e.g. one pair not matched) or ``COMPLETE``. Asked before grading
        so the learner can be warned about questions left open."""
        return BLANK if answer is None else COMPLETE


def options_of(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = spec.get("options")
    return list(options) if isinstance(options, list) else []


def validate_options(spec: Mapping[str, Any], *, min_options: int = 2, min_correct: int = 1,
                     max_correct: int | None = None) -> list[BankProblem]:
    problems: list[BankProblem] = []
    options = spec.get("options")
    if not isinstance(options, list) or len(options) < min_options:
        return [BankProblem(line_of(spec, "options"), N_("question %(q)s: 'options' must list at least %(n)s options"), {"n": min_options})]
    seen: set[str] = set()
    correct = 0
    for i, option in enumerate(options, 1):
        if not isinstance(option, Mapping):
            problems.append(BankProblem(line_of(spec, "options"), N_("question %(q)s: option %(n)s must be a mapping with id and text"), {"n": i}))
            continue
        oid = str(option.get("id", ""))
        if not OPTION_ID_RE.match(oid):
            problems.append(BankProblem(line_of(option, "id"), N_("question %(q)s: option %(n)s needs an id such as a, b, c"), {"n": i}))
        elif oid in seen:
            problems.append(BankProblem(line_of(option, "id"), N_("question %(q)s: the option id '%(id)s' is used twice"), {"id": oid}))
        seen.add(oid)
        if not isinstance(option.get("text"), (str, int, float)) or not str(option.get("text")).strip():
            problems.append(BankProblem(line_of(option), N_("question %(q)s: option %(n)s has no text"), {"n": i}))
        if option.get("correct", False) not in (True, False):
            problems.append(BankProblem(line_of(option, "correct"), N_("question %(q)s: 'correct' must be true or false")))
        correct += option.get("correct") is True
    if correct < min_correct:
        problems.append(BankProblem(line_of(spec, "options"), N_("question %(q)s: mark at least %(n)s option as correct: true"), {"n": min_correct}))
    if max_correct is not None and correct > max_correct:
        problems.append(BankProblem(line_of(spec, "options"), N_("question %(q)s: only %(n)s option may be correct: true"), {"n": max_correct}))
    return problems


def choice_values(form: Mapping[str, Sequence[str]], name: str) -> list[str]:
    values = form.get(name, [])
    return [v for v in values if v != ""]
