"""Question types by their stable string id. Ids are stored with attempts: never rename one."""
from __future__ import annotations

import importlib
import logging
import pkgutil
import threading

from quizzes.base import QuestionType

log = logging.getLogger(__name__)
_types: dict[str, QuestionType] = {}
_loaded = False
_load_lock = threading.Lock()


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Class decorator: make a question type available under its ``type_id``."""
    if cls.type_id in _types and type(_types[cls.type_id]) is not cls:
        raise ValueError(f"question type {cls.type_id!r} is registered twice")
    _types[cls.type_id] = cls()
    return cls


def _load_builtin_types() -> None:
    """Import every module in quizzes/types. One that fails to import is logged and skipped.

    Threads of a server may ask at the same moment: the first loads, the others wait for it
    (a flag set before the imports finish would let them see a half-filled registry)."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        import quizzes.types as package

        for info in pkgutil.iter_modules(package.__path__):
            try:
                importlib.import_module(f"quizzes.types.{info.name}")
            except Exception:  # a broken plugin must not take the others down
                log.exception("question type module %s failed to load and is disabled", info.name)
        _loaded = True


def get_type(type_id: str) -> QuestionType | None:
    _load_builtin_types()
    return _types.get(type_id)


def registered_types() -> dict[str, QuestionType]:
    _load_builtin_types()
    return dict(_types)
