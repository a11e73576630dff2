"""Demo data: one province, one commune, a few villages, and one account per role and group.

Passwords are random for every installation and written to ``instance/demo-logins.txt``; a
known default password must never reach a real server.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import func, select

from lms.auth.services import NewUser, create_user
from lms.extensions import db
from lms.models import IssuingBody, Place, PlaceKind, Role, TargetGroup, User

# Readable without ambiguity when printed and typed (no 0/O, 1/l/I).
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"

DEMO_PLACES = {
    "province": "Tỉnh Đắk Lắk",
    "commune": "Xã Krông Á",
    "villages": ["Thôn 1", "Thôn 2", "Thôn 3", "Buôn Ea Kênh"],
}

DEMO_USERS = [
    (Role.ADMIN, "quantri", "Lê Văn Quản", None),
    (Role.TEACHER, "giaovien", "Trần Thị Giáo", None),
    (Role.LEARNER, "canbo", "Phạm Minh Cán", TargetGroup.OFFICIALS),
    (Role.LEARNER, "hocsinh", "Nguyễn Thị Hường", TargetGroup.STUDENTS),
    (Role.LEARNER, "congnhan", "Hờ A Dơ", TargetGroup.WORKERS),
    (Role.LEARNER, "nguoidan", "Y Khoa Niê", TargetGroup.CITIZENS),
]


def random_password(length: int = 12) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count(User.id))) == 0


def _place(name: str, kind: PlaceKind, parent: Place | None) -> Place:
    place = db.session.scalar(select(Place).where(Place.name == name, Place.parent_id == (parent.id if parent else None)))
    if place is None:
        place = Place(name=name, kind=kind, parent=parent)
        db.session.add(place)
        db.session.flush()
    return place


def _demo_class(teacher: User, learners: list[User], village: Place) -> None:
    """A sample class of the demo teacher with every demo learner, and one assignment when the
    VNeID course is loaded (so the teacher's grid and the learners' "Assigned to you" show)."""
    from datetime import date, timedelta

    from lms.models import Assignment, ClassMember, Course
    from lms.teach.services import create_class

    group = create_class(teacher, "Lớp mẫu: kỹ năng số thôn 1", village.id, None, "Tối thứ Ba, 19:00, nhà văn hóa thôn",
                         None)
    for learner in learners:
        db.session.add(ClassMember(class_id=group.id, user_id=learner.id))
    course = db.session.get(Course, "vneid-cho-nguoi-dan")
    if course is not None and course.modules:
        first = min((m for m in course.modules if not m.retired), key=lambda m: m.position)
        db.session.add(Assignment(class_id=group.id, course_id=course.id, module_id=first.id,
                                  due_on=date.today() + timedelta(days=14), created_by_id=teacher.id,
                                  note="Học trước buổi học tới."))


def seed_demo(instance_path: Path) -> list[tuple[str, str, str]]:
    """Create the demo places and accounts; returns (role, username, password) per account."""
    province = _place(DEMO_PLACES["province"], PlaceKind.PROVINCE, None)
    commune = _place(DEMO_PLACES["commune"], PlaceKind.COMMUNE, province)
    villages = [_place(name, PlaceKind.VILLAGE, commune) for name in DEMO_PLACES["villages"]]
    logins = []
    users = {}
    for i, (role, username, full_name, group) in enumerate(DEMO_USERS):
        password = random_password()
        users[username] = create_user(NewUser(username=username, full_name=full_name, password=password, role=role,
                                              target_group=group, place_id=villages[i % len(villages)].id))
        logins.append((role.value, username, password))
    db.session.flush()
    _demo_class(users["giaovien"], [u for u in users.values() if u.role == Role.LEARNER], villages[0])
    if db.session.get(IssuingBody, 1) is None:
        # A sample issuing body; an administrator replaces it under Certificates → Issuing body.
        db.session.add(IssuingBody(id=1, name="Ủy ban nhân dân xã Krông Á (mẫu)", place="Krông Á",
                                   signer_title="Chủ tịch", signer_name="Người ký mẫu", national_header=True))
    db.session.commit()
    path = instance_path / "demo-logins.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        for line in logins:
            handle.write(" ".join(line) + "\n")
    return logins
