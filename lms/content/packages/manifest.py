"""A course package's manifest (``course.yaml``) and everything it names: modules, lessons and
question banks, checked into a :class:`~lms.content.packages.specs.CourseSpec`; and every
package of a courses directory at once (:func:`check_all`).
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path, PurePosixPath

from lms.content.i18n import N_
from lms.content.packages.checker import Checker, relative_name
from lms.content.packages.files import image_problem, package_hash, safe_package_path
from lms.content.packages.framework import load_framework
from lms.content.packages.lessons import MAX_LESSON_BYTES, check_lesson_markdown
from lms.content.packages.specs import CourseSpec, FrameworkSpec, LessonSpec, ModuleSpec, Problem
from lms.content.packages.yaml_lines import LineDict, load_yaml
from quizzes.bank import QuizSettings, check_bank, read_settings

MANIFEST = "course.yaml"
FORMAT_VERSION = 1
TARGET_GROUPS = ("officials", "students", "workers", "citizens")
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")


def check_package(folder: Path, courses_dir: Path, framework: FrameworkSpec | None) -> tuple[CourseSpec | None, list[Problem]]:
    """Check one course package. Returns the course (None when there is any error) and problems."""
    manifest = folder / MANIFEST
    rel = relative_name(manifest, courses_dir)
    if not manifest.is_file():
        return None, [Problem(relative_name(folder, courses_dir), None,
                              N_("this folder has no %(manifest)s; every course package needs one"), {"manifest": MANIFEST})]
    data, problems = load_yaml(manifest, rel)
    if problems:
        return None, problems
    check = Checker(rel)
    if not isinstance(data, LineDict):
        check.error(1, N_("the manifest must be a mapping of keys and values (see courses/README.md)"))
        return None, check.problems

    known = {"format", "id", "version", "title", "summary", "target_groups", "estimated_minutes",
             "competences", "sequential", "license", "authors", "modules", "language", "quiz_defaults"}
    check.unknown_keys(data, known, "course")
    # The course's quiz policy; each bank's own ``settings`` override it key by key.
    found: list = []
    quiz_defaults = read_settings({"settings": data.get("quiz_defaults") or {}}, found) \
        if isinstance(data.get("quiz_defaults") or {}, dict) else None
    if quiz_defaults is None:
        check.error(data.line_of("quiz_defaults"), N_("course: 'quiz_defaults' must be a mapping of quiz settings"))
    for problem in found:
        check.error(problem.line or data.line_of("quiz_defaults"), problem.message, **problem.params)
    fmt = data.get("format", FORMAT_VERSION)
    if fmt != FORMAT_VERSION:
        check.error(data.line_of("format"), N_("course: format %(found)s is not supported; this version reads format %(expected)s"),
                    found=fmt, expected=FORMAT_VERSION)
    course_id = check.identifier(data, "id", "course")
    if course_id and course_id != folder.name:
        check.error(data.line_of("id"), N_("course: the id '%(id)s' must be the same as the folder name '%(folder)s'"),
                    id=course_id, folder=folder.name)
    version = check.text(data, "version", "course", max_len=20)
    if version and not VERSION_RE.match(version):
        check.error(data.line_of("version"), N_("course: the version '%(version)s' must look like 1.0.0"), version=version)
    title_vi, title_en = check.bilingual(data, "title", "course")
    summary_vi, summary_en = check.bilingual(data, "summary", "course", max_len=1000)
    minutes = check.integer(data, "estimated_minutes", "course", 1, 10000)
    license_ = check.text(data, "license", "course", max_len=100)

    groups = data.get("target_groups")
    if not isinstance(groups, list) or not groups:
        check.error(data.line_of("target_groups"), N_("course: 'target_groups' must list at least one of %(groups)s"),
                    groups=", ".join(TARGET_GROUPS))
        groups = []
    for group in groups:
        if group not in TARGET_GROUPS:
            check.error(data.line_of("target_groups"), N_("course: unknown target group '%(group)s'; use %(groups)s"),
                        group=group, groups=", ".join(TARGET_GROUPS))
    if len(set(map(str, groups))) != len(groups):
        check.error(data.line_of("target_groups"), N_("course: a target group is listed twice"))

    competences = data.get("competences")
    if not isinstance(competences, list) or not competences:
        check.error(data.line_of("competences"), N_("course: 'competences' must list at least one competence code from framework.yaml"))
        competences = []
    competences = [str(c) for c in competences]
    if framework is not None:
        for code in competences:
            if code not in framework.codes:
                check.error(data.line_of("competences"), N_("course: the competence code '%(code)s' is not in framework.yaml"), code=code)

    sequential = data.get("sequential", False)
    if not isinstance(sequential, bool):
        check.error(data.line_of("sequential"), N_("course: 'sequential' must be true or false"))

    authors = data.get("authors")
    if not isinstance(authors, list) or not authors or not all(isinstance(a, str) and a.strip() for a in authors):
        check.error(data.line_of("authors"), N_("course: 'authors' must list at least one author's name"))
        authors = []

    modules: list[ModuleSpec] = []
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, list) or not raw_modules:
        check.error(data.line_of("modules"), N_("course: 'modules' must list at least one module"))
        raw_modules = []
    module_keys: set[str] = set()
    lesson_problems: list[Problem] = []
    for m_i, raw in enumerate(raw_modules, 1):
        where = f"module {m_i}"
        if not isinstance(raw, LineDict):
            check.error(data.line_of("modules"), N_("%(where)s must be a mapping with id, title and lessons"), where=where)
            continue
        check.unknown_keys(raw, {"id", "title", "lessons", "quiz"}, where)
        m_key = check.identifier(raw, "id", where)
        if m_key in module_keys:
            check.error(raw.line_of("id"), N_("%(where)s: the id '%(id)s' is used by another module"), where=where, id=m_key)
        elif m_key:
            module_keys.add(m_key)
        m_vi, m_en = check.bilingual(raw, "title", where)
        lessons: list[LessonSpec] = []
        raw_lessons = raw.get("lessons")
        if not isinstance(raw_lessons, list) or not raw_lessons:
            check.error(raw.line_of("lessons"), N_("%(where)s: 'lessons' must list at least one lesson"), where=where)
            raw_lessons = []
        lesson_keys: set[str] = set()
        for l_i, lraw in enumerate(raw_lessons, 1):
            lwhere = f"{where} lesson {l_i}"
            if not isinstance(lraw, LineDict):
                check.error(raw.line_of("lessons"), N_("%(where)s must be a mapping with id, title, file and minutes"), where=lwhere)
                continue
            check.unknown_keys(lraw, {"id", "title", "file", "minutes"}, lwhere)
            l_key = check.identifier(lraw, "id", lwhere)
            if l_key in lesson_keys:
                check.error(lraw.line_of("id"), N_("%(where)s: the id '%(id)s' is used by another lesson of this module"),
                            where=lwhere, id=l_key)
            elif l_key:
                lesson_keys.add(l_key)
            l_vi, l_en = check.bilingual(lraw, "title", lwhere)
            l_minutes = check.integer(lraw, "minutes", lwhere, 1, 600)
            l_file = check.text(lraw, "file", lwhere, max_len=300)
            text = None
            if l_file:
                path = safe_package_path(folder, l_file)
                if path is None:
                    check.error(lraw.line_of("file"), N_("%(where)s: the file '%(file)s' must be a path inside the package folder"),
                                where=lwhere, file=l_file)
                elif path.suffix.lower() != ".md":
                    check.error(lraw.line_of("file"), N_("%(where)s: the lesson file '%(file)s' must be a Markdown file ending in .md"),
                                where=lwhere, file=l_file)
                elif not path.is_file():
                    check.error(lraw.line_of("file"), N_("%(where)s: the lesson file '%(file)s' does not exist"),
                                where=lwhere, file=l_file)
                elif path.stat().st_size > MAX_LESSON_BYTES:
                    check.error(lraw.line_of("file"), N_("%(where)s: the lesson file '%(file)s' is larger than 200 KB; split the lesson"),
                                where=lwhere, file=l_file)
                else:
                    lesson_rel = relative_name(path, courses_dir)
                    raw_bytes = path.read_bytes()
                    try:
                        text = raw_bytes.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        lesson_problems.append(Problem(lesson_rel, raw_bytes[:exc.start].count(b"\n") + 1,
                                                       N_("the file is not UTF-8 text; save it as UTF-8")))
                    else:
                        if not text.strip():
                            lesson_problems.append(Problem(lesson_rel, 1, N_("the lesson is empty")))
                        lcheck = Checker(lesson_rel)
                        check_lesson_markdown(folder, courses_dir, path, text, lcheck)
                        lesson_problems.extend(lcheck.problems)
            if l_key and l_vi and l_minutes and text is not None:
                lessons.append(LessonSpec(l_key, l_vi, l_en, PurePosixPath(l_file).as_posix(), l_minutes, text))
        bank, bank_file = None, None
        if m_key:
            bank, bank_file, found = _load_bank(folder, courses_dir, raw, m_key, check, quiz_defaults)
            lesson_problems.extend(found)
        if m_key and m_vi:
            modules.append(ModuleSpec(m_key, m_vi, m_en, lessons, bank, bank_file))

    all_problems = check.problems + lesson_problems
    if any(p.is_error for p in all_problems):
        return None, all_problems
    spec = CourseSpec(
        id=course_id, version=version, title_vi=title_vi, title_en=title_en,
        summary_vi=summary_vi, summary_en=summary_en, target_groups=[str(g) for g in groups],
        estimated_minutes=minutes, competences=competences, sequential=bool(sequential),
        license=license_, authors=[a.strip() for a in authors], modules=modules, folder=folder,
        package_hash=package_hash(folder),
    )
    return spec, all_problems


def _load_bank(folder: Path, courses_dir: Path, module: LineDict, module_key: str, check: Checker,
               quiz_defaults: QuizSettings | None = None):
    """The module's question bank: ``quiz:`` in the manifest, else ``quizzes/<module id>.yaml``."""
    if "quiz" in module:
        bank_file = module.get("quiz")
        if not isinstance(bank_file, str) or not bank_file.strip():
            check.error(module.line_of("quiz"), N_("'quiz' must be the path of the module's question bank"))
            return None, None, []
        path = safe_package_path(folder, bank_file)
        if path is None or not path.is_file():
            check.error(module.line_of("quiz"), N_("the question bank '%(file)s' does not exist"), file=bank_file)
            return None, None, []
    else:
        bank_file = f"quizzes/{module_key}.yaml"
        path = folder / bank_file
        if not path.is_file():
            return None, None, []
    rel = relative_name(path, courses_dir)
    data, problems = load_yaml(path, rel)
    if problems:
        return None, bank_file, problems
    bank_dir = PurePosixPath(bank_file).parent

    bank, found = check_bank(data, image_exists=lambda src: image_problem(folder, bank_dir, src),
                             inherited=quiz_defaults)
    problems = [Problem(rel, p.line, p.message, p.params, is_error=p.is_error) for p in found]
    if bank is not None:
        for question in bank.questions:
            if "image" in question:  # stored as a path inside the package
                question["image"] = posixpath.normpath((bank_dir / question["image"]).as_posix())
    return bank, bank_file, problems


def package_folders(courses_dir: Path) -> list[Path]:
    """Every folder of the courses directory that should be a package (hidden and ``_`` folders are skipped)."""
    if not courses_dir.is_dir():
        return []
    return sorted(p for p in courses_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def check_all(courses_dir: Path) -> tuple[FrameworkSpec | None, list[CourseSpec], list[Problem]]:
    """Check the framework and every package of a courses directory."""
    framework, problems = load_framework(courses_dir)
    courses: list[CourseSpec] = []
    for folder in package_folders(courses_dir):
        spec, found = check_package(folder, courses_dir, framework)
        problems.extend(found)
        if spec is not None:
            courses.append(spec)
    return framework, courses, problems
