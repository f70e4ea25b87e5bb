"""Shared OR-Tools search settings for the field solver and the VRPTW solver."""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

LSM = routing_enums_pb2.LocalSearchMetaheuristic
METAHEURISTICS = {
    "guided_local_search": LSM.GUIDED_LOCAL_SEARCH,
    "greedy_descent": LSM.GREEDY_DESCENT,
    "simulated_annealing": LSM.SIMULATED_ANNEALING,
    "tabu_search": LSM.TABU_SEARCH,
}


def search_parameters(
    first_solution: int,
    time_limit: float,
    solution_limit: int | None = None,
    metaheuristic: str = "guided_local_search",
) -> pywrapcp.DefaultRoutingSearchParameters:
    """Guided local search from ``first_solution``, bounded by time or by solution count.

    With ``solution_limit`` set, or with ``greedy_descent`` (stops at the first local
    optimum), the search is deterministic as long as the time limit, a safety net then,
    is not reached (OR-Tools runs single-threaded here).
    """
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = first_solution
    p.local_search_metaheuristic = METAHEURISTICS[metaheuristic]
    if solution_limit is not None:
        p.solution_limit = solution_limit
    p.time_limit.FromMilliseconds(max(int(time_limit * 1000), 1))
    return p
