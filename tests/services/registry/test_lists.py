"""The registry's lists: filters, workload, Cyrillic search, keyset pages, constant query counts, and the public
register that never shows personal data."""

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from mediation.extensions import db
from mediation.models import Mediator
from mediation.services.registry_queries import (
    PublicEntry,
    RegistryFilter,
    list_mediators,
    mediator_record,
    public_registry,
)
from tests import factories
from tests import registry_factories as rf
from tests.services.registry.support import RECEIVED, TODAY

# --- the list: filters, workload, search, query count ----------------------------------------------------------


@pytest.fixture
def registry_of_four(org):
    """Four mediators: one at full caseload with real cases, one suspended in Abai, one excluded."""
    coordinator = factories.make_user("coordinator", org=org)
    kim = rf.mediator(org.almaty, full_name="КИМ Светлана Германовна", specializations=("family",),
                      max_active_cases=2, number="75-00001")
    rf.give_open_cases(kim, 2, coordinator, org.republican_house, received_on=RECEIVED)
    abenov = rf.mediator(org.almaty, full_name="Әбенов Бауыржан", kind="public", languages=(("uz", "native"),),
                         specializations=("labour",), number="75-00002")
    petrova = rf.mediator(org.abai, full_name="Петрова Анна", languages=(("ru", "native"),),
                          specializations=("interethnic",), status="suspended", suspended_until=date(2025, 6, 1),
                          status_reason="Тексеру", number="10-00001")
    gone = rf.mediator(org.almaty, full_name="Шығарылған Адам", status="excluded", status_reason="Үкім",
                       number="75-00003")
    db.session.commit()
    return {"kim": kim.id, "abenov": abenov.id, "petrova": petrova.id, "gone": gone.id}


def names(page) -> list[str]:
    return [m.full_name for m in page.mediators]


@pytest.mark.parametrize(("flt", "expected"), [
    (RegistryFilter(), ["Әбенов Бауыржан", "КИМ Светлана Германовна", "Петрова Анна", "Шығарылған Адам"]),
    (RegistryFilter(region_id="abai"), ["Петрова Анна"]),
    (RegistryFilter(language="uz"), ["Әбенов Бауыржан"]),
    (RegistryFilter(language="ru"), ["КИМ Светлана Германовна", "Петрова Анна", "Шығарылған Адам"]),
    (RegistryFilter(specialization="interethnic"), ["Петрова Анна", "Шығарылған Адам"]),
    (RegistryFilter(kind="public"), ["Әбенов Бауыржан"]),
    (RegistryFilter(status="suspended"), ["Петрова Анна"]),
    (RegistryFilter(status="excluded"), ["Шығарылған Адам"]),
    (RegistryFilter(free_capacity=True), ["Әбенов Бауыржан"]),
    (RegistryFilter(query="ким"), ["КИМ Светлана Германовна"]),
    (RegistryFilter(query="СВЕТЛАНА  герман"), ["КИМ Светлана Германовна"]),
    (RegistryFilter(query="әБЕН"), ["Әбенов Бауыржан"]),
    (RegistryFilter(query="75-00002"), ["Әбенов Бауыржан"]),
    (RegistryFilter(query="%"), []),
    (RegistryFilter(language="ru", free_capacity=True), []),
], ids=["all", "region", "uz", "ru", "specialisation", "kind", "suspended", "excluded", "free", "search-lower",
        "search-upper-spaces", "search-kazakh", "registry-number", "percent-is-literal", "ru-and-free"])
def test_the_registry_list_filters(org, keeper, registry_of_four, flt, expected):
    if flt.region_id == "abai":
        flt = dataclasses.replace(flt, region_id=org.abai.id)
    page = list_mediators(keeper, flt)
    assert names(page) == expected  # in the Kazakh alphabet's order: Ә after А, not after Я


def test_the_list_shows_open_cases_languages_and_specialisations(org, keeper, registry_of_four):
    page = list_mediators(keeper, RegistryFilter())
    by_name = {m.full_name: m.id for m in page.mediators}
    kim = by_name["КИМ Светлана Германовна"]
    assert page.open_cases[kim] == 2
    assert page.open_cases[by_name["Әбенов Бауыржан"]] == 0
    assert page.languages[kim] == [("kk", "native"), ("ru", "fluent")]
    assert page.specializations[kim] == ["family"]
    assert mediator_record(kim).open_cases == 2


def test_a_regional_coordinator_sees_only_their_regions_registry(org, registry_of_four):
    coordinator = factories.make_user("coordinator", org=org, house=org.semey_house)
    db.session.commit()
    assert names(list_mediators(coordinator.actor, RegistryFilter())) == ["Петрова Анна"]
    # and a filter for another region cannot widen it
    assert names(list_mediators(coordinator.actor, RegistryFilter(region_id=org.almaty.id))) == []


def test_the_list_pages_by_name_with_a_cursor(org, keeper):
    for index in range(7):
        rf.mediator(org.almaty, full_name=f"Медиатор {index:02d}")
    db.session.commit()
    first = list_mediators(keeper, RegistryFilter(), page_size=3)
    second = list_mediators(keeper, RegistryFilter(), cursor=first.next_cursor, page_size=3)
    third = list_mediators(keeper, RegistryFilter(), cursor=second.next_cursor, page_size=3)
    assert names(first) + names(second) + names(third) == [f"Медиатор {index:02d}" for index in range(7)]
    assert third.next_cursor is None
    # a forged cursor is ignored, not an error
    assert names(list_mediators(keeper, RegistryFilter(), cursor="!!not-base64!!", page_size=3)) == names(first)


def _mediators_with_workload(org, coordinator, count: int, start: int) -> None:
    for index in range(start, start + count):
        entry = rf.mediator(org.almaty if index % 2 else org.abai, full_name=f"Медиатор {index:03d}",
                            languages=(("kk", "native"), ("ru", "fluent"), ("uz", "working")),
                            specializations=("family", "labour", "interethnic"))
        if index % 10 == 0:
            rf.absence(entry, TODAY, TODAY)
    rf.give_open_cases(db.session.scalars(select(Mediator).where(Mediator.region_id == org.almaty.id)).first(), 1,
                       coordinator, org.republican_house, received_on=RECEIVED)


def test_list_and_public_queries_do_not_grow_with_the_number_of_mediators(org, keeper):
    coordinator = factories.make_user("coordinator", org=org)
    _mediators_with_workload(org, coordinator, 10, 0)
    db.session.commit()

    def count(call) -> int:
        db.session.expire_all()
        with rf.count_queries() as statements:
            result = call()
            # touching what the list shows must not load anything more
            shown = [(entry.full_name, entry.registry_number, entry.kind, entry.status, entry.max_active_cases)
                     for entry in getattr(result, "mediators", ())]
            assert len(shown) == len(getattr(result, "mediators", ()))
        return len(statements)

    calls = {"list": lambda: list_mediators(keeper, RegistryFilter()),
             "filtered": lambda: list_mediators(keeper, RegistryFilter(language="uz", specialization="labour",
                                                                       free_capacity=True, query="медиатор")),
             "public": lambda: public_registry(RegistryFilter())}
    with_ten = {name: count(call) for name, call in calls.items()}
    assert len(list_mediators(keeper, RegistryFilter()).mediators) == 10
    _mediators_with_workload(org, coordinator, 40, 10)
    db.session.commit()
    with_fifty = {name: count(call) for name, call in calls.items()}
    assert len(list_mediators(keeper, RegistryFilter()).mediators) == 50
    assert with_fifty == with_ten
    assert max(with_ten.values()) <= 4


# --- the public register ----------------------------------------------------------------------------------------


def test_the_public_register_publishes_only_art_14_fields(org, registry_of_four):
    db.session.get(Mediator, registry_of_four["kim"]).phone = "+77017654321"
    db.session.get(Mediator, registry_of_four["kim"]).email = "kim@example.kz"
    db.session.commit()
    entries, next_cursor = public_registry(RegistryFilter())
    # The entry type itself carries no contacts, birth date, address, ethnicity or registry internals
    assert {f.name for f in dataclasses.fields(PublicEntry)} == {
        "full_name", "kind", "specializations", "languages", "certificate_held", "region_id", "status"}
    # Excluded mediators leave the register; suspended ones stay with their status
    assert sorted((e.full_name, e.status) for e in entries) == [
        ("КИМ Светлана Германовна", "active"), ("Петрова Анна", "suspended"), ("Әбенов Бауыржан", "active")]
    assert next_cursor is None
    kim = next(e for e in entries if e.full_name.startswith("КИМ"))
    assert (kim.kind, kim.languages, kim.specializations, kim.certificate_held) == (
        "professional", ("kk", "ru"), ("family",), True)
    published = repr(entries)
    for private in ("+77017654321", "kim@example.kz", "1975-05-05", "1975, 5, 5", "MC-10001"):
        assert private not in published


def test_the_public_register_filters_and_searches(org, registry_of_four):
    def shown(**kwargs):
        return [e.full_name for e in public_registry(RegistryFilter(**kwargs))[0]]

    assert shown(query="ким") == ["КИМ Светлана Германовна"]
    assert shown(region_id=org.abai.id) == ["Петрова Анна"]
    assert shown(language="uz") == ["Әбенов Бауыржан"]
    assert shown(query="Шығарылған") == []  # excluded: not published even when searched for
    first, cursor = public_registry(RegistryFilter(), page_size=2)
    rest, end = public_registry(RegistryFilter(), cursor=cursor, page_size=2)
    assert [e.full_name for e in first + rest] == shown() and end is None
