"""The mediation contract (Art. 21), the termination notice (Art. 26) and the extension of term render in kk/ru."""

import io

import pytest
from pypdf import PdfReader

from mediation.domain.agreement import DocumentKind, DocumentLanguage
from mediation.services import document_finalise, documents
from tests import document_factories as df


def text_of(data: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", " ")


FIELDS = {
    DocumentKind.CONTRACT: {"place": "Алматы", "meeting_time": "10:00", "fee": "15 000 теңге",
                            "procedure": "Кездесулер сейсенбі күндері"},
    DocumentKind.TERMINATION: {"place": "Алматы", "ground": "settlement_impossible"},
    DocumentKind.EXTENSION: {"place": "Алматы", "extension_days": 20, "extension_reason": "Қосымша кездесу қажет"},
}
EXPECTED = {
    DocumentKind.CONTRACT: ("Медиация туралы шарт", "Договор о медиации", "15 000 теңге", "казахский"),
    DocumentKind.TERMINATION: ("Медиацияны тоқтату туралы хабарлама", "невозможности урегулирования спора"),
    DocumentKind.EXTENSION: ("Медиация мерзімін ұзарту", "на 20 календарных дней", "Қосымша кездесу қажет"),
}


@pytest.mark.parametrize("kind", list(FIELDS), ids=lambda k: k.value)
def test_each_kind_is_complete_with_its_fields_and_prints_both_languages(org, kind):
    setting = df.case_in_mediation(org)
    mediator = df.act(setting.mediator)
    draft = documents.create_draft(mediator, setting.case.id, kind, DocumentLanguage.BOTH)
    fields = {**FIELDS[kind], "signed_on": df.day(), "effective_on": df.day(), "agreed_on": df.day()}
    documents.save_fields(mediator, draft.id, draft.version, fields, DocumentLanguage.BOTH)
    assert document_finalise.missing_for(draft, setting.case, df.day()) == []
    document = df.finalise(draft, setting.manager)
    text = text_of(document.pdf)
    for expected in EXPECTED[kind] + df.NAMES:
        assert expected in text, expected
    assert document.number.split("-")[2] == {"contract": "C", "termination": "T", "extension": "E"}[kind.value]


def test_the_contract_is_incomplete_without_time_or_fee_of_a_professional(org):
    setting = df.case_in_mediation(org)
    draft = documents.create_draft(df.act(setting.mediator), setting.case.id, DocumentKind.CONTRACT,
                                   DocumentLanguage.RU)
    missing = {m.code for m in document_finalise.missing_for(draft, setting.case, df.day())}
    assert {"meeting_time", "fee"} <= missing


def test_the_extension_prints_the_old_and_new_last_day(org):
    setting = df.case_in_mediation(org)
    mediator = df.act(setting.mediator)
    draft = documents.create_draft(mediator, setting.case.id, DocumentKind.EXTENSION, DocumentLanguage.RU)
    documents.save_fields(mediator, draft.id, draft.version, {**FIELDS[DocumentKind.EXTENSION],
                                                              "agreed_on": df.day(), "signed_on": df.day()},
                          DocumentLanguage.RU)
    deadline = setting.case.deadline
    assert draft.content["old_deadline"] == deadline.isoformat()
    text = text_of(df.finalise(draft, setting.manager).pdf)
    assert deadline.strftime("%d.%m.%Y") in text
