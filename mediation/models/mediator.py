"""The mediator registry (Art. 14, 16 of the Law on Mediation): who may be assigned to cases."""

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from ..domain.text import name_order_key
from ..extensions import db
from .org import FriendshipHouse, Region
from .types import random_revision, utcnow


class Mediator(db.Model):
    """A registered mediator, professional or public, optionally linked to a user account."""

    __tablename__ = "mediator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registry_number: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # Casefolded copy for search: SQLite's lower() folds ASCII only, Cyrillic and Kazakh need Python's.
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    # The list order (domain/text.name_order_key), kept with name_folded: lists sort and page by (name_order, id).
    # The key is ordered by code point, which PostgreSQL does only under the "C" collation: a database made with
    # another (en_US, ICU) would sort its characters by other rules.
    name_order: Mapped[str] = mapped_column(String(200).with_variant(String(200, collation="C"), "postgresql"))
    kind: Mapped[str] = mapped_column(String(16))
    birth_date: Mapped[date | None] = mapped_column(Date)
    education: Mapped[str | None] = mapped_column(String(300))
    higher_education: Mapped[bool] = mapped_column(Boolean, default=False)
    certificate_number: Mapped[str | None] = mapped_column(String(60))
    certificate_date: Mapped[date | None] = mapped_column(Date)
    retired_judge: Mapped[bool] = mapped_column(Boolean, default=False)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("friendship_house.id"), index=True)
    takes_cases_elsewhere: Mapped[bool] = mapped_column(Boolean, default=True)
    max_active_cases: Mapped[int] = mapped_column(Integer, default=5)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    legal_address: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="active")
    suspended_until: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(String(1000))
    disqualifications: Mapped[list] = mapped_column(JSON, default=list)
    # Sensitive: self-declared, only with consent; used by assignment only where a region's policy asks.
    ethnicity: Mapped[str | None] = mapped_column(String(60))
    ethnicity_consent_on: Mapped[date | None] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    last_assigned_at: Mapped[datetime | None] = mapped_column(DateTime)  # for rotation
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Replaced by every change to the row or to its languages, specialisations or weekly hours (the listener at
    # the end of this module): the candidate cache (services/registry_snapshot.py) reloads what moved.
    revision: Mapped[int] = mapped_column(BigInteger, default=random_revision)
    # Replaced, by the database's own triggers (models/standing_ddl.py), whenever the mediator's running
    # assignments, last assignment, track record or absences change: suggestion pools re-read what moved.
    standing_revision: Mapped[int] = mapped_column(BigInteger, default=random_revision)
    # PostgreSQL: the transaction (64-bit id) that gave the mark; its later changes keep it (models/standing_ddl.py).
    standing_xact: Mapped[int | None] = mapped_column(BigInteger)

    region: Mapped[Region] = relationship()
    house: Mapped[FriendshipHouse | None] = relationship()
    languages: Mapped[list["MediatorLanguage"]] = relationship(
        back_populates="mediator", cascade="all, delete-orphan", order_by="MediatorLanguage.id"
    )
    specialization_rows: Mapped[list["MediatorSpecialization"]] = relationship(
        cascade="all, delete-orphan", order_by="MediatorSpecialization.category")
    absences: Mapped[list["MediatorAbsence"]] = relationship(cascade="all, delete-orphan",
                                                             order_by="MediatorAbsence.start")
    weekly_hours: Mapped[list["MediatorWeeklyHours"]] = relationship(
        cascade="all, delete-orphan", order_by="(MediatorWeeklyHours.weekday, MediatorWeeklyHours.start)")

    @property
    def specializations(self) -> list[str]:
        """The categories, as plain codes."""
        return [row.category for row in self.specialization_rows]

    __table_args__ = (
        CheckConstraint("kind IN ('professional', 'public')", name="kind"),
        CheckConstraint("status IN ('active', 'suspended', 'excluded')", name="status"),
        CheckConstraint("max_active_cases BETWEEN 0 AND 100", name="max_active_cases"),
        CheckConstraint("ethnicity IS NULL OR ethnicity_consent_on IS NOT NULL", name="ethnicity_needs_consent"),
        Index("ix_mediator_region_status", "region_id", "status"),
        Index("ix_mediator_name_order", "name_order", "id"),
    )

    @validates("name_folded")
    def _keep_name_order(self, _key, folded: str) -> str:
        """Set the list order with the folded name, however the row is written through the ORM."""
        self.name_order = name_order_key(folded)
        return folded


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
        Index("ix_mediator_language_language", "language", "mediator_id"),
    )


class MediatorSpecialization(db.Model):
    """A case category the mediator specialises in (Art. 14: field of specialisation)."""

    __tablename__ = "mediator_specialization"

    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediator.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)

    __table_args__ = (Index("ix_mediator_specialization_category", "category", "mediator_id"),)


class MediatorCategoryStats(db.Model):
    """Closed cases and agreements per mediator and category, kept as cases close (assignment reads it)."""

    __tablename__ = "mediator_category_stats"

    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediator.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    agreements: Mapped[int] = mapped_column(Integer, default=0)

    # Suggestions read one category for a region's few hundred mediators: one range of this index, where the
    # primary key (mediator, category) took a descent per mediator (PostgreSQL 3.2 -> 0.8 ms for 396).
    __table_args__ = (Index("ix_mediator_category_stats_category", "category", "mediator_id",
                            postgresql_include=["closed", "agreements"]),)


class MediatorAbsence(db.Model):
    """A leave, illness or other absence, both days inclusive."""

    __tablename__ = "mediator_absence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediator.id", ondelete="CASCADE"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16), default="leave")

    __table_args__ = (
        CheckConstraint('"end" >= start', name="ordered"),
        CheckConstraint("kind IN ('leave', 'illness', 'other')", name="kind"),
    )


class MediatorWeeklyHours(db.Model):
    """A weekly slot when the mediator can hold sessions (weekday 0 = Monday)."""

    __tablename__ = "mediator_weekly_hours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediator.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint('"end" > start', name="ordered"),
    )


class AssignmentPolicyRecord(db.Model):
    """A region's assignment policy as its manager set it (weights and switches)."""

    __tablename__ = "assignment_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), unique=True)
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    horizon_days: Mapped[int] = mapped_column(Integer, default=14)
    co_mediation_for_interethnic: Mapped[bool] = mapped_column(Boolean, default=False)
    co_mediation_for_high_tension: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_republic_pool: Mapped[bool] = mapped_column(Boolean, default=False)
    ethnicity_mode: Mapped[str] = mapped_column(String(16), default="off")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


# The children whose rows are part of a mediator's cached candidate (services/registry_snapshot.py).
REVISED_CHILDREN = (MediatorLanguage, MediatorSpecialization, MediatorWeeklyHours)


@event.listens_for(Session, "before_flush")
def _new_revision_on_change(session, flush_context, instances) -> None:
    """Give a new revision to every mediator whose row or cached children this flush writes.

    A child changed through the mediator's collection makes the mediator dirty too; a child written on its
    own names its mediator by id. Writes that bypass the ORM must set a new revision themselves.
    """
    changed: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Mediator) and obj not in session.deleted:
            obj.revision = random_revision()
        elif isinstance(obj, REVISED_CHILDREN) and obj.mediator_id is not None:
            changed.add(obj.mediator_id)
    for mediator_id in changed:
        mediator = session.get(Mediator, mediator_id)
        if mediator is not None:
            mediator.revision = random_revision()
