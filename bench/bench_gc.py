"""What freezing the garbage collector's view of start-up objects (GC_FREEZE_AFTER_START) does to latency.

    .venv/bin/python bench/bench_gc.py /tmp/casebench/cases.db
    .venv/bin/python bench/bench_gc.py postgresql://postgres@127.0.0.1/bench_cases --blocks 16

One process, one app built without the freeze; the suggestions page of cases awaiting assignment (the page
that allocates most per request) is requested in blocks that alternate between the collector as it is and the
collector with everything alive at the block's start frozen (gc.freeze), so both halves see the same data,
caches and machine load. Prints wall p50/p95 of each half.
"""

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_cases import CSRF_META  # noqa: E402
from fill_cases import PASSWORD, bench_config, database_url  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", help="SQLite file or PostgreSQL URL of a filled benchmark database")
    parser.add_argument("--blocks", type=int, default=12, help="alternating blocks (half of them frozen)")
    parser.add_argument("--per-block", type=int, default=15)
    args = parser.parse_args()

    from sqlalchemy import select

    from mediation import create_app
    from mediation.domain.case_states import CaseState
    from mediation.extensions import db
    from mediation.models import Case

    config = bench_config(database_url(args.target))
    app = create_app(type("NoFreeze", (config,), {"GC_FREEZE_AFTER_START": False}))
    with app.app_context():
        ids = list(db.session.scalars(select(Case.id).where(Case.state == CaseState.AWAITING_ASSIGNMENT)
                                      .order_by(Case.id).limit(5 + args.blocks * args.per_block)))
        db.session.remove()
    client = app.test_client()
    token = CSRF_META.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    assert client.post("/auth/login", data={"username": "manager", "password": PASSWORD,
                                            "csrf_token": token}).status_code == 302
    for case_id in ids[:5]:
        client.get(f"/cases/{case_id}/suggestions")
    times: dict[str, list[float]] = {"as is": [], "frozen": []}
    for block in range(args.blocks):
        frozen = block % 2 == 1
        if frozen:
            gc.collect()
            gc.freeze()
        for case_id in ids[5 + block * args.per_block:5 + (block + 1) * args.per_block]:
            started = time.perf_counter()
            assert client.get(f"/cases/{case_id}/suggestions").status_code == 200
            times["frozen" if frozen else "as is"].append((time.perf_counter() - started) * 1000)
        if frozen:
            gc.unfreeze()
    for name, values in times.items():
        print(f"{name:7} n={len(values)} p50 {statistics.median(values):6.1f} "
              f"p95 {statistics.quantiles(values, n=20)[-1]:6.1f} ms")


if __name__ == "__main__":
    main()
