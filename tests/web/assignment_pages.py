"""Helpers of the assignment screens' web tests: the "why not" table, assignments, the form body."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from mediation.extensions import db
from mediation.models import Case, CaseAssignment
from tests import case_factories as cf


def excluded_rows(response) -> dict[str, str]:
    """The "why not" table: mediator name -> the reasons as shown."""
    page = response.get_data(as_text=True)
    table = page[page.index('data-testid="excluded"'):page.index("</table>", page.index('data-testid="excluded"'))]
    rows = re.findall(r"<tr><td>([^<]+)</td>\s*<td>(.*?)</td></tr>", table, re.S)
    return {html.unescape(name): " ".join(html.unescape(re.sub(r"<[^>]+>", "", why)).split()) for name, why in rows}


def assignments_of(case_id: int) -> list[CaseAssignment]:
    db.session.expire_all()
    return list(db.session.scalars(select(CaseAssignment).where(CaseAssignment.case_id == case_id)
                                   .order_by(CaseAssignment.id)))


def received() -> object:
    return cf.today() - timedelta(days=3)


def assign_body(token: str, case_id: int, lead_id, *, co_id="", override_reason="", note="", version=None) -> dict:
    version = version if version is not None else db.session.get(Case, case_id).version
    return {"csrf_token": token, "version": str(version), "lead_id": str(lead_id), "co_id": str(co_id),
            "override_reason": override_reason, "note": note}
