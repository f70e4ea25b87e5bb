"""Plan crew routes with OR-Tools: ``solve(problem, params) -> Plan``.

Objective (minimised), in customer-seconds x ``COST_SCALE``:
  sum over jobs of weight x start time (cumul soft upper bound 0, i.e. customer-minutes
  interrupted; weight = customers + critical_weight x critical + priority, at least 1;
  hazards weigh more than all other jobs together so they come first whatever their size)
  + travel_weight x travel seconds
  + a drop penalty per unserved job larger than serving it at any time
  + churn_cost per job moved to another crew (re-planning).
Skills, locks and windows/shifts that make a job impossible are filtered before the model
and reported as dropped with a reason; everything else is optional with penalties, so a
plan always exists.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from dispatch.decompose import DECOMPOSE_ABOVE, improve_by_groups
from dispatch.errors import DispatchError
from dispatch.feasibility import NO_CREWS, NO_TIME, eligibility
from dispatch.greedy import greedy_routes
from dispatch.model import RoutingData, build_model, job_weight, routes_from
from dispatch.plan import DroppedJob, Plan, churn, schedule
from dispatch.problem import Problem
from dispatch.routing import METAHEURISTICS, search_parameters
from dispatch.timing import TravelMatrix, customer_minutes, route_travel, travel_matrix

FSS = routing_enums_pb2.FirstSolutionStrategy
FIRST_SOLUTIONS = {
    "greedy": FSS.LOCAL_CHEAPEST_INSERTION,  # fallback when the greedy routes cannot be read
    "parallel_cheapest_insertion": FSS.PARALLEL_CHEAPEST_INSERTION,
    "local_cheapest_insertion": FSS.LOCAL_CHEAPEST_INSERTION,
    "savings": FSS.SAVINGS,
    "path_cheapest_arc": FSS.PATH_CHEAPEST_ARC,
}


@dataclass(frozen=True, slots=True)
class SolveParams:
    """Solver settings. ``solution_limit`` makes the search deterministic (tests)."""

    time_limit: float = 10.0
    solution_limit: int | None = None
    travel_weight: float = 1.0  # customer-minutes charged per minute of driving
    critical_weight: int = 10  # a critical customer counts as this many customers
    churn_cost: float = 0.0  # customer-minutes charged per job moved to another crew
    first_solution: str = "greedy"
    metaheuristic: str = "guided_local_search"  # greedy_descent stops at a local optimum

    def __post_init__(self) -> None:
        if self.time_limit <= 0:
            raise DispatchError(f"time_limit must be > 0, got {self.time_limit}")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise DispatchError(f"solution_limit must be >= 1, got {self.solution_limit}")
        if self.travel_weight < 0 or self.critical_weight < 1 or self.churn_cost < 0:
            raise DispatchError("travel_weight and churn_cost must be >= 0, critical_weight >= 1")
        if self.metaheuristic not in METAHEURISTICS:
            raise DispatchError(f"metaheuristic must be one of {sorted(METAHEURISTICS)}")
        if self.first_solution not in FIRST_SOLUTIONS:
            raise DispatchError(f"first_solution must be one of {sorted(FIRST_SOLUTIONS)}")


def solve(
    problem: Problem,
    params: SolveParams | None = None,
    initial_routes: Mapping[str, Sequence[str]] | None = None,
    previous: Mapping[str, str] | None = None,
) -> Plan:
    """Plan ``problem``; ``initial_routes`` (crew -> jobs) warm-starts the search and
    ``previous`` (job -> crew) is the assignment whose changes cost ``churn_cost``."""
    params = params or SolveParams()
    if not problem.crews:  # nobody to route (and OR-Tools aborts the process on none)
        return Plan(routes={}, visits=(), customer_minutes=0.0, travel_minutes=0.0,
                    dropped=tuple(DroppedJob(j.id, NO_CREWS) for j in problem.jobs))
    t0 = time.perf_counter()
    tm = travel_matrix(problem)
    elig = eligibility(problem, tm)
    data = build_model(problem, tm, elig, params, previous or {})
    hint = initial_routes if initial_routes is not None else None
    if hint is None and params.first_solution == "greedy":
        hint = best_seed(problem, tm, _weights(problem, params), params.travel_weight)
        if len(problem.crews) > DECOMPOSE_ABOVE and not previous:
            # keep a tenth of the time (at least 1 s) for the whole model at the end
            budget = params.time_limit - (time.perf_counter() - t0)
            hint = improve_by_groups(problem, hint, params, budget - max(1.0, budget / 10))
    solution = _search(data, params, hint, params.time_limit - (time.perf_counter() - t0))
    routes = routes_from(data, solution) if solution is not None else {}
    full = {c.id: tuple(routes.get(c.id, ())) for c in problem.crews}
    visits = schedule(problem, full, tm)
    served = {v.job for v in visits}
    dropped = tuple(
        DroppedJob(j.id, elig.reasons.get(j.id, _no_time(problem, j.id)))
        for j in problem.jobs
        if j.id not in served
    )
    assignment = {v.job: v.crew for v in visits}
    return Plan(
        routes=full,
        visits=visits,
        dropped=dropped,
        customer_minutes=customer_minutes(problem, visits),
        travel_minutes=float(sum(route_travel(tm, problem.crew(c), r) for c, r in full.items())),
        objective=int(solution.ObjectiveValue()) if solution is not None else 0,
        seconds=time.perf_counter() - t0,
        churn=churn(previous or {}, assignment),
    )


# Travel factors of the Smith-rule seeds tried (1 = plain weight per busy minute; larger
# values prefer nearby jobs more). The best one under ``seed_cost`` starts the search: at
# 100 crews x 1,000 jobs the local search moves little, so the seed matters.
SEED_TRAVEL_FACTORS = (1.0, 2.0, 3.0)


def seed_cost(
    problem: Problem,
    tm: TravelMatrix,
    routes: Mapping[str, Sequence[str]],
    weights: Mapping[str, float],
    travel_weight: float,
) -> float:
    """Weighted finish minutes + weighted travel, unserved jobs out until the last shift end."""
    visits = schedule(problem, {c: tuple(r) for c, r in routes.items()}, tm)
    horizon = max((c.shift[1] for c in problem.crews), default=0.0)
    served = {v.job for v in visits}
    cost = sum(weights[v.job] * v.finish for v in visits)
    cost += horizon * sum(w for j, w in weights.items() if j not in served)
    travel = sum(route_travel(tm, c, routes.get(c.id, ())) for c in problem.crews)
    return cost + travel_weight * travel


def best_seed(
    problem: Problem, tm: TravelMatrix, weights: Mapping[str, float], travel_weight: float
) -> dict[str, list[str]]:
    """The cheapest of the Smith-rule greedy seeds (one per travel factor)."""
    best: tuple[float, dict[str, list[str]]] | None = None
    for factor in SEED_TRAVEL_FACTORS:
        routes = greedy_routes(problem, tm, weights, factor)
        cost = seed_cost(problem, tm, routes, weights, travel_weight)
        if best is None or cost < best[0]:
            best = (cost, routes)
    assert best is not None
    return best[1]


def _weights(problem: Problem, params: SolveParams) -> dict[str, float]:
    return {j.id: float(job_weight(j, params.critical_weight)) for j in problem.jobs}


def _no_time(problem: Problem, job_id: str) -> str:
    lock = problem.current_crew().get(job_id, problem.job(job_id).locked_to)
    return NO_TIME if lock is None else f"{NO_TIME} (locked crew {lock} is fully booked)"


def _search(
    data: RoutingData,
    params: SolveParams,
    hint: Mapping[str, Sequence[str]] | None,
    remaining: float,
) -> pywrapcp.Assignment | None:
    routing = data.routing
    budget = max(remaining, 0.1)
    p = search_parameters(
        FIRST_SOLUTIONS[params.first_solution], budget, params.solution_limit, params.metaheuristic
    )
    if data.node_count == 0:
        p = search_parameters(FSS.PATH_CHEAPEST_ARC, budget, 1)
    start = None
    if hint is not None and data.node_count:
        routing.CloseModelWithParameters(p)
        start = routing.ReadAssignmentFromRoutes(data.vehicle_routes(hint), True)
    if start is not None:
        return routing.SolveFromAssignmentWithParameters(start, p)
    result: pywrapcp.Assignment | None = routing.SolveWithParameters(p)
    return result
