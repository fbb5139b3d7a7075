"""Documents over HTTP: drafting, finalising, downloading, permissions, scans, verification, batch print."""

import hashlib
import io
import zipfile

from pypdf import PdfReader

from mediation.extensions import db
from mediation.models import AuditEvent, Document
from tests import document_factories as df
from tests import factories
from tests.conftest import csrf_token, login


def signed_in(client, user):
    db.session.commit()
    response = login(client, user.username)
    assert response.status_code == 302


def test_mediator_drafts_terms_and_manager_finalises_over_http(client, org):
    # Given a case in mediation and its mediator signed in
    setting = df.case_in_mediation(org)
    signed_in(client, setting.mediator)
    token = csrf_token(client, f"/documents/case/{setting.case.id}")
    # When the mediator starts an agreement and adds a term
    response = client.post(f"/documents/case/{setting.case.id}",
                           data={"csrf_token": token, "kind": "agreement", "language": "kk"})
    assert response.status_code == 302
    document = db.session.query(Document).one()
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "data-testid=\"missing\"" in page
    response = client.post(f"/documents/{document.id}/terms", data={
        "csrf_token": token, "version": document.version, "obliged": "1", "action": "Қоршауды жөндейді",
        "due_on": df.day(5).isoformat()})
    assert response.status_code == 302
    db.session.refresh(document)
    response = client.post(f"/documents/{document.id}/fields", data={
        "csrf_token": token, "version": document.version, "language": "both", "place": "Алматы",
        "signed_on": df.day().isoformat(), "subject": "Шекара дауы", "performance_check": "Медиатор тексереді",
        "non_performance": "Сотқа жүгіну", "unresolved": ""})
    assert response.status_code == 302
    # And a term due before signing is refused on its field, in the user's language
    db.session.refresh(document)
    response = client.post(f"/documents/{document.id}/terms", data={
        "csrf_token": token, "version": document.version, "obliged": "2", "action": "Төлейді",
        "due_on": df.day(-3).isoformat()})
    assert response.status_code == 422
    assert "is-invalid" in response.get_data(as_text=True)
    # The mediator may not finalise
    response = client.post(f"/documents/{document.id}/finalise", data={"csrf_token": token,
                                                                       "version": document.version})
    assert response.status_code == 403
    # When the manager finalises and downloads it
    client.post("/auth/logout", data={"csrf_token": token})
    signed_in(client, setting.manager)
    token = csrf_token(client, f"/documents/{document.id}")
    db.session.refresh(document)
    response = client.post(f"/documents/{document.id}/finalise", data={"csrf_token": token,
                                                                       "version": document.version})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.session.refresh(document)
    pdf = client.get(f"/documents/{document.id}/pdf")
    # Then the download is the registered PDF, byte for byte
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == document.sha256
    assert document.number in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert f"{document.number}.pdf" in pdf.headers["Content-Disposition"]
    assert db.session.query(AuditEvent).filter_by(action="document.downloaded").count() == 1


def test_finalising_an_incomplete_draft_says_what_is_missing(client, org):
    setting = df.case_in_mediation(org)
    document = df.complete_agreement(setting, terms=0)
    signed_in(client, setting.manager)
    token = csrf_token(client, f"/documents/{document.id}")
    response = client.post(f"/documents/{document.id}/finalise", data={"csrf_token": token,
                                                                       "version": document.version})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Add at least one agreed term." in body or "келісілген шарт" in body.lower()
    db.session.refresh(document)
    assert document.number is None


def test_a_mediator_cannot_print_another_mediators_case(client, org):
    setting = df.case_in_mediation(org)
    document = df.finalise(df.complete_agreement(setting), setting.manager)
    stranger, _row = df.cf.make_mediator_user(org, full_name="Бөтен Медиатор")
    signed_in(client, stranger)
    assert client.get(f"/documents/{document.id}/pdf").status_code == 404
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.get(f"/documents/case/{setting.case.id}").status_code == 404


def test_a_coordinator_reads_but_cannot_finalise(client, org):
    setting = df.case_in_mediation(org)
    document = df.complete_agreement(setting)
    coordinator = factories.make_user("coordinator", org=org)
    signed_in(client, coordinator)
    assert client.get(f"/documents/{document.id}").status_code == 200
    token = csrf_token(client, f"/documents/{document.id}")
    response = client.post(f"/documents/{document.id}/finalise", data={"csrf_token": token,
                                                                       "version": document.version})
    assert response.status_code == 403
    db.session.refresh(document)
    assert document.number is None


def test_a_regional_manager_elsewhere_cannot_see_or_print(client, org):
    setting = df.case_in_mediation(org)
    document = df.finalise(df.complete_agreement(setting), setting.manager)
    other = factories.make_user("manager", region=org.abai)
    signed_in(client, other)
    assert client.get(f"/documents/{document.id}/pdf").status_code == 404
    token = csrf_token(client, "/documents/")
    response = client.post("/documents/print", data={"csrf_token": token, "format": "pdf"})
    assert response.status_code == 302  # nothing in scope to print


def test_verification_page_identical_altered_and_superseded(client, org):
    setting = df.case_in_mediation(org)
    document = df.finalise(df.complete_agreement(setting), setting.manager)
    db.session.commit()
    page = client.get(f"/verify/{document.verify_token}")
    body = page.get_data(as_text=True)
    # Anyone sees the number, type, date and house — and no names
    assert page.status_code == 200 and document.number in body
    assert all(name not in body for name in df.NAMES) and setting.case.subject not in body
    token = csrf_token(client, f"/verify/{document.verify_token}")
    same = client.post(f"/verify/{document.verify_token}", data={
        "csrf_token": token, "pdf": (io.BytesIO(document.pdf), "a.pdf")}, content_type="multipart/form-data")
    assert 'data-testid="compare-result"' in same.get_data(as_text=True)
    assert "alert-success" in same.get_data(as_text=True)
    middle = len(document.pdf) // 2
    altered = document.pdf[:middle] + bytes([document.pdf[middle] ^ 1]) + document.pdf[middle + 1:]
    different = client.post(f"/verify/{document.verify_token}", data={
        "csrf_token": token, "pdf": (io.BytesIO(altered), "a.pdf")}, content_type="multipart/form-data")
    assert "alert-danger" in different.get_data(as_text=True)
    # When a correction supersedes it, the old code says so
    correction = df.documents.start_correction(df.act(setting.mediator), document.id)
    df.finalise(correction, setting.manager)
    db.session.commit()
    old = client.get(f"/verify/{document.verify_token}").get_data(as_text=True)
    assert 'alert-warning' in old and correction.number in old
    assert client.get("/verify/not-a-real-token").status_code == 404


def test_scan_upload_checks_type_by_content_and_size(client, org, app):
    setting = df.case_in_mediation(org)
    document = df.finalise(df.complete_agreement(setting), setting.manager)
    signed_in(client, setting.mediator)
    token = csrf_token(client, f"/documents/{document.id}")

    def upload(data, name):
        return client.post(f"/documents/{document.id}/scans", data={"csrf_token": token,
                                                                   "scan": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    assert upload(b"<html><script>alert(1)</script>", "scan.pdf").status_code == 422
    app.config["DOCUMENT_SCAN_MAX_BYTES"] = 1024
    assert upload(b"%PDF-1.7\n" + b"0" * 2048, "scan.pdf").status_code == 422
    app.config["DOCUMENT_SCAN_MAX_BYTES"] = 8 * 1024 * 1024
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert upload(png, "scan.exe").status_code == 302
    db.session.refresh(document)
    assert [s.mime_type for s in document.scans] == ["image/png"]
    served = client.get(f"/documents/{document.id}/scans/{document.scans[0].id}")
    assert served.status_code == 200 and served.data == png and served.mimetype == "image/png"
    stranger, _row = df.cf.make_mediator_user(org, full_name="Бөтен Медиатор")
    db.session.commit()
    client.post("/auth/logout", data={"csrf_token": token})
    signed_in(client, stranger)
    assert client.get(f"/documents/{document.id}/scans/{document.scans[0].id}").status_code == 404


def test_registry_batch_print_as_merged_pdf_and_zip(client, org):
    setting = df.case_in_mediation(org)
    first = df.finalise(df.complete_agreement(setting), setting.manager)
    second = df.finalise(df.complete_agreement(df.case_in_mediation(org, manager=setting.manager)), setting.manager)
    df.complete_agreement(df.case_in_mediation(org, manager=setting.manager))  # a draft: never printed
    signed_in(client, setting.manager)
    listing = client.get("/documents/?kind=agreement").get_data(as_text=True)
    assert first.number in listing and second.number in listing
    token = csrf_token(client, "/documents/")
    merged = client.post("/documents/print?kind=agreement", data={"csrf_token": token, "format": "pdf"})
    assert merged.status_code == 200
    assert len(PdfReader(io.BytesIO(merged.data)).pages) == first.page_count + second.page_count
    zipped = client.post("/documents/print?kind=agreement", data={"csrf_token": token, "format": "zip"})
    names = zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()
    assert sorted(names) == sorted([f"{first.number}.pdf", f"{second.number}.pdf"])


def test_a_draft_preview_is_marked_draft_on_every_page_and_the_final_pdf_is_not(client, org):
    # Given a three-page draft agreement in Kazakh
    setting = df.case_in_mediation(org)
    draft = df.complete_agreement(setting, terms=40)
    signed_in(client, setting.mediator)
    # When its mediator previews it
    preview = client.get(f"/documents/{draft.id}/preview")
    # Then every page says it is an unregistered draft, with the page count
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(preview.data)).pages]
    assert len(pages) > 1
    assert all("ЖОБА — тіркелмеген" in text for text in pages)
    assert f"{len(pages)} / {len(pages)}" in pages[-1]
    # And once finalised, no page carries the mark, and every page carries the number
    document = df.finalise(draft, setting.manager)
    final = [page.extract_text() for page in PdfReader(io.BytesIO(document.pdf)).pages]
    assert not any("ЖОБА" in text for text in final)
    assert all(document.number in text for text in final)
