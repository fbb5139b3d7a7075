"""Registry error codes turned into messages in the user's language."""

from flask_babel import lazy_gettext as _l

REGISTRY = {
    "registry_number_invalid": _l("Use 2–32 letters, digits, dashes or slashes."),
    "registry_number_taken": _l("Another mediator has this registry number."),
    "name_invalid": _l("Give the full name (at most 200 characters)."),
    "date_required": _l("The date of birth is needed to check the age limits of Art. 9."),
    "date_invalid": _l("This date is not possible."),
    "date_order": _l("The end must not be before the start."),
    "suspension_end_past": _l("The suspension must end after today."),
    "language_required": _l("Choose at least one language of mediation."),
    "language_unknown": _l("Unknown language."),
    "level_unknown": _l("Unknown language level."),
    "specialization_unknown": _l("Unknown specialisation."),
    "disqualification_unknown": _l("Unknown disqualification."),
    "capacity_invalid": _l("Give a number from 0 to 100."),
    "region_unknown": _l("Unknown region."),
    "house_outside_region": _l("The Friendship House must be in the chosen region."),
    "ethnicity_needs_consent": _l("Record the date of the consent, or leave ethnicity empty."),
    "text_invalid": _l("This field contains characters that are not allowed."),
    "user_not_linkable": _l("Choose an account with the mediator role that is not linked to another mediator."),
    "user_other_region": _l("Choose an account of the mediator's own region: the account sees the cases of the "
                            "region it belongs to."),
    "reason_required": _l("Give the reason."),
    "kind_unknown": _l("Unknown kind."),
    "slot_invalid": _l("A weekly slot needs a weekday and an end after its start."),
}

IMPORT_REASONS = {
    **REGISTRY,
    "duplicate_in_file": _l("The same registry number appears earlier in the file."),
    "outside_scope": _l("Outside the regions you keep."),
    "phone_invalid": _l("This is not a valid phone number."),
    "email_invalid": _l("This is not a valid e-mail address."),
    "not_yes_no": _l("Write yes or no."),
    "house_unknown": _l("Unknown Friendship House."),
}

FILE_ERRORS = {
    "xlsx_unreadable": _l("The XLSX file cannot be read."),
    "not_utf8": _l("The CSV file must be saved in UTF-8."),
    "too_many_rows": _l("The file has too many rows (at most 20,000)."),
}
