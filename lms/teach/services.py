"""Teaching as plain functions: classes, membership, invitations, join codes, accounts with
one-time codes, assignments, the class progress grid, guidance sessions and mentoring.

Every function that takes a class takes one already checked by ``class_for`` (the teacher's
own class, or any class for an administrator); no function here trusts an id from a form.

Nobody is put in a class without their consent: a learner joins with the class's code (typing
it is consent), by accepting an invitation on their home page, or because a teacher of the
class made their account. Teachers see only members, never the people they merely invited, and
print sign-in codes only for accounts that never had a password of their own.
"""
# The code lives in the sibling modules below, split by topic; every name stays reachable as
# ``services.X``. Adding people by invitation stays here.
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, delete, func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.services import AccountError, normalize_login_name, username_key
from lms.content.i18n import N_
from lms.extensions import db
from lms.models import ClassGroup, ClassInvitation, ClassMember, Role, User
from lms.models.base import utcnow
from lms.teach.assignments import AssignedItem, assign, assigned_to, assignments_of_class, withdraw
from lms.teach.classes import (
    _commune_of,
    add_co_teacher,
    add_member,
    class_for,
    classes_of,
    create_class,
    find_account,
    is_member,
    is_teacher_of,
    members_of,
    remove_member,
    renew_join_code,
    search_learners,
    teachers_of,
)
from lms.teach.codes import (
    _hash_code,
    _suggest_username,
    create_learner_account,
    may_print_code,
    new_sign_in_code,
    print_sign_in_code,
    use_sign_in_code,
)
from lms.teach.common import (
    CODE_ALPHABET,
    CodeRefused,
    INVITATION_DAYS,
    JOIN_CODE_DAYS,
    JOIN_CODE_LENGTH,
    MAX_PENDING_INVITATIONS,
    MENTEES_GOAL,
    SIGN_IN_CODE_DAYS,
    SIGN_IN_CODE_LENGTH,
    TeachError,
    group_code,
    normalize_code,
    random_code,
)
from lms.teach.grid import Cell, Column, Grid, progress_grid
from lms.teach.invitations import (
    answer_invitation,
    class_for_code,
    invitations_for,
    invitations_of_class,
    join_by_code,
    withdraw_invitation,
)
from lms.teach.mentoring import (
    add_mentee,
    answer_mentorship,
    course_progress_of,
    guidance_of,
    mentees_of,
    pending_mentors,
    record_guidance,
    remove_mentee,
    set_mentor,
    start_assisted_attempt,
)

__all__ = [
    "AssignedItem",
    "CODE_ALPHABET",
    "Cell",
    "CodeRefused",
    "Column",
    "Grid",
    "INVITATION_DAYS",
    "JOIN_CODE_DAYS",
    "JOIN_CODE_LENGTH",
    "MAX_PENDING_INVITATIONS",
    "MENTEES_GOAL",
    "SIGN_IN_CODE_DAYS",
    "SIGN_IN_CODE_LENGTH",
    "TeachError",
    "_commune_of",
    "_hash_code",
    "_suggest_username",
    "add_co_teacher",
    "add_member",
    "add_mentee",
    "answer_invitation",
    "answer_mentorship",
    "assign",
    "assigned_to",
    "assignments_of_class",
    "class_for",
    "class_for_code",
    "classes_of",
    "course_progress_of",
    "create_class",
    "create_learner_account",
    "find_account",
    "group_code",
    "guidance_of",
    "invitations_for",
    "invitations_of_class",
    "is_member",
    "is_teacher_of",
    "join_by_code",
    "may_print_code",
    "members_of",
    "mentees_of",
    "new_sign_in_code",
    "normalize_code",
    "pending_mentors",
    "print_sign_in_code",
    "progress_grid",
    "random_code",
    "record_guidance",
    "remove_member",
    "remove_mentee",
    "renew_join_code",
    "search_learners",
    "set_mentor",
    "start_assisted_attempt",
    "teachers_of",
    "use_sign_in_code",
    "withdraw",
    "withdraw_invitation",
]


# --- invitations ------------------------------------------------------------------------

def login_name_of(typed: str) -> str | None:
    """A username or phone number as stored (phones as 0xxxxxxxxx), or None when what was typed
    is neither — judged by its form alone, never by looking it up."""
    try:
        return normalize_login_name(typed or "")
    except AccountError:
        return None


@dataclass
class LineResult:
    line: str
    outcome: str  # added | already | invited | invalid
    name: str | None = None  # the learner's full name, only when they are (now) a member


def invite(actor: User, group: ClassGroup, typed: str) -> LineResult:
    """Ask whoever has this username or phone number to join the class (see ``_invite_one``)."""
    result = _invite_one(actor, group, typed, _pending_count(group))
    _commit_invitations()
    return result


def add_pasted(actor: User, group: ClassGroup, text: str, limit: int = 500) -> list[LineResult]:
    """One username or phone number per line, each answered as by ``invite``."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()][:limit]
    pending = _pending_count(group)
    results = []
    for line in lines:
        result = _invite_one(actor, group, line, pending)
        pending += result.outcome == "invited"
        results.append(result)
    _commit_invitations()
    return results


def _invite_one(actor: User, group: ClassGroup, typed: str, pending: int) -> LineResult:
    """One name, not committed. The outcomes:

    - "invalid": neither a username nor a phone number by its form;
    - "added": a learner whose account ``actor`` made (their class's "create an account", or an
      administrator's import): in the class at once, as when it was made;
    - "already": a member of the class;
    - "invited": anything else. An invitation waits on the home page of whoever has that name,
      or takes it later. This answer, and the work behind it, is the same whether or not an
      account has the name and whatever account it is (a teacher's, a deactivated one), so that
      inviting tells nobody which names exist.
    """
    name = login_name_of(typed)
    if name is None:
        return LineResult(typed, "invalid")
    key = username_key(name)
    # One query whether or not the name exists: the account and whether it is in the class.
    user, member_id = db.session.execute(
        select(User, ClassMember.user_id)
        .outerjoin(ClassMember, and_(ClassMember.class_id == group.id, ClassMember.user_id == User.id))
        .where(User.username_key == key)).first() or (None, None)
    if user is not None and user.role == Role.LEARNER and user.deleted_at is None:
        if member_id is not None:
            return LineResult(typed, "already", user.full_name)
        if user.created_by_id == actor.id:
            db.session.add(ClassMember(class_id=group.id, user_id=user.id))
            db.session.execute(delete(ClassInvitation).where(ClassInvitation.class_id == group.id,
                                                             ClassInvitation.login_key == key))
            db.session.flush()
            return LineResult(typed, "added", user.full_name)
    now = utcnow()
    invitation = db.session.scalar(select(ClassInvitation).where(ClassInvitation.class_id == group.id,
                                                                 ClassInvitation.login_key == key))
    if invitation is None:
        if pending >= MAX_PENDING_INVITATIONS:
            db.session.rollback()
            raise TeachError(N_("This class already has %(count)s invitations waiting for an answer. Withdraw some before you send more."),
                             count=MAX_PENDING_INVITATIONS)
        invitation = ClassInvitation(class_id=group.id, login_key=key)
    invitation.login_name = name
    invitation.invited_by_id = actor.id
    invitation.created_at = now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    db.session.add(invitation)
    db.session.flush()
    return LineResult(typed, "invited")


def _pending_count(group: ClassGroup) -> int:
    """Invitations of the class still waiting; expired ones are deleted on the way."""
    db.session.execute(delete(ClassInvitation).where(ClassInvitation.class_id == group.id,
                                                     ClassInvitation.expires_at <= utcnow()))
    return db.session.scalar(select(func.count()).select_from(ClassInvitation)
                             .where(ClassInvitation.class_id == group.id))


def _commit_invitations() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # a co-teacher invited or added the same person at the same moment
        db.session.rollback()
        raise TeachError(N_("Someone else changed this class at the same moment. Try again.")) from None
