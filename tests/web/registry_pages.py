"""Helpers of the registry screens' web tests: a mediator's phone and birth date, a spreadsheet formula, the count."""

from datetime import date

from sqlalchemy import func, select

from mediation.extensions import db
from mediation.models import Mediator

PHONE = "+77017654321"
BIRTH = date(1968, 11, 23)
FORMULA = '=HYPERLINK("http://x","y")'  # must come out of exports neutralised


def mediator_count() -> int:
    """Mediators in the registry, excluded ones too."""
    return db.session.scalar(select(func.count()).select_from(Mediator))
