"""Teaching: answering and withdrawing class invitations, joining a class by its code."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from lms.content.i18n import N_
from lms.extensions import db
from lms.models import ClassGroup, ClassInvitation, Role, User
from lms.models.base import utcnow
from lms.teach.classes import add_member
from lms.teach.common import TeachError, normalize_code


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
