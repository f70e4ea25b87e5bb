"""``oms dispatch solve INSTANCE --time-limit S [--json]``: plan a VRPTW or field instance."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from dispatch.feasibility import require_servable
from dispatch.io.detect import read_instance
from dispatch.io.field_json import plan_to_json
from dispatch.problem import Problem
from dispatch.solve import SolveParams, solve
from dispatch.timing import travel_matrix
from dispatch.vrptw import Convention, VrptwInstance
from dispatch.vrptw_solve import VrptwParams, solve_vrptw
from outage.progress import countdown


def register(subparsers: Any) -> None:
    """Add the ``dispatch`` command group to the ``oms`` parser."""
    group = subparsers.add_parser("dispatch", help="crew dispatch: plan routes with OR-Tools")
    commands = group.add_subparsers(dest="dispatch_command", metavar="COMMAND", required=True)
    p = commands.add_parser("solve", help="solve a Solomon/Homberger/VRPLIB or JSON field instance")
    p.add_argument("instance", metavar="INSTANCE")
    p.add_argument("--time-limit", type=float, default=10.0, metavar="SECONDS")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--seed", type=int, default=0, help="recorded; OR-Tools search is seedless")
    p.add_argument(
        "--convention",
        choices=[c.value for c in Convention],
        default=Convention.DIMACS.value,
        help="VRPTW distances: dimacs (truncated to 0.1, distance only) or exact (hierarchical)",
    )
    p.add_argument(
        "--solution-limit", type=int, default=None, help="stop after N solutions (deterministic)"
    )
    p.add_argument(
        "--strict", action="store_true", help="field: fail on a job no crew has the skills for"
    )
    p.set_defaults(func=run_solve)


def run_solve(args: argparse.Namespace) -> int:
    """Handler of ``oms dispatch solve``; returns the exit code."""
    instance = read_instance(args.instance)
    with countdown("solving", args.time_limit):
        if isinstance(instance, VrptwInstance):
            out = _solve_vrptw(instance, args)
        else:
            out = _solve_field(instance, args)
    if args.json:
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
    else:
        _print_summary(out)
    return 0


def _solve_vrptw(inst: VrptwInstance, args: argparse.Namespace) -> dict[str, Any]:
    conv = Convention(args.convention)
    params = VrptwParams(
        time_limit=args.time_limit,
        convention=conv,
        seed=args.seed,
        solution_limit=args.solution_limit,
    )
    r = solve_vrptw(inst, params)
    ids = [int(i) if i.isdigit() else i for i in inst.ids]
    return {
        "instance": inst.name,
        "vehicles": r.vehicles,
        "distance": r.distance,
        "objective": r.objective,
        "routes": [[ids[c] for c in route] for route in r.routes],
        "unassigned": [ids[c] for c in r.unassigned],
        "seconds": round(r.seconds, 3),
        "convention": conv.value,
        "feasible": r.feasible,
    }


def _solve_field(problem: Problem, args: argparse.Namespace) -> dict[str, Any]:
    if args.strict:
        require_servable(problem, travel_matrix(problem))
    params = SolveParams(time_limit=args.time_limit, solution_limit=args.solution_limit)
    return plan_to_json(problem, solve(problem, params))


def _print_summary(out: dict[str, Any]) -> None:
    print(f"vehicles used: {out['vehicles']}")
    if "customer_minutes" in out:
        print(f"customer-minutes: {out['customer_minutes']:.0f}")
        print(f"travel minutes: {out['travel_minutes']:.1f}")
        for d in out["unassigned"]:
            print(f"dropped {d['id']}: {d['reason']}")
    else:
        print(f"distance ({out['convention']}): {out['distance']:.2f}  feasible: {out['feasible']}")
        if out["unassigned"]:
            print(f"unassigned customers: {len(out['unassigned'])}")
    print(f"seconds: {out['seconds']:.2f}")
