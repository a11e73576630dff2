"""Command-line interface: ``flask --app wsgi <command>``. Thin wrappers over plain functions."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from lms.auth.services import AccountError, NewUser, create_user
from lms.content.packages.manifest import check_all
from lms.content.quality import assess as assess_banks
from lms.content.quality import format_table as format_bank_quality
from lms.content.sync import sync_packages
from lms.extensions import db
from lms.models import Place, Role, TargetGroup


def _find_place(value: str) -> Place:
    if value.isdigit():
        place = db.session.get(Place, int(value))
        if place is not None:
            return place
    matches = db.session.scalars(select(Place).where(Place.name == value)).all()
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise click.BadParameter(f"no place is named {value!r}; give its exact name or its number")
    raise click.BadParameter(f"several places are named {value!r}: give the number of one of them: "
                             + ", ".join(f"{p.id} ({p.path()})" for p in matches))


@click.command("create-user")
@click.option("--role", type=click.Choice([r.value for r in Role]), prompt=True, default=Role.LEARNER.value)
@click.option("--username", prompt="Username or mobile phone number")
@click.option("--full-name", prompt="Full name")
@click.option("--group", "group", type=click.Choice([g.value for g in TargetGroup] + ["none"]), prompt="Target group",
              default="none", help="Required for learners.")
@click.option("--place", prompt="Place (village name or number; '-' for none)", default="-")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(role, username, full_name, group, place, password):
    """Create an account (prompts for whatever is not given)."""
    place_id = None if place in ("-", "", None) else _find_place(place).id
    try:
        user = create_user(NewUser(username=username, full_name=full_name, password=password, role=Role(role),
                                   target_group=None if group == "none" else TargetGroup(group), place_id=place_id))
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.role.value} {user.username!r} (id {user.id}).")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing unless the database has no users yet.")
@with_appcontext
def seed_demo_command(if_empty):
    """Create demo places and one account per role and group, with random passwords."""
    from lms.demo import database_is_empty, seed_demo

    if str(current_app.config.get("DEMO", 1)).lower() in ("0", "false", "no", "off"):
        click.echo("Demo data is turned off (LMS_DEMO=0).")
        return
    if not database_is_empty():
        if if_empty:
            click.echo("The database already has users; no demo data added.")
            return
        raise click.ClickException("the database already has users; demo data is only added to an empty database")
    logins = seed_demo(Path(current_app.instance_path))
    click.echo(f"{len(logins)} demo accounts created; their random passwords are in "
               f"{Path(current_app.instance_path) / 'demo-logins.txt'}.")


@click.group("courses", cls=AppGroup)
def courses_group():
    """Course packages: check them and load them into the database."""


@courses_group.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Courses directory (default: COURSES_DIR).")
def courses_check(directory):
    """Check every package; print each problem with its file and line. Exit 1 on errors."""
    directory = directory or Path(current_app.config["COURSES_DIR"])
    _framework, courses, problems = check_all(directory)
    # Bank quality (does a pass show the skill?) only warns: a package with weak banks still loads.
    problems = problems + assess_banks(courses)[1]
    for problem in problems:
        click.echo(str(problem), err=problem.is_error)
    errors = sum(1 for p in problems if p.is_error)
    click.echo(f"{len(courses)} package(s) good, {errors} error(s), {len(problems) - errors} warning(s).")
    if errors:
        sys.exit(1)


@courses_group.command("report")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Courses directory (default: COURSES_DIR).")
def courses_report(directory):
    """Per course and in total: lessons, words, sentence length, questions by type, explanations, pictures;
    then the quality of the question banks."""
    from lms.content.report import format_table, report
    directory = directory or Path(current_app.config["COURSES_DIR"])
    reports, errors = report(directory)
    click.echo(format_table(reports))
    click.echo("")
    click.echo(format_bank_quality(assess_banks(check_all(directory)[1])[0]))
    for error in errors:
        click.echo(error, err=True)


@courses_group.command("sync")
def courses_sync():
    """Load new and changed packages into the database; broken ones are reported and skipped."""
    report = sync_packages(Path(current_app.config["COURSES_DIR"]))
    for problem in report.problems:
        click.echo(str(problem), err=problem.is_error)
    click.echo(f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
               f"failed {len(report.failed)}, missing {len(report.missing)}")
    if report.failed:
        click.echo("Failed packages (their last good version, if any, stays online): " + ", ".join(report.failed))


@click.group("quizzes", cls=AppGroup)
def quizzes_group():
    """Module quizzes: import question banks."""


@quizzes_group.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "course_id", required=True, help="Course id (its folder under the courses directory).")
@click.option("--module", "module_key", required=True, help="Module id in the course's course.yaml.")
@click.option("--replace", is_flag=True, help="Overwrite the module's existing question bank.")
@click.option("--append", is_flag=True, help="Add the questions to the module's existing question bank.")
@click.option("--skip-bad", is_flag=True,
              help="Import the questions that can be imported and list the refused ones by line "
                   "(default: one refused question means nothing is written).")
def import_gift_command(file, course_id, module_key, replace, append, skip_bad):
    """Convert a Moodle GIFT file into the module's question bank (quizzes/<module>.yaml), graded
    as Moodle grades it. All or nothing unless --skip-bad is given."""
    import yaml

    from lms.content.packages.files import safe_package_path
    from lms.content.packages.manifest import MANIFEST
    from lms.content.packages.yaml_lines import load_yaml
    from quizzes.bank import check_bank, plain
    from quizzes.gift import import_gift

    if replace and append:
        raise click.UsageError("choose --replace or --append, not both")
    courses_dir = Path(current_app.config["COURSES_DIR"])
    folder = safe_package_path(courses_dir, course_id)
    if folder is None or not (folder / MANIFEST).is_file():
        raise click.ClickException(f"no course package {course_id!r} in {courses_dir}")
    manifest, problems = load_yaml(folder / MANIFEST, f"{course_id}/{MANIFEST}")
    modules = manifest.get("modules") if isinstance(manifest, dict) else None
    module = next((m for m in modules or [] if isinstance(m, dict) and m.get("id") == module_key), None)
    if problems or module is None:
        raise click.ClickException(f"the course {course_id!r} has no module {module_key!r} (check course.yaml)")
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file}: the file is not UTF-8 text; save it as UTF-8 and try again") from None
    result = import_gift(text, keep_good=skip_bad)
    questions = result.questions
    for error in result.refused:
        click.echo(f"{file}:{error.line}: {'refused' if skip_bad else 'error'}: {error.message % error.params}",
                   err=True)
    if result.refused and not skip_bad:
        raise click.ClickException(
            f"nothing imported: {len(result.refused)} of {result.read} question(s) cannot be imported (listed "
            "above by line); fix or remove them, or add --skip-bad to import the others")
    if not questions:
        raise click.ClickException(f"{file}: no questions found" if not result.refused
                                   else f"{file}: none of the {result.read} question(s) can be imported")
    bank_file = module.get("quiz") or f"quizzes/{module_key}.yaml"
    target = safe_package_path(folder, bank_file)
    if target is None:
        raise click.ClickException(f"the module's quiz path {bank_file!r} is outside the package")
    bank: dict = {"settings": {"shuffle_questions": True, "shuffle_options": True, "pass_percent": 70},
                  "questions": []}
    if target.exists():
        if not (replace or append):
            raise click.ClickException(f"{target} exists: add --replace to overwrite it or --append to add to it")
        if append:
            existing, problems = load_yaml(target, bank_file)
            if problems or not isinstance(existing, dict):
                raise click.ClickException(f"{target} cannot be read; fix it with 'courses check' first")
            bank = plain(existing)
            bank.setdefault("questions", [])
    used = {q.get("id") for q in bank["questions"] if isinstance(q, dict)}
    for question in questions:
        base, n = question["id"], 2
        while question["id"] in used:
            question["id"] = f"{base[:55]}-{n}"
            n += 1
        used.add(question["id"])
        bank["questions"].append(question)
    _checked, problems = check_bank(bank)
    for problem in problems:
        click.echo(f"{file}: {'error' if problem.is_error else 'warning'}: {problem}", err=True)
    if any(p.is_error for p in problems):
        raise click.ClickException("nothing imported: the converted bank is not valid")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(bank, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    refused = (f"; refused {len(result.refused)} (lines {', '.join(str(e.line) for e in result.refused)})"
               if result.refused else "")
    click.echo(f"Imported {len(questions)} of {result.read} question(s) into {target}{refused}. "
               "Add explanations, then run 'courses check' and 'courses sync'.")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(courses_group)
    app.cli.add_command(quizzes_group)
