"""Teaching: assigning courses and modules to a class."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, or_, select

from lms.content.i18n import N_
from lms.extensions import db
from lms.models import Assignment, AssignmentLearner, ClassGroup, ClassMember, Course, CourseModule, User
from lms.models.base import utcnow
from lms.teach.common import TeachError


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
