"""The mediator's answer through the services: accept with the declaration, decline, self-recusal, and the
parties' objection (each bars the mediator from the case)."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from mediation.domain.case_states import CaseState
from mediation.extensions import db
from mediation.models import (
    CaseEvent,
)
from mediation.services import assignment, case_lifecycle
from mediation.services.assignment import (
    ConflictDeclared,
    DeclarationMissing,
    NotYourAssignment,
)
from mediation.services.case_access import CaseNotFound
from mediation.services.case_lifecycle import DateInvalid, MediatorUnavailable
from tests import case_factories as cf
from tests import registry_factories as rf
from tests.assignment_support import NOW, RECEIVED, assign, current_assignments, ranked_ids, reasons, suggest

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
