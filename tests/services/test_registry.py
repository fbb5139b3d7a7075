"""The registry services: validation of every field, who may keep which region, status changes (the 6-month
suspension), absences and hours, the filtered list with workload and Cyrillic search, constant query counts,
and the public register that never shows personal data."""

import dataclasses
from datetime import date, time

import pytest
from sqlalchemy import func, select

from mediation.domain.errors import NotAllowed
from mediation.domain.mediator_eligibility import MediatorStatus, eligibility_reasons
from mediation.extensions import db
from mediation.models import AuditEvent, Mediator, MediatorAbsence
from mediation.services import registry
from mediation.services.registry import MediatorNotFound, RegistryInvalid
from mediation.services.registry_queries import (
    PublicEntry,
    RegistryFilter,
    list_mediators,
    mediator_record,
    public_registry,
)
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf

TODAY = date(2025, 3, 12)
NOW = cf.at(TODAY)
RECEIVED = date(2025, 3, 3)


@pytest.fixture
def keeper(org):
    """A manager of the whole republic."""
    user = factories.make_user("manager", org=org, full_name="Гүлнар Әбенова")
    db.session.commit()
    return user.actor


def create(actor, data):
    return registry.create_mediator(actor, data, ip="127.0.0.1", now=NOW, today=TODAY)


def mediator_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Mediator))


def audit_actions(mediator_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "mediator", AuditEvent.object_id == str(mediator_id)).order_by(AuditEvent.id)))


# --- create and update ---------------------------------------------------------------------------------------


def test_a_valid_record_is_saved_with_its_languages_specialisations_and_an_audit_row(org, keeper):
    entry = create(keeper, rf.data(org.almaty, full_name="  КИМ  Светлана Германовна ", house_id=None,
                                   ethnicity="кәріс", ethnicity_consent_on=date(2025, 1, 10)))
    db.session.commit()
    assert entry.status == "active"
    assert entry.full_name == "КИМ  Светлана Германовна"
    assert entry.name_folded == "ким светлана германовна"
    assert [(lang.language, lang.level) for lang in entry.languages] == [("kk", "native"), ("ru", "fluent")]
    assert entry.specializations == ["family", "interethnic"]
    assert (entry.ethnicity, entry.ethnicity_consent_on) == ("кәріс", date(2025, 1, 10))
    assert audit_actions(entry.id) == ["mediator.create"]


def _taken(org, keeper):
    create(keeper, rf.data(org.almaty, registry_number="75-00001"))
    return {"registry_number": "75-00001"}


def _coordinator_account(org, keeper):
    return {"user_id": factories.make_user("coordinator", org=org).id}


def _linked_account(org, keeper):
    user = factories.make_user("mediator", org=org)
    create(keeper, rf.data(org.almaty, user_id=user.id))
    return {"user_id": user.id}


INVALID = [
    ("registry_number", "registry_number_invalid", {"registry_number": "7"}),
    ("registry_number", "registry_number_invalid", {"registry_number": "75 00001"}),
    ("registry_number", "registry_number_invalid", {"registry_number": "X" * 33}),
    ("registry_number", "registry_number_taken", _taken),
    ("full_name", "name_invalid", {"full_name": "   "}),
    ("full_name", "name_invalid", {"full_name": "А" * 201}),
    ("full_name", "name_invalid", {"full_name": "Ерлан\x00Маратұлы"}),
    ("birth_date", "date_required", {"birth_date": None}),
    ("birth_date", "date_invalid", {"birth_date": date(2025, 3, 13)}),
    ("birth_date", "date_invalid", {"birth_date": date(1899, 12, 31)}),
    ("certificate_date", "date_invalid", {"certificate_date": date(2026, 1, 1)}),
    ("languages", "language_required", {"languages": ()}),
    ("languages", "language_unknown", {"languages": (("xx", "native"),)}),
    ("languages", "level_unknown", {"languages": (("kk", "expert"),)}),
    ("specializations", "specialization_unknown", {"specializations": ("family", "astrology")}),
    ("disqualifications", "disqualification_unknown", {"disqualifications": ("bad_mood",)}),
    ("max_active_cases", "capacity_invalid", {"max_active_cases": 101}),
    ("max_active_cases", "capacity_invalid", {"max_active_cases": -1}),
    ("region_id", "region_unknown", {"region_id": 99999}),
    ("house_id", "house_outside_region", lambda org, keeper: {"house_id": org.semey_house.id}),
    ("ethnicity_consent_on", "ethnicity_needs_consent", {"ethnicity": "орыс", "ethnicity_consent_on": None}),
    ("user_id", "user_not_linkable", _coordinator_account),
    ("user_id", "user_not_linkable", _linked_account),
    ("user_id", "user_not_linkable", {"user_id": 987654}),
    ("education", "text_invalid", {"education": "Жоғары\x07"}),
]


@pytest.mark.parametrize(("field", "code", "overrides"), INVALID,
                         ids=[f"{code}-{index}" for index, (_, code, _) in enumerate(INVALID)])
def test_create_refuses_each_invalid_field_with_its_code_and_writes_nothing(org, keeper, field, code, overrides):
    overrides = overrides(org, keeper) if callable(overrides) else overrides
    db.session.commit()
    before = mediator_count()
    with pytest.raises(RegistryInvalid) as refused:
        create(keeper, rf.data(org.almaty, **overrides))
    assert refused.value.errors[field] == code
    db.session.rollback()
    assert mediator_count() == before


def test_every_problem_is_reported_at_once(org, keeper):
    with pytest.raises(RegistryInvalid) as refused:
        create(keeper, rf.data(org.almaty, registry_number="!", full_name="", birth_date=None, languages=(),
                               max_active_cases=500))
    assert refused.value.errors == {"registry_number": "registry_number_invalid", "full_name": "name_invalid",
                                    "birth_date": "date_required", "languages": "language_required",
                                    "max_active_cases": "capacity_invalid"}


def test_update_keeps_its_own_number_but_cannot_take_another_ones(org, keeper):
    first = create(keeper, rf.data(org.almaty, registry_number="75-00001"))
    second = create(keeper, rf.data(org.almaty, registry_number="75-00002"))
    db.session.commit()
    registry.update_mediator(keeper, first.id, rf.data(org.almaty, registry_number="75-00001",
                                                       full_name="Жаңа Аты-жөні", max_active_cases=8),
                             ip=None, now=NOW, today=TODAY)
    db.session.commit()
    assert (first.full_name, first.max_active_cases) == ("Жаңа Аты-жөні", 8)
    with pytest.raises(RegistryInvalid) as refused:
        registry.update_mediator(keeper, second.id, rf.data(org.almaty, registry_number="75-00001"),
                                 ip=None, now=NOW, today=TODAY)
    assert refused.value.errors == {"registry_number": "registry_number_taken"}


def test_update_replaces_languages_and_specialisations(org, keeper):
    entry = create(keeper, rf.data(org.almaty))
    db.session.commit()
    registry.update_mediator(keeper, entry.id, rf.data(org.almaty, registry_number=entry.registry_number,
                                                       languages=(("ru", "native"), ("uz", "working")),
                                                       specializations=("labour",)),
                             ip=None, now=NOW, today=TODAY)
    db.session.commit()
    db.session.expire_all()
    assert sorted((lang.language, lang.level) for lang in entry.languages) == [("ru", "native"), ("uz", "working")]
    assert entry.specializations == ["labour"]


def test_the_update_audit_lists_the_changed_fields(org, keeper):
    entry = create(keeper, rf.data(org.almaty))
    db.session.commit()
    registry.update_mediator(keeper, entry.id, dataclasses.replace(
        rf.data(org.almaty, registry_number=entry.registry_number), full_name="Басқа Аты", max_active_cases=9),
        ip=None, now=NOW, today=TODAY)
    db.session.commit()
    summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "mediator.update"))
    assert {"full_name", "max_active_cases"} <= set(summary["fields"])


def test_ethnicity_is_never_stored_without_consent(org, keeper):
    # The consent date alone (no ethnicity) is not kept either
    entry = create(keeper, rf.data(org.almaty, ethnicity=None, ethnicity_consent_on=date(2025, 1, 1)))
    assert (entry.ethnicity, entry.ethnicity_consent_on) == (None, None)


# --- who may keep which region -------------------------------------------------------------------------------


def test_a_regional_manager_keeps_only_their_region(org):
    almaty_manager = factories.make_user("manager", org=org, region=org.almaty).actor
    abai_manager = factories.make_user("manager", org=org, region=org.abai).actor
    db.session.commit()
    # A manager of Almaty adds mediators in Almaty...
    own = create(almaty_manager, rf.data(org.almaty))
    db.session.commit()
    # ...but not in Abai
    with pytest.raises(NotAllowed):
        create(almaty_manager, rf.data(org.abai))
    # nor moves their own mediator there
    with pytest.raises(NotAllowed):
        registry.update_mediator(almaty_manager, own.id, rf.data(org.abai, registry_number=own.registry_number),
                                 ip=None, now=NOW, today=TODAY)
    # and Abai's manager does not even find the Almaty mediator
    with pytest.raises(MediatorNotFound):
        registry.set_status(abai_manager, own.id, MediatorStatus.EXCLUDED, reason="Бөтен өңір", ip=None, now=NOW,
                            today=TODAY)
    db.session.rollback()
    assert db.session.get(Mediator, own.id).region_id == org.almaty.id


@pytest.mark.parametrize("role", ["coordinator", "mediator"])
def test_coordinators_and_mediators_keep_no_registry(org, role):
    actor = factories.make_user(role, org=org).actor
    db.session.commit()
    with pytest.raises(NotAllowed):
        create(actor, rf.data(org.almaty))
    assert mediator_count() == 0


# --- status: suspension, exclusion, reinstatement --------------------------------------------------------------


@pytest.mark.parametrize(("today", "until"), [
    (date(2025, 3, 12), date(2025, 9, 12)),
    (date(2025, 8, 31), date(2026, 2, 28)),  # calendar months, clamped to the shorter month
    (date(2023, 8, 29), date(2024, 2, 29)),  # leap year
])
def test_a_suspension_lasts_six_calendar_months_by_default(org, keeper, today, until):
    entry = create(keeper, rf.data(org.almaty))
    registry.set_status(keeper, entry.id, MediatorStatus.SUSPENDED, reason="Расталған бұзушылық", ip=None,
                        now=cf.at(today), today=today)
    db.session.commit()
    assert (entry.status, entry.suspended_until, entry.status_reason) == ("suspended", until,
                                                                         "Расталған бұзушылық")
    summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "mediator.suspended"))
    assert summary == {"until": until.isoformat()}
    # While suspended the mediator is not eligible; the day after the term ends they are again
    assert "suspended" in eligibility_reasons(registry.profile_of(entry), until, rf.THRESHOLDS)
    assert eligibility_reasons(registry.profile_of(entry), date.fromordinal(until.toordinal() + 1),
                               rf.THRESHOLDS) == []


def test_a_suspension_may_end_on_a_chosen_date_but_not_in_the_past(org, keeper):
    entry = create(keeper, rf.data(org.almaty))
    registry.set_status(keeper, entry.id, MediatorStatus.SUSPENDED, reason="Тексеру", until=date(2025, 4, 1),
                        ip=None, now=NOW, today=TODAY)
    assert entry.suspended_until == date(2025, 4, 1)
    for until in (TODAY, date(2025, 1, 1)):
        with pytest.raises(RegistryInvalid) as refused:
            registry.set_status(keeper, entry.id, MediatorStatus.SUSPENDED, reason="Тексеру", until=until,
                                ip=None, now=NOW, today=TODAY)
        assert refused.value.errors == {"until": "date_invalid"}


@pytest.mark.parametrize("status", [MediatorStatus.SUSPENDED, MediatorStatus.EXCLUDED])
@pytest.mark.parametrize("reason", ["", "   "])
def test_suspending_or_excluding_needs_a_reason(org, keeper, status, reason):
    entry = create(keeper, rf.data(org.almaty))
    db.session.commit()
    with pytest.raises(RegistryInvalid) as refused:
        registry.set_status(keeper, entry.id, status, reason=reason, ip=None, now=NOW, today=TODAY)
    assert refused.value.errors == {"reason": "reason_required"}
    db.session.rollback()
    assert db.session.get(Mediator, entry.id).status == "active"


def test_exclude_then_reinstate(org, keeper):
    entry = create(keeper, rf.data(org.almaty))
    registry.set_status(keeper, entry.id, MediatorStatus.SUSPENDED, reason="Бұзушылық", ip=None, now=NOW,
                        today=TODAY)
    registry.set_status(keeper, entry.id, MediatorStatus.EXCLUDED, reason="Сот үкімі", ip=None, now=NOW,
                        today=TODAY)
    assert (entry.status, entry.suspended_until, entry.status_reason) == ("excluded", None, "Сот үкімі")
    assert "excluded" in eligibility_reasons(registry.profile_of(entry), TODAY, rf.THRESHOLDS)
    # Reinstating needs no reason and clears the old one
    registry.set_status(keeper, entry.id, MediatorStatus.ACTIVE, reason="", ip=None, now=NOW, today=TODAY)
    db.session.commit()
    assert (entry.status, entry.suspended_until, entry.status_reason) == ("active", None, None)
    assert eligibility_reasons(registry.profile_of(entry), TODAY, rf.THRESHOLDS) == []
    assert audit_actions(entry.id) == ["mediator.create", "mediator.suspended", "mediator.excluded",
                                       "mediator.active"]


# --- absences and weekly hours -------------------------------------------------------------------------------


def test_absences_are_recorded_with_their_kind_and_checked(org, keeper):
    entry = create(keeper, rf.data(org.almaty))
    registry.add_absence(keeper, entry.id, date(2025, 3, 10), date(2025, 3, 20), "illness", ip=None, now=NOW)
    registry.add_absence(keeper, entry.id, date(2025, 1, 1), date(2025, 1, 1), "leave", ip=None, now=NOW)
    db.session.commit()
    assert [(a.start, a.end, a.kind) for a in entry.absences] == [
        (date(2025, 1, 1), date(2025, 1, 1), "leave"), (date(2025, 3, 10), date(2025, 3, 20), "illness")]
    with pytest.raises(RegistryInvalid) as refused:
        registry.add_absence(keeper, entry.id, date(2025, 3, 20), date(2025, 3, 19), "leave", ip=None, now=NOW)
    assert refused.value.errors == {"end": "date_order"}
    with pytest.raises(RegistryInvalid) as refused:
        registry.add_absence(keeper, entry.id, date(2025, 3, 20), date(2025, 3, 21), "holiday", ip=None, now=NOW)
    assert refused.value.errors == {"kind": "kind_unknown"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MediatorAbsence)) == 2
    assert audit_actions(entry.id).count("mediator.absence") == 2


def test_weekly_hours_are_replaced_and_checked(org, keeper):
    entry = rf.mediator(org.almaty)
    db.session.commit()
    registry.set_weekly_hours(keeper, entry.id, [(5, time(10), time(14))], ip=None, now=NOW)
    db.session.commit()
    assert [(h.weekday, h.start, h.end) for h in entry.weekly_hours] == [(5, time(10), time(14))]
    for slot in [(7, time(10), time(11)), (1, time(12), time(12))]:
        with pytest.raises(RegistryInvalid):
            registry.set_weekly_hours(keeper, entry.id, [slot], ip=None, now=NOW)


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
    assert sorted(names(page)) == sorted(expected)  # name order of Kazakh letters depends on the collation


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
