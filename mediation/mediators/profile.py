"""Turning registry rows into the domain's view of a mediator."""

from flask import current_app

from ..domain.mediator_eligibility import (
    Disqualification,
    EligibilityThresholds,
    MediatorKind,
    MediatorProfile,
    MediatorStatus,
)
from ..models import Mediator


def eligibility_thresholds() -> EligibilityThresholds:
    """The minimum ages of Art. 9, from configuration."""
    return EligibilityThresholds(professional_min_age=current_app.config["MEDIATOR_PROFESSIONAL_MIN_AGE"],
                                 public_min_age=current_app.config["MEDIATOR_PUBLIC_MIN_AGE"])


def profile_of(mediator: Mediator) -> MediatorProfile:
    """The eligibility-relevant facts of a registry row."""
    return MediatorProfile(
        kind=MediatorKind(mediator.kind), birth_date=mediator.birth_date,
        higher_education=mediator.higher_education, certificate_number=mediator.certificate_number,
        certificate_date=mediator.certificate_date, retired_judge=mediator.retired_judge,
        status=MediatorStatus(mediator.status), suspended_until=mediator.suspended_until,
        suspension_reason=mediator.status_reason,
        disqualifications=frozenset(Disqualification(d) for d in mediator.disqualifications or ()))
