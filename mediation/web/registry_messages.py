"""Registry error codes turned into messages in the user's language."""

from flask_babel import lazy_gettext as _l

REGISTRY = {
    "registry_number_invalid": _l("Use 2–32 letters, digits, dashes or slashes."),
    "registry_number_taken": _l("Another mediator has this registry number."),
    "name_invalid": _l("Give the full name (at most 200 characters)."),
    "date_required": _l("The date of birth is needed to check the age limits of Art. 9."),
    "date_invalid": _l("This date is not possible."),
    "date_in_future": _l("This date is in the future."),
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
    "date_format": _l("Write the date as YYYY-MM-DD, for example 1979-04-12."),
    "linked_account_elsewhere": _l("The mediator's account belongs to another region: unlink it before moving the "
                                   "mediator."),
}

# The file's columns as a person reads them; the problem list names both, to find the column in the file.
IMPORT_COLUMNS = {
    "registry_number": _l("Registry number"), "full_name": _l("Full name"), "kind": _l("Register"),
    "birth_date": _l("Date of birth"), "education": _l("Education"), "higher_education": _l("Higher education"),
    "certificate_number": _l("Training certificate number"), "certificate_date": _l("Certificate issued on"),
    "retired_judge": _l("Retired judge"), "languages": _l("Languages of mediation"),
    "specializations": _l("Specialisations"), "region": _l("Region"), "house_id": _l("Friendship House"),
    "takes_cases_elsewhere": _l("Takes cases elsewhere in the region"),
    "max_active_cases": _l("Maximum active cases"), "phone": _l("Phone"), "email": _l("E-mail"),
    "legal_address": _l("Legal address"), "disqualifications": _l("Facts that bar mediation (Art. 9)"),
}

FILE_ERRORS = {
    "xlsx_unreadable": _l("The XLSX file cannot be read."),
    "not_utf8": _l("The CSV file must be saved in UTF-8."),
    "too_many_rows": _l("The file has too many rows (at most 20,000)."),
}
