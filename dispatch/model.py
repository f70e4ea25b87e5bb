"""Build the OR-Tools routing model of a field dispatch problem (see ``solve.py``).

Nodes: the jobs some crew can do (0..M-1), then one start node and one end node per crew.
The end node of a crew without an end depot is reached at no travel cost from anywhere.
Times are whole seconds from the problem start; travel and service are rounded up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp

from dispatch.feasibility import Eligibility
from dispatch.problem import Crew, Job, Problem
from dispatch.timing import TravelMatrix, shift_open

if TYPE_CHECKING:
    from dispatch.solve import SolveParams

IntArray = npt.NDArray[np.int64]
COST_SCALE = 10
LOCK_FACTOR = 10


def int_seconds(minutes: npt.NDArray[np.float64]) -> IntArray:
    """Minutes to whole seconds, rounded up so that integer-feasible means feasible."""
    return np.ceil(np.asarray(minutes) * 60.0 - 1e-6).astype(np.int64)


def floor_seconds(minutes: float) -> int:
    """A deadline in minutes to whole seconds, rounded down."""
    return math.floor(minutes * 60.0 + 1e-6)


def ceil_seconds(minutes: float) -> int:
    """An earliest time in minutes to whole seconds, rounded up."""
    return math.ceil(minutes * 60.0 - 1e-6)


@dataclass(slots=True)
class RoutingData:
    """The model and what is needed to read and seed it."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    jobs: list[Job]
    crew_ids: list[str]
    transit: IntArray  # seconds, travel + service of the origin
    ready: list[int]
    due: list[int]
    shift: list[tuple[int, int]]
    allowed: list[set[int]]

    @property
    def node_count(self) -> int:
        """Number of job nodes in the model."""
        return len(self.jobs)

    def vehicle_routes(self, hint: Mapping[str, Sequence[str]]) -> list[list[int]]:
        """Hint routes as model indices, cut to what is feasible in the model's integers."""
        m = len(self.jobs)
        node = {j.id: k for k, j in enumerate(self.jobs)}
        used: set[int] = set()
        out: list[list[int]] = []
        for v, cid in enumerate(self.crew_ids):
            row, now, route = m + v, self.shift[v][0], []
            for jid in hint.get(cid, ()):
                k = node.get(jid)
                if k is None or k in used or v not in self.allowed[k]:
                    continue
                start = max(now + int(self.transit[row, k]), self.ready[k])
                finish_at_end = start + int(self.transit[k, m + len(self.crew_ids) + v])
                if start <= self.due[k] and finish_at_end <= self.shift[v][1]:
                    route.append(k)
                    used.add(k)
                    row, now = k, start
            out.append([self.manager.NodeToIndex(k) for k in route])
        return out


def routes_from(data: RoutingData, solution: pywrapcp.Assignment) -> dict[str, list[str]]:
    """Crew id -> job ids of a solution."""
    out: dict[str, list[str]] = {}
    routing, manager = data.routing, data.manager
    for v, cid in enumerate(data.crew_ids):
        idx = solution.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(idx):
            route.append(data.jobs[manager.IndexToNode(idx)].id)
            idx = solution.Value(routing.NextVar(idx))
        out[cid] = route
    return out


def job_weight(job: Job, critical_weight: int) -> int:
    """Customers restored, critical ones counted ``critical_weight`` times, plus priority."""
    return max(1, job.customers + critical_weight * job.critical + job.priority)


def hazard_weight(weights: list[int], jobs: list[Job], horizon: int) -> int:
    """Extra weight of a hazard: delaying it by one minute must cost more than delaying
    every other job for the whole horizon, so hazards come first whatever their size.
    Capped so that the objective stays well inside int64."""
    base = sum(w for w, j in zip(weights, jobs, strict=True) if not j.hazard) + 1
    hazards = sum(1 for j in jobs if j.hazard) + 1
    factor = horizon // 60 + 1
    budget = 2**60 // (hazards * 2 * COST_SCALE * LOCK_FACTOR * (horizon + 1) * base)
    return base * max(1, min(factor, budget))


def _matrices(problem: Problem, tm: TravelMatrix, jobs: list[Job]) -> tuple[IntArray, IntArray]:
    """Travel seconds and travel + service seconds over the model's nodes."""
    rows = [tm.jobs[j.id] for j in jobs]
    rows += [tm.start(c.id) for c in problem.crews]
    rows += [tm.end(c.id) for c in problem.crews]
    travel = int_seconds(tm.minutes[np.ix_(rows, rows)])
    m, n_crews = len(jobs), len(problem.crews)
    for v, c in enumerate(problem.crews):
        if c.end is None:
            travel[:, m + n_crews + v] = 0
    service = np.zeros(len(rows), dtype=np.int64)
    service[:m] = int_seconds(np.array([j.duration for j in jobs], dtype=np.float64))
    return travel, travel + service[:, None]


def build_model(
    problem: Problem,
    tm: TravelMatrix,
    elig: Eligibility,
    params: SolveParams,
    previous: Mapping[str, str],
) -> RoutingData:
    """The routing model with time, skills, locks, windows, shifts, penalties and churn."""
    jobs = [j for j in problem.jobs if j.id in elig.allowed]
    crews = problem.crews
    m, n_crews = len(jobs), len(crews)
    travel, transit = _matrices(problem, tm, jobs)
    starts = [m + v for v in range(n_crews)]
    ends = [m + n_crews + v for v in range(n_crews)]
    manager = pywrapcp.RoutingIndexManager(m + 2 * n_crews, max(n_crews, 1), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    # Matrices registered by node: no Python callback runs during the search.
    travel_w = round(params.travel_weight * COST_SCALE)
    routing.SetArcCostEvaluatorOfAllVehicles(
        routing.RegisterTransitMatrix((travel * travel_w).tolist())
    )
    opens = [ceil_seconds(shift_open(c)) for c in crews]
    # A crew whose shift ended before the plan starts stays at its start, unused.
    shift = [(a, max(a, floor_seconds(c.shift[1]))) for a, c in zip(opens, crews, strict=True)]
    horizon = max((s[1] for s in shift), default=1) + 1
    routing.AddDimension(
        routing.RegisterTransitMatrix(transit.tolist()), horizon, horizon, False, "time"
    )
    tdim = routing.GetDimensionOrDie("time")
    for v in range(n_crews):
        tdim.CumulVar(routing.Start(v)).SetRange(*shift[v])
        tdim.CumulVar(routing.End(v)).SetRange(*shift[v])
    ready = [ceil_seconds(j.window[0]) if j.window else 0 for j in jobs]
    due = [floor_seconds(j.window[1]) if j.window else horizon for j in jobs]
    weights = [job_weight(j, params.critical_weight) for j in jobs]
    hazard_extra = hazard_weight(weights, jobs, horizon)
    max_trip = int(travel.max(initial=0)) * 2 * max(travel_w, 1)
    current = problem.current_crew()
    crew_index = {c.id: v for v, c in enumerate(crews)}
    allowed = [set(elig.allowed[j.id]) for j in jobs]
    for k, job in enumerate(jobs):
        idx = manager.NodeToIndex(k)
        tdim.CumulVar(idx).SetRange(max(ready[k], 0), due[k])
        w = (weights[k] + (hazard_extra if job.hazard else 0)) * COST_SCALE
        tdim.SetCumulVarSoftUpperBound(idx, 0, w)
        if len(allowed[k]) < n_crews:  # (SetAllowedVehiclesForIndex's binding is broken)
            routing.VehicleVar(idx).SetValues([-1, *sorted(allowed[k])])
        penalty = 2 * w * (horizon + int(transit[k, k]) + 1) + max_trip + 1
        locked = job.locked_to is not None or job.id in current
        routing.AddDisjunction([idx], penalty * (LOCK_FACTOR if locked else 1))
        if job.id in current:
            routing.NextVar(routing.Start(crew_index[current[job.id]])).SetValues([idx])
    if previous and params.churn_cost > 0:
        _churn_dimension(routing, jobs, crews, previous, params.churn_cost, m)
    return RoutingData(
        manager, routing, jobs, [c.id for c in crews], transit, ready, due, shift, allowed
    )


def _churn_dimension(
    routing: pywrapcp.RoutingModel,
    jobs: list[Job],
    crews: Sequence[Crew],
    previous: Mapping[str, str],
    churn_cost: float,
    m: int,
) -> None:
    """Count, per crew, the jobs it takes over from another crew; charge each one."""
    ids = [c.id for c in crews]
    present = set(ids)
    callbacks = []
    for cid in ids:
        vec = [0] * (m + 2 * len(ids))
        for k, j in enumerate(jobs):
            before = previous.get(j.id)
            if before is not None and before in present and before != cid:
                vec[k] = 1
        callbacks.append(routing.RegisterUnaryTransitVector(vec))
    routing.AddDimensionWithVehicleTransits(callbacks, 0, m + 1, True, "churn")
    routing.GetDimensionOrDie("churn").SetSpanCostCoefficientForAllVehicles(
        round(churn_cost * 60 * COST_SCALE)
    )
