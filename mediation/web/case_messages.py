"""Case domain errors turned into messages in the user's language, keyed by the form field they belong to."""

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from ..domain.errors import DomainError

INTAKE = {
    "unknown_house": _l("Choose a Friendship House."),
    "outside_scope": _l("You can register appeals only for the Friendship Houses you work for."),
    "in_future": _l("This date is in the future."),
    "too_old": _l("This date is before the Law on Mediation (28 January 2011): check the year."),
    "too_few_parties": _l("A dispute needs at least two parties."),
    "too_many_parties": _l("At most 30 parties can be registered on one case."),
    "iin_invalid": _l("This is not a valid IIN/BIN: 12 digits with a correct check digit."),
    "ethnicity_needs_consent": _l("Record the date of the party's consent, or leave ethnicity empty."),
    "minor_must_be_person": _l("Only a person can be a minor."),
}

TRANSITION = {
    "not_in_table": _l("This step is not possible from the case's current state."),
    "role_not_allowed": _l("Your role cannot take this step."),
    "outcome_required": _l("Choose an outcome."),
    "ground_required": _l("A mediation that has started ends on one of the five grounds of Art. 26: choose one."),
    "ground_not_applicable": _l("No mediation contract was signed, so there is no termination ground: leave it empty."),
    "ground_not_allowed": _l("Without a mediator on the case it can end only by the parties' refusal "
                             "or the term's expiry."),
    "outcome_ground_mismatch": _l("This outcome does not fit the termination ground."),
    "outcome_not_allowed": _l("This outcome is not possible at this stage."),
    "screening_not_passed": _l("The screening has not passed yet."),
    "screening_not_failed": _l("Only the screening can find a case not eligible."),
    "contract_not_signed": _l("Record the date the mediation contract was signed."),
    "outcome_not_applicable": _l("An outcome is given only when the case is closed."),
}

DATES = {
    "in_future": _l("This date is in the future."),
    "before_received": _l("This date is before the appeal was received."),
    "before_contract": _l("This date is before the mediation contract was signed."),
    "before_sent": _l("The acceptance cannot be before the proposal was sent."),
    "term_not_expired": _l("The term has not expired yet."),
    "not_in_mediation": _l("Only a mediation in progress can be extended."),
    "reason_required": _l("Give the reason."),
}

EXTENSION = {
    "second_extension": _l("The term has already been extended once; the law allows only one extension."),
    "too_long": _l("An extension may add at most 30 days."),
    "not_positive": _l("Give a number of days greater than zero."),
    "reason_required": _l("Give the reason for the extension."),
    "consent_required": _l("The parties must agree to the extension and the mediator must consent."),
    "after_deadline": _l("The term has already expired; it can no longer be extended."),
}

MEDIATOR = {
    "same_as_lead": _l("The co-mediator must be someone other than the lead mediator."),
    "not_in_region": _l("This mediator is not in the case's region."),
    "not_active": _l("This mediator is suspended or excluded."),
    "recused_from_case": _l("This mediator declined, recused or was objected to on this case before."),
    "not_on_case": _l("This mediator is not on the case."),
    "not_answered": _l("A mediator on the case has not accepted it yet: they accept it and declare any conflict of "
                       "interest in the system before the contract is recorded."),
}


def message(table: dict, error: DomainError) -> str:
    """The translated message for an error's reason code."""
    reason = error.data.get("reason_code", "")
    return str(table.get(reason, _l("This cannot be saved as it is.")))


def stale_message(error: DomainError) -> str:
    """The optimistic-locking message: who changed the case and when."""
    from flask_babel import gettext as _

    return _("%(name)s changed this case at %(time)s. Reload the page to see their changes, then try again.",
             name=error.changed_by, time=format_datetime(error.changed_at, "short"))
