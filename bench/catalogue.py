"""The course catalogue in figures, per course and in total (also `flask --app wsgi courses report`).

Goals (issue #7): average sentence under 20 words, every question explained, no picture without
alternative text; at least 16 courses and 400 questions.
"""
from __future__ import annotations

from bench.common import ROOT
from lms.content.report import GOAL_SENTENCE_WORDS, format_table, report, totals


def run(seconds: float = 0.0) -> dict:
    reports, errors = report(ROOT / "courses")
    print(format_table(reports))
    total = totals(reports)
    worst = max(reports, key=lambda r: r.average_sentence)
    return {
        "name": "course catalogue",
        "courses": len(reports),
        "lessons": total.lessons,
        "words": total.words,
        "average_sentence_words": round(total.average_sentence, 1),
        "worst_course_average_sentence": [worst.course_id, round(worst.average_sentence, 1)],
        "questions": total.question_count,
        "questions_by_type": dict(sorted(total.questions.items())),
        "explained_share": round(total.explained_share, 3),
        "images": total.images,
        "images_without_alt": len(total.images_without_alt),
        "package_errors": errors,
        "ok": (not errors and len(reports) >= 16 and total.question_count >= 400 and total.explained_share == 1.0
               and not total.images_without_alt and all(r.average_sentence < GOAL_SENTENCE_WORDS for r in reports)),
    }
