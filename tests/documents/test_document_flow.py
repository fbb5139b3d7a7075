"""Drafting, finalising and correcting documents through the services, on the real database."""

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from mediation.domain.agreement import DocumentKind, DocumentLanguage, DocumentStatus, Term, TermInvalid
from mediation.domain.errors import NotAllowed
from mediation.extensions import db
from mediation.models import AuditEvent, Document
from mediation.services import document_finalise, documents
from tests import document_factories as df
from tests import factories

KAZAKH_LETTERS = "әғқңөұүһі"


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_finalising_numbers_freezes_renders_and_records_who(org):
    # Given a complete agreement drafted by the case's mediator
    setting = df.case_in_mediation(org)
    draft = df.complete_agreement(setting)
    assert document_finalise.missing_for(draft, setting.case, df.day()) == []
    # When the manager finalises it
    document = df.finalise(draft, setting.manager)
    db.session.commit()
    # Then it has a regional number, a stored PDF with its hash, and who finalised it
    assert document.status is DocumentStatus.FINAL
    assert document.number == f"75-{df.day().year}-A-00001"
    assert document.sha256 == hashlib.sha256(document.pdf).hexdigest()
    assert document.finalised_by_id == setting.manager.id and document.page_count >= 1
    assert document.snapshot["parties"][0]["name"] == df.NAMES[0]
    pages = pdf_text(document.pdf)
    text = "".join(pages)
    for name in df.NAMES:
        assert name in text.replace("\n", " ")
    assert all(letter in text for letter in KAZAKH_LETTERS)
    assert all(document.number in page for page in pages)
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "document")))
    assert {"document.draft_created", "document.term_added", "document.finalised"} <= actions


def test_a_finalised_document_never_changes(org):
    setting = df.case_in_mediation(org)
    document = df.finalise(df.complete_agreement(setting), setting.manager)
    with pytest.raises(documents.NotADraft):
        documents.add_term(df.act(setting.mediator), document.id, document.version,
                           Term("1", "Тағы бір шарт", df.day(3)))
    with pytest.raises(documents.NotADraft):
        df.finalise(document, setting.manager)


def test_incomplete_draft_lists_what_is_missing_and_cannot_be_finalised(org):
    setting = df.case_in_mediation(org)
    draft = documents.create_draft(df.act(setting.mediator), setting.case.id, DocumentKind.AGREEMENT,
                                   DocumentLanguage.KK)
    codes = {m.code for m in document_finalise.missing_for(draft, setting.case, df.day())}
    assert {"terms", "performance_check", "non_performance"} <= codes
    with pytest.raises(document_finalise.Incomplete) as refused:
        df.finalise(draft, setting.manager)
    assert {m.code for m in refused.value.missing} == codes
    assert draft.number is None and draft.status is DocumentStatus.DRAFT


def test_a_correction_supersedes_the_original_and_both_stay(org):
    setting = df.case_in_mediation(org)
    original = df.finalise(df.complete_agreement(setting), setting.manager)
    correction = documents.start_correction(df.act(setting.mediator), original.id)
    documents.add_term(df.act(setting.mediator), correction.id, correction.version,
                       Term("all", "Тараптар бір-біріне кешірім сұрайды", df.day(2)))
    corrected = df.finalise(correction, setting.manager)
    assert corrected.number == f"{original.number}-2"
    assert original.status is DocumentStatus.SUPERSEDED and corrected.status is DocumentStatus.FINAL
    assert corrected.sha256 != original.sha256 and original.pdf is not None
    assert f"№ {original.number}" in "".join(pdf_text(corrected.pdf)).replace("\n", " ")


def test_numbers_run_per_region_and_year(org):
    first = df.finalise(df.complete_agreement(df.case_in_mediation(org)), factories.make_user("manager"))
    semey = df.case_in_mediation(org, house=org.semey_house)
    other = df.finalise(df.complete_agreement(semey), semey.manager)
    second = df.finalise(df.complete_agreement(df.case_in_mediation(org)), factories.make_user("manager"))
    assert first.number.endswith("-A-00001") and second.number.endswith("-A-00002")
    assert other.number.startswith("10-") and other.number.endswith("-A-00001")


def test_only_the_case_mediator_drafts_and_only_a_manager_finalises(org):
    setting = df.case_in_mediation(org)
    other_mediator, _row = df.cf.make_mediator_user(org, full_name="Басқа Медиатор")
    coordinator = factories.make_user("coordinator", org=org)
    with pytest.raises((NotAllowed, documents.DocumentNotFound)):
        documents.create_draft(df.act(other_mediator), setting.case.id, DocumentKind.AGREEMENT, DocumentLanguage.KK)
    with pytest.raises(NotAllowed):
        documents.create_draft(df.act(coordinator), setting.case.id, DocumentKind.AGREEMENT, DocumentLanguage.KK)
    draft = df.complete_agreement(setting)
    for user in (coordinator, setting.mediator):
        with pytest.raises(NotAllowed):
            df.finalise(draft, user)
    regional_elsewhere = factories.make_user("manager", region=org.abai)
    with pytest.raises(documents.DocumentNotFound):
        df.finalise(draft, regional_elsewhere)


def test_a_term_due_before_signing_is_refused_on_the_due_date(org):
    setting = df.case_in_mediation(org)
    draft = df.complete_agreement(setting, terms=0)
    with pytest.raises(TermInvalid) as refused:
        documents.add_term(df.act(setting.mediator), draft.id, draft.version, Term("1", "Төлейді", df.day(-1)))
    assert refused.value.field == "due_on" and refused.value.reason_code == "due_before_signing"
    with pytest.raises(TermInvalid):
        documents.add_term(df.act(setting.mediator), draft.id, draft.version, Term("9", "Төлейді", df.day(1)))


def test_a_stale_draft_save_is_refused_with_who_saved(org):
    setting = df.case_in_mediation(org)
    draft = df.complete_agreement(setting, terms=0)
    old = draft.version
    documents.move_term(df.act(setting.mediator), draft.id, old, 0, 1)
    with pytest.raises(documents.StaleDocument) as refused:
        documents.remove_term(df.act(setting.mediator), draft.id, old, 0)
    assert refused.value.changed_by == setting.mediator.full_name


def test_terms_move_and_remove(org):
    setting = df.case_in_mediation(org)
    draft = df.complete_agreement(setting, terms=3)
    documents.move_term(df.act(setting.mediator), draft.id, draft.version, 2, -1)
    assert [t["action"][-1] for t in draft.content["terms"]] == ["1", "3", "2"]
    documents.remove_term(df.act(setting.mediator), draft.id, draft.version, 0)
    assert [t["action"][-1] for t in draft.content["terms"]] == ["3", "2"]


def test_concurrent_finalising_gives_distinct_numbers(app, org):
    # Given four complete drafts in the same region, committed
    drafts = []
    manager = factories.make_user("manager")
    for _ in range(4):
        drafts.append(df.complete_agreement(df.case_in_mediation(org, manager=manager)))
    db.session.commit()
    ids = [(d.id, d.version) for d in drafts]

    def work(pair):
        with app.app_context():
            from mediation import document_print
            from mediation.web.database import write_intent

            write_intent.set(True)
            try:
                document = document_finalise.finalise(df.act(manager), pair[0], pair[1],
                                                      render=document_print.render_final,
                                                      verify_url=document_print.verify_url)
                db.session.commit()
                return document.number
            finally:
                db.session.remove()

    # When they are finalised at the same moment
    with ThreadPoolExecutor(4) as pool:
        numbers = list(pool.map(work, ids))
    # Then every number is different
    assert len(set(numbers)) == 4
    db.session.rollback()  # end the test's snapshot to see what the threads committed
    assert db.session.scalar(select(db.func.count()).select_from(Document).where(Document.number.is_not(None))) == 4


def test_each_document_carries_its_own_qr_code(org):
    # The worker reuses one fetcher: the QR image of one render must never leak into the next.
    setting = df.case_in_mediation(org)
    first = df.finalise(df.complete_agreement(setting), setting.manager)
    second = df.finalise(df.complete_agreement(df.case_in_mediation(org, manager=setting.manager)), setting.manager)

    def qr(document):
        images = [img.data for page in PdfReader(io.BytesIO(document.pdf)).pages for img in page.images]
        assert images
        return images

    assert first.verify_token != second.verify_token
    assert qr(first) != qr(second)
