"""Teaching: accounts for people without e-mail or smartphone, one-time sign-in codes."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from lms.auth.services import NewUser, create_user, username_key
from lms.content.i18n import N_
from lms.extensions import db
from lms.models import AccountOrigin, ClassGroup, ClassMember, Role, SignInCode, TargetGroup, User
from lms.models.base import utcnow
from lms.teach.classes import find_account
from lms.teach.common import (
    CodeRefused,
    SIGN_IN_CODE_DAYS,
    SIGN_IN_CODE_LENGTH,
    TeachError,
    normalize_code,
    random_code,
)
from lms.text import strip_marks


# --- accounts for people without e-mail or smartphone -----------------------------------

def _hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def may_print_code(actor: User, user: User) -> bool:
    """Whether ``actor`` may print a sign-in code for ``user``, a member of one of their classes
    (the caller checks that). An administrator may for anyone. A teacher may only for a learner
    whose account has never had a password of its own: one a teacher or an import made, whose
    owner has not chosen a password. A code signs in as its owner, so anyone else's account is
    reset by an administrator, and the owner's password stops working then."""
    if actor.is_admin:
        return True
    return (actor.is_teacher and user.role == Role.LEARNER and user.deleted_at is None
            and not user.has_own_password)


def print_sign_in_code(actor: User, group: ClassGroup, user: User, new_account: bool = False) -> str:
    """A sign-in code for a member of the class, written to the audit log with it; CodeRefused
    when ``may_print_code`` says no."""
    from lms.certificates.services import audit

    if not may_print_code(actor, user):
        raise CodeRefused(N_("%(name)s has a password of their own, so a teacher cannot print a sign-in code for them. If they forgot it, an administrator can reset the account."),
                          name=user.full_name)
    # Schema: {"username": str, "class": the class's name, "new_account": bool}
    audit(actor, "class.sign_in_code", f"user:{user.id}",
          {"username": user.username, "class": group.name, "new_account": new_account})
    return new_sign_in_code(user, actor)  # commits the entry with the code


def new_sign_in_code(user: User, by: User) -> str:
    """A printable one-time code; earlier unused codes of the same person stop working. No
    permission is checked here: see ``print_sign_in_code`` and the administrators' reset."""
    now = utcnow()
    for old in db.session.scalars(select(SignInCode).where(SignInCode.user_id == user.id, SignInCode.used_at.is_(None))):
        old.used_at = now  # superseded
    code = random_code(SIGN_IN_CODE_LENGTH)
    db.session.add(SignInCode(user_id=user.id, code_hash=_hash_code(code), created_by_id=by.id,
                              expires_at=now + timedelta(days=SIGN_IN_CODE_DAYS)))
    db.session.commit()
    return code


def use_sign_in_code(login_name: str, typed: str) -> User | None:
    """The account if the code is its own, unused and unexpired; the code is spent either way
    only when it matched. Exactly once even under concurrent use (conditional update)."""
    user = find_account(login_name)
    if user is None or not user.is_active_account:
        return None
    now = utcnow()
    from sqlalchemy import update
    claimed = db.session.execute(update(SignInCode).where(
        SignInCode.user_id == user.id, SignInCode.code_hash == _hash_code(typed),
        SignInCode.used_at.is_(None), SignInCode.expires_at > now).values(used_at=now))
    db.session.commit()
    return user if claimed.rowcount == 1 else None


def create_learner_account(teacher: User, group: ClassGroup, full_name: str, username: str | None,
                           target_group: str, village_id: int) -> tuple[User, str]:
    """An account without a password, made by ``teacher`` and in the class at once, with a
    one-time sign-in code to print (written to the audit log)."""
    if not username:
        username = _suggest_username(full_name)
    try:
        group_value = TargetGroup(target_group)
    except ValueError:
        raise TeachError(N_("Choose a target group from the list.")) from None
    user = create_user(NewUser(username=username, full_name=full_name, password=None, role=Role.LEARNER,
                               target_group=group_value, place_id=village_id, created_by_id=teacher.id,
                               created_via=AccountOrigin.TEACHER))
    db.session.flush()
    db.session.add(ClassMember(class_id=group.id, user_id=user.id))
    return user, print_sign_in_code(teacher, group, user, new_account=True)


def _suggest_username(full_name: str) -> str:
    plain = strip_marks(full_name or "")
    parts = "".join(ch for ch in plain if ch.isascii() and (ch.isalnum() or ch == " ")).lower().split()
    base = (parts[-1] + "".join(p[0] for p in parts[:-1])) if parts else "hocvien"
    for _ in range(20):
        candidate = f"{base[:20]}{secrets.randbelow(9000) + 1000}"
        if db.session.scalar(select(User.id).where(User.username_key == username_key(candidate))) is None:
            return candidate
    return f"hv{secrets.token_hex(4)}"
