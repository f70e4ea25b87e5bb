"""Improving a VRPTW plan a few neighbouring routes at a time."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch import vrptw_solve
from dispatch.io.solomon import read_solomon
from dispatch.vrptw import Convention, VrptwInstance, evaluate
from dispatch.vrptw_groups import improve_route_groups, sub_instance
from dispatch.vrptw_model import WarmSearch
from dispatch.vrptw_solve import GLS_LAMBDA, VrptwParams, solve_vrptw
from tests.dispatch.dispatch_fixtures import DATA


def _improve(inst: VrptwInstance, routes: list[list[int]], seconds: float) -> list[list[int]]:
    deadline = time.perf_counter() + seconds
    how = WarmSearch(Convention.DIMACS, 0, GLS_LAMBDA)
    return improve_route_groups(inst, routes, how, deadline, 0)


def test_sub_instance_keeps_the_depot_and_the_chosen_customers() -> None:
    """Node i+1 of a group's instance is the i-th chosen customer, with its data and id."""
    inst = read_solomon(DATA / "tiny_solomon.txt")
    sub = sub_instance(inst, [4, 2], fleet=2)
    assert sub.ids == (inst.ids[0], inst.ids[4], inst.ids[2])
    assert sub.due[1] == inst.due[4] and sub.x[2] == inst.x[2] and sub.fleet == 2


def test_single_customer_routes_are_merged() -> None:
    """Five one-customer routes become fewer, shorter routes serving the same customers."""
    inst = read_solomon(DATA / "tiny_solomon.txt")
    start = [[c] for c in range(1, 6)]
    routes = _improve(inst, start, 2.0)
    before = evaluate(inst, start, Convention.DIMACS)
    after = evaluate(inst, routes, Convention.DIMACS)
    assert after.feasible and sorted(c for r in routes for c in r) == [1, 2, 3, 4, 5]
    assert after.distance < before.distance and after.vehicles < 5


@st.composite
def instances(draw: st.DrawFn) -> VrptwInstance:
    """3-10 customers within 30 units of the depot, random windows that a direct trip meets."""
    n = draw(st.integers(3, 10))
    x = np.array([0.0] + [float(draw(st.integers(-30, 30))) for _ in range(n)])
    y = np.array([0.0] + [float(draw(st.integers(-30, 30))) for _ in range(n)])
    reach = np.hypot(x, y)
    ready = np.array([0.0] + [float(draw(st.integers(0, 100))) for _ in range(n)])
    due = np.maximum(ready + [draw(st.integers(0, 80)) for _ in range(n + 1)], reach + 1)
    due[0] = 400.0
    return VrptwInstance(
        name="random",
        x=x,
        y=y,
        demand=np.array([0] + [draw(st.integers(1, 10)) for _ in range(n)]),
        ready=ready,
        due=due,
        service=np.array([0.0] + [float(draw(st.integers(0, 10))) for _ in range(n)]),
        capacity=20,
        fleet=n,
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_groups_never_lose_a_customer_or_feasibility(inst: VrptwInstance) -> None:
    """From one route per customer: every customer still served once, feasible, not longer."""
    start = [[c] for c in range(1, inst.customers + 1)]
    assert evaluate(inst, start, Convention.DIMACS).feasible
    routes = _improve(inst, start, 0.3)
    check = evaluate(inst, routes, Convention.DIMACS)
    assert check.feasible, check.problems
    assert sorted(c for r in routes for c in r) == list(range(1, inst.customers + 1))
    assert check.distance <= evaluate(inst, start, Convention.DIMACS).distance


def test_time_limited_solve_runs_both_phases_and_stays_feasible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a solution limit the route groups get the rest of the time after the first
    search, and everyone is served."""
    calls: list[float] = []

    def spy(
        inst: VrptwInstance, routes: list[list[int]], how: WarmSearch, deadline: float, seed: int
    ) -> list[list[int]]:
        calls.append(deadline - time.perf_counter())
        return improve_route_groups(inst, routes, how, deadline, seed)

    monkeypatch.setattr(vrptw_solve, "improve_route_groups", spy)
    inst = read_solomon(DATA / "tiny_solomon.txt")
    r = solve_vrptw(inst, VrptwParams(time_limit=3.0))
    # The first phase: 20 % of 3 s, but at least 0.5 s for each of the two seeds.
    assert len(calls) == 1 and calls[0] > 1.0
    assert r.feasible and not r.unassigned
    assert evaluate(inst, r.routes, Convention.DIMACS).distance == r.distance
