"""The worker's registry snapshot (services/registry_snapshot.py): every change to a registry row or to its
languages, specialisations or weekly hours gives the row a new revision, and the next suggestions see it."""

from datetime import date, time

import pytest
from sqlalchemy import select, text

from mediation.domain.mediator_eligibility import MediatorStatus, WeeklyHours
from mediation.extensions import db
from mediation.models import Mediator, MediatorLanguage, MediatorSpecialization, MediatorWeeklyHours
from mediation.services import registry, registry_snapshot
from tests import registry_factories as rf
from tests.assignment_support import NOW, RECEIVED, TODAY, ranked_ids, reasons, suggest


@pytest.fixture
def one_candidate(org, people):
    """An Almaty mediator who speaks only Uzbek, and a Kazakh- and Russian-speaking case waiting in Almaty."""
    mediator = rf.mediator(org.almaty, full_name="Ғалым Өзгермелі", languages=(("uz", "native"),),
                           specializations=("family", "interethnic", "neighbours_land"))
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    return mediator, case


def revision_of(mediator_id: int) -> int:
    return db.session.scalar(select(Mediator.revision).where(Mediator.id == mediator_id))


def test_each_registry_edit_reaches_the_next_suggestions(org, people, one_candidate):
    mediator, case = one_candidate
    assert reasons(suggest(people.coordinator, case), mediator.id) == ("no_common_language",)
    # The registry keeper adds Kazakh: the mediator is ranked on the next view, not after a restart
    registry.update_mediator(people.republic_manager.actor, mediator.id,
                             rf.data(org.almaty, registry_number=mediator.registry_number,
                                     languages=(("uz", "native"), ("kk", "fluent"))),
                             ip=None, now=NOW, today=TODAY)
    db.session.commit()
    assert ranked_ids(suggest(people.coordinator, case)) == [mediator.id]
    # New weekly hours are the ones the availability rule reads
    registry.set_weekly_hours(people.republic_manager.actor, mediator.id, [(6, time(10), time(14))], ip=None,
                              now=NOW)
    db.session.commit()
    suggest(people.coordinator, case)
    assert registry_snapshot._ENTRIES[mediator.id].weekly_hours == (WeeklyHours(6, time(10), time(14)),)
    # Suspended
    registry.set_status(people.republic_manager.actor, mediator.id, MediatorStatus.SUSPENDED, reason="Тексеру",
                        ip=None, now=NOW, today=TODAY)
    db.session.commit()
    assert reasons(suggest(people.coordinator, case), mediator.id) == ("suspended_or_absent",)


def test_a_child_row_written_on_its_own_moves_its_mediators_revision(org, one_candidate):
    mediator, _case = one_candidate
    seen = {revision_of(mediator.id)}
    for change in (lambda: db.session.add(MediatorLanguage(mediator_id=mediator.id, language="kk", level="native")),
                   lambda: db.session.add(MediatorSpecialization(mediator_id=mediator.id, category="labour")),
                   lambda: db.session.add(MediatorWeeklyHours(mediator_id=mediator.id, weekday=5, start=time(9),
                                                              end=time(12))),
                   lambda: db.session.delete(db.session.scalar(select(MediatorWeeklyHours).where(
                       MediatorWeeklyHours.mediator_id == mediator.id, MediatorWeeklyHours.weekday == 5)))):
        db.session.expunge_all()  # the mediator itself is not in the session: only its id names it
        change()
        db.session.commit()
        seen.add(revision_of(mediator.id))
    assert len(seen) == 5


def test_a_change_of_the_row_itself_moves_the_revision_and_revisions_differ(org, one_candidate):
    mediator, _case = one_candidate
    other = rf.mediator(org.almaty, full_name="Басқа Медиатор")
    db.session.commit()
    before = revision_of(mediator.id)
    assert before != revision_of(other.id)
    mediator.max_active_cases = 9
    db.session.commit()
    assert revision_of(mediator.id) != before


def test_a_write_behind_the_orms_back_is_seen_once_it_sets_a_new_revision(org, people, one_candidate):
    mediator, case = one_candidate
    assert reasons(suggest(people.coordinator, case), mediator.id) == ("no_common_language",)
    db.session.execute(text("UPDATE mediator_language SET language = 'kk' WHERE mediator_id = :m"),
                       {"m": mediator.id})
    db.session.commit()
    # The contract of models/mediator.py: without a new revision the worker keeps what it read
    assert reasons(suggest(people.coordinator, case), mediator.id) == ("no_common_language",)
    db.session.execute(text("UPDATE mediator SET revision = revision + 1 WHERE id = :m"), {"m": mediator.id})
    db.session.commit()
    assert ranked_ids(suggest(people.coordinator, case)) == [mediator.id]


def test_workload_and_absences_are_read_fresh(org, people, one_candidate):
    mediator, case = one_candidate
    registry.update_mediator(people.republic_manager.actor, mediator.id,
                             rf.data(org.almaty, registry_number=mediator.registry_number,
                                     languages=(("kk", "native"),), max_active_cases=1),
                             ip=None, now=NOW, today=TODAY)
    db.session.commit()
    revision = revision_of(mediator.id)
    assert ranked_ids(suggest(people.coordinator, case)) == [mediator.id]
    rf.give_open_cases(mediator, 1, people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    assert reasons(suggest(people.coordinator, case), mediator.id) == ("at_capacity",)
    assert revision_of(mediator.id) == revision  # the workload is not the registry row's own data
    db.session.execute(text("DELETE FROM case_assignment WHERE mediator_id = :m"), {"m": mediator.id})
    rf.absence(mediator, date(2025, 3, 10), date(2025, 4, 30))
    db.session.commit()
    assert "suspended_or_absent" in reasons(suggest(people.coordinator, case), mediator.id)


def test_forget_empties_the_snapshot(org, people, one_candidate):
    _mediator, case = one_candidate
    suggest(people.coordinator, case)
    assert registry_snapshot._ENTRIES
    registry_snapshot.forget()
    assert not registry_snapshot._ENTRIES


def test_the_snapshot_says_when_it_has_grown_by_enough_entries_to_freeze(org, people, one_candidate):
    mediator, case = one_candidate
    registry_snapshot.forget()
    registry_snapshot.take_growth(0)  # start counting here
    others = [rf.mediator(org.almaty, full_name=f"Медиатор {n}") for n in range(2)]
    db.session.commit()
    suggest(people.coordinator, case)  # loads the three Almaty mediators
    assert {mediator.id, *(m.id for m in others)} <= set(registry_snapshot._ENTRIES)
    assert registry_snapshot.take_growth(4) is False
    assert registry_snapshot.take_growth(3) is True
    assert registry_snapshot.take_growth(1) is False  # the count restarted
    suggest(people.coordinator, case)  # nothing new to load
    assert registry_snapshot.take_growth(1) is False
