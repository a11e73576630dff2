"""A course sets its quiz policy once (``quiz_defaults``); a module's bank overrides it key by key."""
from __future__ import annotations

import yaml

from lms.content.packages.manifest import check_all
from quizzes.bank import QuizSettings
from tests.lms.content.test_quality import package, true_false


def set_defaults(root, course_id, defaults):
    path = root / course_id / "course.yaml"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    manifest["quiz_defaults"] = defaults
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")


def bank_settings(root) -> QuizSettings:
    _framework, specs, problems = check_all(root)
    assert [str(p) for p in problems if p.is_error] == []
    return specs[0].modules[0].bank.settings


def test_without_any_setting_a_quiz_gets_the_fair_defaults(tmp_path):
    package(tmp_path, "mot", [true_false("t1", True), true_false("t2", False)])
    settings = bank_settings(tmp_path)
    assert (settings.pass_percent, settings.attempts_per_day, settings.show_answers) == (70, 3, "after_pass")


def test_course_defaults_apply_and_a_bank_overrides_them(tmp_path):
    package(tmp_path, "mot", [true_false("t1", True), true_false("t2", False)], draw=1)
    set_defaults(tmp_path, "mot", {"pass_percent": 80, "attempts_per_day": 2, "show_answers": "after_last_attempt",
                                   "max_attempts": 6})
    settings = bank_settings(tmp_path)
    assert (settings.pass_percent, settings.attempts_per_day, settings.show_answers, settings.max_attempts,
            settings.draw) == (80, 2, "after_last_attempt", 6, 1)

    bank_path = tmp_path / "mot" / "quizzes" / "m1.yaml"
    bank = yaml.safe_load(bank_path.read_text(encoding="utf-8"))
    bank["settings"] = {"pass_percent": 60}
    bank_path.write_text(yaml.safe_dump(bank, allow_unicode=True), encoding="utf-8")
    settings = bank_settings(tmp_path)
    assert (settings.pass_percent, settings.attempts_per_day, settings.max_attempts) == (60, 2, 6)


def test_a_bad_course_default_is_an_error_naming_the_line(tmp_path):
    package(tmp_path, "mot", [true_false("t1", True)])
    set_defaults(tmp_path, "mot", {"attempts_per_day": -1, "show_answers": "always", "retries": 2})
    _framework, specs, problems = check_all(tmp_path)
    errors = [str(p) for p in problems if p.is_error]
    assert specs == []
    assert any("mot/course.yaml:" in e and "'attempts_per_day' must be a whole number from 0 to 100" in e for e in errors)
    assert any("'show_answers' must be one of" in e for e in errors)
    assert any("unknown key 'retries'" in e for e in errors)
