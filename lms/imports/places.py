"""The units file (province → commune → village, with an optional village code): its columns,
each row's checks and the preview (``preview_units``), which resolves every row against the
places already in the database. ``lms.imports.writing.import_units`` creates what is missing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from lms.content.i18n import N_
from lms.extensions import db
from lms.imports.files import read_table, safe_filename
from lms.imports.headers import VILLAGE_ALIASES, Column, Header, data_rows, find_header
from lms.imports.problems import Problem, RowProblems
from lms.imports.values import clean_text, place_key
from lms.models import Place, PlaceKind
from lms.text import nfc

MAX_NAME = 120  # Place.name
MAX_PLACE_CODE = 20  # Place.code

UNITS_COLUMNS = (
    Column("province", "Tỉnh", "Province",
           ("tinh", "tinh thanh pho", "tinh thanh", "tinh tp", "thanh pho", "province", "province city")),
    Column("commune", "Xã/phường", "Commune",
           ("xa", "xa phuong", "xa phuong thi tran", "phuong", "phuong xa", "xa phuong dac khu", "commune",
            "commune ward", "ward")),
    Column("village", "Thôn/tổ dân phố", "Village", VILLAGE_ALIASES),
    Column("code", "Mã", "Code", ("ma", "ma thon", "ma so", "ma don vi", "code", "village code")),
)
UNITS_REQUIRED = (("province",), ("commune",), ("village",))
UNIT_LEVELS = (("province", PlaceKind.PROVINCE), ("commune", PlaceKind.COMMUNE), ("village", PlaceKind.VILLAGE))

# The example row of the template (lms.imports.templates), refused if it is left in.
UNITS_TEMPLATE_EXAMPLE = ("Tỉnh Mẫu", "Xã Mẫu", "Thôn Mẫu", None)


@dataclass
class UnitRow(RowProblems):
    row: int
    province: str
    commune: str
    village: str
    code: str | None
    status: str = "new"  # "new": the village will be created; "exists": it is already there
    creates: list[str] = field(default_factory=list)  # levels this row creates: province, commune, village
    row_problems: list[Problem] = field(default_factory=list)
    db_problems: list[Problem] = field(default_factory=list)
    # Ids of the province, commune and village found in the database (None: to be created).
    place_ids: list[int | None] = field(default_factory=list)


@dataclass
class UnitsPreview:
    filename: str
    header: Header
    rows: list[UnitRow]
    kind: str
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def problem_rows(self) -> list[UnitRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def counts(self) -> dict[str, int]:
        return unit_counts(self.rows)


def unit_counts(rows: list[UnitRow]) -> dict[str, int]:
    """Rows, rows with problems, and what the good rows create or find already there."""
    ok = [r for r in rows if r.ok]
    return {
        "rows": len(rows),
        "problems": len(rows) - len(ok),
        "provinces": sum("province" in r.creates for r in ok),
        "communes": sum("commune" in r.creates for r in ok),
        "villages": sum("village" in r.creates for r in ok),
        "existing": sum(r.status == "exists" for r in ok),
    }


def preview_units(data: bytes, filename: str) -> UnitsPreview:
    """Read and check a file of villages (province, commune, village, optional code). Writes
    nothing; raises ImportFileError when the file cannot be read."""
    table = read_table(data, filename)
    header = find_header(table, UNITS_COLUMNS, UNITS_REQUIRED)
    labels = {c.key: c.vi for c in UNITS_COLUMNS}
    rows = []
    for number, cells in data_rows(table, header):
        values = {k: clean_text(v) for k, v in cells.items()}
        unit = UnitRow(number, values.get("province", ""), values.get("commune", ""), values.get("village", ""),
                       values.get("code") or None)
        for key, _kind in UNIT_LEVELS:
            value = getattr(unit, key)
            if not value:
                unit.row_problems.append(Problem(N_("The column “%(column)s” is empty."), {"column": labels[key]}, key))
            elif len(value) > MAX_NAME:
                unit.row_problems.append(Problem(N_("The name “%(name)s” is longer than %(max)s characters."),
                                                 {"name": value[:40] + "…", "max": MAX_NAME}, key))
        if unit.code and len(unit.code) > MAX_PLACE_CODE:
            unit.row_problems.append(Problem(N_("The code “%(code)s” is longer than %(max)s characters."),
                                             {"code": unit.code, "max": MAX_PLACE_CODE}, "code"))
        if (unit.province, unit.commune, unit.village) == UNITS_TEMPLATE_EXAMPLE[:3]:
            unit.row_problems.append(Problem(N_("This is the example row of the template. Delete it before importing."),
                                             {}, "province"))
        rows.append(unit)
    check_units_in_database(rows)
    return UnitsPreview(safe_filename(filename), header, rows, table.kind, table.encoding, table.delimiter)


@dataclass
class _Node:
    """A place found in the database (``id``) or to be created (``id`` None)."""

    name: str
    kind: PlaceKind | None
    id: int | None = None
    first_row: int | None = None  # the first row of the file naming it
    children: dict[str, _Node] = field(default_factory=dict)  # by place_key
    loaded: bool = False  # its children in the database are in ``children``


def _same_spelling(a: str, b: str) -> bool:
    return nfc(a).casefold() == nfc(b).casefold()


def check_units_in_database(rows: list[UnitRow]) -> None:
    """Resolve every row against the places in the database (one query per level) and
    against the other rows; set each row's status, what it creates and its problems.

    Names are matched ignoring case, diacritics and punctuation, as the people import matches
    villages. A name spelled differently from a place already there (other tone marks, say)
    is refused: two villages of a commune matching the same name could not be told apart."""
    for r in rows:
        r.db_problems, r.creates, r.status, r.place_ids = [], [], "new", []
    live = [r for r in rows if not r.row_problems]
    root = _Node("", None, loaded=True)
    for place_id, name, kind in db.session.execute(
            select(Place.id, Place.name, Place.kind).where(Place.parent_id.is_(None))):
        root.children.setdefault(place_key(name), _Node(name, kind, place_id))
    at: dict[int, _Node] = {r.row: root for r in live}  # each row's node at the level reached
    failed: set[int] = set()

    for attr, kind in UNIT_LEVELS:
        # Load, in one query, the database children of the places matched one level up.
        parents = {node.id: node for r in live if r.row not in failed
                   for node in (at[r.row],) if node.id is not None and not node.loaded}
        if parents:
            for place_id, name, child_kind, parent_id in db.session.execute(
                    select(Place.id, Place.name, Place.kind, Place.parent_id)
                    .where(Place.parent_id.in_(sorted(parents)))):
                parents[parent_id].children.setdefault(place_key(name), _Node(name, child_kind, place_id))
            for node in parents.values():
                node.loaded = True
        for r in live:
            if r.row in failed:
                continue
            parent, name = at[r.row], getattr(r, attr)
            node = parent.children.get(place_key(name))
            problem = None
            if node is None:
                node = parent.children[place_key(name)] = _Node(name, kind, None, r.row, loaded=True)
                r.creates.append(attr)
            elif not _same_spelling(node.name, name):
                if node.id is not None:
                    problem = Problem(N_("“%(name)s” is written differently from “%(existing)s”, which is already there. Write it the same way."),
                                      {"name": name, "existing": node.name}, attr)
                else:
                    problem = Problem(N_("“%(name)s” is written differently from “%(existing)s” on row %(row)s. Write it the same way."),
                                      {"name": name, "existing": node.name, "row": node.first_row}, attr)
            elif node.kind != kind:
                problem = Problem(N_("“%(name)s” already exists in %(parent)s as another kind of place."),
                                  {"name": node.name, "parent": parent.name or "—"}, attr)
            elif attr == "village" and node.first_row is not None:
                problem = Problem(N_("This village is also on row %(row)s."), {"row": node.first_row}, attr)
            if problem is not None:
                r.db_problems.append(problem)
                failed.add(r.row)
                continue
            if node.first_row is None:
                node.first_row = r.row
            r.place_ids.append(node.id)
            at[r.row] = node

    # Codes of new villages: unique in the file and in the database (one query).
    new_codes = [r for r in live if r.code and r.row not in failed and "village" in r.creates]
    codes = {r.code for r in new_codes}
    used = set(db.session.scalars(select(Place.code).where(Place.code.in_(codes)))) if codes else set()
    first: dict[str, int] = {}
    for r in new_codes:
        if r.code in used:
            r.db_problems.append(Problem(N_("The code “%(code)s” is already used by another place."), {"code": r.code}, "code"))
        elif r.code in first:
            r.db_problems.append(Problem(N_("The code “%(code)s” is also on row %(row)s."),
                                         {"code": r.code, "row": first[r.code]}, "code"))
        else:
            first[r.code] = r.row
    for r in rows:
        if r.ok:
            r.status = "new" if "village" in r.creates else "exists"
        else:
            r.creates, r.place_ids = [], []
