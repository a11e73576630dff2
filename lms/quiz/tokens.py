"""Opaque form fields for quiz attempts.

The question types read forms with telling names and values: ``q5-2`` is item 2 of an ordering
question, whose right place is 2; an option id such as ``a`` is, in most banks, the right one.
Sent to the browser as they are, a script could score 100 % from the names alone. So every field
name and every offered value of an attempt page is a token: a short HMAC of the real name or value
under a random key kept with the attempt. Tokens differ from one attempt to the next, say nothing
about the answer, and are translated back here before the engine sees the form.

What can be tokenized is read from what the question type presents (the keys the templates use):
``options`` and ``rights`` ids are values to pick, ``items`` and ``lefts`` ids name sub-fields,
``positions`` offers places 1…n. Anything else (typed text, numbers) is sent as typed.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from quizzes.base import AnswerError
from quizzes.engine import DrawnQuestion, field_name

TOKEN_HEX = 16  # 64 bits: no two names or values of an attempt meet by chance


def new_form_key() -> str:
    """A fresh random key for one attempt's tokens."""
    return secrets.token_hex(16)


def vocabulary(view: Mapping) -> tuple[list[str], list[str] | None]:
    """A presented question's sub-field ids and the values it offers to pick (None: free text)."""
    suffixes = [str(entry["id"]) for key in ("items", "lefts") for entry in view.get(key) or []]
    values = [str(entry["id"]) for key in ("options", "rights") for entry in view.get(key) or []]
    values += [str(n) for n in range(1, int(view.get("positions") or 0) + 1)]
    return suffixes, (values if values else None)


@dataclass
class QuestionFields:
    """The tokens of one question of an attempt."""

    name: str                                             # the question's own field
    subfields: dict[str, str] = field(default_factory=dict)  # real sub-field id → field name
    values: dict[str, str] | None = None                  # real value → token; None: free text

    def sub(self, suffix: str) -> str:
        return self.subfields[str(suffix)]

    def value(self, raw) -> str:
        return self.values[str(raw)] if self.values is not None else str(raw)


class AttemptForm:
    """The opaque fields of one attempt, both ways. ``views`` are the presented questions
    (``quizzes.engine.present``), None for a question not available: it gets no fields."""

    def __init__(self, key: str, drawn: Sequence[DrawnQuestion], views: Sequence[Mapping | None]):
        self._key = key.encode()
        self.questions: list[QuestionFields | None] = []
        self._names: dict[str, tuple[int, str | None]] = {}  # token → (question index, sub-field id)
        self._values: dict[int, dict[str, str]] = {}           # question index → token → real value
        for index, (question, view) in enumerate(zip(drawn, views)):
            if view is None:
                self.questions.append(None)
                continue
            suffixes, values = vocabulary(view)
            fields = QuestionFields(self._token("name", question.id, ""))
            self._names[fields.name] = (index, None)
            for suffix in suffixes:
                fields.subfields[suffix] = self._token("name", question.id, suffix)
                self._names[fields.subfields[suffix]] = (index, suffix)
            if values is not None:
                fields.values = {value: self._token("value", question.id, value) for value in values}
                self._values[index] = {token: value for value, token in fields.values.items()}
            self.questions.append(fields)

    def _token(self, kind: str, question_id: str, raw: str) -> str:
        # The kind keeps a sub-field's name apart from the value of the same id (matching:
        # left 2 and right 2 are partners; their tokens must not show it).
        digest = hmac.new(self._key, "\x1f".join((kind, question_id, raw)).encode(), hashlib.sha256)
        return "t" + digest.hexdigest()[:TOKEN_HEX]

    def decode(self, form: Mapping[str, Sequence[str]], ignore: frozenset[str] = frozenset()) -> dict[str, list[str]]:
        """The submitted form as the engine reads it (``q0``, ``q5-2``, real ids). Raises
        AnswerError for a name or a picked value this attempt never sent (a tampered form, or a
        real id typed in: only tokens are accepted)."""
        engine: dict[str, list[str]] = {}
        for name, values in form.items():
            if name in ignore:
                continue
            if name not in self._names:
                raise AnswerError(f"field {name!r} is not a field of this attempt")
            index, suffix = self._names[name]
            tokens = self._values.get(index)
            real = []
            for value in values:
                if tokens is None or value == "":  # typed text, or "— choose —"
                    real.append(value)
                elif value in tokens:
                    real.append(tokens[value])
                else:
                    raise AnswerError(f"value {value!r} of field {name!r} was not offered")
            engine[field_name(index) + (f"-{suffix}" if suffix is not None else "")] = real
        return engine

    def encode(self, form: Mapping[str, Sequence[str] | str]) -> dict[str, list[str]]:
        """The inverse of :meth:`decode`, for tests and tools that answer on a learner's behalf:
        engine names and real values become tokens. What the attempt does not know is kept as
        it is (and :meth:`decode` then refuses it)."""
        encoded: dict[str, list[str]] = {}
        for name, values in form.items():
            values = [values] if isinstance(values, str) else list(values)
            base, _, suffix = name.partition("-")
            index = int(base[1:]) if base[:1] == "q" and base[1:].isdigit() else None
            fields = self.questions[index] if index is not None and index < len(self.questions) else None
            if fields is None:
                encoded[name] = values
                continue
            token = fields.subfields.get(suffix, name) if suffix else fields.name
            known = fields.values or {}
            encoded[token] = [known.get(v, v) if fields.values is not None else v for v in values]
        return encoded
