"""Helpers for the case pages' web tests: reading numbers, blocks and the timeline, making cases, intake bodies."""

import html
import re
from datetime import timedelta

from mediation.models import Case
from mediation.services.clock import utcnow
from tests import case_factories as cf
from tests.conftest import csrf_token

NUMBER_LINK = re.compile(r'href="/cases/(\d+)">(\d{2}-\d{4}-\d{5})</a>')


def page_of(response) -> str:
    return response.get_data(as_text=True)


def numbers(response) -> list[str]:
    """Case numbers linked on a page, in page order."""
    return [number for _, number in NUMBER_LINK.findall(page_of(response))]


def block(response, testid: str) -> str:
    """The part of the page from an element with this data-testid to the next one."""
    text = page_of(response)
    start = text.index(f'data-testid="{testid}"')
    following = text.find("data-testid=", start + 1)
    return text[start:following if following != -1 else None]


def timeline(response) -> list[str]:
    """The entries of the case page's timeline, newest first."""
    listing = re.search(r'data-testid="timeline">(.*?)</ol>', page_of(response), re.S).group(1)
    return re.findall(r"<li\b.*?</li>", listing, re.S)


def make_case(actor, house, stage: str = "registered", *, days_ago: int = 3, signed_days_ago: int | None = None,
              lead=None, names: tuple[str, str] = ("Әлия Нұрова", "Иван Петров"), **fields) -> Case:
    """A case received `days_ago`, walked through the services to `stage` (not committed)."""
    received = cf.today() - timedelta(days=days_ago)
    case = cf.register(actor, house, received_on=received, now=utcnow(), parties=cf.two_parties(*names), **fields)
    if stage != "registered":
        signed = cf.today() - timedelta(days=signed_days_ago if signed_days_ago is not None else days_ago)
        cf.advance(case, stage, actor, lead_id=lead.id if lead else None, signed_on=signed, now=utcnow())
    return case


def intake_body(token: str, house_id, parties=(("Әлия Нұрова", {}), ("Иван Петров", {})), **fields) -> dict:
    """A complete intake form as the browser posts it."""
    body = {"csrf_token": token, "house_id": str(house_id), "received_on": cf.today().isoformat(),
            "channel": "walk_in", "category": "neighbours_land", "tension": "low",
            "subject": "Жер учаскесінің шекарасы туралы дау", "description": "Құпия сипаттама",
            "languages": ["kk", "ru"]}
    for index, (name, extra) in enumerate(parties):
        body.update({f"parties-{index}-kind": "person", f"parties-{index}-full_name": name,
                     f"parties-{index}-role": "applicant" if index == 0 else "respondent"})
        body.update({f"parties-{index}-{key}": value for key, value in extra.items()})
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def search(client, query: str):
    """Post a search of the case list; the redirect to the list with it."""
    token = csrf_token(client, "/cases/")
    response = client.post("/cases/search", data={"csrf_token": token, "q": query})
    assert response.status_code == 302
    return response


def next_link(response) -> str | None:
    """The list page's link to the next page, if any."""
    match = re.search(r'href="([^"]*[?&]cursor=[^"]*)"', page_of(response))
    return html.unescape(match.group(1)) if match else None
