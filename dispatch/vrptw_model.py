"""The OR-Tools routing model of a classic VRPTW instance, and reading routes back from it.

The model uses the whole fleet as vehicles, integer-scaled distances (dimacs x10 exactly,
exact x1000 rounded up so that every integer-feasible route is feasible for real), a
capacity dimension and a time dimension (travel + service). Every customer sits in a
disjunction with a prohibitive penalty, so a first solution always exists and local search
inserts what the first solution left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp

from dispatch.routing import search_parameters
from dispatch.vrptw import Convention, IntArray, VrptwInstance, integer_matrix, scaled


def build_model(
    inst: VrptwInstance, conv: Convention, vehicle_cost: int
) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel, int]:
    """Manager, model and integer scale for ``inst`` (``vehicle_cost`` in distance units)."""
    n, k = len(inst.x), inst.fleet
    dist, scale = integer_matrix(inst, conv)
    service = scaled(inst.service, scale)
    manager = pywrapcp.RoutingIndexManager(n, k, 0)
    routing = pywrapcp.RoutingModel(manager)
    # Matrices are indexed by node; OR-Tools maps internal indices for us.
    arc = routing.RegisterTransitMatrix(dist.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    if vehicle_cost:
        routing.SetFixedCostOfAllVehicles(vehicle_cost * scale)
    transit = (dist + [[s] for s in service]).tolist()
    time_cb = routing.RegisterTransitMatrix(transit)
    ready, due = scaled(inst.ready, scale, up=True), scaled(inst.due, scale)
    routing.AddDimension(time_cb, due[0], due[0], False, "time")
    tdim = routing.GetDimensionOrDie("time")
    for node in range(1, n):
        tdim.CumulVar(manager.NodeToIndex(node)).SetRange(ready[node], due[node])
    for v in range(k):
        tdim.CumulVar(routing.Start(v)).SetRange(ready[0], due[0])
        tdim.CumulVar(routing.End(v)).SetRange(ready[0], due[0])
    demand = routing.RegisterUnaryTransitVector([int(d) for d in inst.demand])
    routing.AddDimensionWithVehicleCapacity(demand, 0, [inst.capacity] * k, True, "load")
    # A huge penalty keeps every customer in; the disjunction only guarantees a start point.
    penalty = int(dist.max()) * n * 10 + 1
    for node in range(1, n):
        routing.AddDisjunction([manager.NodeToIndex(node)], penalty)
    return manager, routing, scale


def read_routes(
    manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel, sol: pywrapcp.Assignment
) -> list[list[int]]:
    """One list of customer nodes per vehicle (empty for an unused vehicle)."""
    out = []
    for v in range(routing.vehicles()):
        idx, route = routing.Start(v), []
        idx = sol.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            route.append(manager.IndexToNode(idx))
            idx = sol.Value(routing.NextVar(idx))
        out.append(route)
    return out


def routes_cost(dist: IntArray, routes: Sequence[Sequence[int]], vehicle_cost: int) -> int:
    """The model's objective for ``routes``: integer arc costs plus a cost per used vehicle."""
    total = 0
    for route in routes:
        if route:
            path = np.array([0, *route, 0])
            total += int(dist[path[:-1], path[1:]].sum()) + vehicle_cost
    return total


@dataclass(frozen=True, slots=True)
class WarmSearch:
    """How a warm-started search prices plans: the distance convention, the cost per used
    vehicle (distance units) and the guided local search penalty weight."""

    conv: Convention
    vehicle_cost: int
    lam: float


def search_from_routes(
    inst: VrptwInstance, start: list[list[int]], how: WarmSearch, seconds: float
) -> list[list[int]] | None:
    """Guided local search on ``inst`` warm-started from ``start`` (one list per vehicle,
    at most ``inst.fleet``; customers left out start unserved)."""
    manager, routing, _ = build_model(inst, how.conv, how.vehicle_cost)
    p = search_parameters(0, seconds)
    p.guided_local_search_lambda_coefficient = how.lam
    routing.CloseModelWithParameters(p)
    init = routing.ReadAssignmentFromRoutes(start, True)
    if init is None:
        return None
    sol = routing.SolveFromAssignmentWithParameters(init, p)
    return None if sol is None else read_routes(manager, routing, sol)
