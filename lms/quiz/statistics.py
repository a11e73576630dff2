"""Per-question statistics of a module's quiz, from the graded responses."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import CourseModule, QuizAttempt, QuizQuestion, QuizResponse


@dataclass
class QuestionStats:
    key: str
    prompt: str
    type: str
    attempts: int
    share_correct: float
    most_chosen_wrong: str | None
    most_chosen_wrong_count: int
    discrimination: float | None


def question_statistics(module: CourseModule) -> list[QuestionStats]:
    """Per question of a module's quiz: how many answered it, the share fully correct, the wrong
    answer chosen most, and a discrimination index (share correct among the top 27% of attempts
    by total score minus the share among the bottom 27%; near 0 or negative flags a bad question)."""
    rows = db.session.execute(
        select(QuizResponse.question_key, QuizResponse.score, QuizResponse.chosen, QuizAttempt.id, QuizAttempt.score)
        .join(QuizAttempt, QuizAttempt.id == QuizResponse.attempt_id)
        .where(QuizAttempt.module_id == module.id, QuizAttempt.status == "submitted")).all()
    totals = sorted({(attempt_score or 0.0, attempt_id) for _k, _s, _c, attempt_id, attempt_score in rows})
    group = max(1, round(len(totals) * 0.27)) if len(totals) >= 4 else 0
    bottom = {a for _s, a in totals[:group]}
    top = {a for _s, a in totals[-group:]} if group else set()
    questions = {q.key: q for q in db.session.scalars(select(QuizQuestion).where(QuizQuestion.module_id == module.id))}
    by_key: dict[str, list] = {}
    for key, score, chosen, attempt_id, _total in rows:
        by_key.setdefault(key, []).append((score, chosen or [], attempt_id))
    stats = []
    for key, question in sorted(questions.items(), key=lambda kv: kv[1].position):
        answers = by_key.get(key, [])
        correct = [s >= 0.999999 for s, _c, _a in answers]
        wrong_counts: dict[str, int] = {}
        right_ids = set(_correct_ids(question.data))
        for score, chosen, _a in answers:
            if score < 0.999999:
                for choice in chosen:
                    if choice not in right_ids:
                        wrong_counts[choice] = wrong_counts.get(choice, 0) + 1
        worst = max(wrong_counts.items(), key=lambda kv: kv[1]) if wrong_counts else (None, 0)
        discrimination = None
        if group:
            up = [s >= 0.999999 for s, _c, a in answers if a in top]
            down = [s >= 0.999999 for s, _c, a in answers if a in bottom]
            if up and down:
                discrimination = round(sum(up) / len(up) - sum(down) / len(down), 2)
        stats.append(QuestionStats(
            key=key, prompt=question.data.get("prompt", ""), type=question.type, attempts=len(answers),
            share_correct=(sum(correct) / len(correct)) if correct else 0.0,
            most_chosen_wrong=_choice_label(question.data, worst[0]), most_chosen_wrong_count=worst[1],
            discrimination=discrimination))
    return stats


def _correct_ids(spec: dict) -> list[str]:
    if spec.get("type") in ("single_choice", "multiple_choice"):
        return [str(o["id"]) for o in spec.get("options", []) if o.get("correct") is True]
    if spec.get("type") == "true_false":
        return ["true" if spec.get("answer") else "false"]
    return []


def _choice_label(spec: dict, choice: str | None) -> str | None:
    if choice is None:
        return None
    for option in spec.get("options", []) or []:
        if str(option.get("id")) == choice:
            return str(option.get("text"))
    return choice


def count_submitted(module_id: int) -> int:
    return db.session.scalar(select(func.count(QuizAttempt.id)).where(
        QuizAttempt.module_id == module_id, QuizAttempt.status == "submitted")) or 0
