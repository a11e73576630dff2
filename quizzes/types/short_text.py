"""A short typed answer compared with the accepted answers.

Text is Unicode-normalized (NFC), trimmed and inner spaces collapsed; case is ignored unless
``ignore_case: false``; Vietnamese diacritics are ignored only when ``ignore_diacritics: true``.
"""
from __future__ import annotations

from quizzes.base import AnswerError, BankProblem, Grade, N_, QuestionType, line_of, nfc, strip_diacritics
from quizzes.registry import register

MAX_LENGTH = 200


def normalize(text: str, *, ignore_case: bool, ignore_diacritics: bool) -> str:
    text = " ".join(nfc(text).split())
    if ignore_diacritics:
        text = strip_diacritics(text)
    if ignore_case:
        text = text.casefold()
    return nfc(text)


@register
class ShortText(QuestionType):
    type_id = "short_text"

    def validate(self, spec):
        answers = spec.get("answers")
        problems = []
        if not isinstance(answers, list) or not answers or not all(
                isinstance(a, (str, int, float)) and str(a).strip() for a in answers):
            problems.append(BankProblem(line_of(spec, "answers") if "answers" in spec else line_of(spec),
                                        N_("question %(q)s: 'answers' must list at least one accepted answer")))
        for key in ("ignore_case", "ignore_diacritics"):
            if key in spec and spec[key] not in (True, False):
                problems.append(BankProblem(line_of(spec, key), N_("question %(q)s: '%(key)s' must be true or false"), {"key": key}))
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
        accepted = {normalize(str(a), **flags) for a in spec.get("answers", [])}
        return Grade(1.0 if given in accepted else 0.0)

    def solution(self, spec, order):
        return {"answers": [str(a) for a in spec.get("answers", [])]}

    def describe_answer(self, spec, answer):
        return [] if not answer else [normalize(answer, **self._flags(spec))]
