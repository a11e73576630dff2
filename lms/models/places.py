"""Administrative units: province → commune/ward → village/residential group."""
from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db


class PlaceKind(str, enum.Enum):
    PROVINCE = "province"
    COMMUNE = "commune"
    VILLAGE = "village"


# Which kind may sit under which.
PARENT_KIND = {PlaceKind.COMMUNE: PlaceKind.PROVINCE, PlaceKind.VILLAGE: PlaceKind.COMMUNE}


class Place(db.Model):
    __tablename__ = "place"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_place_parent_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[PlaceKind] = mapped_column(
        Enum(PlaceKind, name="place_kind", native_enum=False, length=16,
             values_callable=lambda kinds: [k.value for k in kinds])
    )
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"), index=True)

    parent: Mapped[Place | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Place]] = relationship(back_populates="parent", order_by="Place.name")

    def path(self) -> str:
        """"Thôn 1, Xã Krông Á, Tỉnh Đắk Lắk" — the unit and its parents."""
        names, place = [], self
        while place is not None:
            names.append(place.name)
            place = place.parent
        return ", ".join(names)

    def __repr__(self) -> str:
        return f"<Place {self.kind.value} {self.name!r}>"
