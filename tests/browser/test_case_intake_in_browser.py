"""A coordinator registers an appeal with two parties and finds it by a lower-case Kazakh name."""

import pytest

from mediation.domain.identity import make_iin
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_roles_in_browser import sign_in

pytestmark = pytest.mark.browser


def test_coordinator_registers_a_case_and_finds_it_by_name(page):
    from datetime import date

    sign_in(page, "coordinator")
    page.get_by_role("link", name="Өтініш тіркеу").first.click()
    page.wait_for_url("**/cases/new")
    page.get_by_label("Даудың нысанасы").fill("Көршілер арасындағы жер учаскесінің шекарасы туралы дау")
    page.get_by_label("Санаты").select_option("neighbours_land")
    parties = page.locator(".party-card")
    first, second = parties.nth(0), parties.nth(1)
    first.get_by_label("Аты-жөні немесе ұйымның атауы").fill("ӘБІШҰЛЫ Нұрлан Серікұлы")
    first.get_by_label("ЖСН / БСН").fill("123456789012")  # wrong check digit: a field error first
    second.get_by_label("Аты-жөні немесе ұйымның атауы").fill("Ким Светлана Германовна")
    page.get_by_role("button", name="Өтінішті тіркеу").click()
    error = first.locator(".invalid-feedback")
    assert error.first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "case-intake-error.png"), full_page=True)

    # When the coordinator corrects the IIN and saves
    first.get_by_label("ЖСН / БСН").fill(make_iin(date(1979, 4, 12), False, 31))
    page.get_by_role("button", name="Өтінішті тіркеу").click()
    page.wait_for_url("**/cases/*")
    number = page.locator("h1").inner_text().split()[-1]
    assert number.startswith("75-")

    # Then the list finds it by the lower-case name
    page.get_by_role("link", name="Істер").first.click()
    page.get_by_test_id("case-search").fill("әбішұлы")
    page.get_by_role("button", name="Іздеу").click()
    page.wait_for_load_state()
    assert "әбішұлы" not in page.url  # names never travel in URLs
    row_link = page.get_by_role("link", name=number)
    assert row_link.is_visible()
    page.screenshot(path=str(ARTIFACTS / "case-search.png"), full_page=True)
    row_link.click()
    assert page.get_by_test_id("timeline").is_visible()
    page.screenshot(path=str(ARTIFACTS / "case-detail.png"), full_page=True)
    assert page.problems == [], page.problems
