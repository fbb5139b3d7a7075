"""Scheduling benchmark (issue 5): 40 houses, 300 rooms, two years of sessions (~500,000).

    python bench/bench_sessions.py fill /tmp/sessbench/sessions.db
    python bench/bench_sessions.py fill postgresql://postgres@127.0.0.1/bench_sessions
    python bench/bench_sessions.py measure /tmp/sessbench/sessions.db --runs 300
    python bench/bench_sessions.py measure postgresql://postgres@127.0.0.1/bench_sessions --runs 300

`fill` builds the schema with the migrations, then bulk-inserts houses, rooms, opening hours, mediators, cases
with their lead mediator, and sessions on weekdays in opening hours (never overlapping a room or a mediator, so
PostgreSQL's exclusion constraints accept them). `measure` times, inside the app:
- the booking check: loading the narrow facts (room and mediator overlaps, hours, closures, absences) and the
  domain comparison, as `services.scheduling.check_plan` does for every booking;
- the overlap query alone, with the (room, ends_at) index and, for comparison, with only (room, starts_at);
- the house week page and the "find a slot" page through the WSGI app (test client, signed-in manager).
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fill_cases import bench_config, database_url  # noqa: E402

HOUSES, ROOMS, YEARS = 40, 300, 2
STARTS = (clock(9, 0), clock(10, 30), clock(14, 0), clock(15, 30))  # local; 90 minutes each
PASSWORD = "bench-pass-2026"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def stopwatch() -> tuple[float, float]:
    """Wall clock and this thread's CPU clock (the test client runs the request in this thread)."""
    return time.perf_counter(), time.thread_time()


def since(started: tuple[float, float]) -> tuple[float, float]:
    """Wall and CPU seconds since a stopwatch() reading."""
    return time.perf_counter() - started[0], time.thread_time() - started[1]


def summary(name: str, samples: list[tuple[float, float]], target_ms: float) -> str:
    """A table row: wall p50, p95 and max, CPU p95, target and verdict (on wall p95)."""
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    p50, p95 = percentile(walls, 50) * 1000, percentile(walls, 95) * 1000
    verdict = "pass" if p95 <= target_ms else "FAIL"
    return (f"| {name} | {len(walls)} | {p50:.2f} | {p95:.2f} | {max(walls) * 1000:.2f} | "
            f"{percentile(cpus, 95) * 1000:.2f} | ≤ {target_ms:g} | {verdict} |")


def fill(url: str, today: date, seed: int) -> None:
    from sqlalchemy import insert, select

    from mediation import create_app
    from mediation.cli_db import upgrade
    from mediation.domain.scheduling import local_to_utc
    from mediation.domain.text import name_order_key
    from mediation.extensions import db
    from mediation.models import (
        Case,
        CaseAssignment,
        FriendshipHouse,
        HouseOpeningHours,
        MediationRoom,
        MediationSession,
        Mediator,
        Region,
        SessionMediator,
        User,
    )
    from mediation.services import org as org_service
    from mediation.services.passwords import hash_password

    rng = random.Random(seed)
    app = create_app(bench_config(url))
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        org_service.load_regions()
        regions = list(db.session.scalars(select(Region).order_by(Region.kato2)))
        houses = []
        for index in range(HOUSES):
            region = regions[index % len(regions)]
            house = FriendshipHouse(region=region, name_kk=f"Достық үйі {index}", name_ru=f"Дом дружбы {index}",
                                    name_en=f"Friendship House {index}", city=region.centre_ru or "—")
            db.session.add(house)
            houses.append(house)
        db.session.flush()
        rooms = []
        for index in range(ROOMS):
            house = houses[index % HOUSES]
            rooms.append(MediationRoom(house_id=house.id, name=f"{101 + index // HOUSES}", capacity=8,
                                       has_interpreter_equipment=index % 3 == 0))
        db.session.add_all(rooms)
        for house in houses:
            for weekday in range(5):
                db.session.add(HouseOpeningHours(house_id=house.id, weekday=weekday, opens=clock(9), closes=clock(18)))
        manager = User(username="bench-manager", full_name="Бенчмарк Менеджер", role="manager",
                       password_hash=hash_password(PASSWORD, fast=True), locale="ru")
        db.session.add(manager)
        db.session.flush()
        # One mediator per (room, start of day): a mediator is never in two places at once.
        mediator_rows = [{"registry_number": f"B-{r}-{k}", "full_name": f"Медиатор {r}-{k}",
                          "name_folded": f"медиатор {r}-{k}", "name_order": name_order_key(f"медиатор {r}-{k}"),
                          "kind": "professional", "region_id": room.house.region_id,
                          "house_id": room.house_id, "max_active_cases": 50, "status": "active",
                          "disqualifications": [], "takes_cases_elsewhere": True, "higher_education": True,
                          "retired_judge": False, "created_at": datetime(2024, 1, 1),
                          "updated_at": datetime(2024, 1, 1)}
                         for r, room in enumerate(rooms) for k in range(len(STARTS))]
        db.session.execute(insert(Mediator), mediator_rows)
        mediator_ids = list(db.session.scalars(select(Mediator.id).order_by(Mediator.id)))
        # One case per (room, start), in mediation, with that mediator as lead.
        year = today.year
        case_rows = [{"number": f"B{r:03d}-{k}", "region_id": room.house.region_id, "house_id": room.house_id,
                      "year": year, "sequence": r * 10 + k, "category": "neighbours_land", "channel": "walk_in",
                      "subject": "Бенчмарк", "description": "", "languages": ["kk"], "interpreter_needed": False,
                      "tension": "low", "tension_signals": [], "received_on": today - timedelta(days=20),
                      "state": "in_mediation", "contract_signed_on": today - timedelta(days=10),
                      "deadline": today + timedelta(days=20), "extension_days": 0, "search_text": "",
                      "created_at": datetime(2024, 1, 1), "updated_at": datetime(2024, 1, 1), "version": 1}
                     for r, room in enumerate(rooms) for k in range(len(STARTS))]
        db.session.execute(insert(Case), case_rows)
        case_ids = list(db.session.scalars(select(Case.id).order_by(Case.id)))
        db.session.execute(insert(CaseAssignment), [
            {"case_id": c, "mediator_id": m, "role": "lead", "status": "accepted", "assigned_at": datetime(2024, 1, 1),
             "explanation": {}, "ethnicity_used": False} for c, m in zip(case_ids, mediator_ids, strict=True)])
        db.session.commit()
        # Two years of weekdays ending 30 days from today; each (room, start) is taken on ~3 days in 4.
        first = today - timedelta(days=365 * YEARS - 30)
        session_rows, people_rows, next_id = [], [], 1
        day = first
        while day <= today + timedelta(days=30):
            if day.weekday() < 5:
                for r, room in enumerate(rooms):
                    for k, start in enumerate(STARTS):
                        if rng.random() < 0.75:  # three slots in four are taken
                            owner = r * len(STARTS) + k
                            begin = local_to_utc(datetime.combine(day, start))
                            active = rng.random() > 0.05
                            session_rows.append(session_row(next_id, case_ids[owner], room, begin, active))
                            people_rows.append({"session_id": next_id, "mediator_id": mediator_ids[owner],
                                                "starts_at": begin, "ends_at": begin + timedelta(minutes=90),
                                                "active": active})
                            next_id += 1
            day += timedelta(days=1)
            if len(session_rows) >= 20000:
                _flush(db, insert, MediationSession, SessionMediator, session_rows, people_rows)
        _flush(db, insert, MediationSession, SessionMediator, session_rows, people_rows)
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            db.session.execute(text("SELECT setval(pg_get_serial_sequence('mediation_session', 'id'), "
                                    "(SELECT max(id) FROM mediation_session))"))
            db.session.commit()
            db.session.execute(text("ANALYZE"))
        db.session.commit()
        total = db.session.scalar(select(db.func.count(MediationSession.id)))
        print(f"filled {url}: {HOUSES} houses, {ROOMS} rooms, {len(mediator_ids)} mediators, {len(case_ids)} cases, "
              f"{total} sessions in {time.perf_counter() - started:.1f} s")


def session_row(session_id: int, case_id: int, room, begin: datetime, active: bool) -> dict:
    """One 90-minute joint session in a room (5 % of them cancelled)."""
    return {"id": session_id, "case_id": case_id, "house_id": room.house_id, "room_id": room.id, "venue": "room",
            "starts_at": begin, "ends_at": begin + timedelta(minutes=90), "kind": "joint",
            "interpreter_needed": False, "status": "scheduled" if active else "cancelled",
            "created_at": begin - timedelta(days=7), "updated_at": begin - timedelta(days=7), "version": 1}


def _flush(db, insert, session_model, people_model, session_rows, people_rows) -> None:
    if session_rows:
        db.session.execute(insert(session_model), session_rows)
        db.session.execute(insert(people_model), people_rows)
        db.session.commit()
        session_rows.clear()
        people_rows.clear()


def measure(url: str, runs: int, seed: int) -> None:
    from sqlalchemy import select, text

    from mediation import create_app
    from mediation.domain.scheduling import MAX_SESSION, SessionKind, Venue, local_to_utc
    from mediation.extensions import db
    from mediation.models import Case, FriendshipHouse, MediationRoom
    from mediation.services import schedule_context as load
    from mediation.services import scheduling
    from mediation.services.clock import utcnow
    from mediation.services.scheduling import SessionPlan

    rng = random.Random(seed)
    app = create_app(bench_config(url))
    app.config["WTF_CSRF_ENABLED"] = False
    now = utcnow()
    today = (now + timedelta(hours=5)).date()
    lines = []
    with app.app_context():
        engine = db.engine.dialect.name
        rooms = list(db.session.scalars(select(MediationRoom)))
        houses = list(db.session.scalars(select(FriendshipHouse.id)))
        cases = list(db.session.scalars(select(Case)))
        count = db.session.scalar(text("SELECT count(*) FROM mediation_session"))

        def random_plan():
            case = rng.choice(cases)
            day = today + timedelta(days=rng.randint(1, 28))
            begin = local_to_utc(datetime.combine(day, rng.choice(STARTS)))
            return case, SessionPlan(venue=Venue.ROOM, room_id=None, offsite_address=None, start=begin,
                                     end=begin + timedelta(minutes=90), kind=SessionKind.JOINT,
                                     mediator_ids=tuple(scheduling.case_mediator_ids(case.id)), party_ids=())

        # 1. the booking check (facts + comparison), as the service runs it before every insert
        checks = []
        for _ in range(runs + 20):
            case, plan = random_plan()
            room = rng.choice(rooms)
            begun = stopwatch()
            scheduling.check_plan(case, plan, room, now)
            checks.append(since(begun))
            db.session.rollback()
        lines.append(summary("booking check (3 round trips + domain)", checks[20:], 2))

        # 2. the overlap query alone: (room, ends_at) index, then (room, starts_at) only
        def overlap_times() -> list[float]:
            times = []
            for _ in range(runs + 20):
                room = rng.choice(rooms)
                begin = local_to_utc(datetime.combine(today - timedelta(days=rng.randint(0, 700)), clock(10)))
                started = stopwatch()
                load.room_busy([room.id], begin, begin + timedelta(minutes=90))
                times.append(since(started))
            return times[20:]

        # The same query through the bare driver: what the database itself spends, without the ORM's share.
        raw_sql = ("SELECT id, starts_at, ends_at FROM mediation_session WHERE room_id = {p} AND status = 'scheduled' "
                   "AND ends_at > {p} AND ends_at < {p} AND starts_at < {p}").format(
                       p="%s" if engine == "postgresql" else "?")

        def raw_times() -> list[float]:
            times = []
            connection = db.session.connection().connection.driver_connection
            for _ in range(runs + 20):
                room = rng.choice(rooms)
                begin = local_to_utc(datetime.combine(today - timedelta(days=rng.randint(0, 700)), clock(10)))
                started = stopwatch()
                cursor = connection.cursor()
                end = begin + timedelta(minutes=90)
                cursor.execute(raw_sql, (room.id, begin, end + MAX_SESSION, end))
                cursor.fetchall()
                times.append(since(started))
            return times[20:]

        lines.append(summary("overlap query, index (room_id, ends_at)", overlap_times(), 2))
        lines.append(summary("overlap query, bare driver, (room_id, ends_at)", raw_times(), 2))
        db.session.execute(text("DROP INDEX ix_mediation_session_room_end"))
        db.session.execute(text("CREATE INDEX ix_bench_room_start ON mediation_session (room_id, starts_at)"))
        db.session.commit()
        lines.append(summary("overlap query, index (room_id, starts_at) only [naive]", overlap_times(), 2))
        lines.append(summary("overlap query, bare driver, (room_id, starts_at) only [naive]", raw_times(), 2))
        db.session.execute(text("DROP INDEX ix_bench_room_start"))
        db.session.execute(text("CREATE INDEX ix_mediation_session_room_end ON mediation_session (room_id, ends_at)"))
        db.session.commit()

    # 3. pages through the app
    client = app.test_client()
    client.post("/auth/login", data={"username": "bench-manager", "password": PASSWORD})
    weeks, slots = [], []
    for index in range(runs + 10):
        house_id = rng.choice(houses)
        week = today + timedelta(days=7 * rng.randint(-8, 3))
        started = stopwatch()
        response = client.get(f"/sessions/house/{house_id}/week?week={week.isoformat()}")
        elapsed = since(started)
        assert response.status_code == 200, response.status_code
        if index >= 10:
            weeks.append(elapsed)
    lines.append(summary("house week page (GET, whole request)", weeks, 50))
    with app.app_context():
        case_ids = [c.id for c in db.session.scalars(select(Case))]
    for index in range(runs + 10):
        started = stopwatch()
        response = client.get(f"/sessions/case/{rng.choice(case_ids)}/slots?minutes=90")
        elapsed = since(started)
        assert response.status_code == 200, response.status_code
        if index >= 10:
            slots.append(elapsed)
    lines.append(summary("find a slot page (GET, whole request)", slots, 100))
    print(f"\n{engine}: {count} sessions, {len(rooms)} rooms, {len(houses)} houses; {runs} runs each (ms)\n")
    print("| measure | runs | wall p50 | wall p95 | wall max | CPU p95 | target p95 | |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(lines))
    print(f"\nmean booking check {statistics.mean(w for w, _ in checks[20:]) * 1000:.2f} ms wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("fill", "measure"))
    parser.add_argument("target", help="SQLite file path or postgresql:// URL")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = database_url(args.target)
    if args.action == "fill":
        Path(args.target).parent.mkdir(parents=True, exist_ok=True) if url.startswith("sqlite") else None
        fill(url, date.today(), args.seed)
    else:
        measure(url, args.runs, args.seed)


if __name__ == "__main__":
    main()
