"""A coordinator books a room from the house's week grid; the mediator then logs the session from their home
page, and only the mediator reads the confidential notes (demo data, Kazakh interface)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mediation.extensions import db
from mediation.models import MediationSession, Mediator, SessionLog, User
from mediation.services.clock import utcnow
from tests import case_factories as cf
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_roles_in_browser import sign_in
from tests.session_factories import next_monday

pytestmark = pytest.mark.browser


def case_for_demo_mediator(coordinator: User):
    """A case in mediation at the coordinator's house with the demo mediator as lead."""
    mediator = db.session.scalar(select(Mediator).join(User, User.id == Mediator.user_id)
                                 .where(User.username == "mediator"))
    case = cf.register(coordinator, coordinator.house_id, received_on=cf.today(), now=utcnow())
    cf.advance(case, "in_mediation", coordinator, lead_id=mediator.id, signed_on=cf.today(), now=utcnow())
    db.session.commit()
    return case


def test_coordinator_books_from_the_week_grid_and_the_mediator_logs(app, page):
    coordinator = db.session.scalar(select(User).where(User.username == "coordinator"))
    case = case_for_demo_mediator(coordinator)
    case_id, number, monday = case.id, case.number, next_monday(2)

    # Given the coordinator on the case page
    sign_in(page, "coordinator")
    page.goto(f"/cases/{case_id}")
    # When they open the house's week from the case page and go to a week ahead
    page.get_by_test_id("house-week").click()
    page.goto(f"/sessions/house/{case.house_id}/week?case={case_id}&week={monday.isoformat()}")
    # And click a free half hour on Tuesday at 13:00 in the first room
    tuesday = (monday + timedelta(days=1)).isoformat()
    cell = page.locator(f'[data-testid^="free-"][data-testid$="-{tuesday}-1300"]').first
    cell.click()
    page.wait_for_url("**/sessions/case/*/new*")
    # Then the booking form is filled with that room, day and time; they book
    assert page.locator("#start").input_value() == "13:00"
    page.locator('[data-testid="session-form"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/sessions/\d+$"))
    page.screenshot(path=str(ARTIFACTS / "session-booked.png"), full_page=True)
    assert page.get_by_test_id("session-facts").is_visible(), page.url
    page.screenshot(path=str(ARTIFACTS / "session-booked.png"), full_page=True)
    db.session.rollback()  # see what the server committed
    session = db.session.scalar(select(MediationSession).where(MediationSession.case_id == case_id))
    assert session is not None and (session.starts_at + timedelta(hours=5)).strftime("%H:%M") == "13:00"
    # And the week grid now shows the case number in that slot
    page.goto(f"/sessions/house/{case.house_id}/week?week={monday.isoformat()}")
    assert number in page.locator(f'[data-testid="day-{tuesday}"]').inner_text()

    # Time passes: the session took place yesterday morning
    yesterday = utcnow() - timedelta(days=1)
    session.starts_at = yesterday.replace(hour=2, minute=0, second=0, microsecond=0)
    session.ends_at = session.starts_at + timedelta(minutes=90)
    for row in session.mediators:
        row.starts_at, row.ends_at = session.starts_at, session.ends_at
    db.session.commit()
    session_id = session.id

    # Given the mediator, signed in (the coordinator's cookies cleared)
    page.context.clear_cookies()
    sign_in(page, "mediator")
    # When they open the session from "Sessions to log" on their home page
    page.get_by_test_id("work-to-log").locator(f'a[href="/sessions/{session_id}/log"]').click()
    page.wait_for_url(f"**/sessions/{session_id}/log")
    # And write a summary and confidential notes
    page.locator("#summary").fill("Тараптар ұстанымдарын айтты")
    page.locator("#confidential_notes").fill("Жауапкер кешірім сұрауға дайын")
    page.locator('[data-testid="log-form"] button[type="submit"]').click()
    page.wait_for_url(f"**/sessions/{session_id}")
    # Then the log is on the session page with the notes, for the mediator
    assert "Жауапкер кешірім сұрауға дайын" in page.get_by_test_id("notes").inner_text()
    page.screenshot(path=str(ARTIFACTS / "session-logged.png"), full_page=True)
    db.session.rollback()
    assert db.session.scalar(select(SessionLog.id).where(SessionLog.session_id == session_id))
    # And the coordinator sees that notes exist, not what they say
    page.context.clear_cookies()
    sign_in(page, "coordinator")
    page.goto(f"/sessions/{session_id}")
    assert page.get_by_test_id("notes-hidden").is_visible()
    assert "кешірім" not in page.content()
    assert page.problems == []
