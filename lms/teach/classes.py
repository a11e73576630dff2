"""Teaching: classes, their teachers and members, and who may see them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from lms.auth.services import lookup_key
from lms.content.i18n import N_
from lms.extensions import db
from lms.models import (
    ClassGroup,
    ClassInvitation,
    ClassMember,
    ClassTeacher,
    Place,
    PlaceKind,
    Role,
    TargetGroup,
    User,
)
from lms.models.base import folded_contains, utcnow
from lms.teach.common import JOIN_CODE_DAYS, JOIN_CODE_LENGTH, TeachError, random_code


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
