"""Markdown tables for bench/RESULTS.md from the JSON files of bench_cases.py and bench_assignment.py.

    python bench/report.py --naive /tmp/casebench/cases-sqlite-naive.json --tuned /tmp/casebench/cases-sqlite-tuned.json

One row per scenario: naive and tuned p50 / p95 (wall, ms), the tuned run's thread CPU p95 and SQL p95, its
statements per request, and pass/fail of the tuned p95 against the issue's target. Several files may be given
to --naive or --tuned (runs split with --only); later files win for a scenario measured twice.
`bench_cases.py --report a.json b.json` prints engines_table: the runs side by side, a column group per engine.
"""

import argparse
import json
from pathlib import Path

# Targets of issues 3 and 4 (p95, ms), by the start of a scenario's name.
TARGETS = [("list:", 25), ("deep: cursor", 25), ("deep: state", 25), ("deep: sort", 25), ("deep: follow", 25),
           ("detail page", 25), ("search:", 50), ("suggestions:", 50), ("registry:", 25),
           ("batch:", 2000)]


def load(paths: list[str]) -> dict:
    found = {}
    for path in paths or []:
        for row in json.loads(Path(path).read_text())["results"]:
            found[(row["role"], row["name"])] = row
    return found


def target(name: str) -> int | None:
    if "plan_scope" in name:
        return None  # the preview: measured, the target is for the assignment end to end
    return next((t for prefix, t in TARGETS if name.startswith(prefix)), None)


def cell(row) -> str:
    return f"{row['p50']:.1f} / {row['p95']:.1f}" if row else "—"


def engines_table(paths: list[str]) -> None:
    """One markdown table from the JSON files of several runs (one column group per engine)."""
    runs = []
    for path in paths:  # files of the same engine (runs split with --only) are merged into one column
        data = json.loads(Path(path).read_text())
        same = next((run for run in runs if run["dialect"] == data["dialect"]), None)
        if same is None:
            runs.append(data)
        else:
            same["results"] += data["results"]
    keys: list[tuple[str, str]] = []
    for run in runs:
        for r in run["results"]:
            if (r["role"], r["name"]) not in keys:
                keys.append((r["role"], r["name"]))
    head = "| role | scenario | " + " | ".join(f"{run['dialect']} p50 / p95 / max ms (cpu p95, sql p95) | q"
                                               for run in runs) + " |"
    print(head)
    print("|" + "---|" * (2 + 2 * len(runs)))
    for role, name in keys:
        cells = []
        for run in runs:
            r = next((r for r in run["results"] if (r["role"], r["name"]) == (role, name)), None)
            if r is None:
                cells += ["", ""]
                continue
            bad = "" if r["statuses"] in ([200], [302], [422], []) else f" **{r['statuses']}**"
            cpu = f"{r['cpu_p95']:.1f}, " if r.get("cpu_p95") is not None else ""
            cells.append(f"{r['p50']:.1f} / {r['p95']:.1f} / {r['max']:.0f} ({cpu}{r['db_p95']:.1f}){bad}")
            q = str(r["queries_min"])
            if r["queries_min"] != r["queries_max"]:
                q += f"-{r['queries_max']}"
            cells.append(q)
        note = next((r["note"] for run in runs for r in run["results"] if (r["role"], r["name"]) == (role, name)
                     and r["note"]), "")
        print(f"| {role} | {name}{' (' + note.strip() + ')' if note.strip() else ''} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--naive", nargs="*", default=[])
    parser.add_argument("--tuned", nargs="+")
    parser.add_argument("--labels", nargs=2, default=["naive", "tuned"], metavar=("BEFORE", "AFTER"),
                        help="column names of the two runs")
    args = parser.parse_args()
    naive, tuned = load(args.naive), load(args.tuned)
    before, after = args.labels
    print(f"| role | scenario | {before} p50 / p95 | {after} p50 / p95 | {after} CPU p95 | {after} SQL p95 | queries "
          "| target | result |")
    print("|---|---|---|---|---|---|---|---|---|")
    for key, row in tuned.items():
        role, name = key
        limit = target(name)
        queries = str(row["queries_min"]) if row["queries_min"] == row["queries_max"] else \
            f"{row['queries_min']}-{row['queries_max']}"
        cpu = f"{row['cpu_p95']:.1f}" if row.get("cpu_p95") is not None else "—"
        result = "—" if limit is None else ("pass" if row["p95"] <= limit else "**miss**")
        if limit is not None and row["p95"] > limit and row.get("cpu_p95") is not None and row["cpu_p95"] <= limit:
            result += " (CPU within)"
        if row["statuses"] and not set(row["statuses"]) <= {200, 302, 422}:
            result += f" status {row['statuses']}"
        note = f" ({row['note'].strip()})" if row.get("note", "").strip() else ""
        print(f"| {role} | {name}{note} | {cell(naive.get(key))} | {cell(row)} | {cpu} | {row['db_p95']:.1f} "
              f"| {queries} | {limit if limit else '—'} | {result} |")


if __name__ == "__main__":
    main()
