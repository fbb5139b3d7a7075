"""The mediator registry (Art. 14, 16 of the Law on Mediation): who may be assigned to cases."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import FriendshipHouse, Region
from .types import utcnow


class Mediator(db.Model):
    """A registered mediator, professional or public, optionally linked to a user account."""

    __tablename__ = "mediator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registry_number: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # Casefolded copy for search: SQLite's lower() folds ASCII only, Cyrillic and Kazakh need Python's.
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    birth_date: Mapped[date | None] = mapped_column(Date)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("friendship_house.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    region: Mapped[Region] = relationship()
    house: Mapped[FriendshipHouse | None] = relationship()
    languages: Mapped[list["MediatorLanguage"]] = relationship(
        back_populates="mediator", cascade="all, delete-orphan", order_by="MediatorLanguage.id"
    )

    __table_args__ = (
        CheckConstraint("kind IN ('professional', 'public')", name="kind"),
        CheckConstraint("status IN ('active', 'suspended', 'excluded')", name="status"),
    )


class MediatorLanguage(db.Model):
    """A language a mediator can mediate in, with the level (native, fluent, working)."""

    __tablename__ = "mediator_language"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediator.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    level: Mapped[str] = mapped_column(String(16))

    mediator: Mapped[Mediator] = relationship(back_populates="languages")

    __table_args__ = (
        UniqueConstraint("mediator_id", "language"),
        CheckConstraint("level IN ('native', 'fluent', 'working')", name="level"),
    )
