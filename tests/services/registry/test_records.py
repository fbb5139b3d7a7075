"""The registry's records: validation of every field, who may keep which region, status changes (the 6-month
suspension, exclusion, reinstatement), absences and weekly hours."""

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
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf
from tests.services.registry.support import NOW, TODAY, audit_actions, create, mediator_count

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


def _other_regions_account(org, keeper):
    return {"user_id": factories.make_user("mediator", org=org, house=org.semey_house).id}


INVALID = [
    ("registry_number", "registry_number_invalid", {"registry_number": "7"}),
    ("registry_number", "registry_number_invalid", {"registry_number": "75 00001"}),
    ("registry_number", "registry_number_invalid", {"registry_number": "X" * 33}),
    ("registry_number", "registry_number_taken", _taken),
    ("full_name", "name_invalid", {"full_name": "   "}),
    ("full_name", "name_invalid", {"full_name": "А" * 201}),
    ("full_name", "name_invalid", {"full_name": "Ерлан\x00Маратұлы"}),
    ("birth_date", "date_required", {"birth_date": None}),
    ("birth_date", "date_in_future", {"birth_date": date(2025, 3, 13)}),
    ("birth_date", "date_invalid", {"birth_date": date(1899, 12, 31)}),
    ("certificate_date", "date_in_future", {"certificate_date": date(2026, 1, 1)}),
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
    ("user_id", "user_other_region", _other_regions_account),
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
        assert refused.value.errors == {"until": "suspension_end_past"}


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


