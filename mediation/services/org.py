"""The organisation: loading the regions, listing houses and rooms within a scope."""

import csv
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..domain.roles import Actor, ScopeLevel
from ..extensions import db
from ..models import FriendshipHouse, MediationRoom, Mediator, Region, User


def load_regions() -> int:
    """Insert or update the 20 regions from the packaged CSV (KATO codes are the key)."""
    existing = {r.kato2: r for r in db.session.scalars(select(Region))}
    text = resources.files("mediation.data").joinpath("regions.csv").read_text(encoding="utf-8")
    count = 0
    for row in csv.DictReader(text.splitlines()):
        region = existing.get(row["kato2"]) or Region(kato2=row["kato2"])
        for field in ("kind", "name_kk", "name_ru", "name_en", "centre_kk", "centre_ru", "centre_en"):
            setattr(region, field, row[field] or None)
        db.session.add(region)
        count += 1
    db.session.flush()
    return count


def regions() -> list[Region]:
    """All regions in KATO order."""
    return list(db.session.scalars(select(Region).order_by(Region.kato2)))


def houses(*, with_regions: bool = False) -> list[FriendshipHouse]:
    """All Friendship Houses, for choosers (with their regions loaded in the same query if asked)."""
    query = select(FriendshipHouse).order_by(FriendshipHouse.region_id, FriendshipHouse.id)
    if with_regions:
        query = query.options(joinedload(FriendshipHouse.region))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ScopeOverview:
    """Counts for the start page, within the user's scope."""

    level: ScopeLevel
    region: Region | None
    house: FriendshipHouse | None
    houses: int
    rooms: int
    mediators: int
    users: int


def scope_overview(actor: Actor) -> ScopeOverview:
    """Count houses, rooms, mediators and users in the actor's scope, in four small queries."""
    house_filter, mediator_filter, user_filter = [], [], []
    if actor.scope_level is ScopeLevel.REGION:
        house_filter = [FriendshipHouse.region_id == actor.region_id]
        mediator_filter = [Mediator.region_id == actor.region_id]
        user_filter = [User.region_id == actor.region_id]
    elif actor.scope_level is ScopeLevel.HOUSE:
        house_filter = [FriendshipHouse.id == actor.house_id]
        mediator_filter = [Mediator.house_id == actor.house_id]
        user_filter = [User.house_id == actor.house_id]
    houses_count = db.session.scalar(select(func.count(FriendshipHouse.id)).where(*house_filter))
    rooms_count = db.session.scalar(select(func.count(MediationRoom.id)).join(FriendshipHouse)
                                    .where(MediationRoom.active, *house_filter))
    mediators_count = db.session.scalar(select(func.count(Mediator.id)).where(*mediator_filter))
    users_count = db.session.scalar(select(func.count(User.id)).where(User.active, *user_filter))
    return ScopeOverview(
        level=actor.scope_level,
        region=db.session.get(Region, actor.region_id) if actor.region_id else None,
        house=db.session.get(FriendshipHouse, actor.house_id) if actor.house_id else None,
        houses=houses_count, rooms=rooms_count, mediators=mediators_count, users=users_count,
    )
