"""Loading checked course packages into the database.

Each package is loaded in its own transaction: a broken package is reported and skipped (its
last good version, if any, stays online) while the others load.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select

from lms.content.markdown import render_markdown
from lms.content.packages.framework import load_framework
from lms.content.packages.manifest import check_package, package_folders
from lms.content.packages.specs import CourseSpec, FrameworkSpec, Problem
from lms.extensions import db
from lms.models import (
    Competence,
    CompetenceArea,
    Course,
    CourseCompetence,
    CourseModule,
    CourseTargetGroup,
    Lesson,
    PackageProblem,
    QuizQuestion,
)
from lms.models.base import utcnow

log = logging.getLogger(__name__)

# Lesson pages live at /courses/<course>/<module>/<lesson>; package files at
# /courses/<course>/files/<path>. A relative prefix keeps working under any URL prefix.
MEDIA_PREFIX = "../files/"

FRAMEWORK_PACKAGE = "(framework)"


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    certificates_issued: int = 0


def _record_problems(package: str, problems: list[Problem]) -> None:
    db.session.execute(delete(PackageProblem).where(PackageProblem.package == package))
    for p in problems:
        db.session.add(PackageProblem(package=package, file=p.file, line=p.line, message=p.message,
                                      params=p.params, is_error=p.is_error))


def _sync_framework(framework: FrameworkSpec) -> None:
    areas = {a.code: a for a in db.session.scalars(select(CompetenceArea))}
    comps = {c.code: c for c in db.session.scalars(select(Competence))}
    keep_areas, keep_comps = set(), set()
    for a_pos, spec in enumerate(framework.areas):
        area = areas.get(spec.code) or CompetenceArea(code=spec.code)
        area.position, area.title_vi, area.title_en = a_pos, spec.title_vi, spec.title_en
        db.session.add(area)
        keep_areas.add(spec.code)
        for c_pos, cspec in enumerate(spec.competences):
            comp = comps.get(cspec.code) or Competence(code=cspec.code)
            comp.area_code, comp.position = spec.code, c_pos
            comp.title_vi, comp.title_en = cspec.title_vi, cspec.title_en
            db.session.add(comp)
            keep_comps.add(cspec.code)
    db.session.flush()
    for code, comp in comps.items():
        if code not in keep_comps:
            db.session.delete(comp)
    for code, area in areas.items():
        if code not in keep_areas:
            db.session.delete(area)


def lesson_html(spec: CourseSpec, file: str, markdown_text: str) -> str:
    base_dir = str(Path(file).parent.as_posix())
    return render_markdown(markdown_text, base_dir="" if base_dir == "." else base_dir, media_prefix=MEDIA_PREFIX)


def _apply(spec: CourseSpec, course: Course | None) -> Course:
    """Create or update a course from its checked package, keeping ids of surviving lessons."""
    if course is None:
        course = Course(id=spec.id)
        db.session.add(course)
    course.version = spec.version
    course.title_vi, course.title_en = spec.title_vi, spec.title_en
    course.summary_vi, course.summary_en = spec.summary_vi, spec.summary_en
    course.estimated_minutes = spec.estimated_minutes
    course.sequential = spec.sequential
    course.license = spec.license
    course.authors = list(spec.authors)
    course.available = True
    course.package_hash = spec.package_hash
    course.synced_at = utcnow()
    course.target_groups = [CourseTargetGroup(target_group=g) for g in spec.target_groups]
    course.competences = [CourseCompetence(competence_code=c) for c in dict.fromkeys(spec.competences)]
    # Flush the replaced association rows before new ones with the same keys are inserted.
    db.session.flush()

    existing = {m.key: m for m in course.modules}
    seen_modules = set()
    for m_pos, mspec in enumerate(spec.modules):
        module = existing.get(mspec.key)
        if module is None:
            module = CourseModule(key=mspec.key)
            course.modules.append(module)
        module.position, module.title_vi, module.title_en, module.retired = m_pos, mspec.title_vi, mspec.title_en, False
        seen_modules.add(mspec.key)
        lessons = {lesson.key: lesson for lesson in module.lessons}
        seen_lessons = set()
        for l_pos, lspec in enumerate(mspec.lessons):
            lesson = lessons.get(lspec.key)
            if lesson is None:
                lesson = Lesson(key=lspec.key)
                module.lessons.append(lesson)
            lesson.position = l_pos
            lesson.title_vi, lesson.title_en = lspec.title_vi, lspec.title_en
            lesson.minutes = lspec.minutes
            lesson.source_path = lspec.file
            lesson.html = lesson_html(spec, lspec.file, lspec.markdown)
            lesson.retired = False
            seen_lessons.add(lspec.key)
        for key, lesson in lessons.items():
            if key not in seen_lessons:
                lesson.retired = True
        _apply_bank(module, mspec)
    for key, module in existing.items():
        if key not in seen_modules:
            module.retired = True
            for lesson in module.lessons:
                lesson.retired = True
    return course


def _apply_bank(module: CourseModule, mspec) -> None:
    """Store the module's quiz settings and questions; questions keep their ids across versions
    (statistics and past attempts refer to them), removed ones are retired."""
    if module.id is None:
        db.session.flush()
    existing = {q.key: q for q in db.session.scalars(select(QuizQuestion).where(QuizQuestion.module_id == module.id))}
    if mspec.bank is None:
        module.quiz_settings = None
        for question in existing.values():
            question.retired = True
        return
    module.quiz_settings = mspec.bank.settings.as_dict()
    seen = set()
    for position, data in enumerate(mspec.bank.questions):
        question = existing.get(data["id"])
        if question is None:
            question = QuizQuestion(module_id=module.id, key=data["id"])
            db.session.add(question)
        question.position, question.type, question.data, question.retired = position, data["type"], data, False
        seen.add(data["id"])
    for key, question in existing.items():
        if key not in seen:
            question.retired = True


def sync_packages(courses_dir: Path) -> SyncReport:
    """Check every package in ``courses_dir`` and load the good ones into the database."""
    report = SyncReport()
    framework, problems = load_framework(courses_dir)
    report.problems.extend(problems)
    _record_problems(FRAMEWORK_PACKAGE, problems)
    if framework is not None:
        _sync_framework(framework)
    db.session.commit()

    present: set[str] = set()
    for folder in package_folders(courses_dir):
        present.add(folder.name)
        try:
            spec, problems = check_package(folder, courses_dir, framework)
            report.problems.extend(problems)
            _record_problems(folder.name, problems)
            if spec is None:
                report.failed.append(folder.name)
            else:
                course = db.session.get(Course, spec.id)
                if course is not None and course.package_hash == spec.package_hash and course.available:
                    report.unchanged.append(spec.id)
                else:
                    (report.added if course is None else report.updated).append(spec.id)
                    _apply(spec, course)
            db.session.commit()
        except Exception:  # one package must never stop the others
            db.session.rollback()
            log.exception("loading course package %s failed", folder.name)
            problem = Problem(folder.name, None, "loading this package failed unexpectedly; see the server log")
            report.problems.append(problem)
            report.failed.append(folder.name)
            _record_problems(folder.name, [problem])
            db.session.commit()

    for course in db.session.scalars(select(Course).where(Course.available.is_(True))):
        if course.id not in present:
            course.available = False
            report.missing.append(course.id)
    db.session.execute(delete(PackageProblem).where(
        PackageProblem.package.not_in(present | {FRAMEWORK_PACKAGE})))
    db.session.commit()
    # A new version can complete a course for learners (a module removed, a quiz dropped).
    from lms.certificates.services import issue_for_course
    for course_id in report.updated:
        report.certificates_issued += issue_for_course(course_id)
    return report
