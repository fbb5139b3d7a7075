"""Mediation sessions: bookings of rooms and mediators, who is invited, the mediator's log and its amendments.

PostgreSQL backs the application's clash check with exclusion constraints (btree_gist): no two active
sessions share a room, or a mediator, at overlapping times, whatever races the application loses. SQLite
has no such constraint; there the check and the insert run in one BEGIN IMMEDIATE transaction instead.
"""

from datetime import datetime

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.scheduling import SessionKind, Venue
from ..domain.session_logs import LogOutcome
from ..extensions import db
from .case import Case
from .org import FriendshipHouse, MediationRoom
from .types import str_enum, utcnow

ACTIVE = "scheduled"


class MediationSession(db.Model):
    """A meeting of a case: in a room of a house, off-site at an address, or online."""

    __tablename__ = "mediation_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("friendship_house.id"))  # the room's, else the case's
    room_id: Mapped[int | None] = mapped_column(ForeignKey("mediation_room.id"))
    venue: Mapped[Venue] = mapped_column(str_enum(Venue, "session_venue"), default=Venue.ROOM)
    offsite_address: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, "session_kind"), default=SessionKind.JOINT)
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    cancel_reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    house: Mapped[FriendshipHouse] = relationship()
    room: Mapped[MediationRoom | None] = relationship()
    mediators: Mapped[list["SessionMediator"]] = relationship(cascade="all, delete-orphan",
                                                              back_populates="session")
    parties: Mapped[list["SessionParty"]] = relationship(cascade="all, delete-orphan")
    log: Mapped["SessionLog | None"] = relationship(back_populates="session", uselist=False)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ordered"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status"),
        CheckConstraint("(venue = 'room') = (room_id IS NOT NULL)", name="room_iff_venue_room"),
        CheckConstraint("venue <> 'offsite' OR offsite_address IS NOT NULL", name="offsite_needs_address"),
        # The overlap query is "room = ? AND ends_at > :start AND starts_at < :end": (room, end) bounds it
        # from one side at once, where (room, start) would scan every earlier session of the room.
        Index("ix_mediation_session_room_end", "room_id", "ends_at"),
        Index("ix_mediation_session_house_start", "house_id", "starts_at"),
    )

    @property
    def active(self) -> bool:
        """True while the session is booked (not cancelled)."""
        return self.status == ACTIVE


class SessionMediator(db.Model):
    """A mediator expected at a session; the interval is copied here so a mediator's clashes need no join."""

    __tablename__ = "session_mediator"

    session_id: Mapped[int] = mapped_column(ForeignKey("mediation_session.id", ondelete="CASCADE"),
                                            primary_key=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediator.id"), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    session: Mapped[MediationSession] = relationship(back_populates="mediators")

    __table_args__ = (Index("ix_session_mediator_mediator_end", "mediator_id", "ends_at"),)


class SessionParty(db.Model):
    """A party invited to a session."""

    __tablename__ = "session_party"

    session_id: Mapped[int] = mapped_column(ForeignKey("mediation_session.id", ondelete="CASCADE"),
                                            primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), primary_key=True)


class SessionLog(db.Model):
    """What the mediator recorded after the session; the confidential notes are for the case's mediators only."""

    __tablename__ = "session_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mediation_session.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[LogOutcome] = mapped_column(str_enum(LogOutcome, "log_outcome"))
    actual_start: Mapped[datetime | None] = mapped_column(DateTime)
    actual_end: Mapped[datetime | None] = mapped_column(DateTime)
    attended_party_ids: Mapped[list] = mapped_column(JSON, default=list)
    absent_party_ids: Mapped[list] = mapped_column(JSON, default=list)
    others_present: Mapped[list] = mapped_column(JSON, default=list)  # Attendee values
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, "log_session_kind"))
    summary: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    confidential_notes: Mapped[str] = mapped_column(Text, default="")
    is_caucus: Mapped[bool] = mapped_column(Boolean, default=False)
    logged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    session: Mapped[MediationSession] = relationship(back_populates="log")
    amendments: Mapped[list["SessionLogAmendment"]] = relationship(order_by="SessionLogAmendment.id",
                                                                   cascade="all, delete-orphan")


class SessionLogAmendment(db.Model):
    """A correction appended to a log after its edit window; the original stays as it was."""

    __tablename__ = "session_log_amendment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("session_log.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)


class CalendarFeed(db.Model):
    """A mediator's private calendar link; only the SHA-256 of its token is stored."""

    __tablename__ = "calendar_feed"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# PostgreSQL only: btree_gist lets one GiST index combine equality on the id with overlap on the interval.
BOOKING_EXCLUSIONS = {
    "ex_mediation_session_room_overlap": (
        "mediation_session",
        "EXCLUDE USING gist (room_id WITH =, tsrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (status = 'scheduled' AND room_id IS NOT NULL)"),
    "ex_session_mediator_overlap": (
        "session_mediator",
        "EXCLUDE USING gist (mediator_id WITH =, tsrange(starts_at, ends_at, '[)') WITH &&) WHERE (active)"),
}
BTREE_GIST = "CREATE EXTENSION IF NOT EXISTS btree_gist"


def exclusion_ddl(name: str) -> str:
    """The ALTER TABLE that adds one exclusion constraint."""
    table, body = BOOKING_EXCLUSIONS[name]
    return f"ALTER TABLE {table} ADD CONSTRAINT {name} {body}"


event.listen(MediationSession.__table__, "before_create", DDL(BTREE_GIST).execute_if(dialect="postgresql"))
event.listen(MediationSession.__table__, "after_create",
             DDL(exclusion_ddl("ex_mediation_session_room_overlap")).execute_if(dialect="postgresql"))
event.listen(SessionMediator.__table__, "after_create",
             DDL(exclusion_ddl("ex_session_mediator_overlap")).execute_if(dialect="postgresql"))
