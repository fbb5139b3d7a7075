"""Server-side latency of the case pages on a database filled by bench/fill_cases.py.

    python bench/bench_cases.py /tmp/bench/cases.db --runs 200
    python bench/bench_cases.py postgresql://postgres@127.0.0.1/bench_cases --runs 200
    python bench/bench_cases.py --report sqlite.json pg.json     # markdown table from --json outputs

Requests go through the Flask test client into the app bound to the filled database; the time measured is
the WSGI call inside the app (routing, session, login check, queries, template, response), not the client.
Every SQL statement is counted with a before_cursor_execute listener (SQLite's explicit BEGIN, which
web/database.py issues on every transaction, is counted apart). Users: the republic manager and the house
mediator of the demo seed, and a region coordinator created here if missing.

Intake POSTs create real cases (one per run) in the benchmark database.
"""

import argparse
import json
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from case_facts import cursor_at, read_facts  # noqa: E402
from fill_cases import PASSWORD, bench_config, database_url  # noqa: E402
from measure import CSRF_META, Timed, machine, percentile  # noqa: E402
from report import engines_table  # noqa: E402

NEXT_LINK = re.compile(r'href="([^"]*cursor=[^"]*)"[^>]*>[^<]*</a>\s*(?:</div>|$)')


class Bench:
    def __init__(self, args):
        from sqlalchemy import event

        from mediation import create_app
        from mediation.extensions import db

        self.args = args
        self.url = database_url(args.target)
        self.app = create_app(bench_config(self.url))
        self.timed = Timed(self.app.wsgi_app)
        self.app.wsgi_app = self.timed
        self.results: list[dict] = []
        self.info: dict = {}
        self.rng = random.Random(7)
        with self.app.app_context():
            self.dialect = db.engine.dialect.name
            # The schema follows the code: apply migrations added since the fill (they are small so far).
            from alembic.runtime.migration import MigrationContext

            from mediation.cli_db import upgrade

            with db.engine.connect() as connection:
                before = ",".join(MigrationContext.configure(connection).get_current_heads())
            upgrade(revision="heads")  # "heads": a branch being merged may be in flight
            with db.engine.connect() as connection:
                after = ",".join(MigrationContext.configure(connection).get_current_heads())
            if before != after:
                print(f"schema upgraded {before} -> {after}", flush=True)
            self.revision = after

            @event.listens_for(db.engine, "before_cursor_execute")
            def _before(conn, cursor, statement, parameters, context, executemany):
                self.timed.before(statement, parameters)

            @event.listens_for(db.engine, "after_cursor_execute")
            def _after(conn, cursor, statement, parameters, context, executemany):
                self.timed.after()

    # -- plumbing ----------------------------------------------------------------------------------------
    def save(self) -> None:
        """Write the figures so far (a run cut short keeps what it measured)."""
        if self.args.json:
            Path(self.args.json).write_text(json.dumps(
                {"machine": self.info, "dialect": self.dialect, "args": vars(self.args), "results": self.results},
                ensure_ascii=False, indent=1, default=str))

    def client(self, username: str):
        client = self.app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = CSRF_META.search(page).group(1)
        response = client.post("/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, (username, response.status_code, response.get_data(as_text=True)[:300])
        return client

    def csrf(self, client, path: str = "/cases/") -> str:
        return CSRF_META.search(client.get(path).get_data(as_text=True)).group(1)

    def request(self, client, method: str, path: str, data=None):
        response = client.open(path, method=method, data=data)
        t = self.timed
        return response, (t.elapsed, t.cpu, t.db), t.queries(), list(t.statements)

    def record(self, name: str, role: str, times: list[tuple], queries: list[int], statuses: set,
               statements=None, note: str = "") -> dict:
        ms = [t[0] * 1000 for t in times]
        cpu = [t[1] * 1000 for t in times]
        dbms = [t[2] * 1000 for t in times]
        row = {"name": name, "role": role, "n": len(ms), "p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95),
               "max": max(ms), "mean": statistics.fmean(ms), "cpu_p50": percentile(cpu, 0.5),
               "cpu_p95": percentile(cpu, 0.95), "db_p50": percentile(dbms, 0.5), "db_p95": percentile(dbms, 0.95),
               "queries_min": min(queries), "queries_max": max(queries),
               "statuses": sorted(statuses), "note": note,
               "statements": [(s, repr(p)[:500]) for s, p in (statements or [])]}
        self.results.append(row)
        self.save()
        q = f"{row['queries_min']}" if row["queries_min"] == row["queries_max"] else \
            f"{row['queries_min']}-{row['queries_max']}"
        print(f"{role:11} {name:42} n={row['n']:<4} p50 {row['p50']:6.1f} p95 {row['p95']:6.1f} max {row['max']:6.1f} "
              f"| cpu p95 {row['cpu_p95']:6.1f} | sql p50 {row['db_p50']:6.1f} p95 {row['db_p95']:6.1f} ms | q={q:5} "
              f"{row['statuses']} {note}", flush=True)
        return row

    def measure(self, name: str, role: str, client, path: str, *, runs=None, warmup=None, expect=200, note=""):
        runs = runs or self.args.runs
        warmup = self.args.warmup if warmup is None else warmup
        for _ in range(warmup):
            self.request(client, "GET", path)
        times, queries, statuses, statements = [], [], set(), None
        for _ in range(runs):
            response, elapsed, count, statements = self.request(client, "GET", path)
            times.append(elapsed)
            queries.append(count)
            statuses.add(response.status_code)
        if expect not in statuses:
            note += f" UNEXPECTED STATUS {statuses}"
        return self.record(name, role, times, queries, statuses, statements, note)

    def selected(self, name: str) -> bool:
        return not self.args.only or re.search(self.args.only, name) is not None

    # -- scenarios -------------------------------------------------------------------------------------------
    def run(self):
        f = read_facts(self.app, self.args.region, self.rng, 2 * (self.args.runs + self.args.warmup))
        self.f = f
        today, region = f["today"], f["region"]
        print(f"{self.dialect}: {f['cases']:,} cases; region {region['kato2']} ({region['name']}) "
              f"{f['region_cases']:,} cases, houses {f['houses']}; "
              f"mediator user has {len(f['mediator_case_ids'])} cases; "
              f"busiest mediator of the region #{f['busiest_mediator']} has {f['busiest_mediator_cases']}", flush=True)
        manager, coordinator, mediator = self.client("manager"), self.client(f["coordinator"]), self.client("mediator")
        month_from, month_to = (today - timedelta(days=400)).isoformat(), (today - timedelta(days=370)).isoformat()
        big_house = f["houses"][0]
        filters = [
            ("list: no filter", ""),
            ("list: state=in_mediation", "state=in_mediation"),
            ("list: state=registered", "state=registered"),
            ("list: state=closed", "state=closed"),
            ("list: region", f"region={region['id']}"),
            ("list: house", f"house={big_house}"),
            ("list: category=religious", "category=religious"),
            ("list: tension=critical", "tension=critical"),
            ("list: mediator", f"mediator={f['busiest_mediator']}"),
            ("list: due=overdue", "due=overdue"),
            ("list: due=week", "due=week"),
            ("list: date range (1 month)", f"from={month_from}&to={month_to}"),
            ("list: sort=deadline", "sort=deadline"),
            ("list: region+state+category", f"region={region['id']}&state=closed&category=religious"),
            ("list: tension=critical+state=registered", "tension=critical&state=registered"),
        ]
        for role, client, skip in (("manager", manager, ()), ("coordinator", coordinator, ("list: region",)),
                                   ("mediator", mediator, ("list: region", "list: house", "list: mediator"))):
            for name, query in filters:
                if name in skip or not self.selected(name):
                    continue
                self.measure(name, role, client, f"/cases/?{query}")

        # Deep pages: cursors built at a depth, and 50 pages followed through next_cursor.
        if self.selected("deep"):
            for depth in (1_000, 100_000, 290_000, 500_000, 900_000):
                if depth < f["cases"]:
                    cursor = cursor_at(self.app, depth)
                    self.measure(f"deep: cursor at row {depth:,}", "manager", manager, f"/cases/?cursor={cursor}")
            cursor = cursor_at(self.app, min(290_000, f["cases"] // 3), "state = 'closed'")
            if cursor:
                self.measure("deep: state=closed, cursor at row 290,000", "manager", manager,
                             f"/cases/?state=closed&cursor={cursor}")
            depth = f["region_cases"] * 9 // 10
            cursor = cursor_at(self.app, depth, "region_id = :r", {"r": region['id']})
            self.measure(f"deep: cursor at row {depth:,} of the region", "coordinator", coordinator,
                         f"/cases/?cursor={cursor}")
            cursor = cursor_at(self.app, 20_000, "deadline IS NOT NULL", sort="deadline")
            if cursor:
                self.measure("deep: sort=deadline, cursor at row 20,000", "manager", manager,
                             f"/cases/?sort=deadline&cursor={cursor}")
            self.follow("deep: follow next_cursor 50 pages", "manager", manager, "/cases/", 50)
            self.follow("deep: follow next_cursor 50 pages", "coordinator", coordinator, "/cases/", 50)
            self.follow("deep: follow next_cursor 50 pages", "mediator", mediator, "/cases/", 50)

        if self.selected("search"):
            self.searches(manager, "manager")
            self.searches(coordinator, "coordinator")
            self.searches(mediator, "mediator", terms=("ли", "бекмұханов"))

        if self.selected("detail"):
            for role, client, ids in (("manager", manager, f["any_ids"]), ("coordinator", coordinator, f["region_ids"]),
                                      ("mediator", mediator, f["mediator_case_ids"])):
                self.details(role, client, ids)

        if self.selected("intake"):
            self.intake(coordinator)
        if self.selected("offset"):
            self.offset_versus_keyset()

    def follow(self, name: str, role: str, client, start: str, pages: int):
        times, queries, statuses, statements = [], [], set(), None
        for _ in range(max(1, self.args.runs // pages)):
            path = start
            for _ in range(pages):
                response, elapsed, count, statements = self.request(client, "GET", path)
                times.append(elapsed)
                queries.append(count)
                statuses.add(response.status_code)
                links = re.findall(r'href="(/cases/\?[^"]*cursor=[^"]+)"', response.get_data(as_text=True))
                if not links:
                    break
                path = links[-1].replace("&amp;", "&")
        self.record(name, role, times, queries, statuses, statements, f"{len(times)} page loads")

    def searches(self, client, role: str, terms=None):
        from sqlalchemy import func, select

        from mediation.extensions import db
        from mediation.services.case_queries import search_condition

        terms = terms or ("ли", "ким", "бекмұханов", "әбішұлы", "иванова ольга", "бекмұханова әйгерім",
                          "ас", "шевченко тарас", "75-2025-01", "юлдашев ильхам турсунович")
        for term in terms:
            with self.app.app_context():
                matches = db.session.scalar(select(func.count()).where(search_condition(term)))
                db.session.remove()
            token = self.csrf(client)
            client.post("/cases/search", data={"q": term, "csrf_token": token})
            self.measure(f"search: {term!r}", role, client, "/cases/?search=1", note=f"{matches:,} matches in all")

    def details(self, role: str, client, ids: list[int]):
        ids = list(ids)
        self.rng.shuffle(ids)
        warm, measured = ids[:self.args.warmup], ids[self.args.warmup:self.args.warmup + self.args.runs]
        for case_id in warm:
            self.request(client, "GET", f"/cases/{case_id}")
        times, queries, statuses, statements = [], [], set(), None
        for case_id in measured:
            response, elapsed, count, statements = self.request(client, "GET", f"/cases/{case_id}")
            times.append(elapsed)
            queries.append(count)
            statuses.add(response.status_code)
        self.record("detail page", role, times, queries, statuses, statements, f"{len(set(measured))} distinct cases")

    def intake(self, client):
        f = self.f
        today = f["today"].isoformat()
        syllables = ["ба", "ке", "ну", "ра", "са", "то", "жа", "лы", "мо", "ри", "те", "ша", "қа", "ғы", "ұл", "өз"]

        def new_name(rng):
            surname = "".join(rng.choice(syllables) for _ in range(4)).capitalize() + "ов"
            given = rng.choice(["Ерлан", "Айгүл", "Марат", "Ольга"])
            return f"{surname} {given} {rng.choice(['Серікұлы', 'Петровна'])}"

        def form(token, names):
            data = {"csrf_token": token, "house_id": str(f["houses"][0]), "category": "neighbours_land",
                    "channel": "walk_in", "subject": "Спор соседей о границе земельного участка",
                    "description": "Бенчмарк: описание обстоятельств.", "received_on": today, "tension": "elevated",
                    "languages": ["kk", "ru"], "signals": ["repeat_incident"], "submit": "1"}
            for i, name in enumerate(names):
                data.update({f"parties-{i}-kind": "person", f"parties-{i}-role": ("applicant", "respondent")[i],
                             f"parties-{i}-full_name": name, f"parties-{i}-preferred_language": "kk",
                             f"parties-{i}-phone": "+7 701 234 56 78",
                             f"parties-{i}-consent_mediation_on": today,
                             f"parties-{i}-consent_mediation_method": "written",
                             f"parties-{i}-consent_data_on": today, f"parties-{i}-consent_data_method": "written"})
            return data

        rng = random.Random()  # fresh names on every run: a name registered by an earlier run would be a duplicate
        for label, names_of, expect, runs in (
                ("intake POST: new case, two parties", lambda: [new_name(rng), new_name(rng)], 302, self.args.runs),
                ("intake POST: duplicate warning shown", lambda: [f["open_name"], new_name(rng)], 422,
                 max(20, self.args.runs // 4))):
            times, queries, statuses, statements = [], [], set(), None
            for i in range(runs + 5):
                token = self.csrf(client, "/cases/new")
                response, elapsed, count, statements_now = self.request(client, "POST", "/cases/new",
                                                                        form(token, names_of()))
                if i < 5:
                    continue  # warm-up
                times.append(elapsed)
                queries.append(count)
                statuses.add(response.status_code)
                statements = statements_now
            note = "" if statuses == {expect} else f"UNEXPECTED STATUS {statuses}"
            self.record(label, "coordinator", times, queries, statuses, statements, note)

    def offset_versus_keyset(self):
        """One-off raw SQL: the list query at depth 290,000 with OFFSET and with the keyset condition."""
        from sqlalchemy import text

        from mediation.extensions import db

        columns = "id, number, received_on, category, state, tension, deadline, house_id"
        for depth in (290_000, 900_000):
            if depth >= self.f["cases"]:
                continue
            with self.app.app_context():
                last = db.session.execute(text(f'SELECT received_on, id FROM "case" ORDER BY received_on DESC, id DESC '
                                               f"LIMIT 1 OFFSET {depth - 1}")).one()
                for label, sql, params in (
                        ("OFFSET", f'SELECT {columns} FROM "case" ORDER BY received_on DESC, id DESC LIMIT 26 '
                                   f"OFFSET {depth}", {}),
                        ("keyset", f'SELECT {columns} FROM "case" WHERE (received_on, id) < (:r, :i) '
                                   "ORDER BY received_on DESC, id DESC LIMIT 26", {"r": last[0], "i": last[1]})):
                    times = []
                    rows = None
                    for run in range(6):
                        started = time.perf_counter()
                        rows = db.session.execute(text(sql), params).all()
                        if run:
                            times.append(time.perf_counter() - started)
                    ms = [t * 1000 for t in times]
                    row = {"name": f"raw SQL page at depth {depth:,}: {label}", "role": "-", "n": len(ms),
                           "p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95), "max": max(ms),
                           "mean": statistics.fmean(ms), "cpu_p50": None, "cpu_p95": None,
                           "db_p50": percentile(ms, 0.5),
                           "db_p95": percentile(ms, 0.95), "queries_min": 1, "queries_max": 1, "statuses": [],
                           "note": f"first id {rows[0][0]}", "statements": [(sql, repr(params))]}
                    self.results.append(row)
                    self.save()
                    print(f"{'-':12} {row['name']:44} n={row['n']:<4} p50={row['p50']:7.2f}  p95={row['p95']:7.2f}  "
                          f"max={row['max']:7.2f} ms  {row['note']}", flush=True)
                db.session.remove()


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--report":
        engines_table(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", help="SQLite file path, or postgresql://user@host/db")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--region", default="19", help="KATO2 code of the region coordinator's region")
    parser.add_argument("--only", help="regular expression: run only scenarios whose name matches")
    parser.add_argument("--json", help="write the figures (and the SQL of each scenario) to this file")
    args = parser.parse_args()
    bench = Bench(args)
    info = bench.info = machine()
    info["revision"] = bench.revision
    print(f"{info['date']}  nproc {info['nproc']}  load {info['loadavg']}  commit {info['commit']} "
          f"(+{info['modified_files']} modified files)", flush=True)
    started = time.perf_counter()
    bench.run()
    info["loadavg_after"] = machine()["loadavg"]
    print(f"done in {time.perf_counter() - started:.0f}s; load after: {info['loadavg_after']}")
    bench.save()


if __name__ == "__main__":
    main()
