"""The region's ethnicity policy in assignment: used only where the policy and every party's consent allow,
and every use logged."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from mediation.domain.assignment_filters import AssignmentPolicy, EthnicityMode, Factor
from mediation.domain.case_fields import CaseCategory
from mediation.extensions import db
from mediation.models import (
    AuditEvent,
)
from mediation.services import assignment_policy
from tests import case_factories as cf
from tests import registry_factories as rf
from tests.assignment_support import NOW, RECEIVED, assign, current_assignments, ranked_ids, suggest

# --- the ethnicity policy ----------------------------------------------------------------------------------------


def interethnic_case(people, org, *, consent: bool = True, received_on=RECEIVED):
    parties = (cf.party("Әлия Нұрова", ethnicity="қазақ" if consent else None,
                        ethnicity_consent_on=date(2025, 3, 3) if consent else None),
               cf.party("Иван Петров", cf.PartyRole.RESPONDENT, ethnicity="орыс",
                        ethnicity_consent_on=date(2025, 3, 3)))
    return rf.waiting_case(people.coordinator, org.republican_house, received_on=received_on,
                           category=CaseCategory.INTERETHNIC, parties=parties)


@pytest.fixture
def communities(org, people):
    """Three otherwise identical mediators: one of a party's community, one of neither, one undeclared."""
    consent = date(2025, 1, 10)
    m = SimpleNamespace(
        kazakh=rf.mediator(org.almaty, full_name="Қазақ Медиатор", ethnicity="қазақ", ethnicity_consent_on=consent),
        undeclared=rf.mediator(org.almaty, full_name="Айтпаған Медиатор"),
        korean=rf.mediator(org.almaty, full_name="Кәріс Медиатор", ethnicity="кәріс", ethnicity_consent_on=consent))
    db.session.commit()
    return m


def set_mode(people, org, mode: EthnicityMode) -> None:
    assignment_policy.save_policy(people.almaty_manager.actor, org.almaty.id, AssignmentPolicy(ethnicity_mode=mode),
                                  ip=None, now=NOW)
    db.session.commit()


def ethnicity_audits() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.ethnicity_used")))


def test_prefer_neutral_ranks_a_mediator_of_neither_community_first_and_logs_the_use(org, people, communities):
    set_mode(people, org, EthnicityMode.PREFER_NEUTRAL)
    case = interethnic_case(people, org)
    db.session.commit()
    view = suggest(people.coordinator, case)
    assert view.suggestions.ethnicity_used
    assert ranked_ids(view) == [communities.korean.id, communities.kazakh.id, communities.undeclared.id]
    neutral = {s.mediator_id: next(f for f in s.factors if f.factor is Factor.ETHNICITY_NEUTRAL)
               for s in view.suggestions.ranked}
    assert {mid: f.value for mid, f in neutral.items()} == {
        communities.korean.id: 1.0, communities.kazakh.id: 0.0, communities.undeclared.id: 0.0}
    assert all(f.raw is None for f in neutral.values())  # nobody's ethnicity is shown in the breakdown
    assign(people.coordinator, case, communities.korean.id, view=view)
    db.session.commit()
    (chosen,) = current_assignments(case)
    assert chosen.ethnicity_used is True
    assert "ethnicity_neutral" in [f["factor"] for f in chosen.explanation["factors"]]
    (logged,) = ethnicity_audits()
    assert (logged.actor_id, logged.object_type, logged.object_id, logged.summary) == (
        people.coordinator.id, "case", str(case.id), {"mediators": [communities.korean.id]})


@pytest.mark.parametrize("variant", ["mode_off", "party_without_consent", "not_interethnic"])
def test_ethnicity_is_not_used_unless_the_policy_and_every_partys_consent_allow(org, people, communities, variant):
    set_mode(people, org, EthnicityMode.OFF if variant == "mode_off" else EthnicityMode.PREFER_NEUTRAL)
    if variant == "not_interethnic":
        case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED, parties=(
            cf.party("Әлия Нұрова", ethnicity="қазақ", ethnicity_consent_on=date(2025, 3, 3)),
            cf.party("Иван Петров", cf.PartyRole.RESPONDENT, ethnicity="орыс",
                     ethnicity_consent_on=date(2025, 3, 3))))
    else:
        case = interethnic_case(people, org, consent=variant != "party_without_consent")
    db.session.commit()
    view = suggest(people.coordinator, case)
    assert not view.suggestions.ethnicity_used
    assert all(f.factor is not Factor.ETHNICITY_NEUTRAL for s in view.suggestions.ranked for f in s.factors)
    # with nothing else to tell them apart, the order is the stable one (by id)
    assert ranked_ids(view) == [communities.kazakh.id, communities.undeclared.id, communities.korean.id]
    assign(people.coordinator, case, communities.kazakh.id, view=view)
    db.session.commit()
    assert current_assignments(case)[0].ethnicity_used is False
    assert ethnicity_audits() == []
