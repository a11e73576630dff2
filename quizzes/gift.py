"""Moodle GIFT import: GIFT text → a bank (plain data in our YAML bank format).

Supported: true/false, multiple choice (one right answer → single_choice; several answers with
positive weights → multiple_choice, every positive-weight answer counted correct), short answer,
matching, numeric (value:tolerance and min..max), titles, comments, escapes, general feedback
(####…) as the explanation. Anything else (essay, description, missing-word with text after the
answers, several numeric answers) is refused with a message naming the line.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from quizzes.base import N_

ESCAPES = {"\\~": "\x01", "\\=": "\x02", "\\#": "\x03", "\\{": "\x04", "\\}": "\x05", "\\:": "\x06", "\\n": "\n",
           "\\\\": "\x07"}
UNESCAPE = {"\x01": "~", "\x02": "=", "\x03": "#", "\x04": "{", "\x05": "}", "\x06": ":", "\x07": "\\"}
FORMAT_RE = re.compile(r"^\[(html|markdown|plain|moodle)\]\s*", re.I)


@dataclass
class GiftError:
    line: int
    message: str
    params: dict

    def __str__(self) -> str:
        return f"line {self.line}: " + self.message % self.params


def _escape(text: str) -> str:
    for raw, code in ESCAPES.items():
        text = text.replace(raw, code)
    return text


def _unescape(text: str) -> str:
    for code, raw in UNESCAPE.items():
        text = text.replace(code, raw)
    return " ".join(text.split()) if "\n" not in text else text.strip()


def _clean(text: str) -> str:
    return _unescape(text).strip()


def _slug(text: str, fallback: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50].strip("-")
    return text or fallback


def _blocks(text: str):
    """Questions separated by blank lines, with the line each starts on; comments removed."""
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not stripped:
            if block:
                yield start, "\n".join(block)
                block = []
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, "\n".join(block)


def _split_answers(body: str) -> list[tuple[str, str]]:
    """'=a#fb ~b ~c' → [('=', 'a#fb'), ('~', 'b'), ('~', 'c')]."""
    parts = re.split(r"([=~])", body)
    items = []
    for i in range(1, len(parts), 2):
        items.append((parts[i], parts[i + 1]))
    return items


def _feedback(text: str) -> tuple[str, str | None]:
    if "#" in text:
        answer, feedback = text.split("#", 1)
        return answer, feedback
    return text, None


def parse_gift(text: str) -> tuple[list[dict], list[GiftError]]:
    """Questions in our bank format, and errors (each with its line)."""
    questions: list[dict] = []
    errors: list[GiftError] = []
    used: set[str] = set()
    text = _escape(text.replace("\r\n", "\n").lstrip("\ufeff"))
    for line, block in _blocks(text):
        if block.strip().startswith("$CATEGORY"):
            continue
        title = None
        match = re.match(r"^\s*::(.*?)::", block, re.S)
        if match:
            title = _clean(match.group(1))
            block = block[match.end():]
        if block.count("{") != 1 or block.count("}") != 1 or block.index("{") > block.index("}"):
            errors.append(GiftError(line, N_("the question has no answer block {…} or more than one; "
                                             "descriptions and essays are not supported"), {}))
            continue
        before, rest = block.split("{", 1)
        body, after = rest.split("}", 1)
        prompt = FORMAT_RE.sub("", _clean(before))
        if _clean(after):
            errors.append(GiftError(line, N_("missing-word questions (text after the answers) are not supported; "
                                             "put the answers at the end of the question"), {}))
            continue
        explanation = None
        if "####" in body:
            body, explanation = body.split("####", 1)
            explanation = _clean(explanation)
        body = body.strip()
        qid = _slug(title or prompt, f"q{len(questions) + 1}")
        base, n = qid, 2
        while qid in used:
            qid = f"{base[:55]}-{n}"
            n += 1
        used.add(qid)
        question: dict = {"id": qid, "prompt": prompt or title or ""}
        if not question["prompt"]:
            errors.append(GiftError(line, N_("the question has no text"), {}))
            continue
        try:
            question.update(_answers(body))
        except _Unsupported as exc:
            errors.append(GiftError(line, exc.message, exc.params))
            continue
        if explanation:
            question["explanation"] = explanation
        questions.append(question)
    return questions, errors


class _Unsupported(Exception):
    def __init__(self, message: str, **params):
        self.message, self.params = message, params


def _answers(body: str) -> dict:
    if not body:
        raise _Unsupported(N_("essay questions ({}) are not supported"))
    upper = body.split("#", 1)[0].strip().upper()
    if upper in ("T", "TRUE", "F", "FALSE"):
        return {"type": "true_false", "answer": upper.startswith("T")}
    if body.startswith("#"):
        return _numeric(body[1:].strip())
    items = _split_answers(body)
    if not items or body.strip()[0] not in "=~":
        raise _Unsupported(N_("cannot read the answers '%(body)s'"), body=_clean(body)[:60])
    if all(sign == "=" for sign, _ in items) and any("->" in text for _, text in items):
        pairs = []
        for _sign, text in items:
            text, _fb = _feedback(text)
            if "->" not in text:
                raise _Unsupported(N_("every matching answer needs 'left -> right'"))
            left, right = text.split("->", 1)
            pairs.append({"left": _clean(left), "right": _clean(right)})
        return {"type": "matching", "pairs": pairs}
    if all(sign == "=" for sign, _ in items):
        answers = []
        for _sign, text in items:
            text, _fb = _feedback(text)
            text = re.sub(r"^%\d+(?:\.\d+)?%", "", text.strip())
            answers.append(_clean(text))
        return {"type": "short_text", "answers": answers}
    options = []
    correct = 0
    for index, (sign, text) in enumerate(items):
        text, _fb = _feedback(text)
        weight = None
        match = re.match(r"^\s*%(-?\d+(?:\.\d+)?)%", text)
        if match:
            weight = float(match.group(1))
            text = text[match.end():]
        is_correct = sign == "=" or (weight is not None and weight > 0)
        correct += is_correct
        option = {"id": chr(ord("a") + index) if index < 26 else f"o{index}", "text": _clean(text)}
        if is_correct:
            option["correct"] = True
        options.append(option)
    if correct == 0:
        raise _Unsupported(N_("no answer is marked right (= or a positive %%weight%%)"))
    return {"type": "single_choice" if correct == 1 else "multiple_choice", "options": options}


def _numeric(body: str) -> dict:
    body, _fb = _feedback(body) if not body.startswith("=") else (body, None)
    if body.startswith("="):
        answers = [a for a in body.split("=") if a.strip()]
        if len(answers) > 1:
            raise _Unsupported(N_("numeric questions with several answers are not supported; keep one"))
        body = _feedback(answers[0])[0]
    body = body.strip()
    try:
        if ".." in body:
            low, high = (float(x) for x in body.split(".."))
            return {"type": "numeric", "answer": _num((low + high) / 2), "tolerance": _num((high - low) / 2)}
        if ":" in body or "\x06" in body:
            value, tolerance = re.split(r"[:\x06]", body, maxsplit=1)
            return {"type": "numeric", "answer": _num(float(value)), "tolerance": _num(float(tolerance))}
        return {"type": "numeric", "answer": _num(float(body)), "tolerance": 0}
    except ValueError:
        raise _Unsupported(N_("cannot read the number '%(value)s'"), value=_clean(body)) from None


def _num(value: float):
    return int(value) if float(value).is_integer() else value
