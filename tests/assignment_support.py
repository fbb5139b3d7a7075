"""Shared by the assignment service tests: the clock, the people, and short calls of the assignment service."""

from datetime import date
from types import SimpleNamespace

from sqlalchemy import select

from mediation.extensions import db
from mediation.models import CaseAssignment
from mediation.services import assignment
from tests import case_factories as cf
from tests import factories
from tests import registry_factories as rf

TODAY = date(2025, 3, 12)  # a Wednesday
NOW = cf.at(TODAY)
RECEIVED = date(2025, 3, 3)


def make_people(org) -> SimpleNamespace:
    """A coordinator of the Republican house, Almaty's manager, Abai's manager, a republic manager."""
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
