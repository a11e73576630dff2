"""What can be wrong with an import: the file as a whole (:class:`ImportFileError`) or one of
its rows (:class:`Problem`, collected on each row through :class:`RowProblems`).

Messages are English templates with parameters, translated where they are shown (like
``AccountError``), so that the same problem reads right on a page, in a report and on the
command line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, too large, columns missing…).

    ``message`` is an English template, translated where it is shown, with ``params``."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params

    def text(self, translate: Callable[..., str] | None = None) -> str:
        return render_message(self.message, self.params, translate)


@dataclass
class Problem:
    """One problem of one row: an English message template and its parameters."""

    message: str
    params: dict = field(default_factory=dict)
    field: str | None = None  # the column it is about, e.g. "village"

    def text(self, translate: Callable[..., str] | None = None) -> str:
        """The message, through ``translate`` (e.g. flask_babel.gettext) when given."""
        return render_message(self.message, self.params, translate)

    def as_dict(self) -> dict:
        return {"message": self.message, "params": dict(self.params), "field": self.field}

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(data["message"], dict(data.get("params") or {}), data.get("field"))


def render_message(message: str, params: dict, translate: Callable[..., str] | None) -> str:
    """A message template filled in with ``params``, through ``translate`` when given."""
    if translate is not None:
        return translate(message, **params)
    return message % params if params else message


class RowProblems:
    """A previewed row's problems: those of the row itself and those found in the database.

    Mixed into the row dataclasses of each kind of import, which declare both lists."""

    row_problems: list[Problem]
    db_problems: list[Problem]

    @property
    def problems(self) -> list[Problem]:
        return self.row_problems + self.db_problems

    @property
    def ok(self) -> bool:
        return not self.row_problems and not self.db_problems
