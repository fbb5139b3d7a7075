"""Settlement documents in the interface: labels of kinds and statuses, and the message of every refusal code."""

from flask_babel import lazy_gettext as _l

from ..domain.agreement import DocumentKind, DocumentLanguage, DocumentStatus

KIND = {
    DocumentKind.AGREEMENT: _l("Settlement agreement"),
    DocumentKind.CONTRACT: _l("Mediation contract"),
    DocumentKind.TERMINATION: _l("Termination notice"),
    DocumentKind.EXTENSION: _l("Extension of term"),
}
STATUS = {
    DocumentStatus.DRAFT: _l("Draft"),
    DocumentStatus.FINAL: _l("Finalised"),
    DocumentStatus.SUPERSEDED: _l("Superseded"),
}
LANGUAGE = {
    DocumentLanguage.KK: _l("Kazakh"),
    DocumentLanguage.RU: _l("Russian"),
    DocumentLanguage.BOTH: _l("Kazakh and Russian side by side"),
}

# What is missing before finalising (domain/agreement.py codes); {n} is the party's or term's number.
MISSING = {
    "parties_too_few": _l("The case needs at least two parties."),
    "party_id": _l("Party %(n)s has no IIN/BIN: add it on the case."),
    "party_representative_basis": _l("Party %(n)s has a representative without the basis of their authority."),
    "party_address": _l("Party %(n)s has no address: add it on the case."),
    "party_phone": _l("Party %(n)s has no phone number: add it on the case."),
    "place": _l("Give the place where the document is drawn up."),
    "signed_on": _l("Give the date of the document."),
    "date_too_far": _l("The date of the document is more than 30 days ahead."),
    "date_before_received": _l("The date of the document is before the appeal was received."),
    "date_before_contract": _l("The date is before the mediation contract was signed."),
    "mediation_not_started": _l("The mediation contract has not been recorded on the case yet."),
    "subject": _l("Give the subject of the dispute."),
    "mediator": _l("No mediator is working on the case."),
    "terms": _l("Add at least one agreed term."),
    "too_many_terms": _l("There are more terms than one document can hold."),
    "term_obliged_required": _l("Term %(n)s: choose the party who performs it."),
    "term_action_required": _l("Term %(n)s: say what is to be done."),
    "term_action_too_long": _l("Term %(n)s is longer than 2,000 characters."),
    "term_due_required": _l("Term %(n)s: give the due date."),
    "term_due_before_signing": _l("Term %(n)s: the due date is before the date of signing."),
    "term_due_too_far": _l("Term %(n)s: the due date is more than five years after signing."),
    "performance_check": _l("Say how performance of the terms is checked."),
    "non_performance": _l("Give the consequences of non-performance."),
    "unresolved": _l("A partial agreement must list the matters that remain unresolved."),
    "meeting_time": _l("Give the time of the mediation."),
    "mediation_language": _l("The case has no language of mediation: add it on the case."),
    "fee": _l("A professional mediator works for a fee: state it."),
    "ground": _l("Choose the ground of termination (Art. 26)."),
    "effective_on": _l("Give the date the mediation ended."),
    "effective_before_contract": _l("The mediation cannot end before the contract was signed."),
    "extension_days": _l("Give the extension in days: from 1 to 30."),
    "extension_reason": _l("Give the reason for the extension."),
    "agreed_on": _l("Give the date the parties agreed to the extension."),
    "agreed_after_deadline": _l("The extension was agreed after the term had expired."),
}

# Refusals of a single action, by reason code.
REFUSAL = {
    "obliged_required": _l("Choose the party who performs the term."),
    "action_required": _l("Say what is to be done."),
    "action_too_long": _l("A term may hold at most 2,000 characters: split it into several terms."),
    "due_required": _l("Give the due date."),
    "due_before_signing": _l("The due date cannot be before the date of signing."),
    "due_too_far": _l("The due date is more than five years after signing: check the year."),
    "too_many_terms": _l("No more terms can be added to this document."),
    "in_future": _l("This date is in the future."),
    "before_finalised": _l("The paper copy cannot be signed before the document was finalised."),
    "empty": _l("The file is empty."),
    "too_large": _l("The file is larger than the limit of %(mb)s MB."),
    "wrong_type": _l("Upload a PDF, PNG or JPEG file."),
    "not_found": _l("There is no such scan."),
    "not_final": _l("Only a finalised document can be used for this."),
    "already_superseded": _l("The original has already been corrected."),
}


def missing_message(item) -> str:
    """The message of one missing item, with the party's or term's 1-based number."""
    text = str(MISSING.get(item.code, _l("Something required is missing.")))
    return text % {"n": item.index + 1} if item.index is not None and "%(n)s" in text else text


def refusal_message(reason_code: str, **values) -> str:
    """The message of a refused action."""
    text = REFUSAL.get(reason_code)
    if text is None:
        return str(_l("This is not possible."))
    return str(text) % values  # a mapping leaves texts without placeholders unchanged
