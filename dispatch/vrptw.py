"""Classic VRPTW instances (Solomon, Gehring-Homberger) and their two distance conventions.

* ``dimacs`` (CVRPLIB, DIMACS challenge, PyVRP): d_ij = euclid truncated to one decimal,
  travel time = d_ij, objective = total distance (vehicle count free within the fleet).
* ``exact`` (classic literature): real Euclidean distances, hierarchical objective
  (fewest vehicles first, then distance).

Node 0 is the depot in every instance, whatever the file numbering was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import numpy.typing as npt

from dispatch.errors import InvalidRecordError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Convention(Enum):
    """How distances are rounded and what the objective is."""

    DIMACS = "dimacs"
    EXACT = "exact"


# Integer scale used inside the solver: dimacs distances have one decimal, so x10 is exact.
DIMACS_SCALE = 10
EXACT_SCALE = 1000


@dataclass(frozen=True, slots=True)
class VrptwInstance:
    """A capacitated VRPTW: node 0 is the depot; arrays are indexed by node."""

    name: str
    x: FloatArray
    y: FloatArray
    demand: IntArray
    ready: FloatArray
    due: FloatArray
    service: FloatArray
    capacity: int
    fleet: int
    bks_vehicles: int | None = None
    ids: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        n = len(self.x)
        if n < 2:
            raise InvalidRecordError(
                "instance", self.name, "needs a depot and at least one customer"
            )
        for name in ("y", "demand", "ready", "due", "service"):
            if len(getattr(self, name)) != n:
                raise InvalidRecordError("instance", self.name, f"{name} has the wrong length")
        if self.capacity <= 0 or self.fleet <= 0:
            raise InvalidRecordError("instance", self.name, "capacity and fleet must be positive")
        if not self.ids:
            object.__setattr__(self, "ids", tuple(str(i) for i in range(n)))
        for i in range(n):
            _check_node(self, i)

    @property
    def customers(self) -> int:
        """Number of customers (nodes other than the depot)."""
        return len(self.x) - 1

    def euclid(self) -> FloatArray:
        """Real Euclidean distance matrix."""
        dx = self.x[:, None] - self.x[None, :]
        dy = self.y[:, None] - self.y[None, :]
        result: FloatArray = np.sqrt(dx * dx + dy * dy)
        return result

    def distances(self, convention: Convention) -> FloatArray:
        """Distance matrix under ``convention`` (dimacs: truncated to one decimal)."""
        e = self.euclid()
        if convention is Convention.DIMACS:
            return np.asarray(np.floor(e * DIMACS_SCALE + 1e-9) / DIMACS_SCALE, dtype=np.float64)
        return e


def _check_node(inst: VrptwInstance, i: int) -> None:
    node = "depot" if i == 0 else "customer"
    rid = inst.ids[i]
    values = {"x": inst.x[i], "y": inst.y[i], "ready time": inst.ready[i],
              "due date": inst.due[i], "service time": inst.service[i]}
    bad = [name for name, value in values.items() if not math.isfinite(value)]
    if bad:
        raise InvalidRecordError(node, rid, f"{', '.join(bad)} not a finite number")
    if inst.ready[i] < 0 or inst.due[i] < 0 or inst.service[i] < 0:
        raise InvalidRecordError(node, rid, "negative time (ready, due date or service time)")
    if inst.due[i] < inst.ready[i]:
        raise InvalidRecordError(node, rid, "due date before ready time")
    if inst.demand[i] < 0:
        raise InvalidRecordError(node, rid, "negative demand")
    if inst.demand[i] > inst.capacity:
        raise InvalidRecordError(node, rid, f"demand {inst.demand[i]} exceeds capacity")


@dataclass(frozen=True, slots=True)
class RouteCheck:
    """Result of evaluating routes on an instance."""

    distance: float
    vehicles: int
    feasible: bool
    problems: tuple[str, ...]


def evaluate(inst: VrptwInstance, routes: list[list[int]], convention: Convention) -> RouteCheck:
    """Distance (full precision, per ``convention``) and feasibility of ``routes`` (node ids)."""
    dist = inst.distances(convention)
    problems: list[str] = []
    total = 0.0
    seen: set[int] = set()
    for k, route in enumerate(r for r in routes if r):
        load = int(inst.demand[route].sum())
        if load > inst.capacity:
            problems.append(f"route {k}: load {load} > capacity {inst.capacity}")
        t, prev = float(inst.ready[0]), 0
        for node in route:
            total += float(dist[prev, node])
            t = max(
                t + float(inst.service[prev]) + float(dist[prev, node]), float(inst.ready[node])
            )
            if t > inst.due[node] + 1e-6:
                problems.append(f"route {k}: customer {inst.ids[node]} starts at {t:.2f} > due")
            prev = node
        total += float(dist[prev, 0])
        if t + float(inst.service[prev]) + float(dist[prev, 0]) > inst.due[0] + 1e-6:
            problems.append(f"route {k}: returns to the depot after its due date")
        seen.update(route)
    missing = set(range(1, len(inst.x))) - seen
    if missing:
        problems.append(f"{len(missing)} customers not served")
    used = sum(1 for r in routes if r)
    if used > inst.fleet:
        problems.append(f"{used} vehicles used > fleet {inst.fleet}")
    return RouteCheck(round(total, 6), used, not problems, tuple(problems))


def integer_matrix(inst: VrptwInstance, convention: Convention) -> tuple[IntArray, int]:
    """Integer travel matrix for the solver and its scale (dimacs exact, exact rounded up)."""
    if convention is Convention.DIMACS:
        scale = DIMACS_SCALE
        m = np.floor(inst.euclid() * scale + 1e-9)
    else:
        scale = EXACT_SCALE
        m = np.ceil(inst.euclid() * scale - 1e-9)
    return m.astype(np.int64), scale


def scaled(values: FloatArray, scale: int, up: bool = False) -> list[int]:
    """Scale times to solver integers (floor unless ``up``)."""
    op = math.ceil if up else math.floor
    return [int(op(v * scale - (1e-9 if up else -1e-9))) for v in values]
