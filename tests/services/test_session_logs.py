"""Session logs through the services: who writes them, the 24-hour window, amendments, refusals, closing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from mediation.domain.case_states import Outcome, TerminationGround
from mediation.domain.errors import NotAllowed
from mediation.domain.scheduling import SessionKind
from mediation.domain.session_logs import LogInvalid, LogLocked, LogOutcome
from mediation.extensions import db
from mediation.models import Case, CaseEvent, MediationSession
from mediation.services import case_lifecycle, scheduling, session_logs
from mediation.services.case_lifecycle import Closure, SessionsUnlogged
from mediation.services.clock import utcnow
from mediation.services.scheduling import SessionNotFound
from mediation.services.session_logs import LogEntry
from tests import case_factories as cf
from tests import factories
from tests import session_factories as sf

MONDAY = sf.next_monday()


@pytest.fixture
def held(app, org):
    """A case with a session that took place last... (booked in the future, then time moves past it)."""
    case, coordinator, mediator_user, mediator = sf.case_in_mediation(org)
    db.session.commit()
    session, _ = scheduling.book(coordinator.actor, case.id, sf.plan(case, mediator, sf.local(MONDAY, 10)),
                                 now=utcnow())
    db.session.commit()
    return case, coordinator, mediator_user, session


def entry(case, outcome=LogOutcome.HELD, *, start=None, absent=(), notes="Тараптар ымыраға жақын", **overrides):
    parties = sf.party_ids(case)
    start = start or sf.local(MONDAY, 10, 5)
    values = dict(outcome=outcome, actual_start=start if outcome is LogOutcome.HELD else None,
                  actual_end=start + timedelta(minutes=80) if outcome is LogOutcome.HELD else None,
                  attended_party_ids=tuple(p for p in parties if p not in absent), absent_party_ids=tuple(absent),
                  others_present=("interpreter",), kind=SessionKind.JOINT, summary="Келісімге жақындады",
                  next_steps="Келесі кездесу", confidential_notes=notes)
    return LogEntry(**{**values, **overrides})


AFTER = sf.local(MONDAY, 13)


def test_the_mediator_logs_a_held_session(held):
    case, _coordinator, mediator_user, session = held
    log = session_logs.log_session(mediator_user.actor, session.id, entry(case), now=AFTER)
    db.session.commit()
    assert log.author_id == mediator_user.id and log.outcome is LogOutcome.HELD and not log.is_caucus
    kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "session_logged" in kinds
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "session_logged"))
    assert "ымыра" not in str(event.data)  # notes never leave the log


def test_coordinators_and_other_mediators_cannot_log(app, org, held):
    case, coordinator, _mediator_user, session = held
    stranger = factories.make_user("mediator", org=org)
    db.session.commit()
    with pytest.raises(NotAllowed):
        session_logs.log_session(coordinator.actor, session.id, entry(case), now=AFTER)
    with pytest.raises(SessionNotFound):
        session_logs.log_session(stranger.actor, session.id, entry(case), now=AFTER)


def test_a_session_is_logged_once_and_not_before_it_happens(held):
    case, _coordinator, mediator_user, session = held
    with pytest.raises(LogInvalid) as early:
        session_logs.log_session(mediator_user.actor, session.id, entry(case), now=sf.local(MONDAY, 9))
    assert early.value.reason_code in ("not_yet_happened", "in_future")
    session_logs.log_session(mediator_user.actor, session.id, entry(case), now=AFTER)
    with pytest.raises(LogInvalid) as twice:
        session_logs.log_session(mediator_user.actor, session.id, entry(case), now=AFTER)
    assert twice.value.reason_code == "already_logged"


def test_the_author_corrects_within_24_hours_then_only_amends(held):
    case, _coordinator, mediator_user, session = held
    session_logs.log_session(mediator_user.actor, session.id, entry(case), now=AFTER)
    session_logs.edit_log(mediator_user.actor, session.id, entry(case, notes="Түзетілген"),
                          now=AFTER + timedelta(hours=23))
    db.session.commit()
    assert session.log.confidential_notes == "Түзетілген"
    with pytest.raises(LogLocked):
        session_logs.edit_log(mediator_user.actor, session.id, entry(case, notes="Кеш"),
                              now=AFTER + timedelta(hours=24))
    db.session.rollback()
    session_logs.amend_log(mediator_user.actor, session.id, "Қосымша: өкіл келді", confidential=False,
                           now=AFTER + timedelta(days=2))
    db.session.commit()
    log = db.session.get(MediationSession, session.id).log
    assert log.confidential_notes == "Түзетілген" and [a.text for a in log.amendments] == ["Қосымша: өкіл келді"]


def test_a_separate_meeting_is_a_caucus(held):
    case, _coordinator, mediator_user, session = held
    log = session_logs.log_session(mediator_user.actor, session.id, entry(case, kind=SessionKind.SEPARATE), now=AFTER)
    assert log.is_caucus


def test_two_refusals_by_one_party_raise_the_tension_signal(held):
    case, coordinator, mediator_user, first = held
    respondent = sf.party_ids(case)[1]
    second, _ = scheduling.book(coordinator.actor, case.id, sf.plan(case, first.mediators[0].mediator_id and
                                                                    _mediator(case), sf.local(MONDAY, 15)),
                                now=utcnow())
    db.session.commit()
    session_logs.log_session(mediator_user.actor, first.id, entry(case, LogOutcome.NO_SHOW, absent=(respondent,)),
                             now=AFTER)
    db.session.commit()
    assert "refusal_to_attend" not in db.session.get(Case, case.id).tension_signals
    session_logs.log_session(mediator_user.actor, second.id, entry(case, LogOutcome.NO_SHOW, absent=(respondent,)),
                             now=sf.local(MONDAY, 17))
    db.session.commit()
    refreshed = db.session.get(Case, case.id)
    assert "refusal_to_attend" in refreshed.tension_signals and refreshed.tension.value != "low"
    assert db.session.scalar(select(CaseEvent.id).where(CaseEvent.case_id == case.id,
                                                        CaseEvent.kind == "tension_raised"))


def _mediator(case):
    from mediation.models import Mediator

    return db.session.get(Mediator, scheduling.case_mediator_ids(case.id)[0])


def test_an_agreement_cannot_be_recorded_with_an_unlogged_session(held):
    case, coordinator, mediator_user, session = held
    after = sf.local(MONDAY + timedelta(days=1), 10)
    closure = Closure(outcome=Outcome.FULL_AGREEMENT, ground=TerminationGround.AGREEMENT_SIGNED, effective_on=MONDAY)
    with pytest.raises(SessionsUnlogged) as refused:
        case_lifecycle.close_case(cf.step(coordinator, case, after), closure)
    assert refused.value.count == 1
    db.session.rollback()
    session_logs.log_session(mediator_user.actor, session.id, entry(case), now=AFTER)
    db.session.commit()
    case = db.session.get(Case, case.id)
    case_lifecycle.close_case(cf.step(coordinator, case, after), closure)
    assert case.state.value == "closed"


def test_the_mediator_home_lists_sessions_to_log(held):
    case, _coordinator, mediator_user, session = held
    assert session_logs.to_log_for(mediator_user.id, sf.local(MONDAY, 9)) == []
    assert [s.id for s in session_logs.to_log_for(mediator_user.id, AFTER)] == [session.id]
    session_logs.log_session(mediator_user.actor, session.id, entry(case), now=AFTER)
    assert session_logs.to_log_for(mediator_user.id, AFTER) == []
