"""Reading and checking course packages (see courses/README.md for the format).

``check_package`` never raises for a bad package: it returns the problems it found, each naming
the file, the line and what to fix. Nothing in a package is executed.
"""
from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from lms.content.i18n import N_
from quizzes.bank import Bank, QuizSettings, check_bank, read_settings

MANIFEST = "course.yaml"
FRAMEWORK = "framework.yaml"
FORMAT_VERSION = 1
TARGET_GROUPS = ("officials", "students", "workers", "citizens")
ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58})[a-z0-9]$")
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}
MAX_IMAGE_BYTES = 1024 * 1024
MAX_LESSON_BYTES = 200 * 1024
# ![alt](path "title") — the forms Markdown accepts for inline images.
IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?(?P<href>[^)\s>]+)")
RAW_HTML_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


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


class LineDict(dict):
    """A YAML mapping that remembers the line of itself and of each value."""

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        self.key, self.line = key, line


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise yaml.constructor.ConstructorError(None, None, "a key must be plain text", key_node.start_mark)
        if key in mapping:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path, rel: str) -> tuple[object | None, list[Problem]]:
    """Parse a YAML file, keeping line numbers; problems instead of exceptions."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(rel, None, N_("the file is not UTF-8 text (byte %(pos)s); save it as UTF-8"),
                              {"pos": exc.start})]
    except OSError as exc:
        return None, [Problem(rel, None, N_("cannot read the file: %(error)s"), {"error": exc.strerror})]
    try:
        return yaml.load(text, Loader=_LineLoader), []
    except _DuplicateKey as exc:
        return None, [Problem(rel, exc.line, N_("the key '%(key)s' is written twice; keep one"), {"key": exc.key})]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, [Problem(rel, line, N_("this is not valid YAML: %(error)s"), {"error": exc.problem or str(exc)})]
    except yaml.YAMLError as exc:
        return None, [Problem(rel, None, N_("this is not valid YAML: %(error)s"), {"error": str(exc)})]


# --- Plain data returned for a good package -------------------------------------------------

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


# --- Checking helpers ----------------------------------------------------------------------

class _Checker:
    """Collects problems for one file while reading values out of LineDicts."""

    def __init__(self, rel: str):
        self.rel = rel
        self.problems: list[Problem] = []

    def error(self, line, message, **params):
        self.problems.append(Problem(self.rel, line, message, params))

    def warn(self, line, message, **params):
        self.problems.append(Problem(self.rel, line, message, params, is_error=False))

    def mapping(self, parent: LineDict, key: str, where: str) -> LineDict | None:
        value = parent.get(key)
        if not isinstance(value, LineDict):
            if key not in parent:
                self.error(parent.line, N_("%(where)s: '%(key)s' is missing"), where=where, key=key)
            else:
                self.error(parent.line_of(key), N_("%(where)s: '%(key)s' must be a mapping of keys and values"),
                           where=where, key=key)
            return None
        return value

    def text(self, parent: LineDict, key: str, where: str, required=True, max_len=200) -> str | None:
        if key not in parent or parent[key] is None:
            if required:
                self.error(parent.line, N_("%(where)s: '%(key)s' is missing"), where=where, key=key)
            return None
        value = parent[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(parent.line_of(key), N_("%(where)s: '%(key)s' must be text"), where=where, key=key)
            return None
        value = value.strip()
        if len(value) > max_len:
            self.error(parent.line_of(key), N_("%(where)s: '%(key)s' is longer than %(max)s characters"),
                       where=where, key=key, max=max_len)
            return None
        return value

    def bilingual(self, parent: LineDict, key: str, where: str, max_len=200) -> tuple[str | None, str | None]:
        value = parent.get(key)
        if isinstance(value, str):  # a plain string is the Vietnamese text
            return self.text(parent, key, where, max_len=max_len), None
        block = self.mapping(parent, key, where)
        if block is None:
            return None, None
        vi = self.text(block, "vi", f"{where} {key}", max_len=max_len)
        en = self.text(block, "en", f"{where} {key}", required=False, max_len=max_len)
        self.unknown_keys(block, {"vi", "en"}, f"{where} {key}")
        return vi, en

    def integer(self, parent: LineDict, key: str, where: str, low: int, high: int) -> int | None:
        if key not in parent:
            self.error(parent.line, N_("%(where)s: '%(key)s' is missing"), where=where, key=key)
            return None
        value = parent[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(parent.line_of(key), N_("%(where)s: '%(key)s' must be a whole number from %(low)s to %(high)s"),
                       where=where, key=key, low=low, high=high)
            return None
        return value

    def identifier(self, parent: LineDict, key: str, where: str) -> str | None:
        value = self.text(parent, key, where, max_len=60)
        if value is not None and not ID_RE.match(value):
            self.error(parent.line_of(key),
                       N_("%(where)s: '%(value)s' is not a valid id; use 2 to 60 lowercase letters a-z, digits and hyphens"),
                       where=where, value=value)
            return None
        return value

    def unknown_keys(self, parent: LineDict, known: set[str], where: str):
        for key in parent:
            if key not in known:
                self.warn(parent.line_of(key), N_("%(where)s: unknown key '%(key)s' is ignored (known keys: %(known)s)"),
                          where=where, key=key, known=", ".join(sorted(known)))


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_framework(courses_dir: Path) -> tuple[FrameworkSpec | None, list[Problem]]:
    """Read and check ``framework.yaml`` of a courses directory."""
    path = courses_dir / FRAMEWORK
    rel = FRAMEWORK
    if not path.is_file():
        return None, [Problem(rel, None, N_("the framework file is missing; courses cannot be tagged with competences"))]
    data, problems = load_yaml(path, rel)
    if problems:
        return None, problems
    check = _Checker(rel)
    if not isinstance(data, LineDict):
        return None, [Problem(rel, 1, N_("the framework must be a mapping with 'id' and 'areas'"))]
    fid = check.text(data, "id", "framework", max_len=60)
    areas_raw = data.get("areas")
    areas: list[AreaSpec] = []
    seen: set[str] = set()
    if not isinstance(areas_raw, list) or not areas_raw:
        check.error(data.line_of("areas"), N_("framework: 'areas' must be a non-empty list"))
    else:
        for a_i, area in enumerate(areas_raw, 1):
            if not isinstance(area, LineDict):
                check.error(data.line_of("areas"), N_("framework: area %(n)s must be a mapping"), n=a_i)
                continue
            where = f"area {a_i}"
            code = check.text(area, "code", where, max_len=16)
            vi, en = check.bilingual(area, "title", where)
            comps: list[CompetenceSpec] = []
            raw = area.get("competences")
            if not isinstance(raw, list) or not raw:
                check.error(area.line_of("competences"), N_("%(where)s: 'competences' must be a non-empty list"), where=where)
                raw = []
            for c_i, comp in enumerate(raw, 1):
                if not isinstance(comp, LineDict):
                    check.error(area.line_of("competences"), N_("%(where)s: competence %(n)s must be a mapping"),
                                where=where, n=c_i)
                    continue
                cwhere = f"{where} competence {c_i}"
                ccode = check.text(comp, "code", cwhere, max_len=16)
                cvi, cen = check.bilingual(comp, "title", cwhere)
                if ccode and ccode in seen:
                    check.error(comp.line_of("code"), N_("%(where)s: the code '%(code)s' is used twice"), where=cwhere, code=ccode)
                elif ccode and cvi:
                    seen.add(ccode)
                    comps.append(CompetenceSpec(ccode, cvi, cen))
            if code and code in seen:
                check.error(area.line_of("code"), N_("%(where)s: the code '%(code)s' is used twice"), where=where, code=code)
            elif code and vi:
                seen.add(code)
                areas.append(AreaSpec(code, vi, en, comps))
    errors = [p for p in check.problems if p.is_error]
    if errors or not fid:
        return None, check.problems
    return FrameworkSpec(fid, areas), check.problems


def package_hash(folder: Path) -> str:
    """A digest of every file in the package, to notice any change."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def safe_package_path(folder: Path, relative: str) -> Path | None:
    """The file ``relative`` inside ``folder``, or None if it would leave the folder."""
    if not relative or "\\" in relative or "\0" in relative:
        return None
    posix = PurePosixPath(relative)
    if posix.is_absolute() or ".." in posix.parts:
        return None
    root = folder.resolve()
    path = (root / posix).resolve()
    if path != root and root not in path.parents:
        return None  # a symlink pointing out of the package
    return path


def image_problem(folder: Path, base: PurePosixPath, src: str) -> tuple[str, dict] | None:
    """What is wrong with the picture ``src`` (relative to ``base`` inside the package), as a
    message template and its parameters; None when the picture is fine."""
    target = safe_package_path(folder, posixpath.normpath((base / src).as_posix()))
    if target is None:
        return N_("the image '%(src)s' points outside the package folder"), {"src": src}
    if not target.is_file():
        return N_("the image file '%(src)s' does not exist"), {"src": src}
    if target.suffix.lower() not in IMAGE_TYPES:
        return (N_("the image '%(src)s' has an unsupported type; use %(types)s"),
                {"src": src, "types": ", ".join(sorted(IMAGE_TYPES))})
    if target.stat().st_size > MAX_IMAGE_BYTES:
        return N_("the image '%(src)s' is larger than 1 MB; make it smaller for slow connections"), {"src": src}
    return None


def _check_lesson_markdown(folder: Path, courses_dir: Path, lesson_path: Path, text: str, check: _Checker):
    """Look at a lesson's images and links line by line."""
    base = PurePosixPath(lesson_path.relative_to(folder).as_posix()).parent
    in_fence = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence:
            continue
        for match in IMAGE_RE.finditer(line):
            src, alt = match.group("src"), match.group("alt").strip()
            if not alt:
                check.error(number, N_("the image '%(src)s' has no alternative text; describe the picture between the brackets: ![description](%(src)s)"), src=src)
            if "://" in src or src.startswith(("/", "data:")):
                check.error(number, N_("the image '%(src)s' must be a file inside the package, not an address"), src=src)
                continue
            found = image_problem(folder, base, src)
            if found:
                check.error(number, found[0], **found[1])
        for match in LINK_RE.finditer(line):
            href = match.group("href").strip().lower()
            if ":" in href.split("/")[0] and not href.startswith(("http:", "https:", "mailto:", "tel:")):
                check.error(number, N_("the link '%(href)s' uses a scheme that is not allowed; use http, https, mailto or tel"),
                            href=match.group("href"))
        if RAW_HTML_RE.search(line):
            check.warn(number, N_("raw HTML is not allowed in lessons and will be removed; use Markdown instead"))


def check_package(folder: Path, courses_dir: Path, framework: FrameworkSpec | None) -> tuple[CourseSpec | None, list[Problem]]:
    """Check one course package. Returns the course (None when there is any error) and problems."""
    manifest = folder / MANIFEST
    rel = _rel(manifest, courses_dir)
    if not manifest.is_file():
        return None, [Problem(_rel(folder, courses_dir), None,
                              N_("this folder has no %(manifest)s; every course package needs one"), {"manifest": MANIFEST})]
    data, problems = load_yaml(manifest, rel)
    if problems:
        return None, problems
    check = _Checker(rel)
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
                    lesson_rel = _rel(path, courses_dir)
                    raw_bytes = path.read_bytes()
                    try:
                        text = raw_bytes.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        lesson_problems.append(Problem(lesson_rel, raw_bytes[:exc.start].count(b"\n") + 1,
                                                       N_("the file is not UTF-8 text; save it as UTF-8")))
                    else:
                        if not text.strip():
                            lesson_problems.append(Problem(lesson_rel, 1, N_("the lesson is empty")))
                        lcheck = _Checker(lesson_rel)
                        _check_lesson_markdown(folder, courses_dir, path, text, lcheck)
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


def _load_bank(folder: Path, courses_dir: Path, module: LineDict, module_key: str, check: _Checker,
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
    rel = _rel(path, courses_dir)
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
