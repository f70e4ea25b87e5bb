"""VRPTW benchmark: ``oms dispatch solve`` (OR-Tools) vs PyVRP at the same time limit, vs BKS.

Usage (one solver at a time, on one core, in the background):

    nohup taskset -c 1 .venv/bin/python bench/dispatch/vrptw_bench.py \
        --set solomon --time-limit 30 --solvers ortools,pyvrp \
        --out bench/dispatch/results/solomon_30s.csv &

Each instance is solved by running the real command line (``python -m oms dispatch solve
INSTANCE --time-limit S --json``), then by PyVRP on the same integer data (dimacs
convention: distances floor(10 x euclid), times x10). Rows are appended as they finish,
so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dispatch.io.detect import read_instance  # noqa: E402
from dispatch.vrptw import Convention, VrptwInstance, evaluate  # noqa: E402

DATA = Path("/work/shared/bench/vrptw")
SETS = {
    "solomon": (DATA / "solomon_cvrplib", "*.txt"),
    "homberger200": (DATA / "homberger_lkh3" / "Homberger_200", "*.vrptw"),
    "homberger400": (DATA / "homberger_lkh3" / "Homberger_400", "*.vrptw"),
}
FIELDS = [
    "set",
    "instance",
    "solver",
    "time_limit",
    "vehicles",
    "distance",
    "feasible",
    "seconds",
    "bks_vehicles",
    "bks_distance",
    "gap_bks_pct",
]


def load_bks() -> dict[str, tuple[str, str]]:
    """Instance name -> (vehicles, distance) of the dimacs BKS (empty when unknown)."""
    out = {}
    with open(DATA / "bks.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["convention"] == "dimacs":
                out[row["instance"]] = (row["bks_vehicles"], row["bks_distance"])
    return out


def run_ortools(path: Path, limit: float) -> tuple[int, float, bool, float]:
    """Run the command line; return vehicles, distance, feasible, seconds."""
    cmd = [
        sys.executable,
        "-m",
        "oms",
        "dispatch",
        "solve",
        str(path),
        "--time-limit",
        str(limit),
        "--json",
    ]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return 0, float("nan"), False, wall
    out = json.loads(done.stdout)
    feasible = bool(out["feasible"]) and not out["unassigned"]
    return int(out["vehicles"]), float(out["distance"]), feasible, wall


def run_pyvrp(inst: VrptwInstance, limit: float, seed: int = 0) -> tuple[int, float, bool, float]:
    """Solve with PyVRP (HGS/ILS) on the dimacs integer data; evaluate with our checker."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    m = Model()
    m.add_vehicle_type(
        num_available=inst.fleet,
        capacity=inst.capacity,
        tw_early=int(inst.ready[0] * 10),
        tw_late=int(inst.due[0] * 10),
    )
    locs = [m.add_location(float(inst.x[i]), float(inst.y[i])) for i in range(len(inst.x))]
    m.add_depot(locs[0], tw_early=int(inst.ready[0] * 10), tw_late=int(inst.due[0] * 10))
    for i in range(1, len(inst.x)):
        m.add_client(
            locs[i],
            delivery=int(inst.demand[i]),
            service_duration=int(inst.service[i] * 10),
            tw_early=int(inst.ready[i] * 10),
            tw_late=int(inst.due[i] * 10),
        )
    d = np.floor(inst.euclid() * 10 + 1e-9).astype(int)
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            m.add_edge(a, b, distance=int(d[i, j]), duration=int(d[i, j]))
    t0 = time.perf_counter()
    res = m.solve(stop=MaxRuntime(limit), seed=seed, display=False)
    wall = time.perf_counter() - t0
    # client activity idx counts clients from 0; our node ids count the depot as 0
    routes = [[a.idx + 1 for a in r.schedule() if a.is_client()] for r in res.best.routes()]
    check = evaluate(inst, routes, Convention.DIMACS)
    return check.vehicles, check.distance, check.feasible and res.best.is_feasible(), wall


def main() -> None:
    """Run the benchmark and append rows to the CSV."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", choices=sorted(SETS), required=True)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--solvers", default="ortools,pyvrp")
    ap.add_argument("--only", default="", help="comma-separated instance names")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    folder, pattern = SETS[a.set]
    only = {s for s in a.only.split(",") if s}
    bks = load_bks()
    out = Path(a.out)
    done = set()
    if out.exists():
        with open(out, newline="") as f:
            done = {(r["instance"], r["solver"]) for r in csv.DictReader(f)}
    new = not out.exists()
    with open(out, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            w.writeheader()
        for path in sorted(folder.glob(pattern)):
            inst = read_instance(path)
            assert isinstance(inst, VrptwInstance)
            if only and inst.name not in only:
                continue
            for solver in a.solvers.split(","):
                if (inst.name, solver) in done:
                    continue
                run = (
                    run_ortools(path, a.time_limit)
                    if solver == "ortools"
                    else run_pyvrp(inst, a.time_limit)
                )
                bv, bd = bks.get(inst.name, ("", ""))
                gap = f"{100 * (run[1] - float(bd)) / float(bd):.2f}" if bd else ""
                w.writerow(
                    {
                        "set": a.set,
                        "instance": inst.name,
                        "solver": solver,
                        "time_limit": a.time_limit,
                        "vehicles": run[0],
                        "distance": f"{run[1]:.1f}",
                        "feasible": run[2],
                        "seconds": f"{run[3]:.1f}",
                        "bks_vehicles": bv,
                        "bks_distance": bd,
                        "gap_bks_pct": gap,
                    }
                )
                f.flush()
                print(inst.name, solver, run, flush=True)


if __name__ == "__main__":
    main()
