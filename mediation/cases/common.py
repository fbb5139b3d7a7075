"""Helpers shared by the case views: the acting step, the deadline policy, loading a case or 404."""

from flask import abort, current_app
from flask_login import current_user

from ..domain.deadlines import DeadlinePolicy
from ..domain.errors import NotAllowed
from ..services.case_access import CaseNotFound, case_for
from ..services.case_lifecycle import Step
from ..services.clock import local_date, utcnow
from ..web.access import client_ip


def deadline_policy() -> DeadlinePolicy:
    """The law's time limits, from configuration (they have changed before)."""
    cfg = current_app.config
    return DeadlinePolicy(term_days=cfg["CASE_TERM_DAYS"], max_extension_days=cfg["CASE_MAX_EXTENSION_DAYS"],
                          proposal_lapse_days=cfg["CASE_PROPOSAL_LAPSE_DAYS"], due_soon_days=cfg["CASE_DUE_SOON_DAYS"])


def today():
    """Today in Kazakhstan."""
    return local_date(utcnow())


def step(case_id: int, version: int) -> Step:
    """The current user acting now on this version of the case."""
    return Step(actor=current_user.actor, case_id=case_id, version=version, now=utcnow(), ip=client_ip())


def visible_case(case_id: int, *, edit: bool = False, lock: bool | None = None):
    """The case if the user may see it (and edit it); 404 hides the rest, 403 when seen but not editable."""
    try:
        return case_for(current_user.actor, case_id, edit=edit, lock=lock)
    except CaseNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
