"""Print the markdown tables of bench/README.md from bench/dispatch/results/*.csv."""

from __future__ import annotations

import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _rows(name: str) -> list[dict[str, str]]:
    path = RESULTS / name
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def feasibility() -> None:
    """Feasible plans per set at 10 s."""
    by_set: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in _rows("feasibility_10s.csv"):
        by_set[r["set"]].append(r)
    print("| set | instances run | feasible | mean gap to dimacs BKS (where known) |")
    print("| --- | --- | --- | --- |")
    for s, rows in by_set.items():
        ok = sum(r["feasible"] == "True" for r in rows)
        gaps = [float(r["gap_bks_pct"]) for r in rows if r["gap_bks_pct"]]
        gap = f"{statistics.mean(gaps):.2f}% ({len(gaps)})" if gaps else "n/a"
        print(f"| {s} | {len(rows)} | {ok} | {gap} |")


# The 12 Solomon instances the search settings were chosen on (at 10 s).
TUNING_SET = frozenset(
    [
        "C101",
        "C201",
        "R101",
        "R105",
        "R110",
        "R201",
        "R205",
        "RC101",
        "RC105",
        "RC201",
        "RC205",
        "RC208",
    ]
)


def comparison(
    name: str, only: frozenset[str] | None = None, skip: frozenset[str] = frozenset()
) -> None:
    """Per-instance OR-Tools vs PyVRP vs BKS, and the mean gap to PyVRP."""
    rows = [
        r
        for r in _rows(name)
        if (only is None or r["instance"] in only) and r["instance"] not in skip
    ]
    if not rows:
        return
    by: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for r in rows:
        by[r["instance"]][r["solver"]] = r
    print(
        "| instance | ours veh | ours dist | PyVRP veh | PyVRP dist | BKS (dimacs) | gap to PyVRP |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    gaps = []
    by_class: dict[str, list[float]] = defaultdict(list)
    for inst, s in sorted(by.items()):
        if "ortools" not in s or "pyvrp" not in s:
            continue
        o, p = s["ortools"], s["pyvrp"]
        gap = 100 * (float(o["distance"]) - float(p["distance"])) / float(p["distance"])
        feasible = o["feasible"] == "True" and p["feasible"] == "True"
        if feasible:
            gaps.append(gap)
            # RC105 -> RC1 (Solomon), RC1_2_5 -> RC1 (Gehring-Homberger)
            by_class[inst.split("_")[0] if "_" in inst else inst[:-2]].append(gap)
        bks = f"{o['bks_vehicles']} / {o['bks_distance']}" if o["bks_distance"] else "n/a"
        mark = "" if feasible else " (infeasible)"
        print(
            f"| {inst} | {o['vehicles']} | {o['distance']} | {p['vehicles']} | {p['distance']} "
            f"| {bks} | {gap:+.2f}%{mark} |"
        )
    if gaps:
        print(
            f"\nMean distance gap to PyVRP over {len(gaps)} instances: "
            f"{statistics.mean(gaps):+.2f}%"
        )
        classes = ", ".join(f"{c} {statistics.mean(g):+.2f}% ({len(g)})"
                            for c, g in sorted(by_class.items()))
        print(f"By class: {classes}")


def field() -> None:
    """Field instances vs greedy (both measures), and re-planning."""
    rows = _rows("field.csv")
    if rows:
        print(
            "| instance | limit s | wall s | customer-min ours / greedy (horizon) | gain "
            "| customer-min ours / greedy (served only) | gain "
            "| customer-min ours / greedy (jobs both serve) | gain | dropped ours / greedy "
            "| travel min ours / greedy |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in rows:
            m = 1e6
            print(
                f"| {r['instance']} | {float(r['time_limit']):.0f} | {r['wall_s']} "
                f"| {int(r['ours_cm_horizon']) / m:.2f} M "
                f"/ {int(r['greedy_cm_horizon']) / m:.2f} M "
                f"| **{r['gain_horizon_pct']} %** "
                f"| {int(r['ours_cm']) / m:.2f} M / {int(r['greedy_cm']) / m:.2f} M "
                f"| {r['gain_served_pct']} % "
                f"| {int(r['ours_cm_common']) / m:.2f} M / {int(r['greedy_cm_common']) / m:.2f} M "
                f"({r['common_jobs']} jobs) | {r['gain_common_pct']} % "
                f"| {r['ours_dropped']} / {r['greedy_dropped']} "
                f"| {r['ours_travel_min']} / {r['greedy_travel_min']} |"
            )
    rows = _rows("field_replan.csv")
    if rows:
        print(
            "\n| storm | wall s | new job ETA min | churn (jobs that changed crew) "
            "| dropped before → after |"
        )
        print("| --- | --- | --- | --- | --- |")
        for r in rows:
            print(
                f"| {r['instance']} | {r['replan_wall_s']} | {r['new_job_eta_min']} "
                f"| {r['churn']} | {r['dropped_before']} → {r['dropped_after']} |"
            )


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("all", "feasibility"):
        feasibility()
    if what in ("all", "comparison"):
        print("\n### solomon_30s.csv, tuning set\n")
        comparison("solomon_30s.csv", only=TUNING_SET)
        print("\n### solomon_30s.csv, other instances\n")
        comparison("solomon_30s.csv", skip=TUNING_SET)
        print("\n### solomon_30s.csv, all\n")
        comparison("solomon_30s.csv")
        print("\n### homberger200_30s.csv\n")
        comparison("homberger200_30s.csv")
    if what in ("all", "field"):
        field()
