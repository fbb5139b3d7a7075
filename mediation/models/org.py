"""The organisation: regions, Friendship Houses and their mediation rooms."""

from datetime import date, time

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Time
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
    opening_hours: Mapped[list["HouseOpeningHours"]] = relationship(
        cascade="all, delete-orphan", order_by="HouseOpeningHours.weekday")
    closures: Mapped[list["HouseClosure"]] = relationship(cascade="all, delete-orphan", order_by="HouseClosure.start")

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
    closures: Mapped[list["RoomClosure"]] = relationship(cascade="all, delete-orphan", order_by="RoomClosure.start")

    __table_args__ = (CheckConstraint("capacity BETWEEN 1 AND 500", name="capacity_range"),)


class HouseOpeningHours(db.Model):
    """When a house is open on one weekday (0 = Monday), local time; a weekday without a row is closed."""

    __tablename__ = "house_opening_hours"

    house_id: Mapped[int] = mapped_column(ForeignKey("friendship_house.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("closes > opens", name="ordered"),
    )


class HouseClosure(db.Model):
    """Days a house is closed (public holiday, event, repairs), both inclusive."""

    __tablename__ = "house_closure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("friendship_house.id", ondelete="CASCADE"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (CheckConstraint('"end" >= start', name="ordered"),)


class RoomClosure(db.Model):
    """Days a room cannot be booked (renovation) while its history stays; both inclusive."""

    __tablename__ = "room_closure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("mediation_room.id", ondelete="CASCADE"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (CheckConstraint('"end" >= start', name="ordered"),)
