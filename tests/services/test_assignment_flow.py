"""Assignment through the services: suggestions with reasons, the override reason, the stored explanation, the
mediator's accept/decline/recusal, workload and track record, the region's policy (audited), the ethnicity
policy and its log, and batch auto-assign (plan, apply, and the CLI)."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from mediation.domain.assignment_filters import AssignmentPolicy, EthnicityMode, Factor, InvalidAssignmentPolicy
from mediation.domain.case_fields import CaseCategory, TensionLevel, TensionSignal
from mediation.domain.case_states import CaseState, Outcome, TerminationGround
from mediation.domain.errors import DomainError, NotAllowed
from mediation.extensions import db
from mediation.models import (
    AssignmentPolicyRecord,
    AuditEvent,
    Case,
    CaseAssignment,
    CaseEvent,
    Mediator,
    MediatorCategoryStats,
)
from mediation.services import assignment, assignment_batch, assignment_policy, case_lifecycle
from mediation.services.assignment import (
    ConflictDeclared,
    DeclarationMissing,
    NotYourAssignment,
    OverrideReasonRequired,
)
from mediation.services.assignment_inputs import policy_for
from mediation.services.case_access import CaseNotFound
from mediation.services.case_lifecycle import Closure, DateInvalid, MediatorUnavailable
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf

TODAY = date(2025, 3, 12)  # a Wednesday
NOW = cf.at(TODAY)
RECEIVED = date(2025, 3, 3)


@pytest.fixture
def people(org):
    """A coordinator of the Republican house, Almaty's manager, a republic manager, a second coordinator."""
    team = SimpleNamespace(
        coordinator=factories.make_user("coordinator", org=org, full_name="Айгерім Сәрсенова"),
        almaty_manager=factories.make_user("manager", org=org, region=org.almaty, full_name="Гүлнар Әбенова"),
        abai_manager=factories.make_user("manager", org=org, region=org.abai),
        republic_manager=factories.make_user("manager", org=org))
    db.session.commit()
    return team


def suggest(actor, case):
    actor = getattr(actor, "actor", actor)
    return assignment.suggestions_for(actor, case.id, today=TODAY, thresholds=rf.THRESHOLDS)


def assign(actor, case, lead_id, co_id=None, *, override_reason=None, view=None, now=NOW):
    view = view or suggest(actor, case)
    return assignment.assign(cf.step(actor, case, now), lead_id, co_id, note=None,
                             override_reason=override_reason, view=view)


def reasons(view, mediator_id) -> tuple[str, ...]:
    excluded = view.exclusion_of(mediator_id)
    return tuple(r.value for r in excluded.reasons) if excluded else ()


def ranked_ids(view) -> list[int]:
    return [s.mediator_id for s in view.suggestions.ranked]


def current_assignments(case) -> list[CaseAssignment]:
    return list(db.session.scalars(select(CaseAssignment).where(CaseAssignment.case_id == case.id)
                                   .order_by(CaseAssignment.id)))


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


# --- the mediator's answer ----------------------------------------------------------------------------------------


@pytest.fixture
def proposed(org, people):
    """A case assigned to a mediator who has an account, awaiting their answer; and a spare mediator."""
    user, entry = cf.make_mediator_user(org, full_name="Ержан Мұқанов")
    spare = rf.mediator(org.almaty, full_name="Қосалқы Медиатор")
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    view = suggest(people.coordinator, case)
    assert ranked_ids(view)[0] == entry.id  # same house: ranked first
    assign(people.coordinator, case, entry.id, view=view)
    db.session.commit()
    return SimpleNamespace(user=user, entry=entry, spare=spare, case=case)


def answer_step(p, hours: int = 1):
    return cf.step(p.user, p.case, NOW + timedelta(hours=hours))


def test_accepting_needs_the_declaration(org, people, proposed):
    with pytest.raises(DeclarationMissing):
        assignment.accept(answer_step(proposed), [], None, declared_no_conflict=False)
    db.session.rollback()
    assignment.accept(answer_step(proposed), [], "Мүдделер қақтығысы жоқ", declared_no_conflict=True)
    db.session.commit()
    (chosen,) = current_assignments(proposed.case)
    assert (chosen.status, chosen.decided_at, chosen.conflict_ties, chosen.conflict_note) == (
        "accepted", NOW + timedelta(hours=1), [], "Мүдделер қақтығысы жоқ")
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == proposed.case.id,
                                                      CaseEvent.kind == "accepted"))
    assert (event.actor_id, event.data) == (proposed.user.id, {"declaration": "no_conflict"})
    assert proposed.case.state is CaseState.ASSIGNED
    # Answering twice is refused
    with pytest.raises(NotYourAssignment) as again:
        assignment.accept(answer_step(proposed, 2), [], None, declared_no_conflict=True)
    assert again.value.reason_code == "already_answered"


@pytest.mark.parametrize("ties", [["kinship"], ["same_village", "earlier_advice"]])
def test_a_declared_tie_cannot_be_accepted(org, people, proposed, ties):
    with pytest.raises(ConflictDeclared) as refused:
        assignment.accept(answer_step(proposed), ties, None, declared_no_conflict=True)
    assert refused.value.ties == ties
    db.session.rollback()
    assert current_assignments(proposed.case)[0].status == "proposed"


def test_only_the_assigned_mediator_answers(org, people, proposed):
    # The coordinator cannot accept on the mediator's behalf
    with pytest.raises(NotYourAssignment):
        assignment.accept(cf.step(people.coordinator, proposed.case, NOW), [], None, declared_no_conflict=True)
    # Another mediator does not even see the case
    stranger, _ = cf.make_mediator_user(org, full_name="Бөгде Медиатор")
    db.session.commit()
    with pytest.raises(CaseNotFound):
        assignment.accept(cf.step(stranger, proposed.case, NOW), [], None, declared_no_conflict=True)
    with pytest.raises(CaseNotFound):
        assignment.decline(cf.step(stranger, proposed.case, NOW), "Білмеймін", [], recusal=False)


def _returned_and_barred(people, p, status: str, ties: list[str]) -> None:
    """The case awaits assignment again; the mediator's assignment ended; they are barred from this case."""
    db.session.expire_all()
    assert p.case.state is CaseState.AWAITING_ASSIGNMENT
    (ended,) = current_assignments(p.case)
    assert (ended.status, ended.conflict_ties) == (status, ties)
    assert ended.ended_at is not None and ended.reason
    view = suggest(people.coordinator, p.case)
    assert reasons(view, p.entry.id) == ("declared_conflict",)
    assert ranked_ids(view) == [p.spare.id]
    with pytest.raises(MediatorUnavailable):
        assign(people.coordinator, p.case, p.entry.id, view=view)
    db.session.rollback()
    # and even bypassing the suggestions, the lifecycle refuses them for this case
    with pytest.raises(MediatorUnavailable) as refused:
        case_lifecycle.assign_mediators(cf.step(people.coordinator, p.case, NOW + timedelta(hours=3)),
                                        p.entry.id, None, None)
    assert refused.value.reason_code == "recused_from_case"
    db.session.rollback()
    # The spare mediator can take the case
    assign(people.coordinator, p.case, p.spare.id, view=view, now=NOW + timedelta(hours=3))
    db.session.commit()
    assert p.case.state is CaseState.ASSIGNED


@pytest.mark.parametrize("ties", [["kinship", "clan"], []], ids=["with-ties", "without-ties"])
def test_declining_returns_the_case_and_bars_the_mediator_from_it(org, people, proposed, ties):
    assignment.decline(answer_step(proposed), "Тараппен туыстығым бар", ties, recusal=False)
    db.session.commit()
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == proposed.case.id,
                                                      CaseEvent.kind == "declined"))
    assert (event.to_state, event.reason) == ("awaiting_assignment", "Тараппен туыстығым бар")
    _returned_and_barred(people, proposed, "declined", ties)


def test_self_recusal_during_the_mediation_returns_the_case(org, people, proposed):
    assignment.accept(answer_step(proposed), [], None, declared_no_conflict=True)
    case_lifecycle.sign_contract(answer_step(proposed, 2), date(2025, 3, 12), cf.POLICY)
    db.session.commit()
    assert proposed.case.state is CaseState.IN_MEDIATION
    assignment.decline(answer_step(proposed, 3), "Тараптың бірі бұрынғы клиентім", ["earlier_advice"],
                       recusal=True)
    db.session.commit()
    _returned_and_barred(people, proposed, "recused", ["earlier_advice"])


def test_the_parties_objection_bars_the_mediator_too(org, people, proposed):
    case_lifecycle.release_mediators(cf.step(people.coordinator, proposed.case, NOW + timedelta(hours=1)),
                                     "objected", "Тараптар медиаторға қарсы (12-бап)")
    db.session.commit()
    _returned_and_barred(people, proposed, "objected", None)


def test_a_decline_needs_a_reason_and_known_ties(org, people, proposed):
    with pytest.raises(ConflictDeclared) as unknown:
        assignment.decline(answer_step(proposed), "Себеп", ["kinship", "astrology"], recusal=False)
    assert (unknown.value.reason_code, unknown.value.ties) == ("unknown_tie", ["astrology"])
    db.session.rollback()
    with pytest.raises(DateInvalid) as empty:
        assignment.decline(answer_step(proposed), "  ", [], recusal=False)
    assert empty.value.reason_code == "reason_required"
    db.session.rollback()
    db.session.expire_all()
    assert proposed.case.state is CaseState.ASSIGNED
    assert current_assignments(proposed.case)[0].status == "proposed"


def test_awaiting_answer_lists_the_mediators_pending_cases(org, people, proposed):
    assert assignment.awaiting_answer(proposed.user.actor) == [(proposed.case.id, proposed.case.number)]
    assignment.accept(answer_step(proposed), [], None, declared_no_conflict=True)
    db.session.commit()
    assert assignment.awaiting_answer(proposed.user.actor) == []


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


# --- batch auto-assign ------------------------------------------------------------------------------------------


@pytest.fixture
def backlog(org, people):
    """Ten waiting cases in Almaty and three mediators with room for two cases each."""
    mediators = [rf.mediator(org.almaty, full_name=f"Медиатор {n}", max_active_cases=2) for n in range(3)]
    cases = [rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED - timedelta(days=n),
                             parties=cf.two_parties(f"Өтініш беруші {n}", f"Жауапкер {n}")) for n in range(10)]
    # a case in another region is out of scope
    abai_coordinator = factories.make_user("coordinator", org=org, house=org.semey_house)
    other = rf.waiting_case(abai_coordinator, org.semey_house, received_on=RECEIVED)
    db.session.commit()
    return SimpleNamespace(mediators=[m.id for m in mediators], cases=[c.id for c in cases], other=other.id)


def states(case_ids) -> list[CaseState]:
    return [db.session.get(Case, case_id).state for case_id in case_ids]


def test_the_batch_preview_writes_nothing(org, people, backlog):
    plan = assignment_batch.plan_scope(people.almaty_manager.actor, org.almaty.id, today=TODAY,
                                       thresholds=rf.THRESHOLDS)
    assert sorted(p.case_id for p in plan.planned) == sorted(backlog.cases)
    assert plan.staffed == 6
    assert set(plan.names) == set(backlog.mediators)
    assert set(plan.numbers) == set(backlog.cases)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CaseAssignment)) == 0
    assert states(backlog.cases) == [CaseState.AWAITING_ASSIGNMENT] * 10


def test_the_batch_assigns_within_capacity_across_the_batch_with_explanations(org, people, backlog):
    before = db.session.scalar(select(func.count()).select_from(CaseEvent))
    plan = assignment_batch.apply_scope(people.almaty_manager.actor, org.almaty.id, now=NOW, today=TODAY,
                                        thresholds=rf.THRESHOLDS, ip="10.0.0.2")
    db.session.commit()
    db.session.expire_all()
    # Six cases staffed, four left with the reason
    assert plan.staffed == 6
    gaps = [p.gap.value for p in plan.planned if not p.mediator_ids]
    assert len(gaps) == 4 and set(gaps) <= {"capacity_exhausted", "no_candidate"}
    rows = db.session.scalars(select(CaseAssignment)).all()
    assert len(rows) == 6
    assert sorted(r.case_id for r in rows) == sorted(p.case_id for p in plan.planned if p.mediator_ids)
    for row in rows:
        assert (row.role, row.status, row.assigned_at, row.assigned_by_id, row.ended_at) == (
            "lead", "proposed", NOW, people.almaty_manager.id, None)
        assert row.explanation["batch"] is True and row.explanation["factors"]
        assert row.explanation["total"] > 0
    # Nobody is over capacity: each mediator got exactly two
    assert sorted(rf.open_cases_of(m) for m in backlog.mediators) == [2, 2, 2]
    # Staffed cases moved to "assigned" with one event each; the rest still wait; Abai was not touched
    staffed = {r.case_id for r in rows}
    assert sorted(s.value for s in states(backlog.cases)) == ["assigned"] * 6 + ["awaiting_assignment"] * 4
    assert all(db.session.get(Case, c).state is CaseState.ASSIGNED for c in staffed)
    assert db.session.get(Case, backlog.other).state is CaseState.AWAITING_ASSIGNMENT
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.id > 0, CaseEvent.kind == "assigned")).all()
    assert sorted(e.case_id for e in events) == sorted(staffed)
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == before + 6
    for event in events:
        assert (event.from_state, event.to_state, event.actor_id) == (
            "awaiting_assignment", "assigned", people.almaty_manager.id)
        assert event.data["batch"] is True
    assert all(db.session.get(Case, c).version > 1 for c in staffed)
    assert all(db.session.get(Mediator, m).last_assigned_at == NOW for m in backlog.mediators)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.batch"))
    assert audit.summary == {"cases": 10, "assigned": 6, "ethnicity_used": 0}
    # A second run staffs nobody more: the mediators are full
    again = assignment_batch.apply_scope(people.almaty_manager.actor, org.almaty.id, now=NOW, today=TODAY,
                                         thresholds=rf.THRESHOLDS, ip=None)
    assert again.staffed == 0 and len(again.planned) == 4


def test_the_batch_counts_existing_workload_and_spreads_fairly(org, people, backlog):
    # One mediator already has one open case: the batch can give them only one more
    busy = db.session.get(Mediator, backlog.mediators[0])
    rf.give_open_cases(busy, 1, people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    plan = assignment_batch.apply_scope(people.almaty_manager.actor, org.almaty.id, now=NOW, today=TODAY,
                                        thresholds=rf.THRESHOLDS, ip=None)
    db.session.commit()
    assert plan.staffed == 5
    assert sorted(rf.open_cases_of(m) for m in backlog.mediators) == [2, 2, 2]


@pytest.mark.parametrize("ties", [
    pytest.param(["kinship"], id="with-ties"),
    pytest.param([], id="without-ties")])
def test_the_batch_never_returns_a_case_to_a_mediator_who_declined_it(org, people, ties):
    user, entry = cf.make_mediator_user(org)
    case = rf.waiting_case(people.coordinator, org.republican_house, received_on=RECEIVED)
    db.session.commit()
    assign(people.coordinator, case, entry.id)
    db.session.commit()
    assignment.decline(cf.step(user, case, NOW + timedelta(hours=1)), "Туысым", ties, recusal=False)
    db.session.commit()
    plan = assignment_batch.apply_scope(people.coordinator.actor, org.almaty.id, now=NOW + timedelta(hours=2),
                                        today=TODAY, thresholds=rf.THRESHOLDS, ip=None)
    db.session.commit()
    (planned,) = plan.planned
    assert planned.mediator_ids == ()
    assert planned.gap.value in ("all_conflicted", "no_candidate")
    assert db.session.get(Case, case.id).state is CaseState.AWAITING_ASSIGNMENT


def test_a_house_coordinator_batches_only_their_houses_cases(org, people, backlog):
    other_house = factories.make_house(org.almaty, name="Басқа үй")
    elsewhere = rf.waiting_case(people.almaty_manager, other_house, received_on=RECEIVED)
    db.session.commit()
    plan = assignment_batch.plan_scope(people.coordinator.actor, org.almaty.id, today=TODAY,
                                       thresholds=rf.THRESHOLDS)
    assert elsewhere.id not in {p.case_id for p in plan.planned}
    manager_plan = assignment_batch.plan_scope(people.almaty_manager.actor, org.almaty.id, today=TODAY,
                                               thresholds=rf.THRESHOLDS)
    assert elsewhere.id in {p.case_id for p in manager_plan.planned}


@pytest.mark.parametrize(("who", "region"), [("coordinator", "abai"), ("almaty_manager", "abai"),
                                             ("mediator", "almaty")])
def test_the_batch_stays_in_the_actors_scope(org, people, who, region):
    actor = (factories.make_user("mediator", org=org) if who == "mediator" else getattr(people, who)).actor
    with pytest.raises(NotAllowed):
        assignment_batch.plan_scope(actor, getattr(org, region).id, today=TODAY, thresholds=rf.THRESHOLDS)


def test_cli_assign_auto_previews_then_commits(org, people, backlog, runner):
    preview = runner.invoke(args=["assign", "auto", "--region", "75"])
    assert preview.exit_code == 0, preview.output
    lines = preview.output.splitlines()
    assert lines[-1] == "6 of 10 cases can be assigned"
    assert sum(1 for line in lines if line.startswith("75-")) == 10
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CaseAssignment)) == 0
    committed = runner.invoke(args=["assign", "auto", "--region", "75", "--commit"])
    assert committed.exit_code == 0, committed.output
    assert committed.output.splitlines()[-1] == "6 of 10 cases assigned"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CaseAssignment)) == 6
    unknown = runner.invoke(args=["assign", "auto", "--region", "99"])
    assert unknown.exit_code == 2 and "no region with KATO code 99" in unknown.output
