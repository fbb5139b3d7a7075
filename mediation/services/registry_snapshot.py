"""The slow-changing part of each assignment candidate, kept in the worker process and checked by revision.

Every suggestions page read the same few hundred registry rows with their languages, specialisations and
weekly hours, and turning them into value objects was most of the page's time (bench/RESULTS.md, issue 4).
Each registry row carries a revision that every ORM change to it or to those children replaces
(models/mediator.py), so a request reads only the pool's ids and revisions and loads the mediators whose
revision moved. Revisions are random, not counters, so two databases served by one process (the test suite)
never share an entry. Workload, absences, track record and rotation are read fresh every time.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from ..domain.case_fields import CaseCategory
from ..domain.mediator_eligibility import LanguageLevel, LanguageSkill, MediatorProfile, WeeklyHours
from ..extensions import db
from ..models import Mediator, MediatorLanguage, MediatorSpecialization, MediatorWeeklyHours
from .bulk_reads import category_of, id_in
from .registry import profile_of

_LEVELS = {level.value: level for level in LanguageLevel}


@dataclass(frozen=True)
class RegistryEntry:
    """What assignment reads of one registry row and its children, as of `revision`."""

    revision: int
    full_name: str
    profile: MediatorProfile
    languages: tuple[LanguageSkill, ...]
    specializations: frozenset[CaseCategory]
    weekly_hours: tuple[WeeklyHours, ...]
    region_id: int
    house_id: int | None
    takes_cases_elsewhere: bool
    max_active_cases: int
    ethnicity: str | None
    ethnicity_consented: bool


# One entry per mediator id: an entry is replaced when its revision moves, so the map never outgrows the registry.
# Reads and writes of single keys are atomic under the GIL, and a lost race only reloads a row twice.
_ENTRIES: dict[int, RegistryEntry] = {}
# Entries stored since take_growth() last said so: a worker then moves them out of the garbage collector's full
# passes (web/gc_freeze.py). Not locked: a lost update between threads only delays a freeze.
_stored = 0


def entries_for(pool: Iterable[tuple[int, int]]) -> dict[int, RegistryEntry]:
    """The entries of the pool's (id, revision) pairs, loading those missing or out of date (on the session's
    connection, so in its transaction); a mediator gone between the two reads is left out."""
    pool = list(pool)
    stale = [mediator_id for mediator_id, revision in pool
             if (entry := _ENTRIES.get(mediator_id)) is None or entry.revision != revision]
    if stale:
        _load(stale)
    found = {}
    for mediator_id, _revision in pool:
        entry = _ENTRIES.get(mediator_id)
        if entry is not None:
            found[mediator_id] = entry
    return found


def _id_in(column, ids: list[int]):
    # A region's few hundred ids as one parameter (see assignment_inputs.candidate_inputs).
    return id_in(column, ids, long_from=50)


def take_growth(minimum: int) -> bool:
    """True when at least `minimum` entries were stored since it last returned True (the count then restarts)."""
    global _stored
    if _stored < minimum:
        return False
    _stored = 0
    return True


def forget() -> None:
    """Drop every entry (tests that rewrite rows behind the ORM's back)."""
    _ENTRIES.clear()


_COLUMNS = (
    Mediator.id, Mediator.revision, Mediator.full_name, Mediator.kind, Mediator.birth_date,
    Mediator.higher_education, Mediator.certificate_number, Mediator.certificate_date, Mediator.retired_judge,
    Mediator.status, Mediator.suspended_until, Mediator.status_reason, Mediator.disqualifications,
    Mediator.region_id, Mediator.house_id, Mediator.takes_cases_elsewhere, Mediator.max_active_cases,
    Mediator.ethnicity, Mediator.ethnicity_consent_on)


def _load(ids: list[int]) -> None:
    """Read the rows and children of `ids` and store them under the revision read with each row.

    The children are read after the row, so they are never older than the stored revision: a change committed
    in between carries a newer revision, which the next view sees and reloads.
    """
    global _stored
    run = db.session.connection().execute
    rows = run(select(*_COLUMNS).where(_id_in(Mediator.id, ids))).all()
    languages: dict[int, list[LanguageSkill]] = defaultdict(list)
    for mediator_id, code, level in run(select(
            MediatorLanguage.mediator_id, MediatorLanguage.language, MediatorLanguage.level)
            .where(_id_in(MediatorLanguage.mediator_id, ids)).order_by(MediatorLanguage.id)).all():
        languages[mediator_id].append(LanguageSkill(code, _LEVELS.get(level) or LanguageLevel(level)))
    specializations: dict[int, set] = defaultdict(set)
    for mediator_id, category in run(select(MediatorSpecialization.mediator_id, MediatorSpecialization.category)
                                     .where(_id_in(MediatorSpecialization.mediator_id, ids))).all():
        specializations[mediator_id].add(category_of(category))
    hours: dict[int, list[WeeklyHours]] = defaultdict(list)
    for mediator_id, weekday, start, end in run(select(
            MediatorWeeklyHours.mediator_id, MediatorWeeklyHours.weekday, MediatorWeeklyHours.start,
            MediatorWeeklyHours.end).where(_id_in(MediatorWeeklyHours.mediator_id, ids))
            .order_by(MediatorWeeklyHours.weekday, MediatorWeeklyHours.start)).all():
        hours[mediator_id].append(WeeklyHours(weekday, start, end))
    for m in rows:
        _ENTRIES[m.id] = RegistryEntry(
            revision=m.revision, full_name=m.full_name, profile=profile_of(m), languages=tuple(languages[m.id]),
            specializations=frozenset(specializations[m.id]), weekly_hours=tuple(hours[m.id]),
            region_id=m.region_id, house_id=m.house_id, takes_cases_elsewhere=m.takes_cases_elsewhere,
            max_active_cases=m.max_active_cases, ethnicity=m.ethnicity,
            ethnicity_consented=m.ethnicity_consent_on is not None)
    _stored += len(rows)
