"""Registering an appeal: numbers per region and year, scope, validation, tension, search text, audit,
and the duplicate warning."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mediation.domain.case_fields import PartyKind, PartyRole, TensionLevel, TensionSignal
from mediation.domain.case_states import CaseState, Outcome
from mediation.domain.errors import NotAllowed
from mediation.domain.text import fold
from mediation.extensions import db
from mediation.models import AuditEvent, CaseEvent, Party
from mediation.services import case_intake, case_lifecycle
from mediation.services.case_intake import IntakeInvalid
from mediation.services.case_lifecycle import Closure
from tests import case_factories as cf
from tests import factories
from tests.sql_plans import sqlite_plan, statements_containing

RECEIVED = date(2025, 3, 3)


@pytest.fixture
def coordinator(org):
    """A coordinator of the Republican Friendship House (Almaty city, KATO 75)."""
    user = factories.make_user("coordinator", org=org, full_name="Айгерім Сәрсенова")
    db.session.commit()
    return user


@pytest.fixture
def manager(org):
    """A manager of the whole republic."""
    user = factories.make_user("manager", org=org)
    db.session.commit()
    return user


# --- numbering -------------------------------------------------------------------------------------------


def test_numbers_run_per_region_and_restart_each_year(org, manager):
    # Given appeals at houses of two regions, received over a change of year
    received = [(org.republican_house, date(2024, 12, 30)), (org.republican_house, date(2024, 12, 31)),
                (org.semey_house, date(2024, 12, 31)), (org.republican_house, date(2025, 1, 2)),
                (org.semey_house, date(2025, 1, 2)), (org.republican_house, date(2025, 1, 3))]
    # When they are registered in that order
    numbers = [cf.register(manager, house, received_on=day).number for house, day in received]
    # Then each region counts on its own, and a new year starts again at 00001
    assert numbers == ["75-2024-00001", "75-2024-00002", "10-2024-00001",
                       "75-2025-00001", "10-2025-00001", "75-2025-00002"]
    assert cf.counter_last(org.almaty, 2024) == 2 and cf.counter_last(org.almaty, 2025) == 2
    assert cf.counter_last(org.abai, 2025) == 1


def test_the_received_year_decides_the_number_not_the_day_of_entry(org, manager):
    # Given an appeal received on New Year's Eve and entered on 3 January
    case = cf.register(manager, org.republican_house, received_on=date(2024, 12, 31), now=cf.at(date(2025, 1, 3)))
    # Then its number belongs to the year it was received
    assert case.number == "75-2024-00001"
    assert (case.year, case.sequence) == (2024, 1)
    # And the next appeal received in January starts the new year's series
    assert cf.register(manager, org.republican_house, received_on=date(2025, 1, 3)).number == "75-2025-00001"


def test_number_format_is_kato2_year_five_digits(org, manager):
    case = cf.register(manager, org.semey_house, received_on=RECEIVED)
    assert case.number == "10-2025-00001"
    assert case.region_id == org.abai.id and case.house_id == org.semey_house.id


# --- scope -----------------------------------------------------------------------------------------------


def test_coordinator_of_one_house_cannot_register_for_another_house_of_the_region(org):
    # Given two houses in Almaty and a coordinator of the first
    other_house = factories.make_house(org.almaty, name="Алатау Достық үйі")
    coordinator = factories.make_user("coordinator", org=org, house=org.republican_house)
    db.session.commit()
    before = cf.row_counts()
    # When they register an appeal for the second house
    with pytest.raises(IntakeInvalid) as refused:
        cf.register(coordinator, other_house, received_on=RECEIVED)
    # Then the house field is refused as outside their scope, and nothing is written
    assert refused.value.errors == {"house_id": "outside_scope"}
    assert cf.row_counts() == before


def test_coordinator_of_a_region_cannot_register_in_another_region(org):
    coordinator = factories.make_user("coordinator", org=org, region=org.almaty)
    db.session.commit()
    before = cf.row_counts()
    with pytest.raises(IntakeInvalid) as refused:
        cf.register(coordinator, org.semey_house, received_on=RECEIVED)
    assert refused.value.errors == {"house_id": "outside_scope"}
    assert cf.row_counts() == before
    # while a house of their own region is fine
    assert cf.register(coordinator, org.republican_house, received_on=RECEIVED).number == "75-2025-00001"


def test_regional_manager_cannot_register_outside_the_region(org):
    manager = factories.make_user("manager", org=org, region=org.abai)
    db.session.commit()
    with pytest.raises(IntakeInvalid) as refused:
        cf.register(manager, org.republican_house, received_on=RECEIVED)
    assert refused.value.errors["house_id"] == "outside_scope"


def test_unknown_house_is_a_field_error(org, manager):
    with pytest.raises(IntakeInvalid) as refused:
        cf.register(manager, 999_999, received_on=RECEIVED)
    assert refused.value.errors == {"house_id": "unknown_house"}
    assert cf.row_counts()["case"] == 0


@pytest.mark.parametrize("role", ["mediator", "admin"])
def test_only_coordinators_and_managers_register(org, role):
    user = factories.make_user(role, org=org)
    db.session.commit()
    with pytest.raises(NotAllowed):
        cf.register(user, org.republican_house, received_on=RECEIVED)
    assert cf.row_counts()["case"] == 0


# --- validation: refused, nothing written ------------------------------------------------------------------


def _refused(actor, house, **fields) -> dict[str, str]:
    """Register and expect a refusal; return its errors after checking nothing was written or numbered."""
    before = cf.row_counts()
    with pytest.raises(IntakeInvalid) as refused:
        cf.register(actor, house, **fields)
    assert cf.row_counts() == before, "a refused appeal must not write anything (or use up a number)"
    return refused.value.errors


def test_one_party_is_too_few(org, coordinator):
    errors = _refused(coordinator, org.republican_house, received_on=RECEIVED,
                      parties=(cf.party("Әлия Нұрова"),))
    assert errors == {"parties": "too_few_parties"}


def test_no_parties_is_too_few(org, coordinator):
    assert _refused(coordinator, org.republican_house, received_on=RECEIVED, parties=()) == \
        {"parties": "too_few_parties"}


def test_more_than_thirty_parties_is_too_many(org, coordinator):
    parties = tuple(cf.party(f"Тарап {n}", PartyRole.OTHER) for n in range(31))
    assert _refused(coordinator, org.republican_house, received_on=RECEIVED, parties=parties) == \
        {"parties": "too_many_parties"}


def test_received_in_the_future_is_refused(org, coordinator):
    # Given "today" in Kazakhstan is 3 March 2025
    now = cf.at(RECEIVED)
    # When the appeal claims it was received tomorrow
    errors = _refused(coordinator, org.republican_house, received_on=RECEIVED + timedelta(days=1), now=now)
    # Then the date is refused
    assert errors == {"received_on": "in_future"}
    # but today itself is fine
    assert cf.register(coordinator, org.republican_house, received_on=RECEIVED, now=now).received_on == RECEIVED


def test_received_today_in_almaty_counts_by_the_local_day(org, coordinator):
    # 20:00 UTC on 2 March is already 3 March in Almaty (UTC+5)
    now = cf.at(date(2025, 3, 2), hour=20)
    assert cf.register(coordinator, org.republican_house, received_on=RECEIVED, now=now).number == "75-2025-00001"


def test_invalid_iin_is_refused_on_that_partys_field(org, coordinator):
    # Given a valid ИИН with its check digit changed, on the second party
    good = cf.iin()
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    parties = (cf.party("Әлия Нұрова"), cf.party("Иван Петров", PartyRole.RESPONDENT, iin_bin=bad))
    # Then the error sits on the second party's ИИН field
    assert _refused(coordinator, org.republican_house, received_on=RECEIVED, parties=parties) == \
        {"parties-1-iin_bin": "iin_invalid"}


@pytest.mark.parametrize("value", ["12345", "85041230012A", "8504123001234", "000000000000", "٨٥٠٤١٢٣٠٠١٢٣"])
def test_malformed_iin_is_refused(org, coordinator, value):
    parties = (cf.party("Әлия Нұрова", iin_bin=value), cf.party("Иван Петров", PartyRole.RESPONDENT))
    assert _refused(coordinator, org.republican_house, received_on=RECEIVED, parties=parties) == \
        {"parties-0-iin_bin": "iin_invalid"}


def test_valid_iin_typed_with_spaces_is_stored_normalised(org, coordinator):
    number = cf.iin(date(1990, 1, 15), female=True)
    spaced = f"{number[:6]} {number[6:]}"
    case = cf.register(coordinator, org.republican_house, received_on=RECEIVED,
                       parties=(cf.party("Әлия Нұрова", iin_bin=spaced), cf.party("Иван Петров")))
    assert case.parties[0].iin_bin == number
    assert case.parties[1].iin_bin is None


def test_ethnicity_without_consent_is_refused(org, coordinator):
    parties = (cf.party("Әлия Нұрова", ethnicity="қазақ"), cf.party("Иван Петров", PartyRole.RESPONDENT))
    assert _refused(coordinator, org.republican_house, received_on=RECEIVED, parties=parties) == \
        {"parties-0-ethnicity_consent_on": "ethnicity_needs_consent"}


def test_ethnicity_with_consent_is_stored_and_a_consent_alone_stores_nothing(org, coordinator):
    parties = (cf.party("Әлия Нұрова", ethnicity="қазақ", ethnicity_consent_on=RECEIVED),
               cf.party("Иван Петров", PartyRole.RESPONDENT, ethnicity_consent_on=RECEIVED))
    case = cf.register(coordinator, org.republican_house, received_on=RECEIVED, parties=parties)
    first, second = case.parties
    assert (first.ethnicity, first.ethnicity_consent_on) == ("қазақ", RECEIVED)
    assert (second.ethnicity, second.ethnicity_consent_on) == (None, None)


def test_an_organisation_cannot_be_a_minor(org, coordinator):
    parties = (cf.party("ТОО «Береке»", kind=PartyKind.ORGANISATION, is_minor=True),
               cf.party("Иван Петров", PartyRole.RESPONDENT))
    assert _refused(coordinator, org.republican_house, received_on=RECEIVED, parties=parties) == \
        {"parties-0-is_minor": "minor_must_be_person"}


def test_all_errors_are_reported_at_once(org):
    coordinator = factories.make_user("coordinator", org=org, region=org.almaty)
    db.session.commit()
    errors = _refused(coordinator, org.semey_house, received_on=date(2099, 1, 1), now=cf.at(RECEIVED),
                      parties=(cf.party("Әлия", iin_bin="123"),))
    assert errors == {"house_id": "outside_scope", "received_on": "in_future", "parties": "too_few_parties",
                      "parties-0-iin_bin": "iin_invalid"}


# --- what a registered case holds ---------------------------------------------------------------------------


@pytest.mark.parametrize(("chosen", "signals", "expected"), [
    (TensionLevel.LOW, (), TensionLevel.LOW),
    (TensionLevel.LOW, (TensionSignal.VIOLENCE,), TensionLevel.HIGH),
    (TensionLevel.ELEVATED, (TensionSignal.VIOLENCE,), TensionLevel.HIGH),
    (TensionLevel.LOW, (TensionSignal.MEDIA_ATTENTION,), TensionLevel.ELEVATED),
    (TensionLevel.LOW, (TensionSignal.VIOLENCE, TensionSignal.GROUP_DISPUTE), TensionLevel.CRITICAL),
    (TensionLevel.LOW, (TensionSignal.REPEAT_INCIDENT, TensionSignal.MEDIA_ATTENTION,
                        TensionSignal.REFUSAL_TO_ATTEND), TensionLevel.CRITICAL),
    # signals never lower what the coordinator chose
    (TensionLevel.CRITICAL, (TensionSignal.MEDIA_ATTENTION,), TensionLevel.CRITICAL),
])
def test_signals_raise_the_tension_level(org, coordinator, chosen, signals, expected):
    case = cf.register(coordinator, org.republican_house, received_on=RECEIVED, tension=chosen, signals=signals)
    assert case.tension is expected
    assert case.tension_signals == sorted(s.value for s in signals)


def test_violence_is_at_least_high_whatever_was_chosen(org, coordinator):
    for chosen in TensionLevel:
        case = cf.register(coordinator, org.republican_house, received_on=RECEIVED, tension=chosen,
                           signals=(TensionSignal.VIOLENCE, TensionSignal.VIOLENCE))
        assert case.tension in (TensionLevel.HIGH, TensionLevel.CRITICAL)
        assert case.tension_signals == ["violence"]


def test_search_text_is_folded_and_holds_number_names_and_representatives(org, coordinator):
    parties = (cf.party("ӘБІШҰЛЫ  Нұрлан", representative_name="ҚАСЫМОВА Гүлнар"),
               cf.party("ЛИ Виктор", PartyRole.RESPONDENT))
    case = cf.register(coordinator, org.republican_house, received_on=RECEIVED, parties=parties)
    assert case.search_text == "75-2025-00001 әбішұлы нұрлан ли виктор қасымова гүлнар"
    assert case.search_text == fold(case.search_text)
    assert [p.name_folded for p in case.parties] == ["әбішұлы нұрлан", "ли виктор"]
    # the name as typed is kept for display
    assert case.parties[0].full_name == "ӘБІШҰЛЫ  Нұрлан"


def test_registration_writes_case_parties_event_and_audit(org, coordinator):
    # Given a coordinator registering at 11:00 Almaty time
    now = cf.at(RECEIVED)
    # When the appeal is registered
    case = cf.register(coordinator, org.republican_house, received_on=RECEIVED, now=now)
    db.session.commit()
    # Then the case is registered, with its parties in order, and stamped
    assert case.state is CaseState.REGISTERED and case.version == 1
    assert [(p.position, p.full_name, p.role) for p in case.parties] == [
        (0, "Әлия Нұрова", PartyRole.APPLICANT), (1, "Иван Петров", PartyRole.RESPONDENT)]
    assert (case.created_by_id, case.created_at, case.updated_by_id) == (coordinator.id, now, coordinator.id)
    # And its timeline starts with a "registered" event by the coordinator
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).one()
    assert (event.kind, event.from_state, event.to_state, event.actor_id, event.at) == \
        ("registered", None, "registered", coordinator.id, now)
    # And the audit trail records who created which case, without names or description
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.create")).one()
    assert (audit.actor_id, audit.object_type, audit.object_id, audit.at, audit.ip) == \
        (coordinator.id, "case", str(case.id), now, "127.0.0.1")
    assert audit.summary == {"number": "75-2025-00001", "parties": 2}
    assert "Нұрова" not in str(audit.summary) and "Құпия" not in str(audit.summary)


def test_languages_and_signals_are_deduplicated_and_sorted(org, coordinator):
    case = cf.register(coordinator, org.republican_house, received_on=RECEIVED, languages=("ru", "kk", "ru"),
                       signals=("media_attention", "group_dispute", "media_attention"))
    assert case.languages == ["kk", "ru"]
    assert case.tension_signals == ["group_dispute", "media_attention"]


# --- duplicate warning ----------------------------------------------------------------------------------------


@pytest.fixture
def existing(org, coordinator):
    """An open case in Almaty with a party identified by ИИН."""
    number = cf.iin(date(1979, 6, 1))
    case = cf.register(coordinator, org.republican_house, received_on=RECEIVED,
                       parties=(cf.party("Әлия Нұрова", iin_bin=number), cf.party("Иван Петров")))
    db.session.commit()
    return case, number


def test_same_iin_in_an_open_case_of_the_region_is_found(org, existing):
    case, number = existing
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    hits = case_intake.find_duplicates(org.almaty.id, (cf.party("Совсем другое имя", iin_bin=spaced),))
    assert [(h.case_id, h.number, h.party_name, h.matched_on) for h in hits] == \
        [(case.id, "75-2025-00001", "Әлия Нұрова", "iin")]


def test_same_folded_name_in_an_open_case_of_the_region_is_found(org, existing):
    case, _ = existing
    hits = case_intake.find_duplicates(org.almaty.id, (cf.party("  ИВАН   петров "),))
    assert [(h.case_id, h.party_name, h.matched_on) for h in hits] == [(case.id, "Иван Петров", "name")]


def test_kazakh_letters_fold_for_the_name_match(org, existing):
    hits = case_intake.find_duplicates(org.almaty.id, (cf.party("ӘЛИЯ НҰРОВА"),))
    assert [h.matched_on for h in hits] == ["name"]


def _duplicate_check_sql(region_id, parties) -> tuple[str, tuple]:
    with statements_containing("name_folded") as statements:
        case_intake.find_duplicates(region_id, parties)
    assert len(statements) == 1
    return statements[0]


@pytest.mark.parametrize("iin", [False, True])
def test_the_duplicate_check_asks_only_for_what_is_given_and_uses_the_party_indexes(org, existing, iin):
    # An empty `IN ()` for "no ИИН" made SQLite read every party of the region's cases (bench/RESULTS.md).
    party = cf.party("Иван Петров", iin_bin=cf.iin(date(1980, 1, 2)) if iin else None)
    statement, parameters = _duplicate_check_sql(org.almaty.id, (party,))
    assert ("iin_bin IN" in statement) is iin
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL plans from statistics (BitmapOr over both indexes on the bench database)
    plan = sqlite_plan(statement, parameters)
    assert "ix_party_name_folded" in plan and ("ix_party_iin_bin" in plan) is iin, plan
    assert "SCAN" not in plan, plan


def test_a_different_person_is_not_a_duplicate(org, existing):
    assert case_intake.find_duplicates(org.almaty.id, (cf.party("Нұрлан Әбішұлы", iin_bin=cf.iin()),)) == []


def test_other_regions_are_not_searched(org, existing):
    _, number = existing
    assert case_intake.find_duplicates(org.abai.id, (cf.party("Әлия Нұрова", iin_bin=number),)) == []


def test_closed_cases_are_not_duplicates(org, coordinator, existing):
    # Given the case was withdrawn and closed
    case, number = existing
    case_lifecycle.close_case(cf.step(coordinator, case, cf.at(RECEIVED)),
                              Closure(outcome=Outcome.WITHDRAWN, reason="Өтініш қайтарылды"))
    db.session.commit()
    # Then neither its ИИН nor its names warn any more
    assert case_intake.find_duplicates(org.almaty.id, (cf.party("Әлия Нұрова", iin_bin=number),)) == []


def test_the_case_itself_can_be_excluded(org, existing):
    case, number = existing
    parties = (cf.party("Әлия Нұрова", iin_bin=number),)
    assert case_intake.find_duplicates(org.almaty.id, parties, exclude_case_id=case.id) == []


def test_no_names_and_no_iins_finds_nothing(org, existing):
    assert case_intake.find_duplicates(org.almaty.id, (cf.party("   "),)) == []
    assert case_intake.find_duplicates(org.almaty.id, ()) == []


def test_a_party_in_both_ways_is_reported_once_per_row(org, existing):
    case, number = existing
    hits = case_intake.find_duplicates(org.almaty.id, (cf.party("Әлия Нұрова", iin_bin=number),))
    assert [(h.case_id, h.matched_on) for h in hits] == [(case.id, "iin")]
    assert db.session.scalar(select(Party.iin_bin).where(Party.case_id == case.id, Party.position == 0)) == number
