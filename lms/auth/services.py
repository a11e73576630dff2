"""Account rules as plain functions: usernames, phone numbers, passwords, creating users."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from lms.content.i18n import N_
from lms.extensions import db
from lms.models import AccountOrigin, Place, PlaceKind, Role, TargetGroup, User
from lms.models.base import utcnow
from lms.text import nfc

USERNAME_RE = re.compile(r"^[^\W\d_][\w.\-]{2,39}$")
PHONE_LIKE_RE = re.compile(r"^\+?[\d\s.\-()]{6,20}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
# Passwords people pick first; refusing them costs little and stops the easiest guesses.
COMMON_PASSWORDS = {
    "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000", "88888888",
    "66668888", "password", "password1", "matkhau", "matkhau1", "matkhau123", "abc12345",
    "qwerty123", "qwertyui", "iloveyou", "vietnam1", "admin123", "12341234",
}
# A valid hash to compare against when the account does not exist, so that the answer takes
# as long for an unknown name as for a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """A rule was broken; ``message`` is an English template translated where it is shown."""

    def __init__(self, message: str, field: str = "username", **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params


def username_key(name: str) -> str:
    """The form of a username that must be unique: NFC, case-folded, NFC again."""
    return nfc(nfc(name.strip()).casefold())


def normalize_phone(raw: str) -> str:
    """A Vietnamese mobile number as ``0xxxxxxxxx``; raises AccountError if it is not one."""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        raise AccountError(N_("'%(value)s' is not a phone number. Write a Vietnamese mobile number such as 0912 345 678."),
                           value=raw) from None
    if (number.country_code != 84 or not phonenumbers.is_valid_number(number)
            or phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)):
        raise AccountError(N_("'%(value)s' is not a Vietnamese mobile number. Check the digits: it has 10 digits and starts with 03, 05, 07, 08 or 09."),
                           value=raw)
    return "0" + str(number.national_number)


def normalize_login_name(raw: str) -> str:
    """A username as stored: a phone number in its national form, else the NFC text as typed."""
    raw = nfc(raw.strip())
    if PHONE_LIKE_RE.match(raw):
        return normalize_phone(raw)
    if not USERNAME_RE.match(raw):
        raise AccountError(N_("A username has 3 to 40 characters: letters, digits, dot, hyphen or underscore, and starts with a letter. Or write your mobile phone number."))
    return raw


def lookup_key(raw: str) -> str:
    """The key to find an account by what someone typed at log-in (never raises)."""
    raw = nfc(raw.strip())
    if PHONE_LIKE_RE.match(raw):
        try:
            return normalize_phone(raw)
        except AccountError:
            pass
    return username_key(raw)


def check_password_rules(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(N_("The password is too short: use at least %(min)s characters."), field="password", min=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise AccountError(N_("The password is too long: use at most %(max)s characters."), field="password", max=MAX_PASSWORD)
    if password.casefold() in COMMON_PASSWORDS or (username and username_key(password) == username_key(username)):
        raise AccountError(N_("This password is too easy to guess. Choose another one, for example three words you remember."), field="password")


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt with a random salt


def full_name_ok(name: str) -> str:
    name = " ".join(nfc(name).split())
    if not 2 <= len(name) <= 120 or not any(ch.isalpha() for ch in name):
        raise AccountError(N_("Write your full name as on your ID card, for example Nguyễn Thị Hường."), field="full_name")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise AccountError(N_("The full name contains characters that are not allowed."), field="full_name")
    return name


def username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(User.username_key == username_key(username))) is not None


def get_village(place_id: int | None) -> Place | None:
    if place_id is None:
        return None
    place = db.session.get(Place, place_id)
    return place if place is not None and place.kind == PlaceKind.VILLAGE else None


@dataclass
class NewUser:
    username: str
    full_name: str
    password: str | None
    role: Role = Role.LEARNER
    target_group: TargetGroup | None = None
    place_id: int | None = None
    household_code: str | None = None
    birth_year: int | None = None
    # Who makes the account and how; a password given here counts as chosen by its owner.
    created_by_id: int | None = None
    created_via: AccountOrigin | None = None


def create_user(data: NewUser) -> User:
    """Validate and add a user (not committed). Raises AccountError on a broken rule."""
    username = normalize_login_name(data.username)
    if username_taken(username):
        raise AccountError(N_("The name '%(name)s' is already used by another account. Choose another one."), name=username)
    full_name = full_name_ok(data.full_name)
    if data.role == Role.LEARNER and data.target_group is None:
        raise AccountError(N_("Choose the group you belong to."), field="target_group")
    place = None
    if data.place_id is not None:
        place = db.session.get(Place, data.place_id)
        if place is None:
            raise AccountError(N_("The place you chose does not exist."), field="village")
    if data.role == Role.LEARNER and (place is None or place.kind != PlaceKind.VILLAGE):
        raise AccountError(N_("Choose your village or residential group from the list."), field="village")
    if data.password is not None:
        check_password_rules(data.password, username)
    user = User(
        username=username,
        username_key=username_key(username),
        full_name=full_name,
        role=data.role,
        target_group=data.target_group,
        place_id=place.id if place else None,
        household_code=(data.household_code or "").strip() or None,
        birth_year=data.birth_year,
        password_hash=hash_password(data.password) if data.password is not None else None,
        password_chosen_at=utcnow() if data.password is not None else None,
        created_by_id=data.created_by_id,
        created_via=data.created_via,
    )
    db.session.add(user)
    return user


def set_own_password(user: User, password: str) -> None:
    """The owner chose this password (rules already checked): from now on only an administrator
    may give the account a sign-in code. Not committed."""
    user.password_hash = hash_password(password)
    user.password_chosen_at = utcnow()


def authenticate(login_name: str, password: str) -> User | None:
    """The active user with this name and password, or None."""
    user = db.session.scalar(select(User).where(User.username_key == lookup_key(login_name)))
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active_account:
        return None
    return user
