"""Progress and course outlines as plain functions (no request needed)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.models import (
    Competence,
    CompetenceArea,
    Course,
    CourseCompetence,
    CourseModule,
    CourseTargetGroup,
    Lesson,
    LessonProgress,
    QuizAttempt,
    User,
)


@dataclass(frozen=True)
class LessonInfo:
    """What pages need of a lesson, kept in memory per package version (no HTML)."""

    id: int
    key: str
    title_vi: str
    title_en: str | None
    minutes: int


@dataclass(frozen=True)
class ModuleInfo:
    id: int
    key: str
    title_vi: str
    title_en: str | None
    lessons: tuple[LessonInfo, ...]
    has_quiz: bool = False


# course id → (package stamp, modules). A course's structure only changes when a new package
# version is loaded, so each process reads it once per version instead of once per page.
_structure_cache: dict[str, tuple[str, tuple[ModuleInfo, ...]]] = {}
# lesson id → (package stamp, sanitized HTML)
_html_cache: dict[int, tuple[str, str]] = {}


def _stamp(course: Course) -> str:
    return f"{course.package_hash}:{course.synced_at.isoformat()}"


def course_structure(course: Course) -> tuple[ModuleInfo, ...]:
    """The course's current modules and lessons, in order (cached per package version)."""
    stamp = _stamp(course)
    cached = _structure_cache.get(course.id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rows = db.session.execute(
        select(CourseModule.id, CourseModule.key, CourseModule.title_vi, CourseModule.title_en,
               CourseModule.quiz_settings.is_not(None), Lesson.id, Lesson.key, Lesson.title_vi, Lesson.title_en, Lesson.minutes)
        .join(Lesson, Lesson.module_id == CourseModule.id)
        .where(CourseModule.course_id == course.id, CourseModule.retired.is_(False), Lesson.retired.is_(False))
        .order_by(CourseModule.position, Lesson.position)
    ).all()
    modules: list[ModuleInfo] = []
    lessons: dict[int, list[LessonInfo]] = {}
    for m_id, m_key, m_vi, m_en, has_quiz, l_id, l_key, l_vi, l_en, minutes in rows:
        if m_id not in lessons:
            lessons[m_id] = []
            modules.append(ModuleInfo(m_id, m_key, m_vi, m_en, (), bool(has_quiz)))
        lessons[m_id].append(LessonInfo(l_id, l_key, l_vi, l_en, minutes))
    structure = tuple(ModuleInfo(m.id, m.key, m.title_vi, m.title_en, tuple(lessons[m.id]), m.has_quiz)
                      for m in modules)
    _structure_cache[course.id] = (stamp, structure)
    return structure


def lesson_html(course: Course, lesson_id: int) -> str:
    """A lesson's sanitized HTML (cached per package version)."""
    stamp = _stamp(course)
    cached = _html_cache.get(lesson_id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    html = db.session.scalar(select(Lesson.html).where(Lesson.id == lesson_id)) or ""
    _html_cache[lesson_id] = (stamp, html)
    return html


@dataclass
class LessonState:
    lesson: LessonInfo
    done: bool


@dataclass
class ModuleState:
    module: ModuleInfo
    lessons: list[LessonState]
    locked: bool = False
    blocked_by: ModuleInfo | None = None  # the earlier module to finish first
    quiz_passed: bool = False

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.lessons if s.done)

    @property
    def percent(self) -> float:
        return 100.0 * self.done_count / self.total if self.total else 0.0

    @property
    def lessons_done(self) -> bool:
        return self.total > 0 and self.done_count == self.total

    @property
    def is_done(self) -> bool:
        """All lessons done and, when the module has a quiz, the quiz passed."""
        return self.lessons_done and (self.quiz_passed or not self.module.has_quiz)

    @property
    def started(self) -> bool:
        return self.done_count > 0


@dataclass
class CourseOutline:
    course: Course
    modules: list[ModuleState] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.modules)

    @property
    def done_count(self) -> int:
        return sum(m.done_count for m in self.modules)

    @property
    def percent(self) -> float:
        return 100.0 * self.done_count / self.total if self.total else 0.0

    @property
    def is_done(self) -> bool:
        return bool(self.modules) and all(m.is_done for m in self.modules)

    def flat(self) -> list[tuple[ModuleState, LessonState]]:
        return [(m, s) for m in self.modules for s in m.lessons]

    def find(self, module_key: str, lesson_key: str) -> tuple[ModuleState, LessonState] | None:
        for m, s in self.flat():
            if m.module.key == module_key and s.lesson.key == lesson_key:
                return m, s
        return None

    def next_lesson(self) -> tuple[ModuleState, LessonState] | None:
        """The first lesson not yet done in an open module."""
        for m, s in self.flat():
            if not m.locked and not s.done:
                return m, s
        return None


def open_course(course_id: str, user: User | None) -> Course | None:
    """A course the user may open: enabled and available (administrators also see disabled ones)."""
    course = db.session.get(Course, course_id)
    if course is None:
        return None
    if course.is_open or (user is not None and user.is_authenticated and user.is_admin and course.available):
        return course
    return None


def build_outline(course: Course, user_id: int | None) -> CourseOutline:
    """Modules, lessons and what the user has done (one query once the structure is cached)."""
    structure = course_structure(course)
    done: set[int] = set()
    if user_id is not None:
        done = set(db.session.scalars(
            select(LessonProgress.lesson_id)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .join(CourseModule, CourseModule.id == Lesson.module_id)
            .where(LessonProgress.user_id == user_id, CourseModule.course_id == course.id)))
    passed: set[int] = set()
    if user_id is not None and any(m.has_quiz for m in structure):
        passed = set(db.session.scalars(
            select(QuizAttempt.module_id).distinct()
            .where(QuizAttempt.user_id == user_id, QuizAttempt.passed.is_(True),
                   QuizAttempt.module_id.in_([m.id for m in structure]))))
    outline = CourseOutline(course)
    for module in structure:
        outline.modules.append(ModuleState(module, [LessonState(lesson, lesson.id in done) for lesson in module.lessons],
                                           quiz_passed=module.id in passed))
    if course.sequential:
        blocker = None
        for state in outline.modules:
            if blocker is not None:
                state.locked, state.blocked_by = True, blocker
            elif not state.is_done:
                blocker = state.module
    return outline


def progress_by_course(user_id: int, course_ids: list[str]) -> dict[str, tuple[int, int]]:
    """{course id: (lessons done, lessons in total)} for the user, in one grouped query."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        select(CourseModule.course_id, func.count(Lesson.id), func.count(LessonProgress.lesson_id))
        .join(Lesson, Lesson.module_id == CourseModule.id)
        .outerjoin(LessonProgress, and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user_id))
        .where(CourseModule.course_id.in_(course_ids), CourseModule.retired.is_(False), Lesson.retired.is_(False))
        .group_by(CourseModule.course_id)
    ).all()
    return {course_id: (done, total) for course_id, total, done in rows}


def visible_courses(target_group: str | None) -> tuple[list[Course], list[Course]]:
    """Open courses: (those for the group, all others), each ordered by title."""
    courses = db.session.scalars(
        select(Course).where(Course.enabled.is_(True), Course.available.is_(True)).order_by(Course.title_vi)).all()
    if not target_group:
        return [], list(courses)
    group_ids = set(db.session.scalars(
        select(CourseTargetGroup.course_id).where(CourseTargetGroup.target_group == target_group)))
    mine = [c for c in courses if c.id in group_ids]
    others = [c for c in courses if c.id not in group_ids]
    return mine, others


def framework_areas() -> list[CompetenceArea]:
    return list(db.session.scalars(select(CompetenceArea).order_by(CompetenceArea.position)))


def filtered_courses(group: str | None, area: str | None) -> list[Course]:
    """Open courses for a target group and/or teaching a competence of a framework area."""
    stmt = select(Course).where(Course.enabled.is_(True), Course.available.is_(True))
    if group:
        stmt = stmt.where(Course.id.in_(select(CourseTargetGroup.course_id).where(CourseTargetGroup.target_group == group)))
    if area:
        codes = select(Competence.code).where(Competence.area_code == area)
        stmt = stmt.where(Course.id.in_(select(CourseCompetence.course_id).where(
            or_(CourseCompetence.competence_code.in_(codes), CourseCompetence.competence_code == area))))
    return list(db.session.scalars(stmt.order_by(Course.title_vi)))


def mark_done(user: User, lesson: LessonInfo | Lesson) -> bool:
    """Record that the user finished a lesson. Returns False if it was already recorded."""
    exists = db.session.get(LessonProgress, (user.id, lesson.id))
    if exists is not None:
        return False
    db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id))
    try:
        db.session.commit()
    except IntegrityError:  # the same click arrived twice at once
        db.session.rollback()
        return False
    note_activity(user.id)
    # The last lesson read after every quiz was passed completes the course.
    from lms.certificates.services import issue_if_complete
    course_id = db.session.scalar(select(CourseModule.course_id).join(Lesson, Lesson.module_id == CourseModule.id)
                                  .where(Lesson.id == lesson.id))
    issue_if_complete(user.id, course_id)
    return True


def note_activity(user_id: int) -> None:
    """Keep the day the person last learned something (written at most once a day)."""
    today = date.today()
    db.session.execute(update(User).where(User.id == user_id, or_(User.last_active_on.is_(None),
                                                                   User.last_active_on != today))
                       .values(last_active_on=today))
    db.session.commit()


def remember_lesson(user: User, lesson: LessonInfo | Lesson) -> None:
    """Keep the last lesson opened, for "continue where you left off" (written only on change)."""
    if user.last_lesson_id != lesson.id:
        user.last_lesson_id = lesson.id
        db.session.commit()


def continue_target(user: User) -> tuple[Course, ModuleInfo, LessonInfo | None] | None:
    """Where the learner should go on: the last lesson opened, or the next one after it if done,
    or the module's quiz (lesson None) when its lessons are done but the quiz is not passed."""
    if user.last_lesson_id is None:
        return None
    lesson = db.session.get(Lesson, user.last_lesson_id)
    if lesson is None or lesson.retired or lesson.module.retired or not lesson.module.course.is_open:
        return None
    course = lesson.module.course
    outline = build_outline(course, user.id)
    found = outline.find(lesson.module.key, lesson.key)
    if found is None:
        return None
    if found[1].done:
        for state in outline.modules:
            if not state.locked and state.lessons_done and state.module.has_quiz and not state.quiz_passed:
                return course, state.module, None
        nxt = outline.next_lesson()
        if nxt is None:
            return None  # the course is finished
        return course, nxt[0].module, nxt[1].lesson
    return course, found[0].module, found[1].lesson
