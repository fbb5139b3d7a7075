"""The eligibility thresholds of Art. 9, read from configuration."""

from flask import current_app

from ..domain.mediator_eligibility import EligibilityThresholds


def eligibility_thresholds() -> EligibilityThresholds:
    """The minimum ages of Art. 9, from configuration."""
    return EligibilityThresholds(professional_min_age=current_app.config["MEDIATOR_PROFESSIONAL_MIN_AGE"],
                                 public_min_age=current_app.config["MEDIATOR_PUBLIC_MIN_AGE"])
