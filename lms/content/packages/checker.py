"""Reading values out of a package's YAML while collecting what is wrong with them.

:class:`Checker` gathers the problems of one file; each of its readers (text, bilingual text,
whole numbers, ids, mappings) returns the value, or None after noting the problem.
"""
from __future__ import annotations

import re
from pathlib import Path

from lms.content.i18n import N_
from lms.content.packages.specs import Problem
from lms.content.packages.yaml_lines import LineDict

ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58})[a-z0-9]$")


class Checker:
    """Collects problems for one file while reading values out of LineDicts."""

    def __init__(self, rel: str):
        self.rel = rel
        self.problems: list[Problem] = []

    def error(self, line, message, **params):
        self.problems.append(Problem(self.rel, line, message, params))

    def warn(self, line, message, **params):
        self.problems.append(Problem(self.rel, line, message, params, is_error=False))

    def mapping(self, parent: LineDict, key: str, where: str) -> LineDict | None:
        value = parent.get(key)
        if not isinstance(value, LineDict):
            if key not in parent:
                self.error(parent.line, N_("%(where)s: '%(key)s' is missing"), where=where, key=key)
            else:
                self.error(parent.line_of(key), N_("%(where)s: '%(key)s' must be a mapping of keys and values"),
                           where=where, key=key)
            return None
        return value

    def text(self, parent: LineDict, key: str, where: str, required=True, max_len=200) -> str | None:
        if key not in parent or parent[key] is None:
            if required:
                self.error(parent.line, N_("%(where)s: '%(key)s' is missing"), where=where, key=key)
            return None
        value = parent[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(parent.line_of(key), N_("%(where)s: '%(key)s' must be text"), where=where, key=key)
            return None
        value = value.strip()
        if len(value) > max_len:
            self.error(parent.line_of(key), N_("%(where)s: '%(key)s' is longer than %(max)s characters"),
                       where=where, key=key, max=max_len)
            return None
        return value

    def bilingual(self, parent: LineDict, key: str, where: str, max_len=200) -> tuple[str | None, str | None]:
        value = parent.get(key)
        if isinstance(value, str):  # a plain string is the Vietnamese text
            return self.text(parent, key, where, max_len=max_len), None
        block = self.mapping(parent, key, where)
        if block is None:
            return None, None
        vi = self.text(block, "vi", f"{where} {key}", max_len=max_len)
        en = self.text(block, "en", f"{where} {key}", required=False, max_len=max_len)
        self.unknown_keys(block, {"vi", "en"}, f"{where} {key}")
        return vi, en

    def integer(self, parent: LineDict, key: str, where: str, low: int, high: int) -> int | None:
        if key not in parent:
            self.error(parent.line, N_("%(where)s: '%(key)s' is missing"), where=where, key=key)
            return None
        value = parent[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(parent.line_of(key), N_("%(where)s: '%(key)s' must be a whole number from %(low)s to %(high)s"),
                       where=where, key=key, low=low, high=high)
            return None
        return value

    def identifier(self, parent: LineDict, key: str, where: str) -> str | None:
        value = self.text(parent, key, where, max_len=60)
        if value is not None and not ID_RE.match(value):
            self.error(parent.line_of(key),
                       N_("%(where)s: '%(value)s' is not a valid id; use 2 to 60 lowercase letters a-z, digits and hyphens"),
                       where=where, value=value)
            return None
        return value

    def unknown_keys(self, parent: LineDict, known: set[str], where: str):
        for key in parent:
            if key not in known:
                self.warn(parent.line_of(key), N_("%(where)s: unknown key '%(key)s' is ignored (known keys: %(known)s)"),
                          where=where, key=key, known=", ".join(sorted(known)))


def relative_name(path: Path, root: Path) -> str:
    """``path`` as written in problems: relative to ``root`` when inside it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()

