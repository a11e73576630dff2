"""The people file: its columns, each row's checks and the preview (``preview_people``).

The preview reads the file and checks every row against the rules and the database. It writes
nothing and returns a :class:`Preview` whose rows carry their spreadsheet row number, their
values and their problems. ``lms.imports.writing.import_people`` checks the rows again and
writes them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from lms.auth.services import AccountError, full_name_ok, normalize_login_name, normalize_phone, username_key
from lms.content.i18n import N_
from lms.extensions import db
from lms.imports.files import read_table, safe_filename
from lms.imports.headers import VILLAGE_ALIASES, Column, Header, data_rows, find_header
from lms.imports.problems import ImportFileError, Problem, RowProblems
from lms.imports.values import clean_text, fold, parse_birth_year, parse_group, parse_role, phone_text, place_key
from lms.models import Place, PlaceKind, Role, TargetGroup, User

MIN_BIRTH_YEAR = 1900
MAX_HOUSEHOLD = 30  # User.household_code

PEOPLE_COLUMNS = (
    Column("full_name", "Họ và tên", "Full name",
           ("ho va ten", "ho ten", "ho va ten hoc vien", "ho ten hoc vien", "ho va ten nguoi hoc", "full name",
            "fullname", "name")),
    Column("username", "Tên đăng nhập", "Username",
           ("ten dang nhap", "username", "user name", "login", "login name", "tai khoan", "ten tai khoan")),
    Column("phone", "Số điện thoại", "Phone",
           ("so dien thoai", "sdt", "so dt", "dt", "dien thoai", "dien thoai di dong", "so di dong", "phone",
            "phone number", "mobile", "mobile phone", "telephone")),
    Column("target_group", "Đối tượng", "Target group",
           ("doi tuong", "nhom", "nhom doi tuong", "doi tuong hoc", "target group", "group")),
    Column("village", "Thôn/tổ dân phố", "Village", VILLAGE_ALIASES),
    Column("household_code", "Mã hộ", "Household code",
           ("ma ho", "ma ho gia dinh", "ma so ho", "ma so ho gia dinh", "household code", "household")),
    Column("birth_year", "Năm sinh", "Birth year",
           ("nam sinh", "birth year", "year of birth", "ngay sinh", "ngay thang nam sinh", "date of birth",
            "birth date", "birthday")),
    Column("role", "Vai trò", "Role", ("vai tro", "role")),
)
PEOPLE_BY_KEY = {c.key: c for c in PEOPLE_COLUMNS}
# A login column is either of these two; the others are required as such.
PEOPLE_REQUIRED = (("full_name",), ("username", "phone"), ("target_group",), ("village",))

# The example row of the template (lms.imports.templates), refused if it is left in.
EXAMPLE_NAME, EXAMPLE_USERNAME = "Nguyễn Văn Mẫu", "nguyenvanmau"


@dataclass
class PersonRow(RowProblems):
    row: int  # as the spreadsheet numbers it
    values: dict[str, str]  # every imported column, as cleaned text (for showing and reports)
    full_name: str | None = None
    login: str | None = None  # the username as it will be stored (a phone in the form 0xxxxxxxxx)
    login_key: str | None = None
    role: Role | None = Role.LEARNER  # None: the role cell names no role
    target_group: TargetGroup | None = None
    village_id: int | None = None
    village_name: str | None = None
    household_code: str | None = None
    birth_year: int | None = None
    row_problems: list[Problem] = field(default_factory=list)  # from the row itself and the file
    db_problems: list[Problem] = field(default_factory=list)  # from the database, checked again at commit

    def as_dict(self) -> dict:
        """The row for a report (values and problems), JSON-ready."""
        return {"row": self.row, "values": dict(self.values), "problems": [p.as_dict() for p in self.problems]}


@dataclass
class Preview:
    filename: str
    commune_id: int | None
    commune_name: str | None
    header: Header
    rows: list[PersonRow]
    kind: str  # "csv" | "xlsx"
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def problem_rows(self) -> list[PersonRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def counts(self) -> dict[str, int]:
        valid = sum(1 for r in self.rows if r.ok)
        return {"rows": len(self.rows), "valid": valid, "problems": len(self.rows) - valid}


def _commune(commune_id: int | None) -> Place | None:
    if commune_id is None:
        return None
    commune = db.session.get(Place, commune_id)
    if commune is None or commune.kind != PlaceKind.COMMUNE:
        raise ImportFileError(N_("The commune you chose does not exist."))
    return commune


def preview_people(data: bytes, filename: str, commune_id: int | None = None) -> Preview:
    """Read and check every row of a people file. Writes nothing. Raises ImportFileError when
    the file as a whole cannot be read; problems of single rows are in the rows."""
    commune = _commune(commune_id)
    table = read_table(data, filename)
    header = find_header(table, PEOPLE_COLUMNS, PEOPLE_REQUIRED)
    rows = [_parse_person(number, values) for number, values in data_rows(table, header)]
    _check_duplicates(rows)
    check_people_in_database(rows, commune_id)
    return Preview(safe_filename(filename), commune_id, commune.name if commune else None, header, rows, table.kind,
                   table.encoding, table.delimiter)


def _parse_person(number: int, cells: dict[str, Any]) -> PersonRow:
    values: dict[str, str] = {}
    for key, value in cells.items():
        values[key] = phone_text(value) if key in ("phone", "username") else clean_text(value)
    person = PersonRow(number, values)
    problems = person.row_problems

    def problem(message: str, column: str | None, **params) -> None:
        problems.append(Problem(message, params, column))

    # Full name
    if not values.get("full_name"):
        problem(N_("The full name is missing."), "full_name")
    else:
        try:
            person.full_name = full_name_ok(values["full_name"])
        except AccountError as exc:
            problem(exc.message, "full_name", **exc.params)

    # Username, or else the phone number, is the login name.
    username, phone = values.get("username", ""), values.get("phone", "")
    try:
        if username:
            person.login = normalize_login_name(username)
        elif phone:
            person.login = normalize_phone(phone)
        else:
            problem(N_("The username or phone number is missing."), "username" if "username" in cells else "phone")
    except AccountError as exc:
        problem(exc.message, "username" if username else "phone", **exc.params)
    if person.login is not None:
        person.login_key = username_key(person.login)

    # Role, then what learners must have.
    try:
        person.role = parse_role(cells.get("role"))
    except ValueError:
        person.role = None
        problem(N_("Unknown role “%(value)s”. Write học viên, giáo viên or quản trị (learner, teacher or admin)."),
                "role", value=values.get("role", ""))
    try:
        person.target_group = parse_group(cells.get("target_group"))
    except ValueError:
        problem(N_("Unknown target group “%(value)s”. Write cán bộ, học sinh, công nhân or người dân (officials, students, workers or citizens)."),
                "target_group", value=values.get("target_group", ""))
    else:
        if person.target_group is None and person.role == Role.LEARNER:
            problem(N_("The target group is missing; every learner needs one."), "target_group")
    if not values.get("village") and person.role == Role.LEARNER:
        problem(N_("The village or residential group is missing; every learner needs one."), "village")

    # Optional columns
    household = values.get("household_code", "")
    if household:
        if len(household) > MAX_HOUSEHOLD:
            problem(N_("The household code is longer than %(max)s characters."), "household_code", max=MAX_HOUSEHOLD)
        else:
            person.household_code = household
    try:
        year = parse_birth_year(cells.get("birth_year"))
    except ValueError:
        problem(N_("“%(value)s” is not a birth year. Write a year such as 1975."), "birth_year",
                value=values.get("birth_year", ""))
    else:
        if year is not None:
            this_year = date.today().year
            if not MIN_BIRTH_YEAR <= year <= this_year:
                problem(N_("The birth year %(value)s is not between %(min)s and %(max)s."), "birth_year",
                        value=year, min=MIN_BIRTH_YEAR, max=this_year)
            else:
                person.birth_year = year
                values["birth_year"] = str(year)

    if person.login_key == EXAMPLE_USERNAME and fold(values.get("full_name", "")) == fold(EXAMPLE_NAME):
        problem(N_("This is the example row of the template. Delete it before importing."), "full_name")
    return person


def _check_duplicates(rows: list[PersonRow]) -> None:
    first_row: dict[str, int] = {}
    for person in rows:
        if person.login_key is None:
            continue
        if person.login_key in first_row:
            person.row_problems.append(Problem(
                N_("The username “%(name)s” is also on row %(row)s of this file."),
                {"name": person.login, "row": first_row[person.login_key]}, "username"))
        else:
            first_row[person.login_key] = person.row


def check_people_in_database(rows: list[PersonRow], commune_id: int | None) -> None:
    """(Re)check what depends on the database: usernames already taken (one query for all)
    and villages (matched by name ignoring case and diacritics, within the commune if given)."""
    keys = sorted({r.login_key for r in rows if r.login_key})
    # One query for every username; MAX_ROWS keeps the IN list under the parameter limits of
    # SQLite (32,766) and PostgreSQL (65,535).
    taken = set(db.session.scalars(select(User.username_key).where(User.username_key.in_(keys)))) if keys else set()

    villages_q = select(Place.id, Place.name, Place.parent_id).where(Place.kind == PlaceKind.VILLAGE)
    if commune_id is not None:
        villages_q = villages_q.where(Place.parent_id == commune_id)
    by_key: dict[str, list[tuple[int, str, int | None]]] = {}
    for place_id, name, parent_id in db.session.execute(villages_q):
        by_key.setdefault(place_key(name), []).append((place_id, name, parent_id))
    commune_name = db.session.scalar(select(Place.name).where(Place.id == commune_id)) if commune_id else None
    ambiguous_parents = {p for matches in by_key.values() if len(matches) > 1 for _i, _n, p in matches}
    parent_names = dict(db.session.execute(select(Place.id, Place.name).where(Place.id.in_(ambiguous_parents))).all()) \
        if ambiguous_parents else {}

    folded: dict[str, str] = {}  # a file names the same few villages again and again
    for person in rows:
        person.db_problems = []
        person.village_id = person.village_name = None
        if person.login_key and person.login_key in taken:
            person.db_problems.append(Problem(
                N_("The username “%(name)s” is already used by another account."), {"name": person.login}, "username"))
        village = person.values.get("village", "")
        if not village:
            continue
        key = folded.get(village)
        if key is None:
            key = folded[village] = place_key(village)
        matches = by_key.get(key, [])
        if len(matches) == 1:
            person.village_id, person.village_name = matches[0][0], matches[0][1]
        elif not matches:
            if commune_name:
                person.db_problems.append(Problem(
                    N_("No village or residential group “%(value)s” in %(commune)s."),
                    {"value": village, "commune": commune_name}, "village"))
            else:
                person.db_problems.append(Problem(
                    N_("No village or residential group is named “%(value)s”."), {"value": village}, "village"))
        else:
            person.db_problems.append(Problem(
                N_("Several villages are named “%(value)s” (in %(communes)s). Choose the commune before importing."),
                {"value": village, "communes": ", ".join(sorted(parent_names.get(p, "?") for _i, _n, p in matches))},
                "village"))
