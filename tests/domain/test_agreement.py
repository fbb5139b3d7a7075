"""Completeness rules of settlement documents and due dates of terms (pure, no app)."""

from datetime import date, timedelta

import pytest

from mediation.domain.agreement import (
    DocumentFacts,
    DocumentKind,
    DocumentPolicy,
    Numbering,
    PartyFacts,
    Term,
    TermInvalid,
    check_due_date,
    check_term,
    missing_items,
)
from mediation.domain.document_text import AGREEMENT_CLAUSES, GROUNDS, TEXT

TODAY = date(2026, 11, 21)
PARTIES = (PartyFacts(1, "Әлия Нұрова", iin_bin="850412300123", address="Алматы", phone="+77011234567"),
           PartyFacts(2, "Иван Петров", iin_bin="850412300124", address="Алматы", phone="+77017654321"))


def agreement(**changes) -> DocumentFacts:
    values = {"kind": DocumentKind.AGREEMENT, "parties": PARTIES, "mediator_names": ("Медиатор",),
              "subject": "Шекара", "place": "Алматы", "signed_on": TODAY, "received_on": TODAY - timedelta(days=9),
              "contract_signed_on": TODAY - timedelta(days=8), "terms": (Term("1", "Төлейді", TODAY + timedelta(10)),),
              "performance_check": "Медиатор тексереді", "non_performance": "Сот"}
    values.update(changes)
    return DocumentFacts(**values)


def codes(facts, **kwargs) -> set[str]:
    return {m.code for m in missing_items(facts, today=TODAY, **kwargs)}


def test_a_complete_agreement_misses_nothing():
    assert missing_items(agreement(), today=TODAY) == []


@pytest.mark.parametrize(("changes", "code"), [
    ({"terms": ()}, "terms"),
    ({"performance_check": " "}, "performance_check"),
    ({"non_performance": ""}, "non_performance"),
    ({"partial": True}, "unresolved"),
    ({"mediator_names": ()}, "mediator"),
    ({"place": ""}, "place"),
    ({"signed_on": None}, "signed_on"),
    ({"subject": ""}, "subject"),
    ({"parties": PARTIES[:1]}, "parties_too_few"),
    ({"parties": (PartyFacts(1, "А"), PARTIES[1])}, "party_id"),
    ({"parties": (PartyFacts(1, "А", iin_bin="1", representative_name="Ким"), PARTIES[1])},
     "party_representative_basis"),
    ({"contract_signed_on": None}, "mediation_not_started"),
    ({"signed_on": TODAY - timedelta(days=8 + 1)}, "date_before_contract"),
    ({"signed_on": TODAY + timedelta(days=31)}, "date_too_far"),
    ({"terms": (Term("1", "Төлейді", TODAY - timedelta(days=1)),)}, "term_due_before_signing"),
    ({"terms": (Term("1", "Төлейді", None),)}, "term_due_required"),
    ({"terms": (Term("7", "Төлейді", TODAY),)}, "term_obliged_required"),
    ({"terms": (Term("all", " ", TODAY),)}, "term_action_required"),
    ({"terms": (Term("2", "Төлейді", TODAY + timedelta(days=6 * 366)),)}, "term_due_too_far"),
])
def test_each_missing_item_is_named(changes, code):
    assert code in codes(agreement(**changes))


def test_the_missing_term_carries_its_index():
    facts = agreement(terms=(Term("1", "А", TODAY), Term("2", "Б", None)))
    [item] = missing_items(facts, today=TODAY)
    assert (item.code, item.field, item.index) == ("term_due_required", "terms", 1)


def test_due_dates_not_before_signing_and_within_the_horizon():
    policy = DocumentPolicy(due_horizon_days=100)
    assert check_due_date(TODAY, signed_on=TODAY, today=TODAY, policy=policy) is None
    assert check_due_date(TODAY - timedelta(days=1), signed_on=TODAY, today=TODAY) == "due_before_signing"
    assert check_due_date(TODAY + timedelta(days=101), signed_on=TODAY, today=TODAY, policy=policy) == "due_too_far"
    # Without a signing date the horizon counts from today, and a past date is not refused yet
    assert check_due_date(TODAY - timedelta(days=3), signed_on=None, today=TODAY) is None


def test_a_term_longer_than_the_limit_is_refused():
    with pytest.raises(TermInvalid) as refused:
        check_term(Term("1", "қ" * 2001, TODAY), positions={1, 2}, signed_on=TODAY, today=TODAY)
    assert refused.value.reason_code == "action_too_long"


def test_contract_needs_the_parties_details_time_language_and_a_professional_fee():
    facts = DocumentFacts(kind=DocumentKind.CONTRACT, parties=(PartyFacts(1, "А", iin_bin="1"), PARTIES[1]),
                          mediator_names=("М",), professional_mediator=True, subject="С", place="Алматы",
                          signed_on=TODAY)
    assert {"party_address", "party_phone", "meeting_time", "mediation_language", "fee"} <= codes(facts)
    public = DocumentFacts(kind=DocumentKind.CONTRACT, parties=PARTIES, mediator_names=("М",), subject="С",
                           place="Алматы", signed_on=TODAY, meeting_time="10:00", mediation_languages=("kk",))
    assert codes(public) == set()  # a public mediator works free of charge: no fee to state


def test_termination_and_extension_rules():
    termination = DocumentFacts(kind=DocumentKind.TERMINATION, parties=PARTIES, place="А", signed_on=TODAY,
                                contract_signed_on=TODAY - timedelta(days=3), effective_on=TODAY - timedelta(days=5))
    assert {"ground", "effective_before_contract"} <= codes(termination)
    extension = DocumentFacts(kind=DocumentKind.EXTENSION, parties=PARTIES, place="А", signed_on=TODAY,
                              contract_signed_on=TODAY - timedelta(days=20), extension_days=31,
                              agreed_on=TODAY, deadline=TODAY - timedelta(days=1))
    assert {"extension_days", "extension_reason", "agreed_after_deadline"} <= codes(extension)


def test_numbers_per_region_year_and_revision():
    assert Numbering("75", 2026, 12, DocumentKind.AGREEMENT).text() == "75-2026-A-00012"
    assert Numbering("10", 2027, 3, DocumentKind.CONTRACT, revision=2).text() == "10-2027-C-00003-2"


def test_every_printed_wording_exists_in_kazakh_and_russian():
    for key, wording in TEXT.items():
        assert set(wording) == {"kk", "ru"} and all(wording.values()), key
    assert len(AGREEMENT_CLAUSES["kk"]) == len(AGREEMENT_CLAUSES["ru"])
    assert all(set(g) == {"kk", "ru"} for g in GROUNDS.values())
