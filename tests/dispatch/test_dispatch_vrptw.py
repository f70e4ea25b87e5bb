"""Classic VRPTW solving and its two distance conventions."""

from __future__ import annotations

import math

from dispatch.io.solomon import read_solomon
from dispatch.vrptw import Convention, evaluate
from dispatch.vrptw_solve import PORTFOLIO, VrptwParams, portfolio, solve_vrptw
from tests.dispatch.dispatch_fixtures import DATA


def test_dimacs_truncates_to_one_decimal() -> None:
    """dimacs distances are floor(10 x euclid) / 10."""
    inst = read_solomon(DATA / "tiny_solomon.txt")
    d = inst.distances(Convention.DIMACS)
    assert d[1, 3] == math.floor(10 * math.hypot(10, 10)) / 10
    assert inst.distances(Convention.EXACT)[1, 3] == math.hypot(10, 10)


def test_tiny_vrptw_solution_is_feasible_and_checked() -> None:
    """The solver serves every customer within windows and capacity."""
    inst = read_solomon(DATA / "tiny_solomon.txt")
    r = solve_vrptw(inst, VrptwParams(time_limit=5, solution_limit=50))
    assert r.feasible and not r.unassigned
    assert sorted(c for route in r.routes for c in route) == [1, 2, 3, 4, 5]
    assert evaluate(inst, r.routes, Convention.DIMACS).distance == r.distance


def test_evaluate_reports_window_violations() -> None:
    """Customer 4 (due 60) visited after a long detour is reported late."""
    inst = read_solomon(DATA / "tiny_solomon.txt")
    check = evaluate(inst, [[2, 1, 5, 3, 4]], Convention.EXACT)
    assert not check.feasible
    assert any("customer 4" in p for p in check.problems)


def test_vrptw_same_seed_same_routes() -> None:
    """With a solution limit (no time-bounded phase) two solves give the same routes."""
    inst = read_solomon(DATA / "tiny_solomon.txt")
    params = VrptwParams(time_limit=5, solution_limit=30, seed=7)
    first, second = solve_vrptw(inst, params), solve_vrptw(inst, params)
    assert first.routes == second.routes and first.distance == second.distance


def test_a_short_limit_on_a_large_instance_goes_to_one_seed() -> None:
    """Split between the seeds, 2 s on 1,000 customers left hundreds unserved (neither
    seed finished building its plan); the first seed alone serves them all. The
    benchmark sizes at their limits (400 customers at 10 s) still try every seed."""
    assert portfolio(1000, 2.0) == PORTFOLIO[:1]
    assert portfolio(1000, 5.0) == PORTFOLIO
    assert portfolio(400, 10.0) == PORTFOLIO
    assert portfolio(100, 0.5) == PORTFOLIO
