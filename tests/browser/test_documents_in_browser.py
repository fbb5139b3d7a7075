"""A mediator drafts the terms, a manager finalises and downloads the PDF, the verification page confirms it."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from mediation.extensions import db
from mediation.models import FriendshipHouse, User
from tests import document_factories as df
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_roles_in_browser import sign_in

pytestmark = pytest.mark.browser


def test_mediator_drafts_manager_finalises_and_the_verification_page_confirms(page, tmp_path):
    # Given a case in mediation led by the demo mediator
    house = db.session.scalar(select(FriendshipHouse).where(FriendshipHouse.is_republican.is_(True)))
    mediator = db.session.scalar(select(User).where(User.username == "mediator"))
    manager = db.session.scalar(select(User).where(User.username == "manager"))
    setting = df.case_in_mediation(None, house=house, mediator=mediator, manager=manager)
    db.session.commit()
    case_id = setting.case.id

    # When the mediator starts an agreement in both languages and adds two terms, then reorders them
    sign_in(page, "mediator")
    page.goto(f"/documents/case/{case_id}")
    page.locator("#kind").select_option("agreement")
    page.locator("#language").select_option("both")
    page.locator(f"form[action='/documents/case/{case_id}'] [type=submit]").click()
    page.wait_for_url("**/documents/*")
    assert page.get_by_test_id("missing").is_visible()
    terms = (("2", "Екінші тарап қоршауды жөндейді", 20), ("1", "Бірінші тарап өтемақы төлейді", 10))
    for obliged, action, days in terms:
        form = page.get_by_test_id("term-form")
        form.locator("#obliged").select_option(obliged)
        form.locator("#action").fill(action)
        form.locator("#due_on").fill((df.day(days)).isoformat())
        form.locator("[type=submit]").click()
        page.wait_for_load_state()
    page.get_by_test_id("term-down-1").click()
    page.wait_for_load_state()
    actions = page.get_by_test_id("term").locator(".term-action").all_inner_texts()
    assert actions == ["Бірінші тарап өтемақы төлейді", "Екінші тарап қоршауды жөндейді"]
    fields = page.get_by_test_id("fields-form")
    fields.locator("#place").fill("Алматы")
    fields.locator("#performance_check").fill("Медиатор орындалуын 30 күннен кейін тексереді")
    fields.locator("#non_performance").fill("Тарап сотқа жүгінуге құқылы")
    fields.locator("[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("complete").is_visible()
    page.screenshot(path=str(ARTIFACTS / "document-draft.png"), full_page=True)
    document_url = page.url
    page.get_by_test_id("logout").click()

    # Then the manager finalises it and downloads the registered PDF
    sign_in(page, "manager")
    page.goto(document_url)
    page.get_by_test_id("finalise-form").locator("[type=submit]").click()
    page.wait_for_load_state()
    number = page.get_by_test_id("document-number").inner_text().removeprefix("№ ").strip()
    assert number.startswith("75-")
    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    path = tmp_path / "agreement.pdf"
    download_info.value.save_as(path)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert number in text and "Бірінші тарап өтемақы төлейді" in text
    page.screenshot(path=str(ARTIFACTS / "document-final.png"), full_page=True)

    # And the verification page confirms it and recognises the downloaded file
    page.get_by_test_id("verify-link").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("verify-number").inner_text() == number
    assert "alert-success" in page.get_by_test_id("verify-status").get_attribute("class")
    assert setting.case.parties[0].full_name not in page.content()
    page.locator("#pdf").set_input_files(str(path))
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    assert "alert-success" in page.get_by_test_id("compare-result").get_attribute("class")
    page.screenshot(path=str(ARTIFACTS / "document-verified.png"), full_page=True)
    assert page.problems == [], page.problems
