"""Fill a database with the real schema, the demo organisation and 1,000,000 realistic cases, quickly.

    python bench/fill_cases.py /tmp/bench_cases.db                       # SQLite file (created)
    python bench/fill_cases.py postgresql://postgres@127.0.0.1/bench_cases

The schema comes from the migrations (`flask db upgrade`), so the FTS5 table and its triggers (SQLite) or
the GIN index (PostgreSQL) are the real ones. The organisation, mediators and demo logins come from
mediation.seed.seed_demo(case_count=0). The cases are generated here, in received-date order (ids grow with
time, as in production), with numbers KATO2-YYYY-NNNNN per region and year, case_number_counter filled,
2-4 parties each, a timeline of events, mediator assignments, and search_text exactly as the app computes
it (case_intake.search_text_of). Bulk load: secondary indexes, foreign keys and the FTS triggers are dropped
first and rebuilt afterwards; executemany in one transaction on SQLite, COPY on PostgreSQL.
"""

import argparse
import json
import random
import sys
import time
from bisect import bisect
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fill_loaders import PostgresLoader, SqliteLoader  # noqa: E402
from fill_people import Parties  # noqa: E402
from fill_random import Draws, Picker  # noqa: E402
from fill_timeline import Timeline  # noqa: E402
from fill_vocabulary import CATEGORY_WEIGHTS, CHANNEL_WEIGHTS, DESCRIPTIONS, POPULATION, SUBJECTS  # noqa: E402

from config import TestingConfig  # noqa: E402
from mediation.domain.case_fields import (  # noqa: E402
    LANGUAGES,
    TensionLevel,
    TensionSignal,
    minimum_tension,
    raise_to,
)
from mediation.services.case_intake import search_text_of  # noqa: E402

PASSWORD = "bench-pass-2026"

# ---------------------------------------------------------------------------------------------------------
# Generation.

CASE_COLUMNS = ("id", "number", "region_id", "house_id", "year", "sequence", "category", "channel", "subject",
                "description", "languages", "interpreter_needed", "tension", "tension_signals", "received_on",
                "state", "outcome", "termination_ground", "terminated_on", "closing_reason", "referred_to",
                "excl_third_party", "excl_party_incapable", "excl_state_body", "excl_corruption", "screening_note",
                "proposal_sent_on", "proposal_accepted_on", "contract_signed_on", "deadline", "extension_days",
                "extension_reason", "search_text", "created_at", "created_by_id", "updated_at", "updated_by_id",
                "version")
PARTY_COLUMNS = ("id", "case_id", "position", "kind", "role", "full_name", "name_folded", "iin_bin",
                 "preferred_language", "phone", "email", "address", "representative_name", "representative_basis",
                 "is_minor", "ethnicity", "ethnicity_consent_on", "consent_mediation_on", "consent_mediation_method",
                 "consent_data_on", "consent_data_method")
EVENT_COLUMNS = ("id", "case_id", "at", "actor_id", "kind", "from_state", "to_state", "reason", "data")
ASSIGNMENT_COLUMNS = ("id", "case_id", "mediator_id", "role", "status", "assigned_at", "assigned_by_id", "ended_at",
                      "reason")


class Generator:
    """Cases in received-date order, with their parties (fill_people) and their course (fill_timeline), as plain
    tuples.

    Hot paths avoid random.randint/choice and json.dumps (ten times slower than what is used here); the ИИН check
    digit and event JSON are checked against the app's own functions before the load starts. Every part draws from
    one seeded generator, in the order of the case's making, so a seed gives the same database.
    """

    def __init__(self, org: dict, today: date, years: float, seed: int):
        draws = Draws(random.Random(seed))
        self.rng = rng = draws.rng
        self.rnd, self.pick = draws.rnd, draws.pick
        self.today = today
        self.epoch = today - timedelta(days=int(365.25 * years))
        self.span = (today - self.epoch).days  # day index of today
        # Date strings for every day index we may need (deadlines run up to 60 days past today).
        self.dates = [(self.epoch + timedelta(days=d)).isoformat() for d in range(self.span + 200)]
        regions = org["regions"]  # id -> kato2
        self.kato = regions
        self.region_pick = Picker(rng, {rid: POPULATION[k] for rid, k in regions.items()})
        self.house_pick = {}
        for rid in regions:
            houses = sorted((h for h in org["houses"] if h["region_id"] == rid), key=lambda h: h["id"])
            weights = {houses[0]["id"]: 70}
            for h in houses[1:]:
                weights[h["id"]] = 30 / (len(houses) - 1)
            self.house_pick[rid] = Picker(rng, weights)
        self.category_pick = Picker(rng, CATEGORY_WEIGHTS)
        self.channel_pick = Picker(rng, CHANNEL_WEIGHTS)
        self.tension_pick = Picker(rng, {TensionLevel.LOW: 55, TensionLevel.ELEVATED: 25, TensionLevel.HIGH: 15,
                                         TensionLevel.CRITICAL: 5})
        self.signals = list(TensionSignal)
        self.tension_cache: dict = {}
        self.counters: dict[tuple[int, int], int] = {}
        self.coordinators = org["coordinators"]  # house_id -> user id (the actor of the timeline)
        self.languages = set(LANGUAGES)
        self.json_cache: dict = {}
        self.parties = Parties(draws, regions)
        self.timeline = Timeline(draws, self.dates, self.span, org)

    # -- schedule ----------------------------------------------------------------------------------------
    def received_days(self, count: int) -> list[int]:
        """Received day indexes, sorted: a slow growth over the years, fewer appeals at weekends."""
        weekday0 = self.epoch.weekday()
        weights = []
        for d in range(self.span + 1):
            wd = (weekday0 + d) % 7
            weights.append((1 + 0.5 * d / self.span) * (1.0 if wd < 5 else 0.35 if wd == 5 else 0.15))
        cumulative = list(accumulate(weights))
        total = cumulative[-1]
        rnd = self.rnd
        days = [bisect(cumulative, rnd() * total) for _ in range(count)]
        days.sort()
        return days

    # -- one case ----------------------------------------------------------------------------------------
    def case(self, case_id: int, day: int):
        rnd, pick, dates = self.rnd, self.pick, self.dates
        region_id = self.region_pick()
        house_id = self.house_pick[region_id]()
        received = dates[day]
        year = int(received[:4])
        key = (region_id, year)
        sequence = self.counters.get(key, 0) + 1
        self.counters[key] = sequence
        number = f"{self.kato[region_id]}-{year}-{sequence:05d}"
        category = self.category_pick()
        channel = self.channel_pick()
        k = pick((0, 0, 0, 0, 1, 1, 2, 3)) if rnd() < 0.5 else 0
        signals = tuple(sorted(self.rng.sample(self.signals, k))) if k else ()
        chosen = self.tension_pick()
        tension = self.tension_cache.get((chosen, signals))
        if tension is None:
            tension = self.tension_cache[(chosen, signals)] = raise_to(chosen, minimum_tension(signals)).value
        party_rows, refs, langs = self.parties.for_case(case_id, region_id, category, received)
        languages = tuple(sorted(langs & self.languages))
        actor = self.coordinators[house_id]
        course = self.timeline.run(case_id, day, region_id, channel, actor)
        events = course.events
        case_row = (
            case_id, number, region_id, house_id, year, sequence, category.value, channel.value,
            pick(SUBJECTS[category]),
            "".join(DESCRIPTIONS[i] for i in sorted({int(rnd() * 8) for _ in range(3)})).strip(),
            self.json_list(languages), len(languages) > 1 and rnd() < 0.3, tension, self.json_list(signals),
            received, course.state, course.outcome, course.ground, course.terminated, course.closing_reason,
            course.referred, *course.excl, course.note, course.sent, course.accepted, course.signed_on,
            course.deadline_on, course.ext_days, course.ext_reason,
            search_text_of(number, refs), events[0][2], actor, events[-1][2], actor, len(events))
        return case_row, party_rows, events, course.assignments

    def json_list(self, values: tuple) -> str:
        text = self.json_cache.get(values)
        if text is None:
            text = self.json_cache[values] = json.dumps([str(v) for v in values])
        return text


# ---------------------------------------------------------------------------------------------------------

def database_url(target: str) -> str:
    if target.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        return "postgresql+psycopg://" + target.split("://", 1)[1]
    return f"sqlite:///{Path(target).resolve()}"


def bench_config(url: str):
    """The app bound to one database (as tests/conftest.py's config_for)."""
    # GC_FREEZE_AFTER_START as a production worker has it (TestingConfig turns it off for the test suite).
    return type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING",
                                                  "GC_FREEZE_AFTER_START": True})


def build_schema_and_org(url: str, today: date, mediators: int, force: bool) -> dict:
    """Migrations, demo organisation and logins, one coordinator per house; returns the ids the cases need."""
    from sqlalchemy import select, text

    from mediation import create_app
    from mediation.cli_db import upgrade
    from mediation.domain.roles import Role
    from mediation.extensions import db
    from mediation.models import FriendshipHouse, Mediator, Region, User
    from mediation.seed import seed_demo
    from mediation.services.passwords import hash_password

    app = create_app(bench_config(url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                exists = connection.execute(text("SELECT to_regclass('public.alembic_version')")).scalar()
                if exists and not force:
                    sys.exit("the database already has a schema; pass --force to drop it")
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(revision="heads")
        report = seed_demo(password=PASSWORD, today=today, fast_hash=True, mediators=mediators, case_count=0)
        houses = list(db.session.scalars(select(FriendshipHouse).order_by(FriendshipHouse.id)))
        password_hash = hash_password(PASSWORD, fast=True)
        coordinators = {}
        for house in houses:
            user = User(username=f"coord-{house.region.kato2}-{house.id}", full_name=f"Үйлестіруші {house.city}",
                        role=Role.COORDINATOR, password_hash=password_hash, region_id=house.region_id,
                        house_id=house.id)
            db.session.add(user)
            db.session.flush()
            coordinators[house.id] = user.id
        db.session.commit()
        org = {
            "regions": {r.id: r.kato2 for r in db.session.scalars(select(Region))},
            "houses": [{"id": h.id, "region_id": h.region_id} for h in houses],
            "mediators": [{"id": m.id, "region_id": m.region_id, "status": m.status, "user_id": m.user_id}
                          for m in db.session.scalars(select(Mediator).order_by(Mediator.id))],
            "coordinators": coordinators,
            "report": report,
        }
        db.session.remove()
        db.engine.dispose()
    return org


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", help="SQLite file path, or postgresql://user@host/db")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--mediators", type=int, default=2500, help="registry size passed to seed_demo")
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--analyze", choices=("yes", "no"), default=None,
                        help="ANALYZE after the load (default: yes on PostgreSQL, where autovacuum would do it "
                             "anyway; no on SQLite, where the app never runs it)")
    parser.add_argument("--force", action="store_true", help="replace an existing database")
    parser.add_argument("--verify", action="store_true",
                        help="SQLite: PRAGMA quick_check after the load (CHECK and NOT NULL constraints; PostgreSQL "
                             "checks them during COPY and when the constraints are added back)")
    args = parser.parse_args()

    url = database_url(args.target)
    postgres = url.startswith("postgresql")
    if not postgres:
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists():
            if not args.force:
                sys.exit(f"{path} exists; pass --force to replace it")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    analyze = (args.analyze or ("yes" if postgres else "no")) == "yes"
    from mediation.services.clock import local_date, utcnow

    today = local_date(utcnow())
    timings: dict[str, float] = {}
    started = time.perf_counter()
    t = time.perf_counter()
    org = build_schema_and_org(url, today, args.mediators, args.force)
    timings["schema_and_seed"] = time.perf_counter() - t
    print(f"schema + seed_demo: {timings['schema_and_seed']:.1f}s ({org['report']})", flush=True)

    loader = PostgresLoader(args.target.replace("postgresql+psycopg://", "postgresql://"), analyze, args.verify) \
        if postgres else SqliteLoader(str(path), analyze, args.verify)
    loader.prepare()
    gen = Generator(org, today, args.years, args.seed)
    days = gen.received_days(args.cases)
    generate = insert = 0.0
    totals = {"case": 0, "party": 0, "case_event": 0, "case_assignment": 0}
    states: dict[str, int] = {}
    for start in range(0, args.cases, args.chunk):
        t = time.perf_counter()
        cases, parties, events, assignments = [], [], [], []
        for offset, day in enumerate(days[start:start + args.chunk]):
            case_row, party_rows, event_rows, assignment_rows = gen.case(start + offset + 1, day)
            cases.append(case_row)
            parties += party_rows
            events += event_rows
            assignments += assignment_rows
            states[case_row[15]] = states.get(case_row[15], 0) + 1
        t2 = time.perf_counter()
        generate += t2 - t
        for table, columns, rows in (("case", CASE_COLUMNS, cases), ("party", PARTY_COLUMNS, parties),
                                     ("case_event", EVENT_COLUMNS, events),
                                     ("case_assignment", ASSIGNMENT_COLUMNS, assignments)):
            loader.insert(table, columns, rows)
            totals[table] += len(rows)
        insert += time.perf_counter() - t2
        done = start + len(cases)
        if done % 100_000 == 0 or done == args.cases:
            print(f"  {done:>9,} cases  generate {generate:6.1f}s  insert {insert:6.1f}s  "
                  f"elapsed {time.perf_counter() - started:6.1f}s", flush=True)
    timings["generate"], timings["insert"] = generate, insert
    counters = [(region_id, year, last) for (region_id, year), last in sorted(gen.counters.items())]
    loader.finish(counters, timings)
    timings["total"] = time.perf_counter() - started
    print("rows: " + ", ".join(f"{table} {count:,}" for table, count in totals.items()))
    print("states: " + ", ".join(f"{state} {count:,}" for state, count in sorted(states.items())))
    print("timings: " + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in timings.items()))
    print(f"TOTAL {timings['total']:.1f}s ({timings['total'] / 60:.1f} min) for {args.cases:,} cases")


if __name__ == "__main__":
    main()
