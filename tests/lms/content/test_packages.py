"""The package checker names the file and line of every problem; sync loads what is good."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lms.content.packages.framework import load_framework
from lms.content.packages.manifest import check_all, check_package
from lms.content.sync import sync_packages
from lms.extensions import db
from lms.models import Course, Lesson, LessonProgress, PackageProblem
from tests.helpers import post_form


def problems_of(courses_dir: Path, name: str = "alpha"):
    framework, _ = load_framework(courses_dir)
    spec, problems = check_package(courses_dir / name, courses_dir, framework)
    return spec, problems


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_fixture_packages_are_good(courses_dir):
    _framework, courses, problems = check_all(courses_dir)
    assert [c.id for c in courses] == ["alpha", "beta"]
    assert problems == []


@pytest.mark.parametrize("old, new, needle, message", [
    ("id: alpha", "id: Alpha_Course", "id: Alpha_Course", "is not a valid id"),
    ("id: alpha", "id: gamma", "id: gamma", "must be the same as the folder name"),
    ("version: 1.0.0", "version: one", "version: one", "must look like 1.0.0"),
    ("target_groups: [citizens]", "target_groups: [farmers]", "target_groups", "unknown target group 'farmers'"),
    ("target_groups: [citizens]", "target_groups: []", "target_groups", "must list at least one of"),
    ('competences: ["0.1"]', 'competences: ["9.9"]', "competences", "'9.9' is not in framework.yaml"),
    ("estimated_minutes: 20", "estimated_minutes: lots", "estimated_minutes", "must be a whole number"),
    ("sequential: true", "sequential: maybe", "sequential", "must be true or false"),
    ("file: lessons/m1/l2.md", "file: lessons/m1/missing.md", "missing.md", "does not exist"),
    ("file: lessons/m1/l2.md", "file: ../beta/lessons/b1.md", "../beta", "must be a path inside the package folder"),
    ("file: lessons/m1/l2.md", "file: /etc/passwd", "/etc/passwd", "must be a path inside the package folder"),
    ("file: lessons/m1/l2.md", "file: images/phone.svg", "file: images/phone.svg", "must be a Markdown file"),
    ("      - id: l2", "      - id: l1", "- id: l1\n", "is used by another lesson of this module"),
    ("  - id: m2", "  - id: m1", "  - id: m1\n", "is used by another module"),
    ("        minutes: 5\n  - id: m2", "        minutes: 0\n  - id: m2", "minutes: 0", "must be a whole number from 1 to 600"),
])
def test_manifest_errors_name_file_and_line(courses_dir, old, new, needle, message):
    manifest = courses_dir / "alpha" / "course.yaml"
    replace(manifest, old, new)
    spec, problems = problems_of(courses_dir)
    assert spec is None
    errors = [p for p in problems if p.is_error]
    assert any(message in str(p) for p in errors), [str(p) for p in problems]
    problem = next(p for p in errors if message in str(p))
    assert problem.file == "alpha/course.yaml"
    expected = line_of(manifest, needle.strip("\n").split("\n")[0]) if "\n" not in needle else None
    if needle.endswith("\n"):  # the second occurrence of a repeated id
        lines = [n for n, line in enumerate(manifest.read_text().splitlines(), 1) if needle.strip() in line]
        expected = lines[-1]
    assert problem.line == expected
    assert str(problem).startswith(f"alpha/course.yaml:{expected}: error: ")


def test_missing_required_field(courses_dir):
    manifest = courses_dir / "alpha" / "course.yaml"
    replace(manifest, "license: CC BY-SA 4.0\n", "")
    _spec, problems = problems_of(courses_dir)
    assert any("'license' is missing" in str(p) and p.line == 1 for p in problems)


def test_yaml_syntax_error_names_the_line(courses_dir):
    manifest = courses_dir / "alpha" / "course.yaml"
    replace(manifest, "estimated_minutes: 20", "estimated_minutes: [20")
    spec, problems = problems_of(courses_dir)
    assert spec is None
    assert len(problems) == 1 and "not valid YAML" in problems[0].message
    assert problems[0].line is not None and problems[0].line >= line_of(manifest, "estimated_minutes")


def test_duplicate_key_names_the_line(courses_dir):
    manifest = courses_dir / "alpha" / "course.yaml"
    replace(manifest, "estimated_minutes: 20", "estimated_minutes: 20\nestimated_minutes: 30")
    _spec, problems = problems_of(courses_dir)
    assert problems[0].line == line_of(manifest, "estimated_minutes: 30")
    assert "written twice" in str(problems[0])


def test_unknown_key_is_a_warning_not_an_error(courses_dir):
    replace(courses_dir / "alpha" / "course.yaml", "sequential: true", "sequential: true\ntitel: typo")
    spec, problems = problems_of(courses_dir)
    assert spec is not None
    assert [p.is_error for p in problems] == [False]
    manifest = courses_dir / "alpha" / "course.yaml"
    assert "unknown key 'titel'" in str(problems[0]) and problems[0].line == line_of(manifest, "titel")


def test_missing_manifest(courses_dir):
    (courses_dir / "alpha" / "course.yaml").unlink()
    _spec, problems = problems_of(courses_dir)
    assert problems[0].file == "alpha" and "has no course.yaml" in str(problems[0])


@pytest.mark.parametrize("markdown, message", [
    ("![](../../images/phone.svg)", "has no alternative text"),
    ("![Ảnh](../../images/khong-co.png)", "does not exist"),
    ("![Ảnh](../../../beta/lessons/b1.md)", "points outside the package folder"),
    ("![Ảnh](https://example.com/a.png)", "must be a file inside the package"),
    ("![Ảnh](../../course.yaml)", "unsupported type"),
    ("[Bấm vào đây](javascript:alert(1))", "scheme that is not allowed"),
])
def test_lesson_errors_name_file_and_line(courses_dir, markdown, message):
    lesson = courses_dir / "alpha" / "lessons" / "m1" / "l2.md"
    lesson.write_text("Dòng một.\n\nDòng ba.\n" + markdown + "\n", encoding="utf-8")
    spec, problems = problems_of(courses_dir)
    assert spec is None
    problem = next(p for p in problems if message in str(p))
    assert (problem.file, problem.line) == ("alpha/lessons/m1/l2.md", 4)


def test_lesson_that_is_not_utf8(courses_dir):
    lesson = courses_dir / "alpha" / "lessons" / "m1" / "l2.md"
    lesson.write_bytes(b"Dong mot\nB\xe0i h\xf5c\n")  # Windows-1258 bytes, as old editors save
    _spec, problems = problems_of(courses_dir)
    problem = next(p for p in problems if "not UTF-8" in str(p))
    assert problem.file == "alpha/lessons/m1/l2.md" and problem.line == 2


def test_raw_html_is_a_warning(courses_dir):
    lesson = courses_dir / "alpha" / "lessons" / "m1" / "l2.md"
    lesson.write_text("Chữ\n<script>alert(1)</script>\n", encoding="utf-8")
    spec, problems = problems_of(courses_dir)
    assert spec is not None
    assert [(p.line, p.is_error) for p in problems] == [(2, False)]


def test_broken_framework_is_reported(courses_dir):
    (courses_dir / "framework.yaml").write_text("id: x\nareas: oops\n", encoding="utf-8")
    framework, problems = load_framework(courses_dir)
    assert framework is None
    assert problems[0].file == "framework.yaml" and problems[0].line == 2


def test_check_command_prints_every_problem_and_fails(app, runner, courses_dir):
    replace(courses_dir / "alpha" / "course.yaml", "version: 1.0.0", "version: x")
    replace(courses_dir / "beta" / "course.yaml", "target_groups: [officials]", "target_groups: [nobody]")
    result = runner.invoke(args=["courses", "check"])
    assert result.exit_code == 1
    assert "alpha/course.yaml:3: error: course: the version 'x' must look like 1.0.0" in result.output
    assert "beta/course.yaml:" in result.output and "unknown target group 'nobody'" in result.output


def test_check_command_passes_on_good_packages(app, runner):
    result = runner.invoke(args=["courses", "check"])
    assert result.exit_code == 0, result.output
    assert "2 package(s) good, 0 error(s)" in result.output


# --- Loading ---------------------------------------------------------------------------

def test_broken_package_does_not_stop_the_others(app, courses_dir):
    replace(courses_dir / "beta" / "course.yaml", "version: 1.0.0", "version: x")
    with app.app_context():
        report = sync_packages(courses_dir)
        assert report.added == ["alpha"] and report.failed == ["beta"]
        assert db.session.get(Course, "alpha") is not None
        assert db.session.get(Course, "beta") is None
        problem = db.session.scalar(select(PackageProblem).where(PackageProblem.package == "beta"))
        assert problem.file == "beta/course.yaml" and problem.line == 3


def test_broken_new_version_keeps_the_last_good_one_online(app, courses_dir, loaded):
    replace(courses_dir / "alpha" / "course.yaml", "version: 1.0.0", "version: 1.1.0\nmodules: 7")
    with app.app_context():
        report = sync_packages(courses_dir)
        assert report.failed == ["alpha"]
        course = db.session.get(Course, "alpha")
        assert course.version == "1.0.0" and course.is_open


def test_administrator_sees_package_errors(app, client, courses_dir, make_user):
    from lms.models import Role
    replace(courses_dir / "beta" / "course.yaml", "version: 1.0.0", "version: x")
    make_user(username="quantri", role=Role.ADMIN, group=None)
    post_form(client, "/login", {"username": "quantri", "password": "mật khẩu dài 123"})
    client.set_cookie("lang", "en")
    response = post_form(client, "/admin/courses/sync", {}, form_url="/admin/courses")
    assert response.status_code == 302
    page = client.get("/admin/courses").get_data(as_text=True)
    assert "beta/course.yaml:3" in page and "must look like 1.0.0" in page
    assert "Alpha course" in page
    # ... and in Vietnamese too.
    client.set_cookie("lang", "vi")
    page = client.get("/admin/courses").get_data(as_text=True)
    assert "beta/course.yaml:3" in page and "must look like 1.0.0" not in page


def test_learners_cannot_see_the_admin_page(app, client, make_user, loaded):
    make_user()
    post_form(client, "/login", {"username": "nguoidan", "password": "mật khẩu dài 123"})
    assert client.get("/admin/courses").status_code == 403
    token_page = client.get("/").get_data(as_text=True)
    assert "/admin/courses" not in token_page
    response = post_form(client, "/admin/courses/alpha/toggle", {}, form_url="/")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Course, "alpha").enabled is True


def test_new_version_keeps_progress_on_lessons_that_still_exist(app, courses_dir, loaded, make_user):
    user_id = make_user()
    with app.app_context():
        lessons = {l.key: l.id for l in db.session.scalars(select(Lesson))}
        for key in ("l1", "l2"):
            db.session.add(LessonProgress(user_id=user_id, lesson_id=lessons[key]))
        db.session.commit()
    manifest = courses_dir / "alpha" / "course.yaml"
    # Version 1.1: lesson l2 is removed, a new lesson l5 is added, l1 is re-titled.
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("version: 1.0.0", "version: 1.1.0")
    text = text.replace('''      - id: l2
        title: {vi: "Bài hai", en: "Lesson two"}
        file: lessons/m1/l2.md
        minutes: 5
''', '''      - id: l5
        title: {vi: "Bài năm", en: "Lesson five"}
        file: lessons/m1/l2.md
        minutes: 5
''').replace('"Bài một"', '"Bài một (mới)"')
    manifest.write_text(text, encoding="utf-8")
    from lms.learn.services import build_outline
    with app.app_context():
        report = sync_packages(courses_dir)
        assert report.updated == ["alpha"]
        l1 = db.session.get(Lesson, lessons["l1"])
        assert l1.title_vi == "Bài một (mới)" and not l1.retired
        assert db.session.get(Lesson, lessons["l2"]).retired
        outline = build_outline(db.session.get(Course, "alpha"), user_id)
        first = outline.modules[0]
        assert [(s.lesson.key, s.done) for s in first.lessons] == [("l1", True), ("l5", False)]
        assert db.session.get(LessonProgress, (user_id, lessons["l2"])) is not None  # history kept


def test_unchanged_packages_are_not_rendered_again(app, courses_dir, loaded):
    with app.app_context():
        report = sync_packages(courses_dir)
        assert report.unchanged == ["alpha", "beta"] and not report.updated


def test_removed_package_goes_offline_but_keeps_its_data(app, courses_dir, loaded):
    import shutil
    shutil.rmtree(courses_dir / "beta")
    with app.app_context():
        report = sync_packages(courses_dir)
        assert report.missing == ["beta"]
        course = db.session.get(Course, "beta")
        assert course is not None and not course.is_open
