"""A case (appeal), its parties and its timeline of events."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.case_fields import CaseCategory, Channel, PartyKind, PartyRole, TensionLevel
from ..domain.case_states import CaseState, Outcome, TerminationGround
from ..extensions import db
from .org import FriendshipHouse, Region
from .types import str_enum, utcnow
from .user import User

# The states of a case still being worked on, as SQL: the predicate of the open cases' partial index, and
# the very text the due-date filters use (services/case_queries.py), since SQLite uses a partial index only
# for a query carrying the same term. A new state means a migration that rebuilds the index.
OPEN_STATE_VALUES = tuple(s.value for s in CaseState if s is not CaseState.CLOSED)
OPEN_CASES_SQL = "state IN ({})".format(", ".join(f"'{value}'" for value in OPEN_STATE_VALUES))


class Case(db.Model):
    """An appeal registered at a Friendship House, followed from intake to closure."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # KATO2-YYYY-NNNNN
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    house_id: Mapped[int] = mapped_column(ForeignKey("friendship_house.id"))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)

    category: Mapped[CaseCategory] = mapped_column(str_enum(CaseCategory, "case_category"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "case_channel"))
    subject: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text, default="")  # confidential (Art. 8): never exported
    languages: Mapped[list] = mapped_column(JSON, default=list)
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    tension: Mapped[TensionLevel] = mapped_column(str_enum(TensionLevel, "tension_level"))
    tension_signals: Mapped[list] = mapped_column(JSON, default=list)
    received_on: Mapped[date] = mapped_column(Date)

    state: Mapped[CaseState] = mapped_column(str_enum(CaseState, "case_state"), default=CaseState.REGISTERED)
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, "case_outcome"))
    termination_ground: Mapped[TerminationGround | None] = mapped_column(
        str_enum(TerminationGround, "termination_ground"))
    terminated_on: Mapped[date | None] = mapped_column(Date)
    closing_reason: Mapped[str | None] = mapped_column(String(2000))
    referred_to: Mapped[str | None] = mapped_column(String(300))

    # Eligibility screening (Art. 1): None = not yet answered.
    excl_third_party: Mapped[bool | None] = mapped_column(Boolean)
    excl_party_incapable: Mapped[bool | None] = mapped_column(Boolean)
    excl_state_body: Mapped[bool | None] = mapped_column(Boolean)
    excl_corruption: Mapped[bool | None] = mapped_column(Boolean)
    screening_note: Mapped[str | None] = mapped_column(String(2000))

    proposal_sent_on: Mapped[date | None] = mapped_column(Date)
    proposal_accepted_on: Mapped[date | None] = mapped_column(Date)
    contract_signed_on: Mapped[date | None] = mapped_column(Date)  # mediation starts that day (Art. 18)
    deadline: Mapped[date | None] = mapped_column(Date)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str | None] = mapped_column(String(1000))

    # Folded party names and the number, for search (kept by services/case_search.py).
    search_text: Mapped[str] = mapped_column(Text, default="")

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    region: Mapped[Region] = relationship()
    house: Mapped[FriendshipHouse] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    parties: Mapped[list["Party"]] = relationship(back_populates="case", order_by="Party.position",
                                                  cascade="all, delete-orphan")
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.id",
                                                     cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("region_id", "year", "sequence"),
        CheckConstraint("extension_days BETWEEN 0 AND 365", name="extension_days"),
        # Keyset pagination: every list order is (sort key, id) and each scope has its own index.
        # The region's and house's indexes carry the filtered columns after the order, so a filter inside a
        # scope is checked on the index entry, not on the row (a capped count of a region's religious
        # cases read 76,000 rows; bench/RESULTS.md, issue 3).
        Index("ix_case_received", "received_on", "id"),
        Index("ix_case_region_received", "region_id", "received_on", "id", "state", "category", "tension"),
        Index("ix_case_house_received", "house_id", "received_on", "id", "state", "category", "tension"),
        Index("ix_case_state_received", "state", "received_on", "id"),
        Index("ix_case_deadline", "deadline", "id"),
        Index("ix_case_region_deadline", "region_id", "deadline", "id", "state"),
        Index("ix_case_house_deadline", "house_id", "deadline", "id", "state"),
        # Filters of the whole list (and the commonest one inside a scope), each with the list's order
        # behind it, so a page and its capped count read only matching entries.
        # The scope's state indexes carry the other filters too (a region's registered critical cases: its
        # 76,000 entries read on SQLite, where the state's 200 suffice).
        Index("ix_case_region_state_filters", "region_id", "state", "received_on", "id", "tension", "category"),
        Index("ix_case_house_state_filters", "house_id", "state", "received_on", "id", "tension", "category"),
        Index("ix_case_category_received", "category", "received_on", "id"),
        Index("ix_case_tension_received", "tension", "received_on", "id"),
        Index("ix_case_state_deadline", "state", "deadline", "id"),
        # "Overdue" and "due this week" inside a scope: open states' deadlines only (a region's 198 overdue
        # cases, where the scope's deadline index also held its 60,000 closed ones).
        Index("ix_case_region_state_deadline", "region_id", "state", "deadline", "id"),
        Index("ix_case_house_state_deadline", "house_id", "state", "deadline", "id"),
        # The whole republic's "overdue" and "due this week", newest first: a walk of every case's date index
        # met 45,000 closed or not yet due cases before a page of the 2,590 overdue ones (1,000,000 cases);
        # the open cases (4 %) alone, with their deadline on the entry, fill a page within a few hundred.
        Index("ix_case_open_received", "received_on", "id", "deadline",
              sqlite_where=text(OPEN_CASES_SQL), postgresql_where=text(OPEN_CASES_SQL)),
        # A state and a tension level together ("registered critical cases"): the two single-column indexes
        # made PostgreSQL AND two bitmaps, one of them 115,000 critical cases long.
        Index("ix_case_state_tension_received", "state", "tension", "received_on", "id"),
    )


class Party(db.Model):
    """A person or organisation taking part in a case."""

    __tablename__ = "party"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[PartyKind] = mapped_column(str_enum(PartyKind, "party_kind"))
    role: Mapped[PartyRole] = mapped_column(str_enum(PartyRole, "party_role"))
    full_name: Mapped[str] = mapped_column(String(300))
    name_folded: Mapped[str] = mapped_column(String(300))
    iin_bin: Mapped[str | None] = mapped_column(String(12), index=True)
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(500))
    representative_name: Mapped[str | None] = mapped_column(String(300))
    representative_basis: Mapped[str | None] = mapped_column(String(300))
    is_minor: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sensitive: self-declared, stored only with consent, shown only in aggregate outside the case.
    ethnicity: Mapped[str | None] = mapped_column(String(60))
    ethnicity_consent_on: Mapped[date | None] = mapped_column(Date)
    consent_mediation_on: Mapped[date | None] = mapped_column(Date)
    consent_mediation_method: Mapped[str | None] = mapped_column(String(16))
    consent_data_on: Mapped[date | None] = mapped_column(Date)
    consent_data_method: Mapped[str | None] = mapped_column(String(16))

    case: Mapped[Case] = relationship(back_populates="parties")

    __table_args__ = (
        UniqueConstraint("case_id", "position"),
        CheckConstraint("ethnicity IS NULL OR ethnicity_consent_on IS NOT NULL", name="ethnicity_needs_consent"),
        Index("ix_party_name_folded", "name_folded"),
    )


class CaseEvent(db.Model):
    """One step on a case's timeline: a transition or a recorded change, with actor, time and reason."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class CaseNumberCounter(db.Model):
    """The last case number issued per region and year; incremented atomically by an upsert."""

    __tablename__ = "case_number_counter"

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)
