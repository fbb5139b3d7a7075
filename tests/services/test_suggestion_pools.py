"""The worker's suggestion pools (services/suggestion_pools.py): one pool per region and day, patched for each
mediator whose revision moved, rebuilt when the pool's mediators change, safe under threads."""

from datetime import timedelta

from mediation.domain.mediator_eligibility import MediatorStatus
from mediation.extensions import db
from mediation.models import AssignmentPolicyRecord
from mediation.services import assignment, registry, registry_snapshot, suggestion_pools
from tests import registry_factories as rf
from tests.assignment_support import NOW, RECEIVED, TODAY, ranked_ids, reasons, suggest
from tests.concurrency import run_concurrently


def only_pool() -> suggestion_pools._Cached:
    (cached,) = suggestion_pools._POOLS.values()
    return cached


def test_the_next_view_reuses_the_pool_and_an_edit_patches_only_its_mediator(org, people, almaty):
    first, second, case = almaty
    suggest(people.coordinator, case)
    cached = only_pool()
    untouched = cached.pool.cands[cached.pool.position(second.id)]
    suggest(people.coordinator, case)
    assert only_pool() is cached
    # A registry edit gives the first mediator a new name and Uzbek only
    registry.update_mediator(people.republic_manager.actor, first.id,
                             rf.data(org.almaty, registry_number=first.registry_number, full_name="Жаңа Есім",
                                     languages=(("uz", "native"),)), ip=None, now=NOW, today=TODAY)
    db.session.commit()
    view = suggest(people.coordinator, case)
    assert only_pool() is cached
    assert cached.pool.cands[cached.pool.position(second.id)] is untouched
    assert reasons(view, first.id) == ("no_common_language",)
    assert view.mediators[first.id] == "Жаңа Есім"


def test_a_mediator_who_leaves_or_joins_the_pool_rebuilds_it(org, people, almaty):
    first, second, case = almaty
    suggest(people.coordinator, case)
    before = only_pool()
    registry.set_status(people.republic_manager.actor, first.id, MediatorStatus.EXCLUDED, reason="Art. 16",
                        ip=None, now=NOW, today=TODAY)
    db.session.commit()
    view = suggest(people.coordinator, case)
    assert only_pool() is not before and only_pool().pool.ids == [second.id]
    assert first.id not in view.mediators and ranked_ids(view) == [second.id]
    third = rf.mediator(org.almaty, full_name="Үшінші Медиатор", house=org.republican_house)
    db.session.commit()
    assert set(ranked_ids(suggest(people.coordinator, case))) == {second.id, third.id}


def test_workload_and_assignments_are_read_on_every_view(org, people, almaty):
    first, second, case = almaty
    assert set(ranked_ids(suggest(people.coordinator, case))) == {first.id, second.id}
    rf.give_open_cases(first, 5, people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    assert reasons(suggest(people.coordinator, case), first.id) == ("at_capacity",)
    rf.absence(second, TODAY, TODAY + timedelta(days=30))
    db.session.commit()
    view = suggest(people.coordinator, case)
    assert reasons(view, second.id) == ("suspended_or_absent", "not_available_within_horizon")


def test_each_region_and_the_republic_have_their_own_pool_and_a_new_day_drops_yesterdays(org, people, almaty):
    first, _second, case = almaty
    abai = rf.mediator(org.abai, full_name="Абай Медиаторы")
    db.session.commit()
    suggest(people.coordinator, case)
    db.session.add(AssignmentPolicyRecord(region_id=org.almaty.id, allow_republic_pool=True))
    db.session.commit()
    view = suggest(people.coordinator, case)
    assert {key[0] for key in suggestion_pools._POOLS} == {org.almaty.id, None}
    assert abai.id in view.mediators  # the republic's pool has every region's mediators
    assignment.suggestions_for(people.coordinator.actor, case.id, today=TODAY + timedelta(days=1),
                               thresholds=rf.THRESHOLDS)
    assert {key[1] for key in suggestion_pools._POOLS} == {TODAY + timedelta(days=1)}


def test_views_in_threads_share_a_pool_while_edits_patch_it(app, org, people, almaty):
    first, second, case = almaty
    suggest(people.coordinator, case)
    # Plain values only cross into the threads, never ORM objects
    actor, keeper, case_id = people.coordinator.actor, people.republic_manager.actor, case.id
    names: dict[int, list[str]] = {1: [], 2: [], 3: []}
    first_id, number, region_id = first.id, first.registry_number, org.almaty.id

    def work(index: int) -> None:
        with app.app_context():
            for round_ in range(5):
                if index == 0:  # one thread keeps editing the registry while the others read suggestions
                    registry.update_mediator(keeper, first_id, rf.data(region_id, registry_number=number,
                                                                       full_name=f"Есім {round_}"),
                                             ip=None, now=NOW, today=TODAY)
                    db.session.commit()
                else:
                    view = assignment.suggestions_for(actor, case_id, today=TODAY, thresholds=rf.THRESHOLDS)
                    names[index].append(view.mediators[first_id])
                    db.session.rollback()
            db.session.remove()

    assert run_concurrently(4, work) == []
    db.session.rollback()  # a fresh snapshot: see what the threads committed
    # Each reader's views never go back to an older name: a view is scored on the rows its own snapshot read,
    # and a later snapshot is never older
    rounds = {"Бірінші Медиатор": -1, **{f"Есім {n}": n for n in range(5)}}
    for seen in names.values():
        assert len(seen) == 5 and [rounds[name] for name in seen] == sorted(rounds[name] for name in seen)
    assert suggest(people.coordinator, case).mediators[first.id] == "Есім 4"



def test_a_row_stored_late_by_a_concurrent_load_is_reloaded_on_the_next_view(org, people, almaty, monkeypatch):
    first, _second, case = almaty
    assert reasons(suggest(people.coordinator, case), first.id) == ()
    before_edit = registry_snapshot._ENTRIES[first.id]
    registry.update_mediator(people.republic_manager.actor, first.id,
                             rf.data(org.almaty, registry_number=first.registry_number, full_name=first.full_name,
                                     languages=(("uz", "native"),)), ip=None, now=NOW, today=TODAY)
    db.session.commit()
    load = registry_snapshot._load

    def load_then_lose_the_race(ids):
        load(ids)
        # another thread's load, which read the row before the edit, stores it just after ours
        registry_snapshot._ENTRIES[first.id] = before_edit

    monkeypatch.setattr(registry_snapshot, "_load", load_then_lose_the_race)
    suggest(people.coordinator, case)  # this view may be scored on the older row
    monkeypatch.setattr(registry_snapshot, "_load", load)
    # The next view reloads it: the pool kept the row's own revision, not the one it asked for
    assert reasons(suggest(people.coordinator, case), first.id) == ("no_common_language",)
