"""Complete the registry of a database filled by fill_cases.py for the issue 4 benchmark (5,000 mediators).

    python bench/fill_cases.py /tmp/casebench/cases.db --mediators 5000     # registry seeded by seed_demo
    python bench/fill_registry.py /tmp/casebench/cases.db

seed_demo already wrote every mediator with languages, specialisations, weekly hours and absences, and
fill_cases.py gave the cases' assignments to them. What the assignment code reads on top of that is set
here, with set-based statements (each step can be re-run):

1. Capacities of a real registry: seed_demo's 3-8 open cases cannot carry the ~40,000 live cases of 1M;
   public mediators get 6-15, professionals 12-30 (the demo mediator account keeps its own).
2. mediator_category_stats from the closed mediations (accepted assignments; agreements = full or partial),
   as case_lifecycle counts them, and mediator.last_assigned_at = the latest assignment.
3. Assignment policies for a few regions (co-mediation, the ethnicity policy, the republic pool).
4. PostgreSQL: VACUUM ANALYZE of the touched tables (autovacuum would do it; the app never runs ANALYZE
   on SQLite, so neither does this script there).
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fill_cases import bench_config, database_url  # noqa: E402

PUBLIC_CAPACITY = (6, 8, 8, 10, 10, 12, 15)
PROFESSIONAL_CAPACITY = (12, 15, 15, 20, 20, 25, 30)
# Policies a region's manager has set (the others use the defaults: co-mediation for high tension only).
POLICIES = {
    "75": {"co_mediation_for_interethnic": True, "ethnicity_mode": "prefer_neutral"},
    "19": {"co_mediation_for_interethnic": True, "ethnicity_mode": "require_pair"},
    "61": {"horizon_days": 21, "weights": {"language_fit": 4.0}},
    "62": {"allow_republic_pool": True},  # Ulytau: a small registry, rare languages come from elsewhere
}
OPEN_LOAD = ("SELECT a.mediator_id, count(*) AS n FROM case_assignment a JOIN \"case\" c ON c.id = a.case_id "
             "WHERE a.ended_at IS NULL AND a.status IN ('proposed', 'accepted') "
             "AND c.state IN ('assigned', 'in_mediation') GROUP BY a.mediator_id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", help="SQLite file path, or postgresql://user@host/db (filled by fill_cases.py)")
    parser.add_argument("--seed", type=int, default=4004)
    args = parser.parse_args()

    from sqlalchemy import text

    from mediation import create_app
    from mediation.extensions import db
    from mediation.services.clock import utcnow

    started = time.perf_counter()
    rng = random.Random(args.seed)
    app = create_app(bench_config(database_url(args.target)))
    with app.app_context(), db.engine.begin() as conn:
        def run(sql: str, params=None):
            return conn.execute(text(sql), params or {})

        mediators = run("SELECT id, kind FROM mediator WHERE user_id IS NULL").all()
        # A new revision with every write outside the ORM (models/mediator.py): workers keep registry rows by it.
        run("UPDATE mediator SET max_active_cases = :cap, revision = revision + 1 WHERE id = :id",
            [{"id": i, "cap": rng.choice(PROFESSIONAL_CAPACITY if kind == "professional" else PUBLIC_CAPACITY)}
             for i, kind in mediators])
        print(f"capacities drawn for {len(mediators):,} mediators", flush=True)
        run("DELETE FROM mediator_category_stats")
        run("INSERT INTO mediator_category_stats (mediator_id, category, closed, agreements) "
            "SELECT a.mediator_id, c.category, count(*), "
            "sum(CASE WHEN c.outcome IN ('full_agreement', 'partial_agreement') THEN 1 ELSE 0 END) "
            'FROM case_assignment a JOIN "case" c ON c.id = a.case_id '
            "WHERE a.status = 'accepted' AND c.state = 'closed' AND c.contract_signed_on IS NOT NULL "
            "GROUP BY a.mediator_id, c.category")
        run("UPDATE mediator SET last_assigned_at = (SELECT max(a.assigned_at) FROM case_assignment a "
            "WHERE a.mediator_id = mediator.id)")
        print(f"[{time.perf_counter() - started:5.1f}s] category statistics and last assignment recomputed")
        regions = dict(run("SELECT kato2, id FROM region").all())
        for kato2, settings in POLICIES.items():
            run("DELETE FROM assignment_policy WHERE region_id = :region", {"region": regions[kato2]})
            run("INSERT INTO assignment_policy (region_id, weights, horizon_days, co_mediation_for_interethnic, "
                "co_mediation_for_high_tension, allow_republic_pool, ethnicity_mode, updated_at) "
                "VALUES (:region, :weights, :horizon, :interethnic, :high, :pool, :mode, :now)",
                {"region": regions[kato2], "weights": json.dumps(settings.get("weights", {})),
                 "horizon": settings.get("horizon_days", 14),
                 "interethnic": settings.get("co_mediation_for_interethnic", False), "high": True,
                 "pool": settings.get("allow_republic_pool", False),
                 "mode": settings.get("ethnicity_mode", "off"), "now": utcnow()})
        load = dict(run(OPEN_LOAD).all())
        registry = run("SELECT id, status, max_active_cases FROM mediator").all()
        active = [m for m in registry if m.status == "active"]
        full = sum(1 for m in active if load.get(m.id, 0) >= m.max_active_cases)
        print(f"mediators {len(registry):,}, active {len(active):,}, open assignments {sum(load.values()):,}, "
              f"capacity of the active ones {sum(m.max_active_cases for m in active):,}, at capacity {full:,}")
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM (ANALYZE) mediator, mediator_category_stats, assignment_policy")
    print(f"done in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
