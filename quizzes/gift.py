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

import html
import re
import unicodedata
from dataclasses import dataclass, field

from quizzes.base import N_

FORMATS = ("moodle", "html", "plain", "markdown")  # Moodle's names; FORMAT_MOODLE is the default
BLANK = "_____"  # where the answers stood in a missing-word question, as in Moodle
WEIGHT_RE = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")  # Moodle's $giftanswerweightregex
PHP_NUMBER_RE = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$")  # PHP's is_numeric
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}  # exactly these, case included

# Escaped control characters become placeholders while the question is taken apart.
_ESCAPE_RE = re.compile(r"\\([\\:#=~{}n])")
_CODES = {":": "\x06", "#": "\x03", "=": "\x02", "{": "\x04", "}": "\x05", "~": "\x01", "\\": "\x07", "n": "\x08"}
_UNESCAPE = {code: ("\n" if char == "n" else char) for char, code in _CODES.items()}

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)
_HTML_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_HTML_BLOCK = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|pre|blockquote|hr|dd|dt|dl)\b[^>]*>", re.I)
_HTML_INLINE = re.compile(r"</?(?:a|abbr|b|big|center|code|del|em|font|i|ins|kbd|q|s|small|span|strike|strong|sub"
                          r"|sup|tbody|td|tfoot|th|thead|tt|u|var)\b[^>]*>", re.I)


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


class _Refused(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


# --- text ----------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _CODES[m.group(1)], text)


def _unescape(text: str) -> str:
    for code, char in _UNESCAPE.items():
        text = text.replace(code, char)
    return text


def _tidy(text: str) -> str:
    """Lines trimmed, runs of spaces made one, at most one empty line in a row."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _formatted(raw: str, default: str) -> tuple[str, str]:
    """Moodle's parse_text_with_format: a leading [format] marker sets the format and is removed,
    then the escaped characters come back."""
    raw = raw.strip()
    fmt = default
    if raw.startswith("["):
        end = raw.find("]")
        if end > 0 and raw[1:end] in FORMATS:
            fmt, raw = raw[1:end], raw[end + 1:]
    return fmt, _unescape(raw).strip()


def _html_to_text(text: str) -> str:
    text = _HTML_COMMENT.sub("", text)

    def image(match: re.Match) -> str:
        alt = _HTML_ALT.search(match.group(0))
        return (alt.group(1) or alt.group(2) or "") if alt else ""

    text = _HTML_IMG.sub(image, text)
    text = _HTML_BLOCK.sub("\n", text)
    text = _HTML_INLINE.sub("", text)
    return html.unescape(text).replace("\xa0", " ")


def _display(text: str, fmt: str) -> str:
    """A text as our plain-text prompts and options show it: HTML (and Moodle's auto-format,
    which allows HTML) becomes text; Markdown and plain text stay as written."""
    if fmt in ("html", "moodle"):
        text = _html_to_text(text)
    return _tidy(text)


def _shown(raw: str, default: str) -> str:
    fmt, text = _formatted(raw, default)
    return _display(text, fmt)


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


def _slug(text: str, fallback: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50].strip("-")
    return text or fallback


def _blocks(text: str):
    """Questions separated by blank lines, with the line each starts on; comments removed. Lines
    are trimmed, as Moodle trims them."""
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            if block:
                yield start, "\n".join(block)
                block = []
            continue
        if line.startswith("//"):
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, "\n".join(block)


# --- one question ----------------------------------------------------------------------------

def _read_question(block: str) -> dict | None:
    """One block → a question (without id), None for a category line; _Refused when not importable."""
    text = _escape(block)
    if text.startswith("$CATEGORY:"):
        return None
    title = ""
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        if end != -1:
            title = _tidy(_unescape(text[:end]))
            text = text[end + 2:].strip()
    start, finish = text.find("{"), text.find("}")
    if start == -1 and finish == -1:
        raise _Refused(N_("a description (text without answers in {…}) is not a question here; "
                          "put such text in the lesson"))
    if start == -1 or finish == -1 or finish < start:
        raise _Refused(N_("the braces { and } of the answers do not match; write \\{ or \\} for a brace in the text"))
    if text.count("{") > 1 or text.count("}") > 1:
        raise _Refused(N_("a question has one answer block {…}; write \\{ or \\} for a brace in the text"))
    answers = text[start + 1:finish].strip()
    # Answers at the very end are left out of the prompt; anywhere else they leave a blank.
    prompt_raw = text[:start] if text.endswith("}") else text[:start] + BLANK + text[finish + 1:]
    general = None
    separator = answers.rfind("####")
    if separator != -1:
        general, answers = answers[separator + 4:], answers[:separator].strip()
    qformat, prompt = _formatted(prompt_raw, "moodle")
    question: dict = {"prompt": _display(prompt, qformat) or title}
    if not question["prompt"]:
        raise _Refused(N_("the question has no text"))
    if answers == "":
        raise _Refused(N_("essay questions ({}) are not supported"))
    if answers.startswith("#"):
        question.update(_numeric(answers[1:], qformat))
    elif "~" in answers:
        question.update(_choice(answers, qformat))
    elif "=" in answers and "->" in answers:
        question.update(_matching(answers, qformat))
    else:
        check = answers[:answers.find("#")].strip() if answers.find("#") > 0 else answers
        if check in TRUE_FALSE:
            question.update(_true_false(answers, qformat))
        else:
            question.update(_short_answer(answers, qformat))
    if general is not None:
        explanation = _shown(general, qformat)
        if explanation:
            question["explanation"] = explanation
    question["_title"] = title
    return question


def _parts(answers: str, sign: str) -> list[str]:
    """Moodle's explode on ``sign``, keeping a non-empty text before the first one."""
    parts = answers.split(sign)
    if not parts[0].strip():
        parts.pop(0)
    return [p.strip() for p in parts]


def _choice(answers: str, qformat: str) -> dict:
    single = "=" in answers  # Moodle: one answer may be chosen when any answer is marked =
    parsed = []
    for part in _parts(answers.replace("=", "~="), "~"):
        if part.startswith("="):
            weight, part = 100.0, part[1:]
        else:
            weight, part = _weight(part)
            weight = weight or 0.0
        answer, feedback = _split_feedback(part)
        fmt, text = _formatted(answer, qformat)
        if text:  # Moodle leaves out blank answers
            parsed.append((weight, _display(text, fmt), _shown(feedback, qformat)))
    if len(parsed) < 2:
        raise _Refused(N_("a choice question needs at least two answers"))
    if not any(weight > 0 for weight, _text, _fb in parsed):
        raise _Refused(N_("no answer is marked right (= or a positive %%weight%%)"))
    if single and any(weight < 0 for weight, _text, _fb in parsed):
        raise _Refused(N_("a negative weight where one answer is chosen (the question has an =) gives negative "
                          "marks in Moodle, which is not supported; use 0 %% or ~ for wrong answers"))
    options = []
    marked = False
    for index, (weight, text, feedback) in enumerate(parsed):
        option: dict = {"id": chr(ord("a") + index) if index < 26 else f"o{index}", "text": text}
        if single:
            if weight == 100 and not marked:
                option["correct"] = marked = True
            elif weight:
                option["weight"] = _num(weight)
        elif weight:
            if weight > 0:
                option["correct"] = True
            option["weight"] = _num(weight)
        if feedback:
            option["feedback"] = feedback
        options.append(option)
    return {"type": "single_choice" if single else "multiple_choice", "options": options}


def _matching(answers: str, qformat: str) -> dict:
    parts = _parts(answers, "=")
    if len(parts) < 2:
        raise _Refused(N_("a matching question needs at least two pairs"))
    pairs = []
    for part in parts:
        if "->" not in part:
            raise _Refused(N_("every matching answer needs 'left -> right'"))
        left, right = part.split("->", 1)
        right = _tidy(_unescape(right))
        if not left.strip():
            raise _Refused(N_("extra right-hand answers without a left side ('= -> %(right)s') are not supported"),
                           right=right)
        pairs.append({"left": _shown(left, qformat), "right": right})
    return {"type": "matching", "pairs": pairs}


def _true_false(answers: str, qformat: str) -> dict:
    bits = answers.split("#", 2) + ["", ""]
    answer = TRUE_FALSE[_formatted(bits[0], qformat)[1]]
    wrong, right = _shown(bits[1], qformat), _shown(bits[2], qformat)
    feedback = {"true": right if answer else wrong, "false": wrong if answer else right}
    question: dict = {"type": "true_false", "answer": answer}
    if any(feedback.values()):
        question["feedback"] = {key: text for key, text in feedback.items() if text}
    return question


def _short_answer(answers: str, qformat: str) -> dict:
    accepted: list = []
    for part in _parts(answers, "="):
        weight, part = _weight(part)
        answer, feedback = _split_feedback(part)
        text = _formatted(answer, qformat)[1]
        if "\n" in text:
            raise _Refused(N_("the answer '%(answer)s' spans several lines, which no learner can type (Moodle "
                              "compares the line break too); write it on one line"), answer=" ".join(text.split()))
        text = " ".join(text.split())
        feedback = _shown(feedback, qformat)
        if not text:  # Moodle leaves out blank answers
            continue
        if weight in (None, 100) and not feedback and "*" not in text:
            accepted.append(text)
        else:
            item: dict = {"text": text}
            if weight not in (None, 100):
                item["weight"] = _num(weight)
            if feedback:
                item["feedback"] = feedback
            accepted.append(item)
    if not accepted:
        raise _Refused(N_("cannot read the answers '%(body)s'"), body=_tidy(_unescape(answers))[:60])
    return {"type": "short_text", "answers": accepted}


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


def _numeric(body: str, qformat: str) -> dict:
    wrong = None
    if "~" in body:  # feedback for any other number: Moodle's catch-all answer '*'
        body, wrong = body[:body.index("~")], body[body.index("~"):]
    parts = _parts(body, "=")
    if not parts:
        raise _Refused(N_("the numeric question has no answer"))
    items = []
    for part in parts:
        weight, part = _weight(part)
        answer, feedback = _split_feedback(part)
        value, tolerance = _number(_formatted(answer, qformat)[1])
        item: dict = {"answer": value if value == "*" else _num(value)}
        if tolerance:
            item["tolerance"] = _num(abs(tolerance))  # Moodle keeps the tolerance's size
        if weight not in (None, 100):
            item["weight"] = _num(weight)
        feedback = _shown(feedback, qformat)
        if feedback:
            item["feedback"] = feedback
        items.append(item)
    if wrong is not None:
        item = {"answer": "*", "weight": 0}
        feedback = _shown(_split_feedback(wrong)[1], qformat)
        if feedback:
            item["feedback"] = feedback
        items.append(item)
    if len(items) == 1 and set(items[0]) <= {"answer", "tolerance"} and items[0]["answer"] != "*":
        return {"type": "numeric", "answer": items[0]["answer"], "tolerance": items[0].get("tolerance", 0)}
    return {"type": "numeric", "answers": items}


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
