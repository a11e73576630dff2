"""Command-line interface: ``flask --app wsgi <command>``. Thin wrappers over plain functions."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from lms.auth.services import AccountError, NewUser, create_user
from lms.content.packages import check_all
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
    for problem in problems:
        click.echo(str(problem), err=problem.is_error)
    errors = sum(1 for p in problems if p.is_error)
    click.echo(f"{len(courses)} package(s) good, {errors} error(s), {len(problems) - errors} warning(s).")
    if errors:
        sys.exit(1)


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


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(courses_group)
