"""Reading the registry: the filtered list with workload, a mediator's record, the public register."""

import base64
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, func, select

from ..domain.case_states import CaseState, Outcome
from ..domain.roles import Actor, Role, ScopeLevel
from ..domain.text import fold, name_order_key
from ..extensions import db
from ..models import Case, CaseAssignment, Mediator, MediatorLanguage, MediatorSpecialization
from .case_access import WORKING_STATUSES

PAGE_SIZE = 50


@dataclass(frozen=True)
class RegistryFilter:
    """What the registry list is narrowed to."""

    region_id: int | None = None
    language: str | None = None
    specialization: str | None = None
    kind: str | None = None
    status: str | None = None
    free_capacity: bool = False
    query: str = ""


@dataclass
class RegistryPage:
    """A page of mediators with their open-case counts and the next cursor."""

    mediators: list[Mediator]
    open_cases: dict[int, int]
    next_cursor: str | None
    languages: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    specializations: dict[int, list[str]] = field(default_factory=dict)


def takes_capacity() -> tuple:
    """Conditions of an assignment that takes one of its mediator's places: still running, not declined.

    No join with the case: closing ends every running assignment of the case, and a release ends the leaving
    mediator's while the case stays assigned or in mediation for whoever remains (services/case_lifecycle), so a
    running assignment belongs to an assigned or in-mediation case; tests/services/test_open_assignments.py holds
    that invariant. Were one ever left running, its mediator would look busier, never freer.
    Counted from ix_case_assignment_mediator alone (mediator, ended, status): the join read one case row per
    open assignment, 32 ms for Almaty's 207 mediators on 1M cases (bench/RESULTS.md).
    Everyone's count at once (the republic pool) reads ix_case_assignment_open, whose predicate these terms are:
    the statuses are written into the SQL, since SQLite uses a partial index only for the same term and
    PostgreSQL cannot prove the predicate from bound parameters once a statement is prepared.
    """
    working = bindparam("working_statuses", list(WORKING_STATUSES), expanding=True, literal_execute=True, unique=True)
    return CaseAssignment.ended_at.is_(None), CaseAssignment.status.in_(working)


def open_cases_of_row():
    """Open cases of the mediator on the current row.

    Correlated, so it is counted only for the rows a page shows (or the rows the free-capacity filter
    looks at); a grouped count of every open assignment in the country cost 130-250 ms on 1M cases.
    """
    return (select(func.count()).select_from(CaseAssignment)
            .where(CaseAssignment.mediator_id == Mediator.id, *takes_capacity())
            .correlate(Mediator).scalar_subquery())


def registry_scope(actor: Actor) -> list:
    """Managers and coordinators see their region's registry (managers of the republic: all of it)."""
    if actor.role is Role.ADMIN or actor.scope_level is ScopeLevel.REPUBLIC:
        return []
    return [Mediator.region_id == actor.region_id]


def _conditions(flt: RegistryFilter) -> list:
    conditions = []
    if flt.region_id:
        conditions.append(Mediator.region_id == flt.region_id)
    if flt.kind:
        conditions.append(Mediator.kind == flt.kind)
    if flt.status:
        conditions.append(Mediator.status == flt.status)
    if flt.language:
        conditions.append(Mediator.id.in_(select(MediatorLanguage.mediator_id)
                                          .where(MediatorLanguage.language == flt.language)))
    if flt.specialization:
        conditions.append(Mediator.id.in_(select(MediatorSpecialization.mediator_id)
                                          .where(MediatorSpecialization.category == flt.specialization)))
    if flt.query.strip():
        folded = fold(flt.query)
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        # On the order key, which maps letter by letter (a part of a name is the same part of its key): the list's
        # index (name_order, id) then answers both the search and the order; on name_folded SQLite read every row
        # the index walk met (2.3 ms against 0.8 for a search over 5,000 mediators).
        conditions.append(Mediator.name_order.like(f"%{name_order_key(escaped)}%", escape="\\")
                          | (Mediator.registry_number == flt.query.strip()))
    return conditions


def _cursor(name: str, mediator_id: int) -> str:
    return base64.urlsafe_b64encode(f"{name}|{mediator_id}".encode()).decode()


def _decode(cursor: str | None) -> tuple[str, int] | None:
    if not cursor or len(cursor) > 600:
        return None
    try:
        name, mediator_id = base64.urlsafe_b64decode(cursor.encode()).decode().rsplit("|", 1)
        return name, int(mediator_id)
    except (ValueError, UnicodeDecodeError):
        return None


def _in_name_order(query, cursor: str | None):
    """The query in alphabetical order (Mediator.name_order, then id), from after the cursor's row if one is given."""
    position = _decode(cursor)
    if position:
        query = query.where((Mediator.name_order > position[0])
                            | and_(Mediator.name_order == position[0], Mediator.id > position[1]))
    return query.order_by(Mediator.name_order, Mediator.id)


def list_mediators(actor: Actor, flt: RegistryFilter, *, cursor: str | None = None,
                   page_size: int = PAGE_SIZE) -> RegistryPage:
    """A page of the registry in name order, with open cases, languages and specialisations (4 queries)."""
    open_count = open_cases_of_row()
    query = select(Mediator, open_count).where(*registry_scope(actor), *_conditions(flt))
    if flt.free_capacity:
        query = query.where(Mediator.status == "active", open_count < Mediator.max_active_cases)
    rows = db.session.execute(_in_name_order(query, cursor).limit(page_size + 1)).all()
    more = len(rows) > page_size
    rows = rows[:page_size]
    mediators = [row[0] for row in rows]
    ids = [m.id for m in mediators]
    languages: dict[int, list[tuple[str, str]]] = {}
    specializations: dict[int, list[str]] = {}
    if ids:
        for mediator_id, language, level in db.session.execute(
                select(MediatorLanguage.mediator_id, MediatorLanguage.language, MediatorLanguage.level)
                .where(MediatorLanguage.mediator_id.in_(ids)).order_by(MediatorLanguage.id)):
            languages.setdefault(mediator_id, []).append((language, level))
        for mediator_id, category in db.session.execute(
                select(MediatorSpecialization.mediator_id, MediatorSpecialization.category)
                .where(MediatorSpecialization.mediator_id.in_(ids))):
            specializations.setdefault(mediator_id, []).append(category)
    next_cursor = _cursor(mediators[-1].name_order, mediators[-1].id) if more and mediators else None
    return RegistryPage(mediators=mediators, open_cases={row[0].id: row[1] for row in rows},
                        next_cursor=next_cursor, languages=languages, specializations=specializations)


@dataclass(frozen=True)
class MediatorRecord:
    """A mediator's workload, history and outcomes for their page."""

    open_cases: int
    assignments: list  # (CaseAssignment, Case number, Case state, outcome)
    outcomes: dict[str, int]
    by_category: dict[str, tuple[int, int]]  # category -> (closed, agreements)


def mediator_record(mediator_id: int, *, limit: int = 50) -> MediatorRecord:
    """Workload, the latest assignments, and outcomes per category."""
    history = db.session.execute(
        select(CaseAssignment, Case.id, Case.number, Case.state, Case.outcome, Case.category)
        .join(Case, Case.id == CaseAssignment.case_id).where(CaseAssignment.mediator_id == mediator_id)
        .order_by(CaseAssignment.assigned_at.desc()).limit(limit)).all()
    open_cases = db.session.scalar(select(func.count()).select_from(CaseAssignment).where(
        CaseAssignment.mediator_id == mediator_id, *takes_capacity())) or 0
    outcomes: dict[str, int] = {}
    by_category: dict[str, tuple[int, int]] = {}
    agreement = (Outcome.FULL_AGREEMENT, Outcome.PARTIAL_AGREEMENT)
    for category, outcome, count in db.session.execute(
            select(Case.category, Case.outcome, func.count()).join(CaseAssignment, CaseAssignment.case_id == Case.id)
            .where(CaseAssignment.mediator_id == mediator_id, CaseAssignment.status == "accepted",
                   Case.state == CaseState.CLOSED).group_by(Case.category, Case.outcome)):
        outcomes[outcome.value] = outcomes.get(outcome.value, 0) + count
        closed, agreed = by_category.get(category.value, (0, 0))
        by_category[category.value] = (closed + count, agreed + (count if outcome in agreement else 0))
    return MediatorRecord(open_cases=open_cases, assignments=history, outcomes=outcomes, by_category=by_category)


@dataclass(frozen=True)
class PublicEntry:
    """What Art. 14 lets the public see: no contacts, no birth date, no other personal data."""

    full_name: str
    kind: str
    specializations: tuple[str, ...]
    languages: tuple[str, ...]
    certificate_held: bool
    region_id: int
    status: str


def public_registry(flt: RegistryFilter, *, cursor: str | None = None, page_size: int = 100
                    ) -> tuple[list[PublicEntry], str | None]:
    """The published register: active and suspended mediators (excluded ones leave it), by name."""
    query = select(Mediator.id, Mediator.full_name, Mediator.name_order, Mediator.kind,
                   Mediator.certificate_number, Mediator.region_id, Mediator.status).where(
        Mediator.status.in_(("active", "suspended")), *_conditions(flt))
    rows = db.session.execute(_in_name_order(query, cursor).limit(page_size + 1)).all()
    more, rows = len(rows) > page_size, rows[:page_size]
    ids = [row.id for row in rows]
    languages: dict[int, list[str]] = {}
    specializations: dict[int, list[str]] = {}
    if ids:
        for mediator_id, language in db.session.execute(
                select(MediatorLanguage.mediator_id, MediatorLanguage.language)
                .where(MediatorLanguage.mediator_id.in_(ids)).order_by(MediatorLanguage.id)):
            languages.setdefault(mediator_id, []).append(language)
        for mediator_id, category in db.session.execute(
                select(MediatorSpecialization.mediator_id, MediatorSpecialization.category)
                .where(MediatorSpecialization.mediator_id.in_(ids))):
            specializations.setdefault(mediator_id, []).append(category)
    entries = [PublicEntry(row.full_name, row.kind, tuple(specializations.get(row.id, ())),
                           tuple(languages.get(row.id, ())), bool(row.certificate_number), row.region_id, row.status)
               for row in rows]
    next_cursor = _cursor(rows[-1].name_order, rows[-1].id) if more and rows else None
    return entries, next_cursor
