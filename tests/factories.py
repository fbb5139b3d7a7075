"""Test data builders: callables with defaults, flushing but never committing."""

import itertools
from dataclasses import dataclass

from mediation.domain.roles import Role
from mediation.extensions import db
from mediation.models import FriendshipHouse, MediationRoom, Region, User
from mediation.services import org as org_service
from mediation.services.houses import office_hours
from mediation.services.passwords import hash_password

PASSWORD = "correct horse 42"
_counter = itertools.count(1)
_password_hash: dict[str, str] = {}


@dataclass
class Org:
    """Two regions with a house and a room each (Almaty city with the Republican house, and Abai)."""

    almaty: Region
    abai: Region
    republican_house: FriendshipHouse
    semey_house: FriendshipHouse


def make_org() -> Org:
    """Load the 20 regions and add two Friendship Houses with a room each."""
    org_service.load_regions()
    almaty = db.session.query(Region).filter_by(kato2="75").one()
    abai = db.session.query(Region).filter_by(kato2="10").one()
    republican = make_house(almaty, name="Республикалық Достық үйі", republican=True)
    semey = make_house(abai, name="Семей Достық үйі")
    db.session.commit()
    return Org(almaty, abai, republican, semey)


def make_house(region: Region, *, name: str = "Достық үйі", republican: bool = False) -> FriendshipHouse:
    """A Friendship House with one room, open Monday–Friday 09:00–18:00."""
    house = FriendshipHouse(region=region, name_kk=name, name_ru=name, name_en=name, city="—",
                            is_republican=republican)
    house.rooms.append(MediationRoom(name="101", capacity=8))
    house.opening_hours.extend(office_hours())  # Monday–Friday 09:00–18:00, so tests can book sessions
    db.session.add(house)
    db.session.flush()
    return house


def password_hash(password: str = PASSWORD) -> str:
    """Hash once per password: argon2 is slow on purpose."""
    if password not in _password_hash:
        _password_hash[password] = hash_password(password, fast=True)
    return _password_hash[password]


def make_user(role: str | Role, *, org: Org | None = None, username: str | None = None,
              password: str = PASSWORD, region: Region | None = None, house: FriendshipHouse | None = None,
              active: bool = True, full_name: str = "Тест Пайдаланушы") -> User:
    """A user with a sensible default scope for the role: republic for admins and managers, the
    Republican house for coordinators and mediators."""
    role = Role(role)
    if org is not None and region is None and house is None and role in (Role.COORDINATOR, Role.MEDIATOR):
        house = org.republican_house
    if house is not None and region is None:
        region = house.region
    user = User(username=username or f"{role.value}{next(_counter)}", full_name=full_name, role=role,
                password_hash=password_hash(password), region_id=region.id if region else None,
                house_id=house.id if house else None, active=active)
    db.session.add(user)
    db.session.flush()
    return user
