"""Helpers of the admin screens' web tests: accounts as stored, audit events, field errors, form bodies."""

import html
import re

from sqlalchemy import func, select

from mediation.extensions import db
from mediation.models import AuditEvent, User

NEW_PASSWORD = "steppe wind 2024"
# The form messages the tests expect, in English.
PATTERN_MESSAGE = "Use 3–64 Latin letters, digits, dots, dashes or underscores."
LENGTH_3_64 = "Field must be between 3 and 64 characters long."
LENGTH_8_128 = "Field must be between 8 and 128 characters long."
SCOPE_MESSAGE = "This role cannot have this scope"

def snapshot() -> dict[int, tuple]:
    """Every account's security-relevant columns, read fresh from the database."""
    rows = {u.id: (u.username, u.role.value, u.region_id, u.house_id, u.active, u.password_hash,
                   u.session_token, u.full_name, u.email)
            for u in db.session.scalars(select(User))}
    db.session.rollback()
    return rows


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def audit_events(action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def field_errors(page: str, field: str) -> list[str]:
    """The error messages Bootstrap-Flask renders under one field (from its input up to the next field)."""
    start = page.find(f'id="{field}"')
    assert start != -1, f"no field {field!r} on the page"
    end = min(i for i in (page.find('<div class="mb-3', start), page.find("</form>", start)) if i != -1)
    block = page[start:end]
    messages = re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', block, re.S)
    return [html.unescape(m) for m in messages]


def new_user_form(token: str, **changes) -> dict:
    """A valid new-account form (a regional manager), with changes."""
    data = {"csrf_token": token, "username": "aliya.nurova", "password": NEW_PASSWORD,
            "full_name": "Әлия Нұрова", "email": "aliya.nurova@example.kz", "role": "manager",
            "region_id": "None", "house_id": "None"}
    data.update(changes)
    return data


def edit_form(token: str, user: User, **changes) -> dict:
    """The edit form as the browser would send it for the user's current values, with changes."""
    data = {"csrf_token": token, "full_name": user.full_name, "email": user.email or "",
            "role": user.role.value, "region_id": str(user.region_id), "house_id": str(user.house_id)}
    data.update(changes)
    return data
