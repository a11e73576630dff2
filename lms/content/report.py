"""A plain-language report on the course catalogue: per course and in total, lessons, words,
average sentence length, questions by type, share of questions with an explanation, and
pictures without alternative text. `flask --app wsgi courses report` prints it; a test holds
the catalogue to its goals (sentences under 20 words on average, every question explained,
no picture without alternative text)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lms.content.packages.manifest import check_all
from lms.content.packages.yaml_lines import load_yaml

GOAL_SENTENCE_WORDS = 20

_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_WORD = re.compile(r"[0-9A-Za-zÀ-ỹĐđ]+(?:[.,'’-][0-9A-Za-zÀ-ỹĐđ]+)*")
# A sentence ends at . ! ? … or a colon before a line break; every list item, heading and table
# cell line stands on its own too (people read them as separate sentences).
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|:\s*\n|\n+")


@dataclass
class CourseReport:
    course_id: str
    title: str
    groups: list[str]
    lessons: int = 0
    words: int = 0
    sentences: int = 0
    longest_sentence: int = 0
    questions: Counter = field(default_factory=Counter)
    explained: int = 0
    images: int = 0
    images_without_alt: list[str] = field(default_factory=list)
    minutes: int = 0

    @property
    def question_count(self) -> int:
        return sum(self.questions.values())

    @property
    def average_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def explained_share(self) -> float:
        return self.explained / self.question_count if self.question_count else 1.0


def plain_text(markdown: str) -> str:
    """The words a reader reads: no image syntax, link targets, markup or table rules."""
    text = _IMAGE.sub(" ", markdown)
    text = _HTML_IMG.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"^\s*(?:#+|[-*+]|\d+[.)]|>)\s*", "", text, flags=re.M)  # headings, list marks, quotes
    text = re.sub(r"^\s*\|?\s*:?-{2,}.*$", "", text, flags=re.M)  # table rules
    text = text.replace("|", "\n")
    return re.sub(r"[*_`]", "", text)


def sentences_of(text: str) -> list[int]:
    """Word counts of the sentences of a plain text."""
    counts = []
    for piece in _SENTENCE_END.split(text):
        words = len(_WORD.findall(piece))
        if words:
            counts.append(words)
    return counts


def report(courses_dir: Path) -> tuple[list[CourseReport], list[str]]:
    """One report per good package (and the problems that kept the others out)."""
    _framework, specs, problems = check_all(courses_dir)
    reports = []
    for spec in sorted(specs, key=lambda s: s.id):
        folder = courses_dir / spec.id
        item = CourseReport(spec.id, spec.title_vi, list(spec.target_groups), minutes=spec.estimated_minutes)
        for module in spec.modules:
            for lesson in module.lessons:
                markdown = (folder / lesson.file).read_text(encoding="utf-8")
                item.lessons += 1
                counts = sentences_of(plain_text(markdown))
                item.words += sum(counts)
                item.sentences += len(counts)
                item.longest_sentence = max([item.longest_sentence, *counts])
                for alt, src in _IMAGE.findall(markdown):
                    item.images += 1
                    if not alt.strip():
                        item.images_without_alt.append(f"{lesson.file}: {src}")
                for tag in _HTML_IMG.findall(markdown):
                    item.images += 1
                    if not re.search(r'\balt\s*=\s*"[^"]+"', tag):
                        item.images_without_alt.append(f"{lesson.file}: {tag[:60]}")
            if module.bank is not None:
                for question in module.bank.questions:
                    item.questions[question["type"]] += 1
                    item.explained += bool(str(question.get("explanation") or "").strip())
                    if question.get("image"):
                        item.images += 1
                        if not str(question.get("image_alt") or "").strip():
                            item.images_without_alt.append(f"{module.bank_file}: {question['id']}")
        reports.append(item)
    return reports, [str(p) for p in problems if p.is_error]


def totals(reports: list[CourseReport]) -> CourseReport:
    total = CourseReport("TOTAL", "", sorted({g for r in reports for g in r.groups}))
    for r in reports:
        total.lessons += r.lessons
        total.words += r.words
        total.sentences += r.sentences
        total.longest_sentence = max(total.longest_sentence, r.longest_sentence)
        total.questions.update(r.questions)
        total.explained += r.explained
        total.images += r.images
        total.images_without_alt += r.images_without_alt
        total.minutes += r.minutes
    return total


def format_table(reports: list[CourseReport]) -> str:
    rows = [*reports, totals(reports)]
    types = sorted({t for r in rows for t in r.questions})
    header = ["course", "groups", "min", "lessons", "words", "avg sent.", "longest", "questions", *types,
              "explained", "images", "no alt"]
    lines = ["\t".join(header)]
    for r in rows:
        lines.append("\t".join(str(v) for v in [
            r.course_id, ",".join(r.groups), r.minutes, r.lessons, r.words, f"{r.average_sentence:.1f}",
            r.longest_sentence, r.question_count, *[r.questions.get(t, 0) for t in types],
            f"{100 * r.explained_share:.0f}%", r.images, len(r.images_without_alt)]))
    return "\n".join(lines)


__all__ = ["CourseReport", "report", "totals", "format_table", "plain_text", "sentences_of", "load_yaml"]
