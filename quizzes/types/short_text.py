"""A short typed answer compared with the accepted answers.

Text is Unicode-normalized (NFC), trimmed and inner spaces collapsed; case is ignored unless
``ignore_case: false``; Vietnamese diacritics are ignored only when ``ignore_diacritics: true``.

An accepted answer is either plain text (full credit) or, as Moodle's short answers, a mapping
``{text, weight, feedback}``: ``weight`` is the percentage of the credit it earns (0–100, default
100) and in its ``text`` a ``*`` stands for any characters (``\\*`` for a star itself), so
``{text: "*", weight: 0, feedback: …}`` catches every other answer. Answers are tried in the order
written and the first that matches gives the score, as in Moodle.
"""
from __future__ import annotations

import math
import re
from typing import Any, Mapping

from quizzes.base import AnswerError, BankProblem, Grade, N_, QuestionType, line_of, nfc, strip_diacritics
from quizzes.registry import register

MAX_LENGTH = 200
ANSWER_KEYS = {"text", "weight", "feedback"}
_STARS = re.compile(r"(?<!\\)\*+")


def normalize(text: str, *, ignore_case: bool, ignore_diacritics: bool) -> str:
    text = " ".join(nfc(text).split())
    if ignore_diacritics:
        text = strip_diacritics(text)
    if ignore_case:
        text = text.casefold()
    return nfc(text)


def _fold(piece: str, *, ignore_case: bool, ignore_diacritics: bool) -> str:
    """``normalize`` for a piece of a wildcard pattern: inner spaces collapsed, ends kept."""
    piece = re.sub(r"\s+", " ", nfc(piece))
    if ignore_diacritics:
        piece = strip_diacritics(piece)
    if ignore_case:
        piece = piece.casefold()
    return nfc(piece)


def _text(answer: Any) -> str:
    return str(answer["text"]) if isinstance(answer, Mapping) else str(answer)


def _weight(answer: Any) -> float:
    return float(answer.get("weight", 100)) if isinstance(answer, Mapping) else 100.0


def _matches(given: str, answer: Any, flags: dict) -> bool:
    """``given`` is already normalized. Only mapping answers know the ``*`` wildcard."""
    text = _text(answer)
    if not isinstance(answer, Mapping) or "*" not in text:
        return given == normalize(text, **flags)
    pieces = [_fold(p.replace("\\*", "*"), **flags) for p in _STARS.split(" ".join(nfc(text).split()))]
    return re.fullmatch(".*".join(re.escape(p) for p in pieces), given, re.S) is not None


def _shown(answer: Any) -> str:
    """An answer as the solution shows it: wildcards left out (Moodle's clean_response)."""
    text = _text(answer)
    if isinstance(answer, Mapping):
        text = " ".join(p.replace("\\*", "*") for p in _STARS.split(text)).strip()
    return text


@register
class ShortText(QuestionType):
    type_id = "short_text"

    def validate(self, spec):
        answers = spec.get("answers")
        problems = []
        line = line_of(spec, "answers") if "answers" in spec else line_of(spec)
        if not isinstance(answers, list) or not answers or not all(
                isinstance(a, Mapping) or (isinstance(a, (str, int, float)) and str(a).strip()) for a in answers):
            problems.append(BankProblem(line, N_("question %(q)s: 'answers' must list at least one accepted answer")))
            answers = []
        for n, answer in enumerate(answers, 1):
            if isinstance(answer, Mapping):
                problems += self._validate_mapping(answer, n, line)
        if answers and not problems and not any(_weight(a) >= 100 for a in answers):
            problems.append(BankProblem(line, N_("question %(q)s: no answer earns 100 %%; give one answer weight 100 "
                                                 "(or write it as plain text)")))
        for key in ("ignore_case", "ignore_diacritics"):
            if key in spec and spec[key] not in (True, False):
                problems.append(BankProblem(line_of(spec, key), N_("question %(q)s: '%(key)s' must be true or false"), {"key": key}))
        return problems

    def _validate_mapping(self, answer, n, line):
        problems = []
        where = line_of(answer) or line
        text = answer.get("text")
        if not isinstance(text, (str, int, float)) or isinstance(text, bool) or not str(text).strip():
            problems.append(BankProblem(where, N_("question %(q)s: answer %(n)s needs 'text'"), {"n": n}))
        weight = answer.get("weight", 100)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) \
                or not 0 <= weight <= 100:
            problems.append(BankProblem(where, N_("question %(q)s: answer %(n)s: 'weight' must be a number from 0 "
                                                  "to 100, the percentage of the credit it earns"), {"n": n}))
        if "feedback" in answer and not isinstance(answer["feedback"], str):
            problems.append(BankProblem(where, N_("question %(q)s: answer %(n)s: 'feedback' must be text"), {"n": n}))
        for key in answer:
            if key not in ANSWER_KEYS:
                problems.append(BankProblem(where, N_("question %(q)s: answer %(n)s: unknown key '%(key)s' (known "
                                                      "keys: feedback, text, weight)"), {"n": n, "key": key}))
        return problems

    def _flags(self, spec):
        return {"ignore_case": spec.get("ignore_case", True) is not False,
                "ignore_diacritics": spec.get("ignore_diacritics", False) is True}

    def present(self, spec, order):
        return {"max_length": MAX_LENGTH}

    def parse(self, spec, order, form, name):
        values = form.get(name, [])
        if len(values) > 1:
            raise AnswerError("one text answer expected")
        text = values[0] if values else ""
        if len(text) > MAX_LENGTH:
            raise AnswerError("answer too long")
        text = " ".join(nfc(text).split())
        return text or None

    def grade(self, spec, answer):
        if not answer:
            return Grade(0.0)
        flags = self._flags(spec)
        given = normalize(answer, **flags)
        for accepted in spec.get("answers", []):  # the first that matches decides, as in Moodle
            if _matches(given, accepted, flags):
                return Grade(max(0.0, min(1.0, _weight(accepted) / 100)))
        return Grade(0.0)

    def solution(self, spec, order):
        shown = [_shown(a) for a in spec.get("answers", []) if _weight(a) >= 100]
        return {"answers": [s for s in shown if s]}

    def describe_answer(self, spec, answer):
        return [] if not answer else [normalize(answer, **self._flags(spec))]
