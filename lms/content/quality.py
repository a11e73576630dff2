"""Bank quality: does passing a quiz show the skill, or only test-taking tricks?

Figures per course (``flask --app wsgi courses report``) and warnings per question
(``flask --app wsgi courses check``):

- **longest right option**: in single-choice questions, the share whose right option is longer
  than every wrong one. Learners learn to "pick the longest"; by chance alone it would be about
  one in the number of options. Goal: at most 35 % per course.
- **much longer**: right options at least 1.5 × as long as every wrong one (a warning each).
- **true/false balance**: how many true/false statements are true; a bank where most are true
  can be passed by always answering "true".
- **copies**: the same question stem in more than one course (a learner meets it twice and a
  pass in the second course shows nothing new).
- **recall of numbers**: stems that ask for a decree or dispatch number, a date or a year.
- **situations**: questions that set a scene and ask what to do ("Bà Lan nhận được tin nhắn …
  Bà nên làm gì?"), the kind that shows a skill. Goal: at least half of each bank.
- **bank size**: a retry draws different questions only if the bank holds at least twice the
  number drawn.

Plain functions over checked course specs; no database and no request.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from lms.content.i18n import N_
from lms.content.packages.specs import CourseSpec, Problem
from lms.text import fold
from quizzes.base import line_of

GOAL_LONGEST_SHARE = 0.35
GOAL_SITUATION_SHARE = 0.5
MUCH_LONGER = 1.5
TRUE_FALSE_BALANCE = (0.35, 0.65)  # share of "true" outside this range is a warning …
TRUE_FALSE_MIN = 6                 # … once a course has this many true/false statements

# "Nghị định số …", "Công văn 557/…", "ban hành ngày …", "năm nào", "ngày bao nhiêu"
_RECALL = re.compile(
    r"(nghị định|thông tư|quyết định|công văn|chỉ thị|nghị quyết|kế hoạch)\s+(số\s+)?(nào|bao nhiêu|\d+/)"
    r"|\b(số hiệu|ban hành (vào )?ngày|ban hành năm|có hiệu lực (từ )?ngày|năm nào|ngày nào|ngày bao nhiêu|"
    r"tháng nào|năm bao nhiêu|bao nhiêu phần trăm|mục tiêu (là )?bao nhiêu)\b",
    re.IGNORECASE)
# A scene: somebody (a named person, "bạn", a relative…) in a situation, then a question about
# what to do or what is happening. Either a named or described actor …
_ACTOR = re.compile(
    r"\b(ông|bà|(?<!tiếng )anh|chị|em|cô|chú|bác|cháu|bạn|mẹ|bố|cha|con|người dân|một người|khách|đồng nghiệp|"
    r"học sinh|cán bộ|chủ (quán|cửa hàng|sạp)|tiểu thương|gia đình)\b", re.IGNORECASE)
# … and a question about an action or a judgement of what happens.
_ASK_ACTION = re.compile(
    r"(nên|phải|cần|sẽ|có nên|hãy)\s+(làm|xử lý|trả lời|chọn|bấm|nhấn|gõ|gọi|báo|kiểm tra|dùng|đặt|mở|"
    r"đáp|hỏi|tắt|bật|ghi|đọc|chụp|gửi|nói|xem)|làm gì|làm thế nào|làm sao|xử lý thế nào|"
    r"đúng hay sai|an toàn không|có an toàn|có đúng|là gì\s*\?$|điều gì|dấu hiệu nào|việc nào|cách nào|bước nào",
    re.IGNORECASE)


def _stem(prompt: str) -> str:
    """A question's stem as compared between banks: folded, without punctuation or spacing."""
    return re.sub(r"[^0-9a-z]+", " ", fold(prompt)).strip()


def is_situation(prompt: str) -> bool:
    """A question that sets a scene before asking: at least two sentences (or a long one) with
    someone acting, and a question about what to do or what is going on."""
    text = " ".join(str(prompt).split())
    sentences = [s for s in re.split(r"(?<=[.!?…:])\s+", text) if s]
    scene = len(sentences) >= 2 or len(text.split()) >= 18
    return scene and bool(_ACTOR.search(text)) and bool(_ASK_ACTION.search(text))


def asks_recall(prompt: str) -> bool:
    """A stem that asks for a decree number, a date or a year rather than a skill."""
    return bool(_RECALL.search(str(prompt)))


def _option_lengths(question: dict) -> tuple[list[int], list[int]]:
    right, wrong = [], []
    for option in question.get("options") or []:
        length = len(" ".join(str(option.get("text", "")).split()))
        (right if option.get("correct") else wrong).append(length)
    return right, wrong


@dataclass
class BankQuality:
    """Figures for one course's banks."""

    course_id: str
    questions: int = 0
    single_choice: int = 0
    longest_right: int = 0
    much_longer: int = 0
    true_answers: int = 0
    false_answers: int = 0
    copies: int = 0
    recall: int = 0
    situations: int = 0
    small_banks: list[str] = field(default_factory=list)

    @property
    def longest_share(self) -> float:
        return self.longest_right / self.single_choice if self.single_choice else 0.0

    @property
    def situation_share(self) -> float:
        return self.situations / self.questions if self.questions else 0.0

    @property
    def true_share(self) -> float | None:
        total = self.true_answers + self.false_answers
        return self.true_answers / total if total else None

    def meets_goals(self) -> bool:
        return (self.longest_share <= GOAL_LONGEST_SHARE and self.copies == 0
                and self.situation_share >= GOAL_SITUATION_SHARE)


def assess(courses: list[CourseSpec]) -> tuple[dict[str, BankQuality], list[Problem]]:
    """Figures per course id, and one warning per weak question or bank."""
    figures: dict[str, BankQuality] = {}
    problems: list[Problem] = []
    stems: dict[str, set[str]] = defaultdict(set)
    located: list[tuple[str, str, str, dict]] = []  # (course, file, stem, question)
    for course in sorted(courses, key=lambda c: c.id):
        quality = figures.setdefault(course.id, BankQuality(course.id))
        for module in course.modules:
            bank = module.bank
            if bank is None:
                continue
            where = f"{course.id}/{module.bank_file}"
            draw = bank.settings.draw or len(bank.questions)
            if len(bank.questions) < 2 * draw:
                quality.small_banks.append(module.key)
                problems.append(Problem(where, None, N_(
                    "the bank has %(count)s questions for %(draw)s drawn: a retry can only draw different "
                    "questions when the bank holds at least twice as many (%(need)s)"),
                    {"count": len(bank.questions), "draw": draw, "need": 2 * draw}, is_error=False))
            for question in bank.questions:
                quality.questions += 1
                line = line_of(question)
                prompt = str(question.get("prompt", ""))
                stem = _stem(prompt)
                stems[stem].add(course.id)
                located.append((course.id, where, stem, question))
                if is_situation(prompt):
                    quality.situations += 1
                if asks_recall(prompt):
                    quality.recall += 1
                    problems.append(Problem(where, line, N_(
                        "question '%(id)s' asks for a number, a date or a year to remember; ask what to do "
                        "in a situation instead"), {"id": question.get("id")}, is_error=False))
                kind = question.get("type")
                if kind == "true_false":
                    if question.get("answer") is True:
                        quality.true_answers += 1
                    elif question.get("answer") is False:
                        quality.false_answers += 1
                if kind != "single_choice":
                    continue
                right, wrong = _option_lengths(question)
                if not right or not wrong:
                    continue
                quality.single_choice += 1
                if max(right) > max(wrong):
                    quality.longest_right += 1
                if min(right) >= MUCH_LONGER * max(wrong):
                    quality.much_longer += 1
                    problems.append(Problem(where, line, N_(
                        "question '%(id)s': the right option is much longer than every wrong one (%(right)s "
                        "against at most %(wrong)s letters), which gives it away"),
                        {"id": question.get("id"), "right": min(right), "wrong": max(wrong)}, is_error=False))
        low, high = TRUE_FALSE_BALANCE
        share = quality.true_share
        if share is not None and quality.true_answers + quality.false_answers >= TRUE_FALSE_MIN \
                and not low <= share <= high:
            problems.append(Problem(course.id, None, N_(
                "%(true)s of %(total)s true/false statements are true: always answering the same passes; "
                "balance them"), {"true": quality.true_answers,
                                  "total": quality.true_answers + quality.false_answers}, is_error=False))
        if quality.single_choice and quality.longest_share > GOAL_LONGEST_SHARE:
            problems.append(Problem(course.id, None, N_(
                "in %(count)s of %(total)s single-choice questions the right option is the longest "
                "(%(share)s %%, goal at most %(goal)s %%)"),
                {"count": quality.longest_right, "total": quality.single_choice,
                 "share": round(100 * quality.longest_share), "goal": round(100 * GOAL_LONGEST_SHARE)},
                is_error=False))
    for course_id, where, stem, question in located:
        others = sorted(stems[stem] - {course_id})
        if others:
            figures[course_id].copies += 1
            problems.append(Problem(where, line_of(question), N_(
                "question '%(id)s' is also asked in %(courses)s: write a different question for each course"),
                {"id": question.get("id"), "courses": ", ".join(others)}, is_error=False))
    return figures, problems


def format_table(figures: dict[str, BankQuality]) -> str:
    """One tab-separated line per course, and the goals."""
    header = ["course", "questions", "single", "longest right", "≥1.5× longer", "true/false (true)",
              "copies", "recall", "situations", "small banks", "goals"]
    lines = ["\t".join(header)]
    for quality in figures.values():
        total_tf = quality.true_answers + quality.false_answers
        lines.append("\t".join(str(v) for v in [
            quality.course_id, quality.questions, quality.single_choice,
            f"{quality.longest_right} ({100 * quality.longest_share:.0f}%)", quality.much_longer,
            f"{total_tf} ({quality.true_answers})", quality.copies, quality.recall,
            f"{quality.situations} ({100 * quality.situation_share:.0f}%)", len(quality.small_banks),
            "met" if quality.meets_goals() else "NOT met"]))
    lines.append(f"goals: longest right ≤ {100 * GOAL_LONGEST_SHARE:.0f}% per course, no copies between courses, "
                 f"situations ≥ {100 * GOAL_SITUATION_SHARE:.0f}% of each course")
    return "\n".join(lines)
