"""Field dispatch benchmark: OR-Tools plan vs the nearest-available-crew greedy, and re-planning.

Usage:

    nohup taskset -c 1 .venv/bin/python bench/dispatch/field_bench.py \
        --out bench/dispatch/results/field.csv &

For each size it writes the seeded storm instance to ``bench/dispatch/instances/`` (the
JSON contract of DESIGN.md), runs ``python -m oms dispatch solve FILE --time-limit S
--json`` (wall time measured around the whole command), and the greedy baseline.
Customer-minutes are reported two ways: over served jobs only, and with the customers of
unserved jobs counted as out until the end of the 18-hour horizon (the last mutual-aid shift
end). DESIGN.md defines customer-minutes as "customers x minutes from start_time to the
job's finish"; an unserved job finishes after the horizon, so counting it at the horizon is
that definition with the smallest finish an unserved job can have. The served-only sum
leaves those customers out altogether, so it rewards dropping big jobs (an empty plan
scores 0) and is not comparable between plans that serve different jobs; the horizon
measure is the primary one. A third sum runs over the jobs both plans serve, each at its
own finish: it compares the order and speed of the same work. The 100 x 1,000 first plan
runs with a 20 s search limit so that the whole command (Python start-up, imports, model,
search, output) stays under 30 s wall. Then the re-plan test: a 50 x 300 plan, one new job,
``replan`` bounded at 1 s, wall time and churn.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dispatch.generate import SHIFT_MIN, generate_storm  # noqa: E402
from dispatch.greedy import greedy_plan  # noqa: E402
from dispatch.io.field_json import problem_to_json  # noqa: E402
from dispatch.problem import Job, Point, Problem  # noqa: E402
from dispatch.replan import ReplanParams, add_job, replan  # noqa: E402
from dispatch.solve import SolveParams, solve  # noqa: E402

HORIZON = SHIFT_MIN + 120.0  # the last mutual-aid shift ends then


def horizon_cm(customers: dict[str, int], served_cm: float, dropped: list[str]) -> float:
    """Customer-minutes with unserved customers (job id -> customers) out until the horizon."""
    return served_cm + HORIZON * sum(customers[j] for j in dropped)


def minutes_after(problem: Problem, iso: str) -> float:
    """Minutes from the instance's start to an ISO time of the plan's schedule."""
    assert problem.start_time is not None  # the field JSON contract requires one
    when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (when - problem.start_time).total_seconds() / 60


def field_row(crews: int, jobs: int, seed: int, limit: float, folder: Path) -> dict[str, object]:
    """Solve one storm with the CLI and with the greedy; return the comparison."""
    problem = generate_storm(crews, jobs, seed=seed)
    path = folder / f"storm_{crews}x{jobs}_s{seed}.json"
    path.write_text(json.dumps(problem_to_json(problem)))
    cmd = [sys.executable, "-m", "oms", "dispatch", "solve", str(path)]
    cmd += ["--time-limit", str(limit), "--json"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    wall = time.perf_counter() - t0
    out = json.loads(done.stdout)
    g = greedy_plan(problem)
    ours_finish = {v["job"]: minutes_after(problem, v["finish"]) for v in out["schedule"]}
    greedy_finish = {v.job: v.finish for v in g.visits}
    common = ours_finish.keys() & greedy_finish.keys()
    customers = {j.id: j.customers for j in problem.jobs}
    ours_c = sum(customers[j] * ours_finish[j] for j in common)
    greedy_c = sum(customers[j] * greedy_finish[j] for j in common)
    ours_h = horizon_cm(customers, out["customer_minutes"], [u["id"] for u in out["unassigned"]])
    greedy_h = horizon_cm(customers, g.customer_minutes, [d.job for d in g.dropped])
    return {
        "instance": path.name,
        "time_limit": limit,
        "wall_s": round(wall, 1),
        "ours_cm": round(out["customer_minutes"]),
        "greedy_cm": round(g.customer_minutes),
        "gain_served_pct": round(100 * (1 - out["customer_minutes"] / g.customer_minutes), 1),
        "ours_cm_horizon": round(ours_h),
        "greedy_cm_horizon": round(greedy_h),
        "gain_horizon_pct": round(100 * (1 - ours_h / greedy_h), 1),
        "common_jobs": len(common),
        "ours_cm_common": round(ours_c),
        "greedy_cm_common": round(greedy_c),
        "gain_common_pct": round(100 * (1 - ours_c / greedy_c), 1),
        "ours_dropped": len(out["unassigned"]),
        "greedy_dropped": len(g.dropped),
        "ours_travel_min": round(out["travel_minutes"]),
        "greedy_travel_min": round(g.travel_minutes),
    }


def replan_row(seed: int, first_limit: float) -> dict[str, object]:
    """50 crews x 300 jobs: first plan, then one new job re-planned within a bound."""
    problem = generate_storm(50, 300, seed=seed)
    first = solve(problem, SolveParams(time_limit=first_limit))
    new = Job("new-job", Point(-122.66, 45.52), 45.0, frozenset({"troubleshoot"}), customers=250)
    t0 = time.perf_counter()
    again = replan(first, add_job(problem, new), ReplanParams(time_limit=1.0))
    wall = time.perf_counter() - t0
    return {
        "instance": f"storm_50x300_s{seed}",
        "first_plan_cm": round(first.customer_minutes),
        "replan_time_limit": 1.0,
        "replan_wall_s": round(wall, 2),
        "replan_cm": round(again.customer_minutes),
        "new_job_eta_min": None
        if again.eta("new-job") is None
        else round(again.eta("new-job") or 0, 1),
        "churn": again.churn,
        "dropped_before": len(first.dropped),
        "dropped_after": len(again.dropped),
    }


def main() -> None:
    """Run the field benchmark."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seeds", default="1,2")
    a = ap.parse_args()
    folder = ROOT / "bench" / "dispatch" / "instances"
    folder.mkdir(exist_ok=True)
    rows, replans = [], []
    for seed in (int(s) for s in a.seeds.split(",")):
        rows.append(field_row(20, 150, seed, 30.0, folder))
        print(rows[-1], flush=True)
        rows.append(field_row(100, 1000, seed, 20.0, folder))
        print(rows[-1], flush=True)
        replans.append(replan_row(seed, 10.0))
        print(replans[-1], flush=True)
    for path, table in ((a.out, rows), (a.out.replace(".csv", "_replan.csv"), replans)):
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(table[0]))
            w.writeheader()
            w.writerows(table)


if __name__ == "__main__":
    main()
