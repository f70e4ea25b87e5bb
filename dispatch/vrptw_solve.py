"""Solve classic VRPTW instances with OR-Tools routing (benchmarks and ``oms dispatch solve``).

The model is :mod:`dispatch.vrptw_model`. The search runs in two phases: guided local
search over the whole instance from the savings heuristic and from local cheapest
insertion, each for a share of ``FIRST_SHARE`` of the time limit (the better plan is
kept); then the plan is improved a few neighbouring routes at a time
(:mod:`dispatch.vrptw_groups`) until the time limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.constraint_solver import routing_enums_pb2

from dispatch.routing import search_parameters
from dispatch.vrptw import Convention, VrptwInstance, evaluate, integer_matrix
from dispatch.vrptw_groups import MIN_SECONDS, improve_route_groups
from dispatch.vrptw_model import (
    WarmSearch,
    build_model,
    read_routes,
    routes_cost,
    search_from_routes,
)

FSS = routing_enums_pb2.FirstSolutionStrategy

# Search settings, one set for every instance (chosen on the 12 Solomon instances of
# bench/README.md at 10 s, single runs, mean distance gap to PyVRP's 30 s result):
#   LOCAL_CHEAPEST_INSERTION seed, GLS lambda 0.1 (OR-Tools default)   +7.4 % (6 hardest)
#   LOCAL_CHEAPEST_INSERTION seed, GLS lambda 0.3                        +4.7 % (6 hardest)
#   SAVINGS seed, GLS lambda 0.1 / 0.3 / 0.5                  +2.90 / +2.80 / +2.93 % (all 12)
#   SAVINGS seed, lambda 0.3, first half with a vehicle fixed cost      +4.24 % (all 12)
# Not kept: path/inactive LNS, relocate-neighbours and extended swap-active operators
# (+9.5 %), operator neighbourhoods cut to 30 % (+39 %), full propagation (+5.7 %),
# iterated local search with SISR ruin-and-recreate (+7.2 %). The savings seed starts
# from fewer, fuller routes (R110 12 vehicles instead of 13, RC105 16 instead of 17),
# which the distance-only local search rarely reaches from an insertion seed; a larger
# GLS penalty weight lets the search leave the seed's local optimum (RC208).
GLS_LAMBDA = 0.3

# Guided local search runs from each of these seeds in turn, each with an equal share of
# the first phase, and the best result is kept. Every customer is in a disjunction, so
# every seed gives a solution. The savings seed starts from few, full routes (R110: 12
# vehicles instead of 15, RC208: 3 instead of 4), which the distance-only search rarely
# reaches from an insertion seed; the local cheapest insertion seed is better on the
# clustered and RC1 Gehring-Homberger instances (C1_2_1: savings alone 2839.5 at 30 s,
# insertion alone 2701.4 at 10 s; RC1_2_1: 3795.4 against 3770.0; PyVRP 2698.6 and
# 3521.4 at 30 s), and on RC101 and RC208 with lambda 0.3.
PORTFOLIO = (FSS.SAVINGS, FSS.LOCAL_CHEAPEST_INSERTION)
# A seed's plan takes time to build before any search: the savings seed serves all 1,000
# customers of a random R1-like instance after 1.3 s on one core, and only 757 after
# 1.0 s. With less than this per customer for each seed, the first seed gets the whole
# first phase (bench/README.md "Large instances, short limits"): split, a 2 s run left
# 316 customers unserved.
SEED_SECONDS_PER_CUSTOMER = 0.002

# Share of the time limit for the search over the whole instance; the rest re-solves
# groups of neighbouring routes (bench/README.md "VRPTW search": on the 8 Homberger 200
# instances furthest from PyVRP at 30 s, mean gap 9.1 % with the whole-instance search
# alone, 3.9-5.5 % with 15-40 % of the time to it and the rest to groups).
FIRST_SHARE = 0.2
# ... but never less than this per customer: the groups need a settled plan to start
# from, and time for several passes over it (Homberger 400 at 10 s: 41 routes, 7,308.3
# with the whole limit to the first search; 44 routes, 7,946.7 with 2 s to it). At 30 s
# on 100-200 customers the share above is the larger.
FIRST_SECONDS_PER_CUSTOMER = 0.03


@dataclass(frozen=True, slots=True)
class VrptwParams:
    """Search settings for :func:`solve_vrptw`."""

    time_limit: float = 10.0
    convention: Convention = Convention.DIMACS
    seed: int = 0
    solution_limit: int | None = None
    vehicle_cost: int = 0  # per used vehicle, in distance units (exact convention adds one)


@dataclass(frozen=True, slots=True)
class VrptwResult:
    """Routes (node ids, depot 0 excluded) with their distance under the convention."""

    routes: list[list[int]]
    distance: float
    vehicles: int
    feasible: bool
    objective: int
    seconds: float
    unassigned: list[int]


def _solve_from(
    inst: VrptwInstance, params: VrptwParams, vehicle_cost: int, seed: int, seconds: float
) -> tuple[list[list[int]], int] | None:
    """One guided local search from first-solution strategy ``seed`` (fresh model)."""
    manager, routing, _ = build_model(inst, params.convention, vehicle_cost)
    p = search_parameters(seed, max(seconds, 0.5), params.solution_limit)
    p.guided_local_search_lambda_coefficient = GLS_LAMBDA
    sol = routing.SolveWithParameters(p)
    if sol is None:
        return None
    return read_routes(manager, routing, sol), int(sol.ObjectiveValue())


def portfolio(customers: int, seconds: float) -> tuple[int, ...]:
    """The first-solution seeds to try in ``seconds``: every ``PORTFOLIO`` seed when each
    has time to build a plan for ``customers``, else the first alone."""
    if seconds / len(PORTFOLIO) >= SEED_SECONDS_PER_CUSTOMER * customers:
        return PORTFOLIO
    return PORTFOLIO[:1]


def _first_search(
    inst: VrptwInstance, params: VrptwParams, vehicle_cost: int, seconds: float
) -> list[list[int]] | None:
    """The best plan of the :func:`portfolio` seeds, each with an equal share of
    ``seconds``: fewest unassigned customers, then the lowest objective."""
    t0 = time.perf_counter()
    best: tuple[int, int, list[list[int]]] | None = None
    seeds = portfolio(inst.customers, seconds)
    for k, seed in enumerate(seeds):
        share = (seconds - (time.perf_counter() - t0)) / (len(seeds) - k)
        found = _solve_from(inst, params, vehicle_cost, seed, share)
        if found is None:
            continue
        routes, objective = found
        missing = inst.customers - sum(len(r) for r in routes)
        if best is None or (missing, objective) < best[:2]:
            best = (missing, objective, routes)
    return None if best is None else best[2]


def _second_search(
    inst: VrptwInstance,
    routes: list[list[int]],
    params: VrptwParams,
    vehicle_cost: int,
    deadline: float,
) -> list[list[int]]:
    """Route groups until ``deadline``; the whole instance while customers are unserved."""
    how = WarmSearch(params.convention, vehicle_cost, GLS_LAMBDA)
    left = deadline - time.perf_counter()
    if left < MIN_SECONDS:
        return routes
    if sum(map(len, routes)) < inst.customers:
        return search_from_routes(inst, routes, how, left) or routes
    return improve_route_groups(inst, routes, how, deadline, params.seed)


def solve_vrptw(inst: VrptwInstance, params: VrptwParams) -> VrptwResult:
    """Solve ``inst``; the distance is summed in full precision under ``params.convention``.

    ``FIRST_SHARE`` of the time limit (at least ``FIRST_SECONDS_PER_CUSTOMER`` per
    customer) goes to guided local search over the whole instance
    from each ``PORTFOLIO`` seed; the rest improves the best plan group by group of
    neighbouring routes (:mod:`dispatch.vrptw_groups`) or, while customers are still
    unserved, goes on searching the whole instance from it. With a solution limit (a
    reproducible run) the whole time limit goes to the first search.
    """
    t0 = time.perf_counter()
    conv = params.convention
    vehicle_cost = params.vehicle_cost
    if conv is Convention.EXACT and not vehicle_cost:
        vehicle_cost = int(inst.euclid().max() * (len(inst.x) + 1))
    reproducible = params.solution_limit is not None
    first = params.time_limit
    if not reproducible:
        wanted = max(FIRST_SHARE * first, FIRST_SECONDS_PER_CUSTOMER * inst.customers)
        first = min(first, wanted)
    routes = _first_search(inst, params, vehicle_cost, first)
    deadline = t0 + params.time_limit
    if routes is not None and not reproducible:
        routes = _second_search(inst, routes, params, vehicle_cost, deadline)
    if routes is None:
        missing = list(range(1, len(inst.x)))
        return VrptwResult([], 0.0, 0, False, 0, time.perf_counter() - t0, missing)
    served = {c for r in routes for c in r}
    check = evaluate(inst, routes, conv)
    dist, scale = integer_matrix(inst, conv)
    return VrptwResult(
        routes=[r for r in routes if r],
        distance=check.distance,
        vehicles=check.vehicles,
        feasible=check.feasible,
        objective=routes_cost(dist, routes, vehicle_cost * scale),
        seconds=time.perf_counter() - t0,
        unassigned=[c for c in range(1, len(inst.x)) if c not in served],
    )
