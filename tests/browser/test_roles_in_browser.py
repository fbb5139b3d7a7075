"""Each role signs in, switches language, and signs out in a real Chromium."""

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

EXPECTED_NAV = {
    "admin": ["Пайдаланушылар", "Аудит журналы"],
    "manager": [],
    "coordinator": [],
    "mediator": [],
}


DEMO_PASSWORD = "demo12345"  # noqa: S105 - the demo seed's password


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Fill the sign-in form as a person would."""
    page.goto("/")
    page.get_by_label("Пайдаланушы аты").fill(username)
    page.get_by_label("Құпиясөз").fill(password)
    page.get_by_role("button", name="Кіру").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize("username", ["admin", "manager", "coordinator", "mediator"])
def test_role_signs_in_switches_language_and_signs_out(page, username):
    # Given the sign-in page in Kazakh (the default)
    sign_in(page, username)
    # Then the start page greets the user, with the navigation of their role
    assert page.locator("h1").inner_text().startswith("Сәлеметсіз бе")
    nav = page.get_by_role("navigation", name="Негізгі навигация")
    for label in EXPECTED_NAV[username]:
        assert nav.get_by_role("link", name=label).is_visible()
    if username != "admin":
        assert nav.get_by_role("link", name="Пайдаланушылар").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"home-{username}-kk.png"), full_page=True)

    # When they switch to Russian (the select submits itself: progressive enhancement)
    with page.expect_navigation():
        page.get_by_test_id("language-select").select_option("ru")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text().startswith("Здравствуйте")
    page.screenshot(path=str(ARTIFACTS / f"home-{username}-ru.png"), full_page=True)

    # And to English
    with page.expect_navigation():
        page.get_by_test_id("language-select").select_option("en")
    assert page.locator("h1").inner_text().startswith("Hello")

    # When they sign out, the sign-in page comes back and the start page is closed to them
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/auth/login")
    page.goto("/")
    assert "/auth/login" in page.url
    assert page.problems == [], page.problems


def test_admin_creates_a_user_with_a_field_error_first(page):
    sign_in(page, "admin")
    page.get_by_role("link", name="Пайдаланушылар").first.click()
    page.get_by_role("link", name="Жаңа есептік жазба").click()
    page.get_by_label("Пайдаланушы аты").fill("coordinator")  # taken
    page.get_by_label("Құпиясөз").fill("a good password")
    page.get_by_label("Аты-жөні").fill("Динара Қасымова")
    page.get_by_label("Рөл", exact=True).select_option("coordinator")
    page.get_by_label("Өңір").select_option(label="75 · Алматы қаласы")
    page.get_by_role("button", name="Сақтау").click()
    assert page.locator(".invalid-feedback").first.is_visible()
    page.get_by_label("Пайдаланушы аты").fill("dinara")
    page.get_by_label("Құпиясөз").fill("a good password")
    page.get_by_role("button", name="Сақтау").click()
    page.wait_for_url("**/admin/users")
    assert page.get_by_role("cell", name="Динара Қасымова").is_visible()
    page.screenshot(path=str(ARTIFACTS / "admin-users.png"), full_page=True)
    assert page.problems == [], page.problems
