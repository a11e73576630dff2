"""The report of a people file's rows with problems (e.g. the rows an import skipped), as a
table for ``lms.exports``: the row number, the template's columns, so that the fixed report can
be imported again, and the problems in words.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from lms.content.i18n import N_
from lms.imports.people import PEOPLE_BY_KEY, PersonRow
from lms.imports.problems import Problem, render_message

REPORT_COLUMNS = ("full_name", "username", "phone", "target_group", "village", "household_code", "birth_year", "role")


def report_table(rows: Iterable[PersonRow | dict], translate: Callable[..., str] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a report of rows with problems (e.g. the rows skipped by an import):
    the row number, the template's columns (so that the fixed report can be imported again)
    and the problems. ``rows`` may be PersonRows or their ``as_dict()``."""
    header = [render_message(N_("Row"), {}, translate)] + [PEOPLE_BY_KEY[k].vi for k in REPORT_COLUMNS] + \
        [render_message(N_("Problems"), {}, translate)]
    out = []
    for row in rows:
        data = row.as_dict() if isinstance(row, PersonRow) else row
        problems = [Problem.from_dict(p).text(translate) for p in data["problems"]]
        out.append([data["row"]] + [data["values"].get(k, "") for k in REPORT_COLUMNS] + ["; ".join(problems)])
    return header, out
