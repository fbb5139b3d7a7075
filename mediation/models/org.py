"""The organisation: regions, Friendship Houses and their mediation rooms."""

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Region(db.Model):
    """One of the 20 regional units (17 oblasts, 3 cities of republican significance)."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kato2: Mapped[str] = mapped_column(String(2), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_kk: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    centre_kk: Mapped[str | None] = mapped_column(String(80))
    centre_ru: Mapped[str | None] = mapped_column(String(80))
    centre_en: Mapped[str | None] = mapped_column(String(80))

    houses: Mapped[list["FriendshipHouse"]] = relationship(back_populates="region", order_by="FriendshipHouse.id")

    __table_args__ = (CheckConstraint("kind IN ('city', 'oblast')", name="kind"),)

    def name(self, locale: str) -> str:
        """The region's name in the given interface language (Kazakh when unknown)."""
        return getattr(self, f"name_{locale}", None) or self.name_kk


class FriendshipHouse(db.Model):
    """A Friendship House (Достық үйі) of the Assembly, home of mediation rooms."""

    __tablename__ = "friendship_house"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300), default="")
    is_republican: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    region: Mapped[Region] = relationship(back_populates="houses")
    rooms: Mapped[list["MediationRoom"]] = relationship(back_populates="house", order_by="MediationRoom.id")

    def name(self, locale: str) -> str:
        """The house's name in the given interface language (Kazakh when unknown)."""
        return getattr(self, f"name_{locale}", None) or self.name_kk


class MediationRoom(db.Model):
    """A mediation room (медиация кабинеті) in a Friendship House."""

    __tablename__ = "mediation_room"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("friendship_house.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int] = mapped_column(Integer)
    has_interpreter_equipment: Mapped[bool] = mapped_column(Boolean, default=False)
    has_video_link: Mapped[bool] = mapped_column(Boolean, default=False)
    step_free_access: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    house: Mapped[FriendshipHouse] = relationship(back_populates="rooms")

    __table_args__ = (CheckConstraint("capacity BETWEEN 1 AND 500", name="capacity_range"),)
