"""Teaching: the class progress grid."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from lms.extensions import db
from lms.models import (
    Assignment,
    AssignmentLearner,
    ClassGroup,
    ClassMember,
    Course,
    CourseModule,
    Lesson,
    LessonProgress,
    QuizAttempt,
    User,
)
from lms.teach.assignments import assignments_of_class
from lms.teach.classes import members_of


# --- the class progress grid ------------------------------------------------------------

@dataclass
class Column:
    assignment: Assignment
    module: CourseModule
    course: Course
    lessons: int
    has_quiz: bool


@dataclass
class Cell:
    state: str  # not_started | in_progress | done
    lessons_done: int = 0
    best_score: float | None = None
    assisted: bool = False
    assisted_by: str | None = None  # the teacher's name, when a quiz was done with their help


@dataclass
class Grid:
    columns: list[Column]
    learners: list[User]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (user id, column index)

    def row(self, user: User) -> list[Cell | None]:
        return [self.cells.get((user.id, i)) for i in range(len(self.columns))]

    def done_count(self, user: User) -> int:
        return sum(1 for c in self.row(user) if c is not None and c.state == "done")

    def applies(self, user: User, index: int) -> bool:
        return (user.id, index) in self.cells

    def column_totals(self) -> list[dict[str, int]]:
        totals = [{"not_started": 0, "in_progress": 0, "done": 0} for _ in self.columns]
        for (_uid, i), cell in self.cells.items():
            totals[i][cell.state] += 1
        return totals


def progress_grid(group: ClassGroup) -> Grid:
    """Learners × assigned modules in a fixed number of queries, whatever the class size:
    members, assignments, chosen learners, lesson counts, lessons done, quiz results."""
    learners = members_of(group)
    assignments = assignments_of_class(group)
    course_ids = {a.course_id for a in assignments}
    modules_by_course: dict[str, list[CourseModule]] = {}
    courses: dict[str, Course] = {}
    if course_ids:
        for course in db.session.scalars(select(Course).where(Course.id.in_(course_ids))):
            courses[course.id] = course
        for module in db.session.scalars(select(CourseModule).where(
                CourseModule.course_id.in_(course_ids), CourseModule.retired.is_(False)).order_by(CourseModule.position)):
            modules_by_course.setdefault(module.course_id, []).append(module)
    chosen: dict[int, set[int]] = {}
    chosen_ids = [a.id for a in assignments if a.chosen_only]
    if chosen_ids:
        for assignment_id, user_id in db.session.execute(select(AssignmentLearner.assignment_id, AssignmentLearner.user_id)
                                                         .where(AssignmentLearner.assignment_id.in_(chosen_ids))):
            chosen.setdefault(assignment_id, set()).add(user_id)
    columns: list[Column] = []
    seen: set[int] = set()
    module_ids: list[int] = []
    for assignment in assignments:
        mods = modules_by_course.get(assignment.course_id, [])
        if assignment.module_id is not None:
            mods = [m for m in mods if m.id == assignment.module_id]
        for module in mods:
            if module.id in seen:
                continue
            seen.add(module.id)
            module_ids.append(module.id)
            columns.append(Column(assignment, module, courses[assignment.course_id], 0, module.quiz_settings is not None))
    grid = Grid(columns, learners)
    if not columns or not learners:
        return grid
    lesson_counts = dict(db.session.execute(
        select(Lesson.module_id, func.count()).where(Lesson.module_id.in_(module_ids), Lesson.retired.is_(False))
        .group_by(Lesson.module_id)).all())
    for column in columns:
        column.lessons = lesson_counts.get(column.module.id, 0)
    member_ids = select(ClassMember.user_id).where(ClassMember.class_id == group.id)
    done_counts = {(u, m): n for u, m, n in db.session.execute(
        select(LessonProgress.user_id, Lesson.module_id, func.count())
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.module_id.in_(module_ids), Lesson.retired.is_(False), LessonProgress.user_id.in_(member_ids))
        .group_by(LessonProgress.user_id, Lesson.module_id))}
    quiz = {(u, m): (best, passed, assisted) for u, m, best, passed, assisted in db.session.execute(
        select(QuizAttempt.user_id, QuizAttempt.module_id, func.max(QuizAttempt.score),
               func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)),
               func.max(QuizAttempt.assisted_by_id))
        .where(QuizAttempt.module_id.in_(module_ids), QuizAttempt.user_id.in_(member_ids),
               QuizAttempt.status == "submitted")
        .group_by(QuizAttempt.user_id, QuizAttempt.module_id))}
    helper_ids = {a for _b, _p, a in quiz.values() if a is not None}
    helpers = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(helper_ids))).all()) \
        if helper_ids else {}
    for user in learners:
        for index, column in enumerate(columns):
            a = column.assignment
            if a.chosen_only and user.id not in chosen.get(a.id, set()):
                continue
            done = done_counts.get((user.id, column.module.id), 0)
            best, passed, assisted = quiz.get((user.id, column.module.id), (None, 0, None))
            lessons_all = column.lessons > 0 and done >= column.lessons
            finished = lessons_all and (passed == 1 or not column.has_quiz)
            state = "done" if finished else ("in_progress" if done or best is not None else "not_started")
            grid.cells[(user.id, index)] = Cell(state, done, best, assisted is not None,
                                                helpers.get(assisted) if assisted is not None else None)
    return grid
