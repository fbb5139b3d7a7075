"""Correcting a party after intake (case_intake.update_party) and adding one who joins later (add_party): who may,
what is checked, what is kept and written."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mediation.domain.case_fields import PartyKind, PartyRole
from mediation.domain.errors import NotAllowed
from mediation.extensions import db
from mediation.models import AuditEvent, CaseEvent, Party
from mediation.services import case_intake
from mediation.services.case_access import CaseNotFound
from mediation.services.case_intake import IntakeInvalid, PartyNotFound
from mediation.services.case_lifecycle import StaleCase
from mediation.services.case_queries import CaseFilter, list_cases
from tests import case_factories as cf
from tests import factories

RECEIVED = date(2025, 3, 3)
NOW = cf.at(RECEIVED + timedelta(days=2))


@pytest.fixture
def registered(org):
    """A coordinator's registered case: Әлия Нұрова (applicant) and Иван Петров (respondent)."""
    coordinator = factories.make_user("coordinator", org=org, house=org.republican_house)
    case = cf.register(coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    return coordinator, case


def as_given(party: Party) -> case_intake.PartyData:
    """The party as the correction form would hand it back unchanged."""
    return case_intake.PartyData(
        kind=party.kind, role=party.role, full_name=party.full_name, iin_bin=party.iin_bin,
        preferred_language=party.preferred_language, phone=party.phone, email=party.email, address=party.address,
        representative_name=party.representative_name, representative_basis=party.representative_basis,
        is_minor=party.is_minor, ethnicity=party.ethnicity, ethnicity_consent_on=party.ethnicity_consent_on,
        consent_mediation_on=party.consent_mediation_on, consent_mediation_method=party.consent_mediation_method,
        consent_data_on=party.consent_data_on, consent_data_method=party.consent_data_method)


def correct(actor, case, position: int, **changes):
    party = case.parties[position]
    return case_intake.update_party(cf.step(actor, case, NOW), position, replace(as_given(party), **changes))


def test_a_misspelt_name_is_corrected_and_found_by_the_new_name(org, registered):
    coordinator, case = registered
    party_id, version = case.parties[1].id, case.version
    correct(coordinator, case, 1, full_name="Иван Петрович Петров", phone="+77011234567")
    db.session.commit()
    party = db.session.get(Party, party_id)
    assert (party.full_name, party.name_folded, party.phone) == ("Иван Петрович Петров", "иван петрович петров",
                                                                 "+77011234567")
    assert case.version == version + 1 and party.id == party_id  # the same row: conflicts and sessions still name it
    page = list_cases(coordinator.actor, CaseFilter(query="петрович"), today=RECEIVED + timedelta(days=2))
    assert [row.number for row in page.rows] == [case.number]


def test_the_timeline_and_audit_name_the_fields_never_their_values(org, registered):
    coordinator, case = registered
    correct(coordinator, case, 0, iin_bin="880315300659", ethnicity="қазақ", ethnicity_consent_on=RECEIVED)
    db.session.commit()
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "party_edited")).one()
    assert event.data == {"party": 1, "fields": ["iin_bin", "ethnicity", "ethnicity_consent_on"]}
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.party_edited")).one()
    assert "880315300659" not in str(audit.summary) and "қазақ" not in str(audit.summary)


def test_nothing_changed_writes_nothing(org, registered):
    coordinator, case = registered
    version = case.version
    correct(coordinator, case, 0)
    db.session.commit()
    assert case.version == version
    assert db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "party_edited")).all() == []


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"iin_bin": "880315300658"}, "iin_bin", "iin_invalid"),
    ({"ethnicity": "орыс"}, "ethnicity_consent_on", "ethnicity_needs_consent"),
    ({"kind": PartyKind.ORGANISATION, "is_minor": True}, "is_minor", "minor_must_be_person"),
])
def test_a_bad_correction_is_refused_on_its_field_and_writes_nothing(org, registered, changes, field, code):
    coordinator, case = registered
    before = as_given(case.parties[0])
    with pytest.raises(IntakeInvalid) as refused:
        correct(coordinator, case, 0, full_name="Жаңа Аты", **changes)
    assert refused.value.errors == {field: code}
    assert as_given(case.parties[0]) == before and not db.session.dirty  # refused before anything was set


def test_a_stale_version_is_refused_and_the_first_edit_kept(org, registered):
    coordinator, case = registered
    stale = cf.step(coordinator, case, NOW)
    correct(coordinator, case, 0, phone="+77011234567")
    db.session.commit()
    with pytest.raises(StaleCase):
        case_intake.update_party(stale, 0, replace(as_given(case.parties[0]), phone="+77017654321"))
    db.session.rollback()
    assert case.parties[0].phone == "+77011234567"


def test_mediators_cannot_correct_parties_and_closed_cases_are_final(org, registered):
    coordinator, case = registered
    mediator = factories.make_user("mediator", org=org, house=org.republican_house)
    with pytest.raises(NotAllowed):
        correct(mediator, case, 0, phone="+77011234567")
    other_house = factories.make_user("coordinator", org=org, house=org.semey_house)
    with pytest.raises(CaseNotFound):  # out of scope: not found, as everywhere
        correct(other_house, case, 0, phone="+77011234567")
    with pytest.raises(PartyNotFound):
        case_intake.update_party(cf.step(coordinator, case, NOW), 5, as_given(case.parties[0]))
    manager = factories.make_user("manager", org=org)
    _user, lead = cf.make_mediator_user(org, house=org.republican_house)
    cf.advance(case, "closed", manager, lead_id=lead.id, signed_on=RECEIVED, now=NOW)
    db.session.commit()
    with pytest.raises(NotAllowed):
        correct(coordinator, case, 0, phone="+77011234567")


# --- a party who joins after intake -------------------------------------------------------------------------------

def test_a_party_who_joins_later_is_added_last_and_found(org, registered):
    coordinator, case = registered
    version = case.version
    case_intake.add_party(cf.step(coordinator, case, NOW), cf.party("Серік Ахметов", PartyRole.OTHER,
                                                                    phone="+77011234567"))
    db.session.commit()
    assert [p.full_name for p in case.parties] == ["Әлия Нұрова", "Иван Петров", "Серік Ахметов"]
    assert [p.position for p in case.parties] == [0, 1, 2] and case.version == version + 1
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "party_added")).one()
    assert event.data == {"party": 3}
    page = list_cases(coordinator.actor, CaseFilter(query="ахметов"), today=RECEIVED + timedelta(days=2))
    assert [row.number for row in page.rows] == [case.number]


def test_adding_is_refused_past_thirty_parties_on_a_bad_party_or_a_stale_version(org, registered):
    coordinator, case = registered
    stale = cf.step(coordinator, case, NOW)
    with pytest.raises(IntakeInvalid) as refused:
        case_intake.add_party(stale, cf.party("Жаңа", iin_bin="880315300658"))
    assert refused.value.errors == {"iin_bin": "iin_invalid"} and len(case.parties) == 2
    for n in range(28):
        case_intake.add_party(cf.step(coordinator, case, NOW), cf.party(f"Тарап {n}"))
    db.session.commit()
    with pytest.raises(IntakeInvalid) as refused:
        case_intake.add_party(cf.step(coordinator, case, NOW), cf.party("Отыз бірінші"))
    assert refused.value.errors == {"full_name": "too_many_parties"} and len(case.parties) == 30
    with pytest.raises(StaleCase):
        case_intake.add_party(stale, cf.party("Кеш қалған"))
