"""Assignment through the services: suggestions with reasons, the override reason, the stored explanation,
workload and track record, and the region's policy (audited)."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from mediation.domain.assignment_filters import AssignmentPolicy, Factor, InvalidAssignmentPolicy
from mediation.domain.case_fields import CaseCategory, TensionLevel, TensionSignal
from mediation.domain.case_states import CaseState, Outcome, TerminationGround
from mediation.domain.errors import DomainError, NotAllowed
from mediation.extensions import db
from mediation.models import (
    AssignmentPolicyRecord,
    AuditEvent,
    CaseEvent,
    Mediator,
    MediatorCategoryStats,
)
from mediation.services import assignment, assignment_policy, case_lifecycle
from mediation.services.assignment import (
    OverrideReasonRequired,
)
from mediation.services.assignment_inputs import policy_for
from mediation.services.case_lifecycle import Closure, MediatorUnavailable
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf
from tests.assignment_support import NOW, RECEIVED, TODAY, assign, current_assignments, ranked_ids, reasons, suggest

# --- suggestions and why-not -----------------------------------------------------------------------------------


@pytest.fixture
def field(org, people):
    """Almaty's mediators, each failing one rule (two pass), a mediator in Abai, and a case waiting."""
    other_house = factories.make_house(org.almaty, name="Алматы қалалық Достық үйі")
    m = SimpleNamespace(
        top=rf.mediator(org.almaty, full_name="Алма Бірінші", house=org.republican_house),
        second=rf.mediator(org.almaty, full_name="Бақыт Екінші"),
        suspended=rf.mediator(org.almaty, full_name="Уақытша Тоқтатылған", status="suspended",
                              suspended_until=date(2025, 6, 1), status_reason="Бұзушылық"),
        absent=rf.mediator(org.almaty, full_name="Демалыстағы Медиатор"),
        full=rf.mediator(org.almaty, full_name="Толық Жүктеме", max_active_cases=1),
        no_language=rf.mediator(org.almaty, full_name="Тілі Басқа", languages=(("uz", "native"),)),
        too_young=rf.mediator(org.almaty, full_name="Жас Қоғамдық", kind="public", birth_date=date(1990, 1, 1)),
        no_hours=rf.mediator(org.almaty, full_name="Жексенбіде Ғана", weekdays=(6,)),
        home_only=rf.mediator(org.almaty, full_name="Үйден Шықпайтын", house=other_house,
                              takes_cases_elsewhere=False),
        excluded=rf.mediator(org.almaty, full_name="Шығарылған", status="excluded", status_reason="Үкім"),
        abai=rf.mediator(org.abai, full_name="Абай Медиаторы"),
        abai_home_only=rf.mediator(org.abai, full_name="Абайдан Шықпайтын", takes_cases_elsewhere=False))
    rf.absence(m.absent, date(2025, 3, 10), date(2025, 3, 14), "illness")
    rf.absence(m.no_hours, date(2025, 3, 15), date(2025, 3, 25))  # both Sundays of the 14-day horizon
    rf.give_open_cases(m.full, 1, people.coordinator, org.republican_house, received_on=RECEIVED)
    m.case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    return m


def test_suggestions_rank_the_fitting_and_explain_every_exclusion(org, people, field):
    view = suggest(people.coordinator, field.case)
    # The two who pass every rule are ranked, the one of the case's own house first
    assert ranked_ids(view) == [field.top.id, field.second.id]
    top = view.suggestions.ranked[0]
    same_house = next(f for f in top.factors if f.factor is Factor.SAME_HOUSE)
    assert same_house.value == 1.0 and top.total > view.suggestions.ranked[1].total
    # Everyone else of the region is listed with the reason a coordinator can read
    expected = {
        field.suspended.id: ("suspended_or_absent",),
        field.absent.id: ("suspended_or_absent",),
        field.full.id: ("at_capacity",),
        field.no_language.id: ("no_common_language",),
        field.too_young.id: ("not_eligible",),
        field.no_hours.id: ("not_available_within_horizon",),
        field.home_only.id: ("outside_house",),
    }
    assert {e.mediator_id: reasons(view, e.mediator_id) for e in view.suggestions.excluded} == expected
    assert [r.value for r in view.exclusion_of(field.too_young.id).eligibility_reasons] == ["under_age"]
    assert [r.value for r in view.exclusion_of(field.suspended.id).eligibility_reasons] == ["suspended"]
    # Excluded mediators leave the register and the pool; other regions are not in the pool by default
    listed = set(ranked_ids(view)) | set(expected)
    assert {field.excluded.id, field.abai.id, field.abai_home_only.id}.isdisjoint(listed)
    # The screen can name everyone it lists
    assert listed <= set(view.mediators)


def test_the_republic_pool_brings_in_other_regions_who_travel(org, people, field):
    assignment_policy.save_policy(people.almaty_manager.actor, org.almaty.id,
                                  AssignmentPolicy(allow_republic_pool=True), ip=None, now=NOW)
    db.session.commit()
    view = suggest(people.coordinator, field.case)
    assert field.abai.id in ranked_ids(view)
    assert reasons(view, field.abai_home_only.id) == ("outside_region",)
    # and one of them can be assigned (with the reason for passing over the top candidate)
    assign(people.coordinator, field.case, field.abai.id, override_reason="Ол тараптардың тілін жақсы біледі",
           view=view)
    db.session.commit()
    assert [(a.mediator_id, a.role, a.status) for a in current_assignments(field.case)] == [
        (field.abai.id, "lead", "proposed")]


def test_passing_over_the_top_candidate_needs_a_written_reason(org, people, field):
    for missing in (None, "", "   "):
        with pytest.raises(OverrideReasonRequired) as refused:
            assign(people.coordinator, field.case, field.second.id, override_reason=missing)
        assert refused.value.top_id == field.top.id
        db.session.rollback()
    assert current_assignments(field.case) == []
    assign(people.coordinator, field.case, field.second.id, override_reason="  Тараптар орыс тілін қалайды ")
    db.session.commit()
    (chosen,) = current_assignments(field.case)
    assert (chosen.mediator_id, chosen.override_reason) == (field.second.id, "Тараптар орыс тілін қалайды")


def test_the_assignment_stores_its_explanation(org, people, field):
    view = suggest(people.coordinator, field.case)
    case = assign(people.coordinator, field.case, field.top.id, view=view)
    db.session.commit()
    assert case.state is CaseState.ASSIGNED
    (chosen,) = current_assignments(case)
    assert (chosen.mediator_id, chosen.role, chosen.status, chosen.override_reason) == (
        field.top.id, "lead", "proposed", None)
    assert chosen.ethnicity_used is False
    explanation = chosen.explanation
    scored = view.scored(field.top.id)
    assert explanation["total"] == pytest.approx(scored.total, abs=1e-4)
    assert [f["factor"] for f in explanation["factors"]] == [f.factor.value for f in scored.factors]
    assert {"language_fit", "specialization", "free_capacity", "same_house", "rotation"} <= {
        f["factor"] for f in explanation["factors"]}
    assert all(set(f) == {"factor", "raw", "value", "weight", "points"} for f in explanation["factors"])
    assert sum(f["points"] for f in explanation["factors"]) == pytest.approx(explanation["total"], abs=1e-3)
    # Rotation: the mediator was assigned now
    assert db.session.get(Mediator, field.top.id).last_assigned_at == NOW
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "assigned"))
    assert event.data == {"lead": field.top.id, "co": None}


@pytest.mark.parametrize("who", ["suspended", "absent", "full", "no_language", "excluded", "abai"])
def test_an_excluded_or_foreign_mediator_cannot_be_assigned(org, people, field, who):
    with pytest.raises(MediatorUnavailable) as refused:
        assign(people.coordinator, field.case, getattr(field, who).id, override_reason="Бәрібір")
    assert refused.value.reason_code == "excluded"
    db.session.rollback()
    assert current_assignments(field.case) == []


def test_a_co_mediator_is_assigned_with_the_lead(org, people, field):
    assign(people.coordinator, field.case, field.top.id, field.second.id)
    db.session.commit()
    assert [(a.mediator_id, a.role) for a in current_assignments(field.case)] == [
        (field.top.id, "lead"), (field.second.id, "co")]
    assert all(a.explanation["factors"] for a in current_assignments(field.case))


# --- workload: busier never ranks higher; closed cases count in the track record ---------------------------------


@pytest.mark.parametrize("open_cases", [1, 2, 4])
def test_a_busier_mediator_never_ranks_above_an_otherwise_identical_one(org, people, open_cases):
    # Created first, so on a tie the busier one would win on id: only the workload can put it second
    busy = rf.mediator(org.almaty, full_name="Бос Емес")
    idle = rf.mediator(org.almaty, full_name="Бос Адам")
    rf.give_open_cases(busy, open_cases, people.coordinator, org.republican_house, received_on=RECEIVED)
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    view = suggest(people.coordinator, case)
    assert ranked_ids(view) == [idle.id, busy.id]
    busy_score, idle_score = view.scored(busy.id), view.scored(idle.id)
    assert busy_score.open_cases == open_cases and idle_score.open_cases == 0
    assert busy_score.total < idle_score.total
    # Only the free-capacity factor differs
    differing = {f.factor for f, g in zip(busy_score.factors, idle_score.factors, strict=True) if f != g}
    assert differing == {Factor.FREE_CAPACITY}


def test_equal_workload_falls_back_to_the_stable_order(org, people):
    first = rf.mediator(org.almaty, full_name="Бірінші")
    second = rf.mediator(org.almaty, full_name="Екінші")
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    assert ranked_ids(suggest(people.coordinator, case)) == [first.id, second.id]


def test_closing_a_mediation_counts_in_the_mediators_category_record(org, people):
    entry = rf.mediator(org.almaty)
    agreed = cf.register(people.coordinator, org.republican_house, received_on=RECEIVED)
    cf.advance(agreed, "closed", people.coordinator, lead_id=entry.id, signed_on=date(2025, 3, 4))
    failed = cf.register(people.coordinator, org.republican_house, received_on=RECEIVED,
                         parties=cf.two_parties("Басқа Тарап", "Тағы Біреу"))
    cf.advance(failed, "in_mediation", people.coordinator, lead_id=entry.id, signed_on=date(2025, 3, 4))
    case_lifecycle.close_case(cf.step(people.coordinator, failed, cf.at(date(2025, 3, 11))), Closure(
        outcome=Outcome.NO_AGREEMENT, ground=TerminationGround.SETTLEMENT_IMPOSSIBLE,
        effective_on=date(2025, 3, 10)))
    # A case closed before any mediation started does not count
    withdrawn = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED,
                                parties=cf.two_parties("Үшінші Тарап", "Төртінші Тарап"))
    case_lifecycle.close_case(cf.step(people.coordinator, withdrawn, NOW), Closure(outcome=Outcome.WITHDRAWN,
                                                                                   reason="Өтініш кері алынды"))
    db.session.commit()
    stats = db.session.get(MediatorCategoryStats, (entry.id, CaseCategory.NEIGHBOURS_LAND.value))
    assert (stats.closed, stats.agreements) == (2, 1)
    assert db.session.scalar(select(func.count()).select_from(MediatorCategoryStats)) == 1
    # and the suggestions read it as experience in the category
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED,
                           parties=cf.two_parties("Бесінші Тарап", "Алтыншы Тарап"))
    db.session.commit()
    experience = next(f for f in suggest(people.coordinator, case).scored(entry.id).factors
                      if f.factor is Factor.EXPERIENCE_IN_CATEGORY)
    assert experience.raw == 2 and experience.value > 0




# --- the region's policy ------------------------------------------------------------------------------------------


def test_saving_the_policy_audits_what_changed_from_and_to(org, people):
    manager = people.almaty_manager.actor
    assignment_policy.save_policy(manager, org.almaty.id, AssignmentPolicy(horizon_days=21), ip="10.0.0.1", now=NOW)
    db.session.commit()
    changed = AssignmentPolicy(horizon_days=30, allow_republic_pool=True,
                               weights={Factor.LANGUAGE_FIT: 5.0, Factor.ROTATION: 0.0})
    assignment_policy.save_policy(manager, org.almaty.id, changed, ip="10.0.0.1", now=NOW + timedelta(hours=1))
    db.session.commit()
    first, second = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.policy")
                                       .order_by(AuditEvent.id)).all()
    assert (first.actor_id, first.object_type, first.object_id, first.ip) == (
        people.almaty_manager.id, "region", str(org.almaty.id), "10.0.0.1")
    assert first.summary["horizon_days"] == [None, 21]
    assert set(second.summary) == {"horizon_days", "allow_republic_pool", "weights"}
    assert second.summary["horizon_days"] == [21, 30]
    assert second.summary["allow_republic_pool"] == [False, True]
    old_weights, new_weights = second.summary["weights"]
    assert (old_weights["language_fit"], new_weights["language_fit"]) == (3.0, 5.0)
    assert (old_weights["rotation"], new_weights["rotation"]) == (1.0, 0.0)
    # Read back as the suggestions use it
    policy = policy_for(org.almaty.id)
    assert (policy.horizon_days, policy.allow_republic_pool, policy.weight(Factor.LANGUAGE_FIT)) == (30, True, 5.0)
    assert policy_for(org.abai.id) == AssignmentPolicy()


def test_saving_an_unchanged_policy_audits_no_changes(org, people):
    manager = people.almaty_manager.actor
    assignment_policy.save_policy(manager, org.almaty.id, AssignmentPolicy(), ip=None, now=NOW)
    assignment_policy.save_policy(manager, org.almaty.id, AssignmentPolicy(), ip=None, now=NOW)
    db.session.commit()
    summaries = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "assignment.policy")
                                   .order_by(AuditEvent.id)).all()
    assert summaries[1] == {}


@pytest.mark.parametrize("who", ["coordinator", "abai_manager"])
def test_only_the_regions_manager_saves_its_policy(org, people, who):
    actor = getattr(people, who).actor
    with pytest.raises(NotAllowed):
        assignment_policy.save_policy(actor, org.almaty.id, AssignmentPolicy(horizon_days=30), ip=None, now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AssignmentPolicyRecord)) == 0
    # A manager of the republic may set any region's policy
    assignment_policy.save_policy(people.republic_manager.actor, org.almaty.id, AssignmentPolicy(horizon_days=30),
                                  ip=None, now=NOW)


@pytest.mark.parametrize("policy", [AssignmentPolicy(horizon_days=0), AssignmentPolicy(horizon_days=91),
                                    AssignmentPolicy(weights={Factor.ROTATION: -1.0}),
                                    AssignmentPolicy(ethnicity_mode="by_surname")])
def test_an_out_of_range_policy_is_refused(org, people, policy):
    with pytest.raises(InvalidAssignmentPolicy):
        assignment_policy.save_policy(people.almaty_manager.actor, org.almaty.id, policy, ip=None, now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_the_horizon_of_the_policy_decides_who_is_available(org, people):
    # Away for the next three weeks: available within a 30-day horizon, not within the default 14
    away = rf.mediator(org.almaty, full_name="Ұзақ Демалыс")
    rf.absence(away, TODAY, TODAY + timedelta(days=20))
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    assert reasons(suggest(people.coordinator, case), away.id) == ("suspended_or_absent",
                                                                   "not_available_within_horizon")
    assignment_policy.save_policy(people.almaty_manager.actor, org.almaty.id, AssignmentPolicy(horizon_days=30),
                                  ip=None, now=NOW)
    db.session.commit()
    assert reasons(suggest(people.coordinator, case), away.id) == ("suspended_or_absent",)


def test_high_tension_cases_ask_for_a_pair(org, people):
    first = rf.mediator(org.almaty, full_name="Бірінші")
    second = rf.mediator(org.almaty, full_name="Екінші")
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED,
                           tension=TensionLevel.HIGH, signals=(TensionSignal.VIOLENCE.value,))
    db.session.commit()
    suggestions = suggest(people.coordinator, case).suggestions
    assert suggestions.needs_co_mediator
    assert set(suggestions.pair.mediator_ids) == {first.id, second.id}


def test_a_required_co_mediator_cannot_be_left_out(org, people):
    first = rf.mediator(org.almaty, full_name="Бірінші")
    rf.mediator(org.almaty, full_name="Екінші")
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED,
                           tension=TensionLevel.HIGH, signals=(TensionSignal.VIOLENCE.value,))
    db.session.commit()
    view = suggest(people.coordinator, case)
    assert view.suggestions.needs_co_mediator
    with pytest.raises(DomainError):
        assign(people.coordinator, case, first.id, None, view=view)


def test_a_co_mediator_declining_does_not_remove_the_lead(org, people):
    lead_user, lead = cf.make_mediator_user(org, full_name="Жетекші Медиатор")
    co_user, co = cf.make_mediator_user(org, full_name="Екінші Медиатор")
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    assign(people.coordinator, case, lead.id, co.id)
    assignment.accept(cf.step(lead_user, case, NOW + timedelta(hours=1)), [], None, declared_no_conflict=True)
    db.session.commit()
    assignment.decline(cf.step(co_user, case, NOW + timedelta(hours=2)), "Тараппен туыстығым бар", ["kinship"],
                       recusal=False)
    db.session.commit()
    statuses = {a.mediator_id: a.status for a in current_assignments(case)}
    assert statuses == {lead.id: "accepted", co.id: "declined"}
