"""Loading what assignment needs from the database in a handful of set-based queries.

Cases become CaseInput and registry rows become CandidateInput; the domain never sees a row. Ethnicity
goes in only when it was self-declared with consent.
"""

import json
from collections import defaultdict
from datetime import date, time

from sqlalchemy import Text, cast, func, or_, select

from ..domain.assignment_filters import (
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    CategoryRecord,
    PartyInput,
)
from ..domain.assignment_scoring import declared_ethnicity
from ..domain.case_fields import TensionLevel
from ..domain.mediator_eligibility import Absence, WeeklyHours
from ..extensions import db
from ..models import (
    AssignmentPolicyRecord,
    Case,
    CaseAssignment,
    Mediator,
    MediatorAbsence,
    MediatorCategoryStats,
    Party,
)
from .bulk_reads import category_of, id_in
from .registry_queries import takes_capacity
from .registry_snapshot import RegistryEntry, entries_for

RELEASED_STATUSES = ("declined", "recused", "objected")
# A mediator whose weekly hours were never recorded is taken to keep office hours on working days;
# otherwise everyone added by hand or by import would be invisible to assignment until someone noticed.
OFFICE_HOURS = tuple(WeeklyHours(day, time(9), time(18)) for day in range(5))


def policy_for(region_id: int) -> AssignmentPolicy:
    """The region's policy, or the defaults when its manager has not set one."""
    record = db.session.scalar(select(AssignmentPolicyRecord).where(AssignmentPolicyRecord.region_id == region_id))
    if record is None:
        return AssignmentPolicy()
    return AssignmentPolicy(weights=dict(record.weights or {}), horizon_days=record.horizon_days,
                            co_mediation_required_for_interethnic=record.co_mediation_for_interethnic,
                            co_mediation_required_for_high_tension=record.co_mediation_for_high_tension,
                            allow_republic_pool=record.allow_republic_pool, ethnicity_mode=record.ethnicity_mode)


# The columns of a case that assignment reads, in the order case_inputs unpacks them. The languages come as their
# stored JSON text, parsed once per distinct list (case_inputs): a batch's 10,000 cases hold a few dozen lists, where
# reading the column as JSON parsed every row (psycopg on PostgreSQL, SQLAlchemy's result processing on SQLite). No
# engine here sets a JSON deserializer of its own, so json.loads reads them as those would.
CASE_INPUT_COLUMNS = (Case.id, Case.category, Case.region_id, Case.house_id, Case.interpreter_needed, Case.tension,
                      cast(Case.languages, Text))


def case_inputs(case_ids: list[int], case_rows: list | None = None) -> list[CaseInput]:
    """CaseInput for each case, in the given order (three queries whatever the count, two given `case_rows`).

    `case_rows`, if given, are the cases' CASE_INPUT_COLUMNS read already (the batch reads them as it locks its
    cases).
    """
    if not case_ids:
        return []
    db.session.flush()  # Core statements skip the session's autoflush: pending changes must be visible
    run = db.session.connection().execute  # Core rows: 10,000 cases and their parties without ORM loading
    if case_rows is None:
        case_rows = run(select(*CASE_INPUT_COLUMNS).where(id_in(Case.id, case_ids))).all()
    # Rows are unpacked as tuples: attribute access by name on 35,000 rows was a third of the batch's reading.
    cases = {row[0]: row for row in case_rows}
    parties: dict[int, list] = defaultdict(list)
    for row in run(select(Party.case_id, Party.id, Party.preferred_language, Party.ethnicity,
                          Party.ethnicity_consent_on.is_not(None).label("consented"))
                   .where(id_in(Party.case_id, case_ids))).all():
        parties[row[0]].append(row)
    working: dict[int, set[int]] = defaultdict(set)
    released: dict[int, set[int]] = defaultdict(set)
    # Only the assignments that matter here (released ones, open ones): a closed case's ended ones are many.
    for case_id, mediator_id, status, ended_at in run(
            select(CaseAssignment.case_id, CaseAssignment.mediator_id, CaseAssignment.status, CaseAssignment.ended_at)
            .where(id_in(CaseAssignment.case_id, case_ids),
                   or_(CaseAssignment.ended_at.is_(None), CaseAssignment.status.in_(RELEASED_STATUSES)))).all():
        if status in RELEASED_STATUSES:  # declined, recused or objected: never back on this case
            released[case_id].add(mediator_id)
        elif ended_at is None:
            working[case_id].add(mediator_id)
    # Many cases share the same few language sets and categories: build each value object once.
    language_sets: dict[str, frozenset] = {}  # a party's preferred language -> the set of it
    case_language_sets: dict[str | None, frozenset] = {}  # a case's languages as stored -> their set
    high = (TensionLevel.HIGH, TensionLevel.CRITICAL)
    nobody: frozenset[int] = frozenset()
    regions: dict[int, str] = {}
    inputs = []
    for case_id in case_ids:
        _, category, region_id, house_id, interpreter_needed, tension, languages = cases[case_id]
        fallback = case_language_sets.get(languages)
        if fallback is None:
            fallback = case_language_sets[languages] = frozenset((json.loads(languages) if languages else None) or ())
        party_inputs = []
        for _, party_id, preferred, ethnicity, consented in parties.get(case_id, ()):
            if preferred:
                spoken = language_sets.get(preferred)
                if spoken is None:
                    spoken = language_sets[preferred] = frozenset({preferred})
            else:
                spoken = fallback
            declared = declared_ethnicity(ethnicity, bool(consented)) if ethnicity else None
            party_inputs.append(PartyInput(id=party_id, languages=spoken, ethnicity=declared))
        on_case, out = working.get(case_id), released.get(case_id)
        region = regions.get(region_id)
        if region is None:
            region = regions[region_id] = str(region_id)
        inputs.append(CaseInput(
            id=case_id, category=category_of(category), region=region, house_id=house_id,
            parties=tuple(party_inputs), has_interpreter=interpreter_needed, high_tension=tension in high,
            assigned_mediator_ids=frozenset(on_case) if on_case else nobody,
            recused_mediator_ids=frozenset(out) if out else nobody))
    return inputs


def conflicts_by_case(case_ids: list[int]) -> dict[int, set[int]]:
    """Mediators who declared a tie with the parties of each case (they are shown as conflicted)."""
    found: dict[int, set[int]] = defaultdict(set)
    for case_id, mediator_id, ties in db.session.execute(
            select(CaseAssignment.case_id, CaseAssignment.mediator_id, CaseAssignment.conflict_ties)
            .where(CaseAssignment.case_id.in_(case_ids), CaseAssignment.status.in_(RELEASED_STATUSES))):
        if ties:
            found[case_id].add(mediator_id)
    return found


def candidate_inputs(region_ids: list[int] | None, *, conflicts: dict[int, frozenset[int]] | None = None,
                     today: date) -> list[CandidateInput]:
    """Every registry mediator of the regions (None: the whole republic), with workload and track record (the
    batch planner's input; one case's suggestions read a worker-kept pool, services/suggestion_pools.py).

    The registry rows themselves come from the worker's snapshot, checked against each row's revision.
    """
    # Core statements on the session's connection: plain rows, without the ORM's per-row loading work (and
    # without its autoflush, hence the flush).
    db.session.flush()
    run = db.session.connection().execute
    region_filter = [Mediator.region_id.in_(region_ids)] if region_ids is not None else []
    pool = run(select(Mediator.id, Mediator.revision, Mediator.last_assigned_at)
               .where(Mediator.status != "excluded", *region_filter)).all()
    if not pool:
        return []
    ids = [m.id for m in pool]
    in_pool = select(Mediator.id).where(Mediator.status != "excluded", *region_filter)

    def id_filter(column):
        # A region's few hundred ids, so each table is read through its mediator_id index (given the
        # subquery, PostgreSQL hashes it and scans all of case_assignment), as one array or JSON parameter:
        # hundreds of bound parameters per statement cost more to expand and compile than the rows they
        # select. The republic pool is nearly every mediator, where the subquery is the cheaper statement.
        return id_in(column, ids, long_from=50) if region_ids is not None else column.in_(in_pool)

    entries = entries_for((m.id, m.revision) for m in pool)
    absences: dict[int, list[Absence]] = defaultdict(list)
    for mediator_id, start, end in run(select(
            MediatorAbsence.mediator_id, MediatorAbsence.start, MediatorAbsence.end)
            .where(id_filter(MediatorAbsence.mediator_id), MediatorAbsence.end >= today)).all():
        absences[mediator_id].append(Absence(start, end))
    records: dict[int, list[CategoryRecord]] = defaultdict(list)
    for mediator_id, category, closed, agreements in run(select(
            MediatorCategoryStats.mediator_id, MediatorCategoryStats.category, MediatorCategoryStats.closed,
            MediatorCategoryStats.agreements)
            .where(id_filter(MediatorCategoryStats.mediator_id))).all():
        records[mediator_id].append(CategoryRecord(category_of(category), closed, agreements))
    workload = select(CaseAssignment.mediator_id, func.count()).where(*takes_capacity())
    if region_ids is not None:
        workload = workload.where(id_filter(CaseAssignment.mediator_id))
    else:
        # The whole republic's workload is counted without the pool's ids, from ix_case_assignment_open alone in
        # mediator order (an excluded mediator's count is read and not used): on 1,000,000 cases 6 ms against
        # 16 ms joined to the pool (PostgreSQL) and 5 ms against 18-28 probing it (SQLite, which without
        # statistics would rather scan all 1.1 million entries of ix_case_assignment_mediator: 52 ms).
        workload = workload.with_hint(CaseAssignment, "INDEXED BY ix_case_assignment_open", "sqlite")
    open_cases = dict(run(workload.group_by(CaseAssignment.mediator_id)).all())
    conflicts = conflicts or {}
    nothing: tuple = ()
    candidates = []
    for m in pool:
        entry = entries.get(m.id)
        if entry is None:  # left the registry between the two reads
            continue
        candidates.append(candidate_of(
            m.id, entry, open_cases=open_cases.get(m.id, 0),
            absences=tuple(absences[m.id]) if m.id in absences else nothing,
            conflict_party_ids=conflicts.get(m.id, frozenset()),
            track_record=tuple(records[m.id]) if m.id in records else nothing,
            last_assigned_on=m.last_assigned_at.date() if m.last_assigned_at else None))
    return candidates


def candidate_of(mediator_id: int, entry: RegistryEntry, open_cases: int = 0, **live) -> CandidateInput:
    """A candidate from its registry entry; the workload and `live` (absences, track record, last assignment,
    conflicts) are the fields read fresh, left at their defaults for a suggestion pool."""
    return CandidateInput(
        id=mediator_id, profile=entry.profile, languages=entry.languages, specializations=entry.specializations,
        region=str(entry.region_id), house_id=entry.house_id,
        takes_cases_elsewhere_in_region=entry.takes_cases_elsewhere, max_active_cases=entry.max_active_cases,
        open_cases=open_cases, weekly_hours=entry.weekly_hours or OFFICE_HOURS,
        ethnicity=declared_ethnicity(entry.ethnicity, entry.ethnicity_consented), **live)
