"""Loading what assignment needs from the database in a handful of set-based queries.

Cases become CaseInput and registry rows become CandidateInput; the domain never sees a row. Ethnicity
goes in only when it was self-declared with consent.
"""

from collections import defaultdict
from datetime import date, time

from sqlalchemy import func, select

from ..domain.assignment_filters import (
    AssignmentPolicy,
    CandidateInput,
    CaseInput,
    CategoryRecord,
    PartyInput,
)
from ..domain.assignment_scoring import declared_ethnicity
from ..domain.case_fields import CaseCategory, TensionLevel
from ..domain.mediator_eligibility import Absence, LanguageLevel, LanguageSkill, WeeklyHours
from ..extensions import db
from ..models import (
    AssignmentPolicyRecord,
    Case,
    CaseAssignment,
    Mediator,
    MediatorAbsence,
    MediatorCategoryStats,
    MediatorLanguage,
    MediatorSpecialization,
    MediatorWeeklyHours,
    Party,
)
from .case_access import WORKING_STATUSES
from .registry import profile_of
from .registry_queries import ACTIVE_CASE_STATES

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


def case_inputs(case_ids: list[int]) -> list[CaseInput]:
    """CaseInput for each case, in the given order (three queries whatever the count)."""
    if not case_ids:
        return []
    cases = {c.id: c for c in db.session.execute(
        select(Case.id, Case.category, Case.region_id, Case.house_id, Case.interpreter_needed, Case.tension,
               Case.languages).where(Case.id.in_(case_ids))).all()}
    parties: dict[int, list] = defaultdict(list)
    for row in db.session.execute(select(Party.id, Party.case_id, Party.preferred_language, Party.ethnicity,
                                         Party.ethnicity_consent_on).where(Party.case_id.in_(case_ids))):
        parties[row.case_id].append(row)
    working: dict[int, set[int]] = defaultdict(set)
    released: dict[int, set[int]] = defaultdict(set)
    for row in db.session.execute(select(CaseAssignment.case_id, CaseAssignment.mediator_id, CaseAssignment.status,
                                         CaseAssignment.ended_at, CaseAssignment.conflict_ties)
                                  .where(CaseAssignment.case_id.in_(case_ids))):
        if row.status in RELEASED_STATUSES:  # declined, recused or objected: never back on this case
            released[row.case_id].add(row.mediator_id)
        elif row.ended_at is None:
            working[row.case_id].add(row.mediator_id)
    inputs = []
    for case_id in case_ids:
        case = cases[case_id]
        fallback = frozenset(case.languages or ())
        party_inputs = tuple(
            PartyInput(id=p.id, languages=frozenset({p.preferred_language}) if p.preferred_language else fallback,
                       ethnicity=declared_ethnicity(p.ethnicity, p.ethnicity_consent_on is not None))
            for p in parties[case_id])
        inputs.append(CaseInput(
            id=case_id, category=CaseCategory(case.category), region=str(case.region_id), house_id=case.house_id,
            parties=party_inputs, has_interpreter=case.interpreter_needed,
            high_tension=case.tension in (TensionLevel.HIGH, TensionLevel.CRITICAL),
            assigned_mediator_ids=frozenset(working[case_id]),
            recused_mediator_ids=frozenset(released[case_id])))
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
    """Every registry mediator of the regions (None: the whole republic), with workload and track record."""
    region_filter = [Mediator.region_id.in_(region_ids)] if region_ids is not None else []
    mediators = list(db.session.scalars(select(Mediator).where(Mediator.status != "excluded", *region_filter)))
    ids = [m.id for m in mediators]
    if not ids:
        return []
    in_pool = select(Mediator.id).where(Mediator.status != "excluded", *region_filter)

    def id_filter(column):
        return column.in_(in_pool)

    languages: dict[int, list[LanguageSkill]] = defaultdict(list)
    for mediator_id, code, level in db.session.execute(select(
            MediatorLanguage.mediator_id, MediatorLanguage.language, MediatorLanguage.level)
            .where(id_filter(MediatorLanguage.mediator_id))):
        languages[mediator_id].append(LanguageSkill(code, LanguageLevel(level)))
    specializations: dict[int, set] = defaultdict(set)
    for mediator_id, category in db.session.execute(select(
            MediatorSpecialization.mediator_id, MediatorSpecialization.category)
            .where(id_filter(MediatorSpecialization.mediator_id))):
        specializations[mediator_id].add(CaseCategory(category))
    hours: dict[int, list[WeeklyHours]] = defaultdict(list)
    for mediator_id, weekday, start, end in db.session.execute(select(
            MediatorWeeklyHours.mediator_id, MediatorWeeklyHours.weekday, MediatorWeeklyHours.start,
            MediatorWeeklyHours.end).where(id_filter(MediatorWeeklyHours.mediator_id))):
        hours[mediator_id].append(WeeklyHours(weekday, start, end))
    absences: dict[int, list[Absence]] = defaultdict(list)
    for mediator_id, start, end in db.session.execute(select(
            MediatorAbsence.mediator_id, MediatorAbsence.start, MediatorAbsence.end)
            .where(id_filter(MediatorAbsence.mediator_id), MediatorAbsence.end >= today)):
        absences[mediator_id].append(Absence(start, end))
    records: dict[int, list[CategoryRecord]] = defaultdict(list)
    for mediator_id, category, closed, agreements in db.session.execute(select(
            MediatorCategoryStats.mediator_id, MediatorCategoryStats.category, MediatorCategoryStats.closed,
            MediatorCategoryStats.agreements).where(id_filter(MediatorCategoryStats.mediator_id))):
        records[mediator_id].append(CategoryRecord(CaseCategory(category), closed, agreements))
    open_cases = dict(db.session.execute(
        select(CaseAssignment.mediator_id, func.count()).join(Case, Case.id == CaseAssignment.case_id)
        .where(id_filter(CaseAssignment.mediator_id), CaseAssignment.ended_at.is_(None),
               CaseAssignment.status.in_(WORKING_STATUSES), Case.state.in_(ACTIVE_CASE_STATES))
        .group_by(CaseAssignment.mediator_id)).all())
    conflicts = conflicts or {}
    return [CandidateInput(
        id=m.id, profile=profile_of(m), languages=tuple(languages[m.id]),
        specializations=frozenset(specializations[m.id]), region=str(m.region_id), house_id=m.house_id,
        takes_cases_elsewhere_in_region=m.takes_cases_elsewhere, max_active_cases=m.max_active_cases,
        open_cases=open_cases.get(m.id, 0), weekly_hours=tuple(hours[m.id]) or OFFICE_HOURS,
        absences=tuple(absences[m.id]),
        conflict_party_ids=conflicts.get(m.id, frozenset()), track_record=tuple(records[m.id]),
        last_assigned_on=m.last_assigned_at.date() if m.last_assigned_at else None,
        ethnicity=declared_ethnicity(m.ethnicity, m.ethnicity_consent_on is not None))
        for m in mediators]
