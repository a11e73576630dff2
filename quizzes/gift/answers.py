"""Parsing GIFT answer blocks: weights, feedback, numbers and Moodle's numeric forms."""
from __future__ import annotations

import re

from quizzes.base import N_
from quizzes.gift.text import _Refused, _unescape

WEIGHT_RE = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")  # Moodle's $giftanswerweightregex
PHP_NUMBER_RE = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$")  # PHP's is_numeric


def _split_feedback(text: str) -> tuple[str, str]:
    answer, _sep, feedback = text.partition("#")
    return answer, feedback


def _weight(text: str) -> tuple[float | None, str]:
    """A leading %weight% (Moodle's answerweightparser): the percentage and the rest of the text."""
    if not WEIGHT_RE.match(text):
        return None, text
    end = text.index("%", 1)
    value = text[1:end]
    if not PHP_NUMBER_RE.match(value):
        raise _Refused(N_("cannot read the weight '%(weight)s'"), weight=_unescape(text[:end + 1]))
    return float(value), text[end + 1:]


def _num(value: float):
    value = round(value, 10)
    return int(value) if float(value).is_integer() else value


def _parts(answers: str, sign: str) -> list[str]:
    """Moodle's explode on ``sign``, keeping a non-empty text before the first one."""
    parts = answers.split(sign)
    if not parts[0].strip():
        parts.pop(0)
    return [p.strip() for p in parts]


def _number(text: str) -> tuple:
    """Moodle's reading of one numeric answer: ``min..max``, ``value:tolerance`` or ``value``."""
    if text.find("..") > 0:
        low, high = text.split("..", 1)
        if not (PHP_NUMBER_RE.match(low) and PHP_NUMBER_RE.match(high)):
            raise _Refused(N_("cannot read the number '%(value)s'"), value=text)
        value = (float(low) + float(high)) / 2
        return value, float(high) - value
    if text.find(":") > 0:
        value, tolerance = (t.strip() for t in text.split(":", 1))
    else:
        value, tolerance = text.strip(), "0"
    if value == "*":
        return "*", 0
    if not (PHP_NUMBER_RE.match(value) and PHP_NUMBER_RE.match(tolerance)):
        raise _Refused(N_("cannot read the number '%(value)s'"), value=text)
    return float(value), float(tolerance)


