"""Plain data that checking course packages returns: the problems found and, for a good
package, the course (and the competence framework) as dataclasses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from quizzes.bank import Bank


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package. ``message`` is an English template with %(name)s
    placeholders, translated where it is shown."""

    file: str
    line: int | None
    message: str
    params: dict = field(default_factory=dict)
    is_error: bool = True

    def text(self, translate=lambda s: s) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        kind = "error" if self.is_error else "warning"
        return f"{where}: {kind}: {translate(self.message) % self.params}"

    def __str__(self) -> str:
        return self.text()



@dataclass
class LessonSpec:
    key: str
    title_vi: str
    title_en: str | None
    file: str  # path inside the package, POSIX style
    minutes: int
    markdown: str = ""


@dataclass
class ModuleSpec:
    key: str
    title_vi: str
    title_en: str | None
    lessons: list[LessonSpec]
    bank: Bank | None = None
    bank_file: str | None = None  # path inside the package


@dataclass
class CourseSpec:
    id: str
    version: str
    title_vi: str
    title_en: str | None
    summary_vi: str
    summary_en: str | None
    target_groups: list[str]
    estimated_minutes: int
    competences: list[str]
    sequential: bool
    license: str
    authors: list[str]
    modules: list[ModuleSpec]
    folder: Path
    package_hash: str = ""


@dataclass
class CompetenceSpec:
    code: str
    title_vi: str
    title_en: str | None


@dataclass
class AreaSpec:
    code: str
    title_vi: str
    title_en: str | None
    competences: list[CompetenceSpec]


@dataclass
class FrameworkSpec:
    id: str
    areas: list[AreaSpec]

    @property
    def codes(self) -> set[str]:
        return {c.code for a in self.areas for c in a.competences}

