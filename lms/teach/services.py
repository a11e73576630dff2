"""Teaching as plain functions: classes, membership, invitations, join codes, accounts with
one-time codes, assignments, the class progress grid, guidance sessions and mentoring.

Every function that takes a class takes one already checked by ``class_for`` (the teacher's
own class, or any class for an administrator); no function here trusts an id from a form.

Nobody is put in a class without their consent: a learner joins with the class's code (typing
it is consent), by accepting an invitation on their home page, or because a teacher of the
class made their account. Teachers see only members, never the people they merely invited, and
print sign-in codes only for accounts that never had a password of their own.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from lms.auth.services import AccountError, NewUser, create_user, lookup_key, normalize_login_name, username_key
from lms.content.i18n import N_
from lms.extensions import db
from lms.models import (
    AccountOrigin,
    Assignment,
    AssignmentLearner,
    ClassGroup,
    ClassInvitation,
    ClassMember,
    ClassTeacher,
    Course,
    CourseModule,
    GuidanceSession,
    Lesson,
    LessonProgress,
    Mentorship,
    Place,
    PlaceKind,
    QuizAttempt,
    Role,
    SignInCode,
    TargetGroup,
    User,
)
from lms.models.base import folded_contains, utcnow
from lms.text import strip_marks

# Join codes: 8 symbols without look-alikes (40 bits), valid for 30 days unless renewed.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 8
JOIN_CODE_DAYS = 30
# One-time sign-in codes: 10 symbols (50 bits), valid for 7 days, used once.
SIGN_IN_CODE_LENGTH = 10
SIGN_IN_CODE_DAYS = 7
# Invitations wait 30 days for an answer; a class has at most so many waiting at once.
INVITATION_DAYS = 30
MAX_PENDING_INVITATIONS = 500
MENTEES_GOAL = 5  # the movement asks each digital ambassador to guide at least five people


class TeachError(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


class CodeRefused(TeachError):
    """A sign-in code this person may not print (the account has a password of its own)."""


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def group_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


# --- classes and who may see them -------------------------------------------------------

def is_teacher_of(user: User, class_id: int) -> bool:
    return db.session.get(ClassTeacher, (class_id, user.id)) is not None


def class_for(user: User, class_id: int) -> ClassGroup | None:
    """The class if ``user`` teaches it or is an administrator; None otherwise."""
    group = db.session.get(ClassGroup, class_id)
    if group is None:
        return None
    if user.is_admin or (user.is_teacher and is_teacher_of(user, class_id)):
        return group
    return None


def classes_of(teacher: User) -> list[tuple[ClassGroup, int]]:
    """The teacher's classes with their number of learners, newest first."""
    members = (select(ClassMember.class_id, func.count().label("n")).group_by(ClassMember.class_id).subquery())
    rows = db.session.execute(
        select(ClassGroup, func.coalesce(members.c.n, 0))
        .join(ClassTeacher, ClassTeacher.class_id == ClassGroup.id)
        .outerjoin(members, members.c.class_id == ClassGroup.id)
        .where(ClassTeacher.user_id == teacher.id).order_by(ClassGroup.created_at.desc())).all()
    return [(g, n) for g, n in rows]


def create_class(teacher: User, name: str, place_id: int | None, target_group: str | None, schedule: str | None,
                 note: str | None) -> ClassGroup:
    name = " ".join((name or "").split())
    if not name:
        raise TeachError(N_("Give the class a name."))
    if place_id is not None and db.session.get(Place, place_id) is None:
        raise TeachError(N_("The place you chose does not exist."))
    if target_group and target_group not in {g.value for g in TargetGroup}:
        raise TeachError(N_("Choose a target group from the list."))
    group = ClassGroup(name=name[:120], place_id=place_id, target_group=target_group or None,
                       schedule=(schedule or "").strip()[:200] or None, note=(note or "").strip() or None,
                       created_by_id=teacher.id)
    db.session.add(group)
    db.session.flush()
    db.session.add(ClassTeacher(class_id=group.id, user_id=teacher.id))
    renew_join_code(group)
    db.session.commit()
    return group


def renew_join_code(group: ClassGroup) -> str:
    """A new join code (the old one stops working). Commits are the caller's."""
    for _ in range(5):
        code = random_code(JOIN_CODE_LENGTH)
        if db.session.scalar(select(ClassGroup.id).where(ClassGroup.join_code == code)) is None:
            break
    group.join_code = code
    group.join_code_expires_at = utcnow() + timedelta(days=JOIN_CODE_DAYS)
    return code


def teachers_of(group: ClassGroup) -> list[User]:
    return list(db.session.scalars(select(User).join(ClassTeacher, ClassTeacher.user_id == User.id)
                                   .where(ClassTeacher.class_id == group.id).order_by(User.full_name)))


def add_co_teacher(group: ClassGroup, login_name: str) -> User:
    user = find_account(login_name)
    if user is None or user.role not in (Role.TEACHER, Role.ADMIN):
        raise TeachError(N_("No teacher has the name or phone number “%(name)s”."), name=login_name)
    if not is_teacher_of(user, group.id):
        db.session.add(ClassTeacher(class_id=group.id, user_id=user.id))
        db.session.commit()
    return user


def members_of(group: ClassGroup) -> list[User]:
    return list(db.session.scalars(select(User).join(ClassMember, ClassMember.user_id == User.id)
                                   .where(ClassMember.class_id == group.id).order_by(User.full_name, User.id)))


def is_member(class_id: int, user_id: int) -> bool:
    return db.session.get(ClassMember, (class_id, user_id)) is not None


def find_account(login_name: str) -> User | None:
    """An account by username or phone number, as typed."""
    name = (login_name or "").strip()
    if not name:
        return None
    return db.session.scalar(select(User).where(User.username_key == lookup_key(name)))


def add_member(group: ClassGroup, user: User) -> bool:
    """Put a learner in the class, for a reason that is their consent (they typed the join code,
    accepted an invitation) or the class's own (a teacher of it made the account). False when
    they were in it already. Any invitation of theirs to this class is answered by it."""
    if user.role != Role.LEARNER:
        raise TeachError(N_("Only learners can be added to a class."))
    db.session.execute(delete(ClassInvitation).where(ClassInvitation.class_id == group.id,
                                                     ClassInvitation.login_key == user.username_key))
    if is_member(group.id, user.id):
        db.session.commit()
        return False
    db.session.add(ClassMember(class_id=group.id, user_id=user.id))
    try:
        db.session.commit()
    except IntegrityError:  # added at the same moment by a co-teacher
        db.session.rollback()
        return False
    return True


def remove_member(group: ClassGroup, user_id: int) -> None:
    member = db.session.get(ClassMember, (group.id, user_id))
    if member is not None:
        db.session.delete(member)
        db.session.commit()


def search_learners(group: ClassGroup, query: str, limit: int = 20) -> list[User]:
    """Learners of the class's commune a teacher may invite, by name or by exact username or
    phone number. Names match ignoring case and diacritics: "nguyen thi" finds "Nguyễn Thị
    Hường". Nobody outside the commune is ever listed, and nobody at all when the class has no
    commune, so that a teacher cannot browse the province's people or test which names exist;
    they invite anyone else by typing the exact name (see ``invite``)."""
    q = " ".join((query or "").split())
    commune_id = _commune_of(group.place_id)
    if len(q) < 2 or commune_id is None:
        return []
    villages = select(Place.id).where(or_(Place.parent_id == commune_id, Place.id == commune_id))
    return list(db.session.scalars(
        select(User).where(User.role == Role.LEARNER, User.deleted_at.is_(None), User.place_id.in_(villages),
                           or_(folded_contains(User.name_key, q), User.username_key == lookup_key(q)))
        .order_by(User.full_name, User.id).limit(limit)))


def _commune_of(place_id: int | None) -> int | None:
    if place_id is None:
        return None
    place = db.session.get(Place, place_id)
    if place.kind == PlaceKind.VILLAGE:
        return place.parent_id
    if place.kind == PlaceKind.COMMUNE:
        return place.id
    return None


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


def invitations_of_class(group: ClassGroup) -> list[ClassInvitation]:
    """The class's invitations still waiting, newest first."""
    return list(db.session.scalars(select(ClassInvitation).where(
        ClassInvitation.class_id == group.id, ClassInvitation.expires_at > utcnow())
        .order_by(ClassInvitation.created_at.desc(), ClassInvitation.id.desc())))


def withdraw_invitation(group: ClassGroup, invitation_id: int) -> bool:
    """False when the class has no such invitation."""
    invitation = db.session.get(ClassInvitation, invitation_id)
    if invitation is None or invitation.class_id != group.id:
        return False
    db.session.delete(invitation)
    db.session.commit()
    return True


def invitations_for(user: User) -> list[tuple[ClassInvitation, ClassGroup, User | None]]:
    """Invitations waiting for this learner's answer: (invitation, class, who invited)."""
    if user.role != Role.LEARNER or user.deleted_at is not None:
        return []
    inviter = aliased(User)
    return [(i, g, t) for i, g, t in db.session.execute(
        select(ClassInvitation, ClassGroup, inviter)
        .join(ClassGroup, ClassGroup.id == ClassInvitation.class_id)
        .outerjoin(inviter, inviter.id == ClassInvitation.invited_by_id)
        .where(ClassInvitation.login_key == user.username_key, ClassInvitation.expires_at > utcnow())
        .order_by(ClassInvitation.created_at))]


def answer_invitation(user: User, invitation_id: int, accept: bool) -> ClassGroup:
    """The learner accepts (and is a member) or declines (and nothing is kept). TeachError when
    the invitation is not theirs, no longer waits, or they are not a learner."""
    invitation = db.session.get(ClassInvitation, invitation_id)
    if (invitation is None or invitation.login_key != user.username_key or invitation.expires_at <= utcnow()
            or user.role != Role.LEARNER or user.deleted_at is not None):
        raise TeachError(N_("This invitation does not exist or has expired."))
    group = db.session.get(ClassGroup, invitation.class_id)
    if accept:
        add_member(group, user)  # deletes the invitation too
    else:
        db.session.delete(invitation)
        db.session.commit()
    return group


def class_for_code(typed: str) -> ClassGroup:
    """The class whose join code was typed (in any case, with or without dashes), if the code
    has not expired; TeachError otherwise."""
    code = normalize_code(typed)
    group = db.session.scalar(select(ClassGroup).where(ClassGroup.join_code == code)) if code else None
    if group is None:
        raise TeachError(N_("No class has this code. Check it with your teacher."))
    if group.join_code_expires_at is None or group.join_code_expires_at < utcnow():
        raise TeachError(N_("This class code has expired. Ask your teacher for a new one."))
    return group


def join_by_code(user: User, typed: str) -> ClassGroup:
    """Put a learner in the class of a join code (nothing changes if they are in it already)."""
    group = class_for_code(typed)
    if user.role != Role.LEARNER:
        raise TeachError(N_("Only learners can join a class with a code."))
    add_member(group, user)
    return group


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


# --- assignments ------------------------------------------------------------------------

def assign(teacher: User, group: ClassGroup, course_id: str, module_ids: list[int], learner_ids: list[int],
           due_on: date | None, note: str | None) -> list[Assignment]:
    """Assign a whole course (no modules chosen) or chosen modules, to the class or to chosen
    learners of it. Learners outside the class are refused, nothing is written."""
    course = db.session.get(Course, course_id)
    if course is None or not course.is_open:
        raise TeachError(N_("Choose a course from the list."))
    modules = []
    if module_ids:
        modules = list(db.session.scalars(select(CourseModule).where(
            CourseModule.id.in_(module_ids), CourseModule.course_id == course.id, CourseModule.retired.is_(False))))
        if len(modules) != len(set(module_ids)):
            raise TeachError(N_("A chosen module is not part of this course."))
    if learner_ids:
        inside = set(db.session.scalars(select(ClassMember.user_id).where(
            ClassMember.class_id == group.id, ClassMember.user_id.in_(learner_ids))))
        if inside != set(learner_ids):
            raise TeachError(N_("You can only assign work to learners of this class."))
    if due_on is not None and due_on < date.today() - timedelta(days=1):
        raise TeachError(N_("The due date is in the past."))
    created = []
    for module in modules or [None]:
        assignment = Assignment(class_id=group.id, course_id=course.id, module_id=module.id if module else None,
                                due_on=due_on, note=(note or "").strip()[:300] or None, chosen_only=bool(learner_ids),
                                created_by_id=teacher.id)
        db.session.add(assignment)
        db.session.flush()
        for user_id in learner_ids:
            db.session.add(AssignmentLearner(assignment_id=assignment.id, user_id=user_id))
        created.append(assignment)
    db.session.commit()
    return created


def assignments_of_class(group: ClassGroup, include_withdrawn: bool = False) -> list[Assignment]:
    stmt = select(Assignment).where(Assignment.class_id == group.id)
    if not include_withdrawn:
        stmt = stmt.where(Assignment.withdrawn_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Assignment.due_on.is_(None), Assignment.due_on, Assignment.id)))


def withdraw(assignment: Assignment) -> None:
    if assignment.withdrawn_at is None:
        assignment.withdrawn_at = utcnow()
        db.session.commit()


@dataclass
class AssignedItem:
    assignment: Assignment
    course: Course
    module: CourseModule | None
    done: bool
    overdue: bool


def assigned_to(user: User) -> list[AssignedItem]:
    """What the learner's classes assigned to them, not yet withdrawn: by due date (none last),
    overdue marked; done items last."""
    from lms.learn.services import build_outline

    rows = db.session.execute(
        select(Assignment, Course, CourseModule)
        .join(ClassMember, and_(ClassMember.class_id == Assignment.class_id, ClassMember.user_id == user.id))
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(CourseModule, CourseModule.id == Assignment.module_id)
        .where(Assignment.withdrawn_at.is_(None), Course.enabled.is_(True), Course.available.is_(True),
               or_(Assignment.chosen_only.is_(False),
                   exists().where(AssignmentLearner.assignment_id == Assignment.id,
                                  AssignmentLearner.user_id == user.id)))).all()
    outlines = {}
    items = []
    today = date.today()
    for assignment, course, module in rows:
        outline = outlines.get(course.id) or outlines.setdefault(course.id, build_outline(course, user.id))
        if module is None:
            done = outline.is_done
        else:
            state = next((m for m in outline.modules if m.module.id == module.id), None)
            done = state is not None and state.is_done
        overdue = not done and assignment.due_on is not None and assignment.due_on < today
        items.append(AssignedItem(assignment, course, module, done, overdue))
    items.sort(key=lambda i: (i.done, i.assignment.due_on is None, i.assignment.due_on or date.max, i.assignment.id))
    return items


# --- the class progress grid ------------------------------------------------------------

@dataclass
class Column:
    assignment: Assignment
    module: CourseModule
    course: Course
    lessons: int
    has_quiz: bool


@dataclass
class Cell:
    state: str  # not_started | in_progress | done
    lessons_done: int = 0
    best_score: float | None = None
    assisted: bool = False
    assisted_by: str | None = None  # the teacher's name, when a quiz was done with their help


@dataclass
class Grid:
    columns: list[Column]
    learners: list[User]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (user id, column index)

    def row(self, user: User) -> list[Cell | None]:
        return [self.cells.get((user.id, i)) for i in range(len(self.columns))]

    def done_count(self, user: User) -> int:
        return sum(1 for c in self.row(user) if c is not None and c.state == "done")

    def applies(self, user: User, index: int) -> bool:
        return (user.id, index) in self.cells

    def column_totals(self) -> list[dict[str, int]]:
        totals = [{"not_started": 0, "in_progress": 0, "done": 0} for _ in self.columns]
        for (_uid, i), cell in self.cells.items():
            totals[i][cell.state] += 1
        return totals


def progress_grid(group: ClassGroup) -> Grid:
    """Learners × assigned modules in a fixed number of queries, whatever the class size:
    members, assignments, chosen learners, lesson counts, lessons done, quiz results."""
    learners = members_of(group)
    assignments = assignments_of_class(group)
    course_ids = {a.course_id for a in assignments}
    modules_by_course: dict[str, list[CourseModule]] = {}
    courses: dict[str, Course] = {}
    if course_ids:
        for course in db.session.scalars(select(Course).where(Course.id.in_(course_ids))):
            courses[course.id] = course
        for module in db.session.scalars(select(CourseModule).where(
                CourseModule.course_id.in_(course_ids), CourseModule.retired.is_(False)).order_by(CourseModule.position)):
            modules_by_course.setdefault(module.course_id, []).append(module)
    chosen: dict[int, set[int]] = {}
    chosen_ids = [a.id for a in assignments if a.chosen_only]
    if chosen_ids:
        for assignment_id, user_id in db.session.execute(select(AssignmentLearner.assignment_id, AssignmentLearner.user_id)
                                                         .where(AssignmentLearner.assignment_id.in_(chosen_ids))):
            chosen.setdefault(assignment_id, set()).add(user_id)
    columns: list[Column] = []
    seen: set[int] = set()
    module_ids: list[int] = []
    for assignment in assignments:
        mods = modules_by_course.get(assignment.course_id, [])
        if assignment.module_id is not None:
            mods = [m for m in mods if m.id == assignment.module_id]
        for module in mods:
            if module.id in seen:
                continue
            seen.add(module.id)
            module_ids.append(module.id)
            columns.append(Column(assignment, module, courses[assignment.course_id], 0, module.quiz_settings is not None))
    grid = Grid(columns, learners)
    if not columns or not learners:
        return grid
    lesson_counts = dict(db.session.execute(
        select(Lesson.module_id, func.count()).where(Lesson.module_id.in_(module_ids), Lesson.retired.is_(False))
        .group_by(Lesson.module_id)).all())
    for column in columns:
        column.lessons = lesson_counts.get(column.module.id, 0)
    member_ids = select(ClassMember.user_id).where(ClassMember.class_id == group.id)
    done_counts = {(u, m): n for u, m, n in db.session.execute(
        select(LessonProgress.user_id, Lesson.module_id, func.count())
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.module_id.in_(module_ids), Lesson.retired.is_(False), LessonProgress.user_id.in_(member_ids))
        .group_by(LessonProgress.user_id, Lesson.module_id))}
    quiz = {(u, m): (best, passed, assisted) for u, m, best, passed, assisted in db.session.execute(
        select(QuizAttempt.user_id, QuizAttempt.module_id, func.max(QuizAttempt.score),
               func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)),
               func.max(QuizAttempt.assisted_by_id))
        .where(QuizAttempt.module_id.in_(module_ids), QuizAttempt.user_id.in_(member_ids),
               QuizAttempt.status == "submitted")
        .group_by(QuizAttempt.user_id, QuizAttempt.module_id))}
    helper_ids = {a for _b, _p, a in quiz.values() if a is not None}
    helpers = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(helper_ids))).all()) \
        if helper_ids else {}
    for user in learners:
        for index, column in enumerate(columns):
            a = column.assignment
            if a.chosen_only and user.id not in chosen.get(a.id, set()):
                continue
            done = done_counts.get((user.id, column.module.id), 0)
            best, passed, assisted = quiz.get((user.id, column.module.id), (None, 0, None))
            lessons_all = column.lessons > 0 and done >= column.lessons
            finished = lessons_all and (passed == 1 or not column.has_quiz)
            state = "done" if finished else ("in_progress" if done or best is not None else "not_started")
            grid.cells[(user.id, index)] = Cell(state, done, best, assisted is not None,
                                                helpers.get(assisted) if assisted is not None else None)
    return grid


# --- guidance sessions ------------------------------------------------------------------

def record_guidance(teacher: User, held_on: date, place_id: int, people_helped: int, topic: str,
                    note: str | None, class_id: int | None) -> GuidanceSession:
    place = db.session.get(Place, place_id)
    if place is None or place.kind != PlaceKind.VILLAGE:
        raise TeachError(N_("Choose the village or residential group where you helped."))
    if held_on > date.today():
        raise TeachError(N_("The date of the session cannot be in the future."))
    if not 1 <= people_helped <= 500:
        raise TeachError(N_("Write how many people you helped (1 to 500)."))
    topic = " ".join((topic or "").split())
    if not topic:
        raise TeachError(N_("Write what you helped with."))
    if class_id is not None and class_for(teacher, class_id) is None:
        raise TeachError(N_("Choose one of your classes."))
    session = GuidanceSession(teacher_id=teacher.id, held_on=held_on, place_id=place.id, people_helped=people_helped,
                              topic=topic[:200], note=(note or "").strip() or None, class_id=class_id)
    db.session.add(session)
    db.session.commit()
    return session


def guidance_of(teacher: User, limit: int = 100) -> list[GuidanceSession]:
    return list(db.session.scalars(select(GuidanceSession).where(GuidanceSession.teacher_id == teacher.id)
                                   .order_by(GuidanceSession.held_on.desc(), GuidanceSession.id.desc()).limit(limit)))


# --- assisted quizzes -------------------------------------------------------------------

def start_assisted_attempt(teacher: User, group: ClassGroup, learner_id: int, module: CourseModule):
    """A quiz attempt of a learner of the teacher's class, run with the teacher at their side."""
    from lms.quiz import services as quiz

    if not is_member(group.id, learner_id):
        raise TeachError(N_("This learner is not in your class."))
    learner = db.session.get(User, learner_id)
    attempt = quiz.start_attempt(learner, module)
    if attempt.assisted_by_id is None:
        attempt.assisted_by_id = teacher.id
        db.session.commit()
    return attempt


# --- mentoring (Đại sứ số) --------------------------------------------------------------

def set_mentor(user: User, value: bool) -> None:
    user.is_mentor = value
    db.session.commit()


def add_mentee(mentor: User, login_name: str) -> Mentorship:
    if not mentor.is_mentor:
        raise TeachError(N_("Only a digital ambassador can add people to guide."))
    mentee = find_account(login_name)
    if mentee is None or mentee.role != Role.LEARNER:
        raise TeachError(N_("No learner has the name or phone number “%(name)s”."), name=login_name)
    if mentee.id == mentor.id:
        raise TeachError(N_("You cannot guide yourself."))
    existing = db.session.scalar(select(Mentorship).where(Mentorship.mentor_id == mentor.id,
                                                          Mentorship.mentee_id == mentee.id))
    if existing is not None:
        return existing
    link = Mentorship(mentor_id=mentor.id, mentee_id=mentee.id)
    db.session.add(link)
    db.session.commit()
    return link


def mentees_of(mentor: User) -> list[tuple[Mentorship, User]]:
    return [(m, u) for m, u in db.session.execute(
        select(Mentorship, User).join(User, User.id == Mentorship.mentee_id)
        .where(Mentorship.mentor_id == mentor.id).order_by(Mentorship.accepted_at.is_(None), User.full_name))]


def pending_mentors(mentee: User) -> list[tuple[Mentorship, User]]:
    return [(m, u) for m, u in db.session.execute(
        select(Mentorship, User).join(User, User.id == Mentorship.mentor_id)
        .where(Mentorship.mentee_id == mentee.id, Mentorship.accepted_at.is_(None)))]


def answer_mentorship(mentee: User, link_id: int, accept: bool) -> None:
    link = db.session.get(Mentorship, link_id)
    if link is None or link.mentee_id != mentee.id:
        raise TeachError(N_("This request does not exist."))
    if accept:
        link.accepted_at = utcnow()
    else:
        db.session.delete(link)
    db.session.commit()


def remove_mentee(mentor: User, link_id: int) -> None:
    link = db.session.get(Mentorship, link_id)
    if link is None or link.mentor_id != mentor.id:
        raise TeachError(N_("This request does not exist."))
    db.session.delete(link)
    db.session.commit()


def course_progress_of(user_id: int) -> list[tuple[Course, int, int, bool]]:
    """(course, lessons done, lessons, completed) for every course the person has started."""
    from lms.learn.services import build_outline

    course_ids = db.session.scalars(select(CourseModule.course_id).distinct()
                                    .join(Lesson, Lesson.module_id == CourseModule.id)
                                    .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
                                    .where(LessonProgress.user_id == user_id)).all()
    out = []
    for course in db.session.scalars(select(Course).where(Course.id.in_(course_ids)).order_by(Course.title_vi)):
        outline = build_outline(course, user_id)
        out.append((course, outline.done_count, outline.total, outline.is_done))
    return out

