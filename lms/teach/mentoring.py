"""Teaching: guidance sessions, assisted quizzes and mentoring (Đại sứ số)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lms.content.i18n import N_
from lms.extensions import db
from lms.models import (
    ClassGroup,
    Course,
    CourseModule,
    GuidanceSession,
    Lesson,
    LessonProgress,
    Mentorship,
    Place,
    PlaceKind,
    Role,
    User,
)
from lms.models.base import utcnow
from lms.teach.classes import class_for, find_account, is_member
from lms.teach.common import TeachError


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
