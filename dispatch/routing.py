"""Shared OR-Tools search settings for the field solver and the VRPTW solver."""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

LSM = routing_enums_pb2.LocalSearchMetaheuristic


def search_parameters(
    first_solution: int, time_limit: float, solution_limit: int | None = None
) -> pywrapcp.DefaultRoutingSearchParameters:
    """Guided local search from ``first_solution``, bounded by time or by solution count.

    With ``solution_limit`` set the time limit is only a safety net and the search is
    deterministic (OR-Tools is single-threaded here; no LNS time limits are involved).
    """
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = first_solution
    p.local_search_metaheuristic = LSM.GUIDED_LOCAL_SEARCH
    if solution_limit is not None:
        p.solution_limit = solution_limit
        p.time_limit.FromSeconds(max(int(time_limit), 3600))
    else:
        p.time_limit.FromMilliseconds(max(int(time_limit * 1000), 1))
    return p
