"""Writing a checked preview: the only part of the imports that writes to the database.

Each commit first checks the rows again against the database as it is now (someone may have
taken a username or added a place meanwhile), then writes in one transaction.

People (``import_people``): ``"all_or_nothing"`` writes nothing when any row has a problem;
``"valid_only"`` writes the rows without problems and reports the others. Imported accounts
have no password: each gets a one-time sign-in code (hashed, expiring, single use: the scheme
of ``lms.teach.services``), returned once so that it can be printed. The commit checks every
username with one query and writes users and sign-in codes with bulk INSERTs (no ORM object per
row, no password hashing), so 10,000 rows cost a small multiple of a plain bulk insert of the
same user rows.

Units (``import_units``): always all or nothing.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from lms.certificates.services import audit
from lms.content.i18n import N_
from lms.extensions import db
from lms.imports.people import PersonRow, Preview, check_people_in_database
from lms.imports.places import UNIT_LEVELS, UnitRow, UnitsPreview, check_units_in_database, unit_counts
from lms.imports.problems import ImportFileError
from lms.imports.values import place_key
from lms.models import AccountOrigin, Place, SignInCode, User
from lms.models.base import folded_key, utcnow
from lms.models.people import NAME_KEY_LENGTH
from lms.teach.services import (
    CODE_ALPHABET,
    SIGN_IN_CODE_DAYS,
    SIGN_IN_CODE_LENGTH,
    _hash_code,
    group_code,
    random_code,
)

MODES = ("valid_only", "all_or_nothing")


# --- people -----------------------------------------------------------------------------

@dataclass
class CreatedAccount:
    row: int
    user_id: int
    username: str
    full_name: str
    village: str | None
    code: str  # the one-time sign-in code, grouped for printing ("ABCD-EFGH-JK"); never stored


@dataclass
class ImportResult:
    mode: str
    filename: str
    refused: bool  # all_or_nothing and some row had a problem: nothing was written
    created: list[CreatedAccount]
    skipped: list[PersonRow]
    expires_at: datetime | None = None  # when the sign-in codes stop working

    @property
    def counts(self) -> dict[str, int]:
        return {"rows": len(self.created) + len(self.skipped), "created": len(self.created),
                "skipped": len(self.skipped)}


def _new_codes(count: int) -> list[str]:
    """``count`` distinct one-time codes, as ``lms.teach.services.random_code`` makes them
    (SIGN_IN_CODE_LENGTH symbols of CODE_ALPHABET, from the operating system's random source),
    drawn in one go: a byte's low five bits pick one of the 32 symbols uniformly."""
    codes: list[str] = []
    seen: set[str] = set()
    if len(CODE_ALPHABET) == 32:
        table = bytes(ord(CODE_ALPHABET[b & 31]) for b in range(256))
        raw = secrets.token_bytes(count * SIGN_IN_CODE_LENGTH).translate(table).decode("ascii")
        candidates = [raw[i:i + SIGN_IN_CODE_LENGTH] for i in range(0, len(raw), SIGN_IN_CODE_LENGTH)]
    else:
        candidates = []
    for code in candidates:
        if code not in seen:
            seen.add(code)
            codes.append(code)
    while len(codes) < count:
        code = random_code(SIGN_IN_CODE_LENGTH)
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def import_people(preview: Preview, mode: str, actor: User | None) -> ImportResult:
    """Create the accounts of a preview, in one transaction (see the module notes).

    The rows are checked again against the database first (their ``db_problems`` are
    refreshed). Raises ValueError for an unknown mode and ImportFileError when another account
    took one of the usernames during the commit itself (nothing is written then)."""
    if mode not in MODES:
        raise ValueError(f"unknown import mode {mode!r}; use one of {MODES}")
    check_people_in_database(preview.rows, preview.commune_id)
    valid = [r for r in preview.rows if r.ok]
    skipped = [r for r in preview.rows if not r.ok]
    if mode == "all_or_nothing" and skipped:
        return ImportResult(mode, preview.filename, True, [], skipped)
    if not valid:
        return ImportResult(mode, preview.filename, False, [], skipped)

    now = utcnow()
    expires = now + timedelta(days=SIGN_IN_CODE_DAYS)
    user_rows = [{
        "username": r.login, "username_key": r.login_key, "full_name": r.full_name,
        "name_key": folded_key(r.full_name, NAME_KEY_LENGTH), "role": r.role,
        "target_group": r.target_group, "place_id": r.village_id, "household_code": r.household_code,
        "birth_year": r.birth_year, "password_hash": None, "is_active_account": True, "is_mentor": False,
        "created_at": now, "created_by_id": actor.id if actor else None, "created_via": AccountOrigin.IMPORT,
        "password_chosen_at": None,
    } for r in valid]
    codes = _new_codes(len(valid))
    try:
        # Core INSERTs on the tables (no ORM bookkeeping per row): every row has the same keys,
        # so each is one executemany. No RETURNING: on SQLite an ordered RETURNING falls back
        # to one statement per row; the new ids are read back with one query instead.
        db.session.execute(insert(User.__table__), user_rows)
        id_of = dict(db.session.execute(select(User.username_key, User.id).where(
            User.username_key.in_([r["username_key"] for r in user_rows]))).all())
        ids = [id_of[r["username_key"]] for r in user_rows]
        db.session.execute(insert(SignInCode.__table__), [{
            "user_id": user_id, "code_hash": _hash_code(code), "created_by_id": actor.id if actor else None,
            "created_at": now, "expires_at": expires, "used_at": None,
        } for user_id, code in zip(ids, codes)])
        audit(actor, "users.import", f"file:{preview.filename}"[:120], {
            "filename": preview.filename, "mode": mode, "rows": len(preview.rows), "created": len(valid),
            "skipped": len(skipped), "commune_id": preview.commune_id, "sign_in_codes": len(codes)})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ImportFileError(N_("Another account took one of these usernames while the file was being imported. Nothing was imported; check the file again.")) from None
    except BaseException:
        db.session.rollback()
        raise
    created = [CreatedAccount(r.row, user_id, r.login, r.full_name, r.village_name, group_code(code))
               for r, user_id, code in zip(valid, ids, codes)]
    return ImportResult(mode, preview.filename, False, created, skipped, expires)


# --- administrative units ---------------------------------------------------------------

@dataclass
class UnitsResult:
    filename: str
    refused: bool  # some row had a problem: nothing was written
    counts: dict[str, int]
    rows: list[UnitRow]


def import_units(preview: UnitsPreview, actor: User | None) -> UnitsResult:
    """Create the missing provinces, communes and villages of a preview, all or nothing: when
    any row has a problem (checked again against the database now), nothing is written."""
    check_units_in_database(preview.rows)
    counts = unit_counts(preview.rows)
    if counts["problems"]:
        return UnitsResult(preview.filename, True, counts, preview.rows)
    made: dict[tuple[str, ...], Place] = {}
    try:
        for r in preview.rows:
            path: tuple[str, ...] = ()
            parent: Place | None = None
            parent_id: int | None = None
            for (attr, kind), place_id in zip(UNIT_LEVELS, r.place_ids):
                name = getattr(r, attr)
                path += (place_key(name),)
                if place_id is not None:
                    parent, parent_id = None, place_id
                    continue
                place = made.get(path)
                if place is None:
                    place = Place(name=name, kind=kind, code=r.code if attr == "village" else None)
                    if parent is not None:
                        place.parent = parent
                    else:
                        place.parent_id = parent_id
                    db.session.add(place)
                    made[path] = place
                parent, parent_id = place, None
        if made:
            audit(actor, "units.import", f"file:{preview.filename}"[:120], {
                "filename": preview.filename, "rows": counts["rows"], "provinces": counts["provinces"],
                "communes": counts["communes"], "villages": counts["villages"], "existing": counts["existing"]})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ImportFileError(N_("Someone changed these places while the file was being imported. Nothing was imported; check the file again.")) from None
    except BaseException:
        db.session.rollback()
        raise
    return UnitsResult(preview.filename, False, counts, preview.rows)
