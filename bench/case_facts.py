"""Facts the case-page benchmark reads from the filled database: users, ids, counts, and cursors at a depth."""

from datetime import date

from fill_cases import PASSWORD


def read_facts(app, region_kato2: str, rng, samples: int) -> dict:
    """What the scenarios need from the filled database (the region coordinator is created if missing)."""
    from sqlalchemy import func, select, text

    from mediation.domain.roles import Role
    from mediation.extensions import db
    from mediation.models import Case, CaseAssignment, FriendshipHouse, Mediator, Region, User
    from mediation.services.clock import local_date, utcnow
    from mediation.services.passwords import hash_password

    with app.app_context():
        region = db.session.scalar(select(Region).where(Region.kato2 == region_kato2))  # noqa
        houses = list(db.session.scalars(select(FriendshipHouse.id).where(FriendshipHouse.region_id == region.id)
                                         .order_by(FriendshipHouse.id)))
        coordinator = db.session.scalar(select(User).where(User.username == "bench-region-coordinator"))
        if coordinator is None:
            coordinator = User(username="bench-region-coordinator", full_name="Бенчмарк Үйлестіруші",
                               role=Role.COORDINATOR, password_hash=hash_password(PASSWORD, fast=True),
                               region_id=region.id)
            db.session.add(coordinator)
            db.session.flush()
        mediator_user = db.session.scalar(select(User).where(User.username == "mediator"))
        own = select(CaseAssignment.case_id).join(Mediator, Mediator.id == CaseAssignment.mediator_id).where(
            Mediator.user_id == mediator_user.id, CaseAssignment.status.in_(("proposed", "accepted")))
        mediator_case_ids = list(db.session.scalars(own))
        busiest = db.session.execute(
            select(CaseAssignment.mediator_id, func.count())
            .join(Mediator, Mediator.id == CaseAssignment.mediator_id).where(Mediator.region_id == region.id)
            .group_by(CaseAssignment.mediator_id)
            .order_by(func.count().desc()).limit(1)).one()
        max_id = db.session.scalar(select(func.max(Case.id)))
        region_ids = [i for (i,) in db.session.execute(
            text('SELECT id FROM "case" WHERE region_id = :r AND id % 97 = 0'), {"r": region.id})]
        today = local_date(utcnow())
        facts = {
            "today": today, "region": {"id": region.id, "kato2": region.kato2, "name": region.name_en},
            "houses": houses, "coordinator": coordinator.username,
            "mediator_case_ids": mediator_case_ids, "busiest_mediator": busiest[0],
            "busiest_mediator_cases": busiest[1], "max_id": max_id,
            "any_ids": rng.sample(range(1, max_id + 1), samples),
            "region_ids": rng.sample(region_ids, min(len(region_ids), samples)),
            "cases": db.session.scalar(select(func.count(Case.id))),
            "region_cases": db.session.scalar(select(func.count(Case.id)).where(Case.region_id == region.id)),
            "open_name": db.session.execute(text(
                'SELECT p.full_name FROM party p JOIN "case" c ON c.id = p.case_id '
                "WHERE c.region_id = :r AND c.state <> 'closed' AND p.kind = 'person' LIMIT 1"),
                {"r": region.id}).scalar(),
        }
        db.session.commit()
        db.session.remove()
    return facts

def cursor_at(app, depth: int, where: str = "1=1", params=None, sort="received") -> str:
    """A cursor as the app would hand it out after `depth` rows (the last row of the page before)."""
    from sqlalchemy import text

    from mediation.extensions import db
    from mediation.services.case_queries import encode_cursor

    key, order = ("deadline", "ASC") if sort == "deadline" else ("received_on", "DESC")
    with app.app_context():
        row = db.session.execute(text(f'SELECT {key}, id FROM "case" WHERE {where} '
                                      f"ORDER BY {key} {order}, id {order} LIMIT 1 OFFSET :d"),
                                 {"d": depth - 1, **(params or {})}).first()
        db.session.remove()
    if row is None:
        return None
    value = row[0] if isinstance(row[0], date) else date.fromisoformat(row[0])
    return encode_cursor(sort, value, row[1])
