"""Which mediators are on which case (lead or co-mediator), and since when."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .case import Case
from .mediator import Mediator
from .types import utcnow

# An assignment that takes one of its mediator's places: still running, not declined (services/registry_queries
# takes_capacity writes the same term, which is how SQLite and a prepared PostgreSQL statement match the index).
TAKES_CAPACITY_SQL = "ended_at IS NULL AND status IN ('proposed', 'accepted')"


class CaseAssignment(db.Model):
    """A mediator's place on a case; `ended_at` is set when they decline, recuse or are replaced."""

    __tablename__ = "case_assignment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediator.id"))
    role: Mapped[str] = mapped_column(String(8), default="lead")
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(String(2000))
    # Why this mediator: the score breakdown at the time, and the reason when the top candidate was passed over.
    explanation: Mapped[dict] = mapped_column(JSON, default=dict)
    override_reason: Mapped[str | None] = mapped_column(String(2000))
    ethnicity_used: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)  # accepted or declined
    # The conflict-of-interest declaration made on accepting: the ties found (empty = none).
    conflict_ties: Mapped[list | None] = mapped_column(JSON)
    conflict_note: Mapped[str | None] = mapped_column(String(2000))

    case: Mapped[Case] = relationship()
    mediator: Mapped[Mediator] = relationship()

    __table_args__ = (
        CheckConstraint("role IN ('lead', 'co')", name="role"),
        CheckConstraint("status IN ('proposed', 'accepted', 'declined', 'recused', 'replaced', 'objected')",
                        name="status"),
        Index("ix_case_assignment_case", "case_id", "ended_at"),
        Index("ix_case_assignment_mediator", "mediator_id", "ended_at", "status", "case_id"),
        # Everyone's workload at once (the republic pool, 5,000 mediators): the 4 % of assignments that are
        # running, where the index above made PostgreSQL scan all 1.1 million (73 ms).
        Index("ix_case_assignment_open", "mediator_id",
              sqlite_where=text(TAKES_CAPACITY_SQL), postgresql_where=text(TAKES_CAPACITY_SQL)),
    )
