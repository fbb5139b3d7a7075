"""Settlement documents of a case: drafts, finalised versions with their PDF, and filed scans."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..domain.agreement import DocumentKind, DocumentLanguage, DocumentStatus
from ..extensions import db
from .case import Case
from .org import FriendshipHouse, Region
from .types import str_enum, utcnow
from .user import User


class Document(db.Model):
    """One version of a settlement document; a correction is a new row that supersedes the old one."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    # Copied from the case so the registry filters and scopes without a join.
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    house_id: Mapped[int] = mapped_column(ForeignKey("friendship_house.id"))
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    language: Mapped[DocumentLanguage] = mapped_column(str_enum(DocumentLanguage, "document_language"))
    status: Mapped[DocumentStatus] = mapped_column(str_enum(DocumentStatus, "document_status"),
                                                   default=DocumentStatus.DRAFT)
    revision: Mapped[int] = mapped_column(Integer, default=1)  # 2, 3 … for corrections
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), unique=True)
    # The draft's own fields (place, date, terms …) as plain JSON; frozen into `snapshot` on finalising.
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    snapshot: Mapped[dict | None] = mapped_column(JSON)

    year: Mapped[int | None] = mapped_column(Integer)
    sequence: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    verify_token: Mapped[str | None] = mapped_column(String(43), unique=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    page_count: Mapped[int | None] = mapped_column(Integer)
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # rendered once, never again
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    signed_on: Mapped[date | None] = mapped_column(Date)  # the paper copy was signed by the parties
    signed_marked_at: Mapped[datetime | None] = mapped_column(DateTime)
    signed_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)  # every saved draft is a new version

    case: Mapped[Case] = relationship()
    region: Mapped[Region] = relationship()
    house: Mapped[FriendshipHouse] = relationship()
    finalised_by: Mapped[User | None] = relationship(foreign_keys=[finalised_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    signed_marked_by: Mapped[User | None] = relationship(foreign_keys=[signed_marked_by_id])
    scans: Mapped[list["DocumentScan"]] = relationship(order_by="DocumentScan.id", back_populates="document")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("region_id", "year", "sequence", "revision"),
        CheckConstraint("revision BETWEEN 1 AND 999", name="revision_range"),
        CheckConstraint("status = 'draft' OR (number IS NOT NULL AND sha256 IS NOT NULL)", name="final_has_number"),
        Index("ix_document_region_finalised", "region_id", "finalised_at", "id"),
        Index("ix_document_house_finalised", "house_id", "finalised_at", "id"),
    )


class DocumentScan(db.Model):
    """A scan of the signed paper copy (PDF or image), kept in the database, never under static/."""

    __tablename__ = "document_scan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    mime_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    document: Mapped[Document] = relationship(back_populates="scans")
    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("mime_type IN ('application/pdf', 'image/png', 'image/jpeg')",
                                      name="mime_type"),)


class DocumentNumberCounter(db.Model):
    """The last document sequence issued per region and year; incremented atomically by an upsert."""

    __tablename__ = "document_number_counter"

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)
