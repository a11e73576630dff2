"""The line-keeping YAML loader: every mapping remembers the line of itself and of each of its
values, so that a problem can name the line to fix. Safe YAML only (no tags that build
objects), and a key written twice is a problem instead of a silent overwrite.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from lms.content.i18n import N_
from lms.content.packages.specs import Problem


class LineDict(dict):
    """A YAML mapping that remembers the line of itself and of each value."""

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        self.key, self.line = key, line


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise yaml.constructor.ConstructorError(None, None, "a key must be plain text", key_node.start_mark)
        if key in mapping:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path, rel: str) -> tuple[object | None, list[Problem]]:
    """Parse a YAML file, keeping line numbers; problems instead of exceptions."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(rel, None, N_("the file is not UTF-8 text (byte %(pos)s); save it as UTF-8"),
                              {"pos": exc.start})]
    except OSError as exc:
        return None, [Problem(rel, None, N_("cannot read the file: %(error)s"), {"error": exc.strerror})]
    try:
        return yaml.load(text, Loader=_LineLoader), []
    except _DuplicateKey as exc:
        return None, [Problem(rel, exc.line, N_("the key '%(key)s' is written twice; keep one"), {"key": exc.key})]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [Problem(rel, line, N_("this is not valid YAML: %(error)s"), {"error": exc.problem or str(exc)})]
    except yaml.YAMLError as exc:
        return None, [Problem(rel, None, N_("this is not valid YAML: %(error)s"), {"error": str(exc)})]
