"""Column helpers shared by the models."""

import secrets
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Enum


def utcnow() -> datetime:
    """Naive UTC now for column defaults; the app stores UTC and shows Asia/Almaty."""
    return datetime.now(UTC).replace(tzinfo=None)


def random_revision() -> int:
    """A new revision mark: random (62 bits, so it fits a signed BIGINT), so two databases never share one."""
    return secrets.randbits(62)


def str_enum(enum_cls: type[StrEnum], name: str) -> Enum:
    """Store a StrEnum by its value as a VARCHAR with a CHECK constraint on both engines."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )
