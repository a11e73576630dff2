"""Courses loaded from course packages, and the digital-skills framework they are tagged with.

Ids that come from packages (course id, module and lesson keys, competence codes) are stable:
progress is kept against them across package versions.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class CompetenceArea(db.Model):
    __tablename__ = "competence_area"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))

    competences: Mapped[list[Competence]] = relationship(
        back_populates="area", order_by="Competence.position", cascade="all, delete-orphan")


class Competence(db.Model):
    __tablename__ = "competence"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("competence_area.code", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))

    area: Mapped[CompetenceArea] = relationship(back_populates="competences")


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    version: Mapped[str] = mapped_column(String(20))
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    summary_vi: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    estimated_minutes: Mapped[int] = mapped_column(Integer)
    sequential: Mapped[bool] = mapped_column(Boolean, default=False)
    license: Mapped[str | None] = mapped_column(String(100))
    authors: Mapped[list] = mapped_column(JSON, default=list)
    # Administrators can switch a course off; learners then cannot open it.
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # False when the package folder has gone from the courses directory.
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    package_hash: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    modules: Mapped[list[CourseModule]] = relationship(
        back_populates="course", order_by="CourseModule.position", cascade="all, delete-orphan")
    target_groups: Mapped[list[CourseTargetGroup]] = relationship(cascade="all, delete-orphan")
    competences: Mapped[list[CourseCompetence]] = relationship(cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.enabled and self.available

    @property
    def group_values(self) -> list[str]:
        return [g.target_group for g in self.target_groups]


class CourseTargetGroup(db.Model):
    __tablename__ = "course_target_group"

    course_id: Mapped[str] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    target_group: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class CourseCompetence(db.Model):
    __tablename__ = "course_competence"

    course_id: Mapped[str] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    # No foreign key: a replaced framework must not break loaded courses; the checker
    # validates codes against the framework at load time.
    competence_code: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class CourseModule(db.Model):
    __tablename__ = "course_module"
    __table_args__ = (UniqueConstraint("course_id", "key", name="uq_course_module_course_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    # Quiz settings from the module's question bank (None: the module has no quiz).
    quiz_settings: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # A module dropped from a newer package version is kept (with its learners' history)
    # but no longer shown or counted.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan")


class Lesson(db.Model):
    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("module_id", "key", name="uq_lesson_module_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    source_path: Mapped[str] = mapped_column(String(300))
    # Sanitized HTML, rendered once when the package version is loaded.
    html: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    module: Mapped[CourseModule] = relationship(back_populates="lessons")


class PackageProblem(db.Model):
    """A problem found in a course package by the last sync, shown to administrators."""

    __tablename__ = "package_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    package: Mapped[str] = mapped_column(String(200), index=True)
    file: Mapped[str] = mapped_column(String(300))
    line: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    is_error: Mapped[bool] = mapped_column(Boolean, default=True)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
