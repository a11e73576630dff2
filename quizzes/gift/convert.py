"""One GIFT question → a question in our bank format, per question type (as Moodle chooses it)."""
from __future__ import annotations

from quizzes.base import N_
from quizzes.gift.answers import _num, _number, _parts, _split_feedback, _weight
from quizzes.gift.text import BLANK, _Refused, _display, _escape, _formatted, _shown, _tidy, _unescape

TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}  # exactly these, case included


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


