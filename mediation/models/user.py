"""Accounts: role, scope, password hash, the session token that revokes sessions, and lockout state."""

import secrets
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.roles import Actor, Role
from ..extensions import db
from .org import FriendshipHouse, Region
from .types import str_enum, utcnow


def new_session_token() -> str:
    """A fresh unguessable token; changing it ends every session of the user."""
    return secrets.token_urlsafe(24)


class User(db.Model):
    """A person who signs in: admin, manager, coordinator or mediator."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # stored casefolded
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("friendship_house.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship()
    house: Mapped[FriendshipHouse | None] = relationship()

    # --- Flask-Login protocol -------------------------------------------------------------------
    # The id handed to Flask-Login carries the session token, so rotating the token makes every
    # cookie issued before it useless (logout, password change, role change, deactivation).
    @property
    def is_authenticated(self) -> bool:
        """Flask-Login: a loaded user is authenticated."""
        return True

    @property
    def is_active(self) -> bool:
        """Flask-Login: deactivated accounts cannot sign in."""
        return self.active

    @property
    def is_anonymous(self) -> bool:
        """Flask-Login: never anonymous."""
        return False

    def get_id(self) -> str:
        """Flask-Login: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        """End every existing session of this user."""
        self.session_token = new_session_token()

    @property
    def actor(self) -> Actor:
        """The user as the domain rules see it."""
        return Actor(id=self.id, role=self.role, region_id=self.region_id, house_id=self.house_id)
