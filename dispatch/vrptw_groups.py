"""Improve a VRPTW solution a few neighbouring routes at a time.

On 200-customer instances OR-Tools' guided local search over the whole fleet improves a
plan slowly (bench/README.md: +5.7 % over PyVRP at 30 s), while a group of 40-100 customers
on a handful of neighbouring routes is solved well in under a second. So, after a first
search over the whole instance, each step takes a seed route (every route in turn, in a
shuffled order), adds the routes whose centres are nearest until the group holds a random
number of customers in ``GROUP_CUSTOMERS``, solves the group as an instance of its own
(its routes' vehicles plus ``SPARE_VEHICLES`` while the fleet has them), warm-started from its
routes, and keeps the result when the model's objective falls. A group's solution obeys
the same windows and capacity, so the whole plan stays feasible at every step.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

import numpy as np

from dispatch.vrptw import VrptwInstance, integer_matrix
from dispatch.vrptw_model import WarmSearch, routes_cost, search_from_routes

GROUP_CUSTOMERS = (40, 100)
GROUP_SECONDS = 0.75  # per group; the last group gets what is left before the deadline
MIN_SECONDS = 0.1  # below this a group is not worth a model
SPARE_VEHICLES = 1  # empty vehicles a group may open while the fleet has them


def sub_instance(inst: VrptwInstance, nodes: Sequence[int], fleet: int) -> VrptwInstance:
    """The depot and ``nodes`` of ``inst`` as an instance of its own (node i+1 = nodes[i])."""
    idx = np.array([0, *nodes])
    return VrptwInstance(
        name=inst.name,
        x=inst.x[idx],
        y=inst.y[idx],
        demand=inst.demand[idx],
        ready=inst.ready[idx],
        due=inst.due[idx],
        service=inst.service[idx],
        capacity=inst.capacity,
        fleet=fleet,
        ids=tuple(inst.ids[i] for i in idx),
    )


def _group(inst: VrptwInstance, routes: list[list[int]], seed: int, size: int) -> list[int]:
    """Indices of the seed route and the routes with the nearest centres, up to ``size``
    customers (at least two routes)."""
    cx = np.array([inst.x[r].mean() for r in routes])
    cy = np.array([inst.y[r].mean() for r in routes])
    order = np.argsort((cx - cx[seed]) ** 2 + (cy - cy[seed]) ** 2, kind="stable")
    group: list[int] = []
    customers = 0
    for k in order:
        group.append(int(k))
        customers += len(routes[k])
        if customers >= size and len(group) >= 2:
            break
    return group


def _improve_group(
    sub: VrptwInstance, start: list[list[int]], how: WarmSearch, seconds: float
) -> list[list[int]] | None:
    """Routes of ``sub`` better than ``start`` (sub node ids), or None."""
    found = search_from_routes(sub, start, how, seconds)
    if found is None or sum(map(len, found)) != sum(map(len, start)):
        return None
    dist, scale = integer_matrix(sub, how.conv)
    cost = how.vehicle_cost * scale
    if routes_cost(dist, found, cost) >= routes_cost(dist, start, cost):
        return None
    return found


def improve_route_groups(
    inst: VrptwInstance, routes: list[list[int]], how: WarmSearch, deadline: float, seed: int
) -> list[list[int]]:
    """Re-solve groups of neighbouring routes until ``deadline`` (``time.perf_counter``);
    returns the improved routes (node ids of ``inst``, no empty routes)."""
    rng = random.Random(seed)
    routes = [list(r) for r in routes if r]
    queue: list[int] = []
    while len(routes) >= 2:
        seconds = min(GROUP_SECONDS, deadline - time.perf_counter())
        if seconds < MIN_SECONDS:
            break
        if not queue:
            queue = rng.sample(range(len(routes)), len(routes))
        group = _group(inst, routes, queue.pop(), rng.randint(*GROUP_CUSTOMERS))
        nodes = [c for k in group for c in routes[k]]
        local = {c: i + 1 for i, c in enumerate(nodes)}
        spare = max(0, min(SPARE_VEHICLES, inst.fleet - len(routes)))
        start = [[local[c] for c in routes[k]] for k in group] + [[]] * spare
        sub = sub_instance(inst, nodes, len(start))
        found = _improve_group(sub, start, how, seconds)
        if found is None:
            continue
        members = set(group)
        routes = [r for k, r in enumerate(routes) if k not in members]
        routes += [[nodes[i - 1] for i in r] for r in found if r]
        queue = []  # route indices have moved
    return routes
