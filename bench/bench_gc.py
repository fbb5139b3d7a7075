"""What GC_FREEZE_AFTER_START (gc.freeze() at the end of create_app) does to latency.

    .venv/bin/python bench/bench_gc.py /tmp/casebench/cases.db
    .venv/bin/python bench/bench_gc.py postgresql://postgres@127.0.0.1/bench_cases --rounds 4

Worker processes built exactly as the app builds them, with the setting off and on, take turns (`--rounds` of
each, alternating, so both see the same machine load); each signs in, warms up on 5 requests and then times
`--requests` GETs of the suggestions page (the page that allocates most per request) for cases awaiting
assignment. Prints wall p50/p95 over all the timed requests of each setting.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_cases import CSRF_META  # noqa: E402
from fill_cases import PASSWORD, bench_config, database_url  # noqa: E402


def worker(target: str, freeze: bool, requests: int) -> list[float]:
    """One worker process's timed requests (ms)."""
    from sqlalchemy import select

    from mediation import create_app
    from mediation.domain.case_states import CaseState
    from mediation.extensions import db
    from mediation.models import Case

    config = bench_config(database_url(target))
    app = create_app(type("Worker", (config,), {"GC_FREEZE_AFTER_START": freeze}))
    with app.app_context():
        ids = list(db.session.scalars(select(Case.id).where(Case.state == CaseState.AWAITING_ASSIGNMENT)
                                      .order_by(Case.id).limit(5 + requests)))
        db.session.remove()
    client = app.test_client()
    token = CSRF_META.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    assert client.post("/auth/login", data={"username": "manager", "password": PASSWORD,
                                            "csrf_token": token}).status_code == 302
    times = []
    for position, case_id in enumerate(ids):
        started = time.perf_counter()
        assert client.get(f"/cases/{case_id}/suggestions").status_code == 200
        if position >= 5:
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", help="SQLite file or PostgreSQL URL of a filled benchmark database")
    parser.add_argument("--rounds", type=int, default=3, help="worker processes per setting")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per worker")
    parser.add_argument("--worker", choices=("on", "off"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.target, args.worker == "on", args.requests)))
        return
    times: dict[str, list[float]] = {"off": [], "on": []}
    for _ in range(args.rounds):
        for setting in ("off", "on"):
            done = subprocess.run([sys.executable, __file__, args.target, "--worker", setting,
                                   "--requests", str(args.requests)], capture_output=True, text=True, check=True)
            times[setting] += json.loads(done.stdout.strip().splitlines()[-1])
    for setting, values in times.items():
        print(f"GC_FREEZE_AFTER_START {setting:3} n={len(values)} p50 {statistics.median(values):6.1f} "
              f"p95 {statistics.quantiles(values, n=20)[-1]:6.1f} ms")


if __name__ == "__main__":
    main()
