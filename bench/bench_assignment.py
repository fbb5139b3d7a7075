"""Server-side speed of mediator suggestions, the registry list and batch auto-assign (issue 4, "Speed").

    python bench/bench_assignment.py /tmp/casebench/cases.db --runs 200 --json /tmp/casebench/assign-sqlite.json
    python bench/bench_assignment.py postgresql://postgres@127.0.0.1/bench_cases --runs 200
    python bench/bench_assignment.py /tmp/casebench/cases.db --only batch --batch-runs 3

On a database filled by fill_cases.py (--mediators 5000) and completed by fill_registry.py. Sections
(--only: a regular expression on their names):

- suggestions: GET /cases/<id>/suggestions for random cases awaiting assignment all over the country, signed
  in as the republic manager, through the Flask test client (time inside the WSGI app, as bench_cases.py);
  then the cases of Ulytau, whose policy lets the republic pool in (all 5,000 mediators are candidates), once as
  they stand and once with one mediator's standing moved before each view (the pool then reads every mark again).
  First one view per region with the worker's registry snapshot and suggestion pools emptied before it (a
  worker whose warm-up has not run); then a new worker's warm-up (web/warmup.py, timed alone) and one view per
  region after it; every region is then warm for the timed views, as in a worker that has been serving.
- registry: GET /mediators/ as the republic manager and as a region coordinator, with each filter and search.
- batch: --batch-size cases of one region (--batch-region, default 75, Almaty, whose policy asks for
  co-mediators on interethnic cases and prefers neutral mediators) are put into awaiting assignment (those
  already waiting, then the region's latest closed cases); then timed: plan_scope (the preview) and
  apply_scope + commit as the republic manager, the batch page's "Assign all" (POST /assignment/batch through
  the test client: the whole request, redirect response included), and
  `flask --app mediation assign auto --region R --commit` as a subprocess (wall and CPU time, Python start-up
  and the 10,000 printed lines included). After each run the writes are undone (assignments, events, states;
  the one audit row per run stays: the trail is append-only) and, on PostgreSQL, the written tables vacuumed,
  so every run starts from the same state. Twice: with the registry as filled (free capacity runs out before
  every case is staffed) and with 40 extra slots for every mediator of the region (every case that can be
  staffed is: the planner's and the writer's worst case). At the end the cases go back to their state.
"""

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fill_cases import PASSWORD, bench_config, database_url  # noqa: E402
from measure import CSRF_META, Timed, machine, percentile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


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
        self.rng = random.Random(11)
        with self.app.app_context():
            self.dialect = db.engine.dialect.name
            event.listen(db.engine, "before_cursor_execute",
                         lambda conn, cursor, statement, parameters, *_: self.timed.before(statement, parameters))
            event.listen(db.engine, "after_cursor_execute", lambda *_: self.timed.after())

    def save(self) -> None:
        if self.args.json:
            Path(self.args.json).write_text(json.dumps(
                {"machine": machine(), "dialect": self.dialect, "args": vars(self.args), "results": self.results},
                ensure_ascii=False, indent=1, default=str))

    def record(self, name: str, role: str, times: list[tuple], queries: list[int], statuses: set, note="") -> None:
        ms, cpu = [t[0] * 1000 for t in times], [t[1] * 1000 for t in times]
        sql = [t[2] * 1000 for t in times]
        row = {"name": name, "role": role, "n": len(ms), "p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95),
               "max": max(ms), "cpu_p50": percentile(cpu, 0.5), "cpu_p95": percentile(cpu, 0.95),
               "db_p50": percentile(sql, 0.5), "db_p95": percentile(sql, 0.95), "queries_min": min(queries),
               "queries_max": max(queries), "statuses": sorted(statuses), "note": note}
        self.results.append(row)
        self.save()
        q = str(min(queries)) if min(queries) == max(queries) else f"{min(queries)}-{max(queries)}"
        print(f"{role:11} {name:44} n={len(ms):<4} p50 {row['p50']:7.1f} p95 {row['p95']:7.1f} max {row['max']:7.1f} "
              f"| cpu p95 {row['cpu_p95']:7.1f} | sql p95 {row['db_p95']:6.1f} ms | q={q:5} {sorted(statuses)} {note}",
              flush=True)

    def client(self, username: str):
        client = self.app.test_client()
        token = CSRF_META.search(client.get("/auth/login").get_data(as_text=True)).group(1)
        response = client.post("/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, (username, response.status_code)
        return client

    def get(self, client, path: str):
        response = client.get(path)
        t = self.timed
        return response, (t.elapsed, t.cpu, t.db), t.queries()

    def measure(self, name: str, role: str, client, paths: list[str], note: str = "", before=None) -> None:
        """GET each path (the first --warmup ones unrecorded), calling `before(i)` untimed first if given."""
        times, queries, statuses = [], [], set()
        for i, path in enumerate(paths):
            if before is not None:
                before(i)
            response, elapsed, count = self.get(client, path)
            if i >= self.args.warmup:
                times.append(elapsed)
                queries.append(count)
                statuses.add(response.status_code)
        self.record(name, role, times, queries, statuses, note)

    def measure_cold(self, name: str, role: str, client, paths: list[str], note: str = "", forget: bool = True) -> None:
        """GET each path once (nothing unrecorded), with the worker's registry snapshot and suggestion pools emptied
        before each unless `forget` is False."""
        from mediation.services import registry_snapshot, suggestion_pools

        times, queries, statuses = [], [], set()
        for path in paths:
            if forget:
                registry_snapshot.forget()
                suggestion_pools.forget()
            response, elapsed, count = self.get(client, path)
            times.append(elapsed)
            queries.append(count)
            statuses.add(response.status_code)
        self.record(name, role, times, queries, statuses, note)

    def rows(self, sql: str, params=None) -> list:
        from sqlalchemy import text

        from mediation.extensions import db

        with self.app.app_context():
            found = db.session.execute(text(sql), params or {}).all()
            db.session.remove()
        return found

    def execute(self, *statements: tuple[str, dict]) -> None:
        from sqlalchemy import text

        from mediation.extensions import db

        with self.app.app_context():
            for sql, params in statements:
                db.session.execute(text(sql), params)
            db.session.commit()
            db.session.remove()

    def region_id(self, kato2: str) -> int:
        return self.rows("SELECT id FROM region WHERE kato2 = :k", {"k": kato2})[0][0]

    # -- suggestions -----------------------------------------------------------------------------------------
    def suggestions(self) -> None:
        manager = self.client("manager")
        total = self.args.runs + self.args.warmup
        waiting = [r[0] for r in self.rows("SELECT id FROM \"case\" WHERE state = 'awaiting_assignment'")]
        ids = self.rng.sample(waiting, min(total, len(waiting)))
        ids += [self.rng.choice(waiting) for _ in range(total - len(ids))]
        # A new worker reads each region's registry rows once (services/registry_snapshot.py): timed apart, one
        # view per region with the snapshot emptied before it; then every region is warm, as in a running worker.
        first = [r[0] for r in self.rows(
            "SELECT min(id) FROM \"case\" WHERE state = 'awaiting_assignment' GROUP BY region_id ORDER BY 1")]
        paths = [f"/cases/{i}/suggestions" for i in first]
        self.measure_cold("cold: first view of a region, pools not yet warm", "manager", manager, paths,
                          f"{len(first)} regions, snapshot and pools emptied before each")
        # A new worker warms every pool from its first request (web/warmup.py): the warm-up timed alone, then the
        # first view of each region.
        from mediation.services import registry_snapshot, suggestion_pools
        from mediation.web import warmup

        registry_snapshot.forget()
        suggestion_pools.forget()
        started, cpu = time.perf_counter(), time.thread_time()
        built = warmup.warm_now(self.app)
        self.record("worker warm-up: every region's pool", "-",
                    [(time.perf_counter() - started, time.thread_time() - cpu, 0.0)], [0], {200},
                    f"{built} pools, in a background thread from the worker's first request")
        self.measure_cold("suggestions: first view of a region in a warmed new worker", "manager", manager, paths,
                          f"{len(first)} regions", forget=False)
        self.measure("suggestions: any region", "manager", manager, [f"/cases/{i}/suggestions" for i in ids],
                     f"{len(set(ids))} distinct cases of {len(waiting):,} waiting")
        pool = [r[0] for r in self.rows(
            "SELECT c.id FROM \"case\" c JOIN assignment_policy p ON p.region_id = c.region_id "
            "WHERE p.allow_republic_pool AND c.state = 'awaiting_assignment'")]
        if pool:
            ids = [self.rng.choice(pool) for _ in range(total)]
            self.measure("suggestions: republic pool (Ulytau)", "manager", manager,
                         [f"/cases/{i}/suggestions" for i in ids], f"{len(pool)} waiting cases; 5,000 candidates")
            # A pool whose standings moved since the last view (an assignment, a closure, an absence elsewhere)
            # reads every mark again and the moved mediators' figures: one mediator's track record is rewritten
            # (same values, so the data stays as filled) before each view, outside the timed request.
            recorded = [r[0] for r in self.rows("SELECT DISTINCT mediator_id FROM mediator_category_stats")]
            touched = [self.rng.choice(recorded) for _ in range(total)]
            self.measure("suggestions: republic pool, a standing moved before each view", "manager", manager,
                         [f"/cases/{i}/suggestions" for i in ids], "one mediator's track record rewritten",
                         before=lambda i: self.execute((
                             "UPDATE mediator_category_stats SET closed = closed WHERE mediator_id = :m",
                             {"m": touched[i]})))

    # -- registry list ----------------------------------------------------------------------------------------
    def registry(self) -> None:
        region = self.region_id(self.args.batch_region)
        coordinator = self.rows("SELECT username FROM user_account WHERE role = 'coordinator' AND region_id = :r "
                                "ORDER BY id LIMIT 1", {"r": region})[0][0]
        names = [r[0] for r in self.rows("SELECT name_folded FROM mediator ORDER BY id LIMIT 400")]
        depth = self.rows("SELECT count(*) FROM mediator")[0][0] * 4 // 5
        deep = self.rows("SELECT name_order, id FROM mediator ORDER BY name_order, id LIMIT 1 OFFSET :d",
                         {"d": depth})[0]
        from mediation.services.registry_queries import _cursor

        n = self.args.runs + self.args.warmup
        filters = [("no filter", ""), ("region", f"region={region}"), ("language=uz", "language=uz"),
                   ("specialization=religious", "specialization=religious"), ("kind=professional", "kind=professional"),
                   ("status=suspended", "status=suspended"), ("free capacity", "free=1"),
                   ("language+specialization+free", "language=ru&specialization=family&free=1"),
                   (f"deep cursor (row {depth:,})", f"cursor={_cursor(*deep)}")]
        for role, client in (("manager", self.client("manager")), ("coordinator", self.client(coordinator))):
            for label, query in filters:
                if role == "coordinator" and label.startswith(("region", "deep")):
                    continue
                self.measure(f"registry: {label}", role, client, [f"/mediators/?{query}"] * n)
            words = [self.rng.choice(names).split()[0][:5] for _ in range(n)]
            self.measure("registry: search (a surname prefix)", role, client, [f"/mediators/?q={w}" for w in words])

    # -- batch auto-assign --------------------------------------------------------------------------------------
    def batch(self) -> None:
        region = self.region_id(self.args.batch_region)
        size = self.args.batch_size
        before = self.rows("SELECT id, state FROM \"case\" WHERE region_id = :r AND state IN "
                           "('awaiting_assignment', 'closed') ORDER BY state = 'closed', received_on DESC, id DESC "
                           "LIMIT :n", {"r": region, "n": size})
        ids = [r[0] for r in before]
        closed = [r[0] for r in before if r[1] == "closed"]
        print(f"batch: {len(ids):,} cases of region {self.args.batch_region} ({len(ids) - len(closed):,} waiting, "
              f"{len(closed):,} closed ones reopened for the benchmark)", flush=True)
        self.execute(*self.in_chunks("UPDATE \"case\" SET state = 'awaiting_assignment' WHERE id IN ({})", closed))
        self.vacuum('"case"')
        try:
            self.batch_runs("batch: registry as filled", region, ids)
            # A new revision with the write (models/mediator.py): this process keeps registry rows by it.
            self.execute(("UPDATE mediator SET max_active_cases = max_active_cases + 40, revision = revision + 1 "
                          "WHERE region_id = :r", {"r": region}))
            try:
                self.batch_runs("batch: +40 slots each", region, ids)
            finally:
                self.execute(("UPDATE mediator SET max_active_cases = max_active_cases - 40, "
                              "revision = revision + 1 WHERE region_id = :r", {"r": region}))
        finally:
            self.execute(*self.in_chunks("UPDATE \"case\" SET state = 'closed' WHERE id IN ({})", closed))

    @staticmethod
    def in_chunks(sql: str, ids: list[int]) -> list[tuple[str, dict]]:
        return [(sql.format(", ".join(str(i) for i in ids[k:k + 1000])), {}) for k in range(0, len(ids), 1000)]

    def batch_runs(self, label: str, region: int, ids: list[int]) -> None:
        from mediation.domain.roles import Actor, Role
        from mediation.extensions import db
        from mediation.mediators.profile import eligibility_thresholds
        from mediation.services import assignment_batch
        from mediation.services.clock import local_date, utcnow

        manager = Actor(id=0, role=Role.MANAGER)
        kato2 = self.args.batch_region
        timings: dict[str, list] = {"plan_scope (preview)": [], "apply_scope + commit": [],
                                    "page POST (assign all)": [], "CLI --commit": []}
        queries: dict[str, list] = {k: [] for k in timings}
        staffed = 0
        # The page's "Assign all" as the manager sends it: the session's CSRF token read from a page once, then one
        # POST per run through the whole app (sign-in check, form, apply_scope, commit, the redirect).
        client = self.client("manager")
        token = CSRF_META.search(client.get("/").get_data(as_text=True)).group(1)
        # A deployed app starts from cached bytecode; this machine's environment sets PYTHONDONTWRITEBYTECODE=1,
        # which would make every CLI start compile the app's modules from source (0.2 s). Compile them once here.
        subprocess.run([sys.executable, "-m", "compileall", "-q", "mediation", "config.py"], cwd=ROOT, check=True,
                       capture_output=True)
        for _ in range(self.args.batch_runs):
            for name in timings:
                mark = self.rows("SELECT (SELECT coalesce(max(id), 0) FROM case_assignment), "
                                 "(SELECT coalesce(max(id), 0) FROM case_event)")[0]
                rotation = self.rows("SELECT id, last_assigned_at FROM mediator WHERE region_id = :r", {"r": region})
                self.timed.statements, self.timed.db = [], 0.0
                if name.startswith("page"):
                    response = client.post(f"/assignment/batch?region={region}",
                                           data={"region_id": region, "csrf_token": token})
                    assert response.status_code == 302, response.status_code
                    t = self.timed
                    timings[name].append((t.elapsed, t.cpu, t.db))
                    queries[name].append(t.queries())
                    staffed = self.rows("SELECT count(*) FROM case_event WHERE id > :e", {"e": mark[1]})[0][0]
                elif name == "CLI --commit":
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    started = time.perf_counter()
                    done = subprocess.run([sys.executable, "-m", "flask", "--app", "mediation", "assign", "auto",
                                           "--region", kato2, "--commit"], cwd=ROOT, capture_output=True, text=True,
                                          env={**os.environ, "DATABASE_URL": self.url, "LOG_LEVEL": "WARNING"})
                    elapsed = time.perf_counter() - started
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                    assert done.returncode == 0, done.stderr[-2000:]
                    staffed = int(re.search(r"(\d+) of \d+ cases", done.stdout).group(1))
                    timings[name].append((elapsed, cpu, 0.0))
                    queries[name].append(0)
                else:
                    with self.app.app_context():
                        started, cpu = time.perf_counter(), time.thread_time()
                        if name.startswith("plan"):
                            plan = assignment_batch.plan_scope(manager, region, today=local_date(utcnow()),
                                                               thresholds=eligibility_thresholds())
                        else:
                            plan = assignment_batch.apply_scope(manager, region, now=utcnow(),
                                                                today=local_date(utcnow()),
                                                                thresholds=eligibility_thresholds(), ip=None)
                            db.session.commit()
                        timings[name].append((time.perf_counter() - started, time.thread_time() - cpu,
                                              self.timed.db))
                        queries[name].append(self.timed.queries())
                        db.session.remove()
                    staffed = plan.staffed
                if name != "plan_scope (preview)":
                    self.undo(mark, ids, rotation)
        for name, times in timings.items():
            self.record(f"{label}: {name}", "manager", times, queries[name], {200},
                        f"{len(ids):,} cases, {staffed:,} staffed" + (" (queries not counted: subprocess)"
                                                                    if name.startswith("CLI") else ""))

    def undo(self, mark, ids: list[int], rotation: list) -> None:
        """Undo a run's writes (only the rows it changed), then, on PostgreSQL, vacuum the tables it wrote.

        The undo is the benchmark's own churn: without the vacuum, each run's cases and assignments would leave two
        dead versions per row in the heap and in each of the case table's 21 indexes for the next run to step over
        (this machine runs PostgreSQL with autovacuum off, which a deployment has on), and later runs would measure
        the benchmark's garbage more than the code.
        """
        statements = [("DELETE FROM case_assignment WHERE id > :a", {"a": mark[0]}),
                      ("DELETE FROM case_event WHERE id > :e", {"e": mark[1]})]
        statements += self.in_chunks("UPDATE \"case\" SET state = 'awaiting_assignment' "
                                     "WHERE id IN ({}) AND state <> 'awaiting_assignment'", ids)
        self.execute(*statements)
        from sqlalchemy import text

        from mediation.extensions import db

        with self.app.app_context():
            db.session.execute(text("UPDATE mediator SET last_assigned_at = :t WHERE id = :i AND "
                                    "last_assigned_at IS DISTINCT FROM :t"), [{"i": i, "t": t} for i, t in rotation])
            db.session.commit()
            db.session.remove()
        self.vacuum('"case"', "case_assignment", "case_event", "mediator")

    def vacuum(self, *tables: str) -> None:
        """PostgreSQL: VACUUM (ANALYZE) the tables, as autovacuum would after the undo's writes (SQLite: nothing)."""
        if self.dialect != "postgresql":
            return
        from mediation.extensions import db

        with self.app.app_context(), db.engine.connect() as conn:
            autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(tables)}")

    def run(self) -> None:
        for name in ("suggestions", "registry", "batch"):
            if not self.args.only or re.search(self.args.only, name):
                getattr(self, name)()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", help="SQLite file path, or postgresql://user@host/db")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--only", help="regular expression on the section names (suggestions, registry, batch)")
    parser.add_argument("--batch-region", default="75", help="KATO2 code of the batch's region")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    started = time.perf_counter()
    bench = Bench(args)
    info = machine()
    print(f"{bench.dialect}: {info['date']}  nproc {info['nproc']}  load {info['loadavg']}  commit {info['commit']}",
          flush=True)
    bench.run()
    print(f"done in {time.perf_counter() - started:.0f}s; load after: {machine()['loadavg']}")


if __name__ == "__main__":
    main()
