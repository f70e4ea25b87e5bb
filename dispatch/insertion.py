"""Cheapest insertion of jobs into existing routes (seeding a re-plan with new jobs)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dispatch.problem import Crew, Problem
from dispatch.timing import TravelMatrix, route_travel, shift_open, step


def route_cost(
    problem: Problem,
    tm: TravelMatrix,
    crew: Crew,
    route: list[str],
    weights: Mapping[str, float],
    travel_weight: float,
) -> float | None:
    """Weighted start times plus weighted travel of ``route``; None when it does not fit."""
    jobs = problem.job_index()
    row, now, cost = tm.start(crew.id), shift_open(crew), 0.0
    for jid in route:
        _, start, finish, fits = step(tm, crew, jobs[jid], row, now)
        if not fits:
            return None
        cost += weights[jid] * start
        row, now = tm.jobs[jid], finish
    return cost + travel_weight * route_travel(tm, crew, route)


def insert_jobs(
    problem: Problem,
    tm: TravelMatrix,
    routes: dict[str, list[str]],
    job_ids: Iterable[str],
    weights: Mapping[str, float],
    travel_weight: float = 1.0,
) -> list[str]:
    """Insert each job (heaviest first) where it adds least cost; return those left out.

    ``routes`` is changed in place. A crew's current job keeps the first position.
    """
    jobs = problem.job_index()
    left: list[str] = []
    for jid in sorted(job_ids, key=lambda j: -weights[j]):
        best: tuple[float, str, int] | None = None
        for crew in problem.crews:
            if not crew.can_do(jobs[jid]):
                continue
            route = routes.setdefault(crew.id, [])
            base = route_cost(problem, tm, crew, route, weights, travel_weight)
            if base is None:
                continue
            first = 1 if crew.current_job is not None and route[:1] == [crew.current_job] else 0
            for pos in range(first, len(route) + 1):
                cost = route_cost(
                    problem, tm, crew, [*route[:pos], jid, *route[pos:]], weights, travel_weight
                )
                if cost is not None and (best is None or cost - base < best[0]):
                    best = (cost - base, crew.id, pos)
        if best is None:
            left.append(jid)
        else:
            routes[best[1]].insert(best[2], jid)
    return left
