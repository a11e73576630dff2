"""Where a learner (or the teacher assisting them) goes after a quiz."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lms.extensions import db
from lms.models import ClassGroup, ClassMember, ClassTeacher, QuizAttempt


@dataclass
class NextStep:
    """Where a learner goes after passing a module's quiz: ``kind`` is "lesson" (a lesson not yet
    read, of this module or the next), "quiz" (the next module's quiz, its lessons all read) or
    "finished" (every module of the course done)."""

    kind: str
    module: object | None = None   # lms.learn.services.ModuleInfo
    lesson: object | None = None   # lms.learn.services.LessonInfo
    same_module: bool = False


def next_step(outline, module_id: int) -> NextStep | None:
    """The learner's next step once the quiz of ``module_id`` is passed, from their course outline
    (lms.learn.services.build_outline): the lessons this module still has, else the next module
    not yet done (after this one, then from the start of the course), else the end of the course.
    None when nothing is open to go on with."""
    if outline.is_done:
        return NextStep("finished")
    states = outline.modules
    here = next((i for i, m in enumerate(states) if m.module.id == module_id), None)
    if here is None:
        return None
    current = states[here]
    if not current.is_done:
        unread = next((s.lesson for s in current.lessons if not s.done), None)
        return NextStep("lesson", current.module, unread, same_module=True) if unread else None
    for state in states[here + 1:] + states[:here]:
        if state.is_done or state.locked:
            continue
        unread = next((s.lesson for s in state.lessons if not s.done), None)
        if unread is not None:
            return NextStep("lesson", state.module, unread)
        return NextStep("quiz", state.module)
    return None


def assisting_class(attempt: QuizAttempt, teacher_id: int, class_id: int | None = None) -> ClassGroup | None:
    """The class in which a teacher runs an assisted attempt, to send them back to it: the class
    ``class_id`` when the teacher teaches it and the learner is in it, else the newest class
    they share. None when the attempt is not assisted by this teacher or no class links them."""
    if attempt.assisted_by_id != teacher_id:
        return None
    shared = (select(ClassGroup)
              .join(ClassTeacher, ClassTeacher.class_id == ClassGroup.id)
              .join(ClassMember, ClassMember.class_id == ClassGroup.id)
              .where(ClassTeacher.user_id == teacher_id, ClassMember.user_id == attempt.user_id))
    if class_id is not None:
        named = db.session.scalar(shared.where(ClassGroup.id == class_id))
        if named is not None:
            return named
    return db.session.scalar(shared.order_by(ClassGroup.created_at.desc(), ClassGroup.id.desc()).limit(1))
