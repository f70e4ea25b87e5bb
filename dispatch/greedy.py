"""Nearest-available-crew dispatcher: the baseline a dispatcher would do by hand.

Each time a crew becomes free (earliest first) it takes the nearest job it is skilled for
and can still start within the job's window and finish within its shift; hazards are
taken before anything else. Crews with a current job do it first. Also used as the
first solution of the OR-Tools search.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

import numpy as np

from dispatch.plan import DroppedJob, Plan
from dispatch.problem import Problem
from dispatch.timing import (
    TravelMatrix,
    customer_minutes,
    route_travel,
    shift_open,
    step,
    travel_matrix,
)


def greedy_routes(
    problem: Problem,
    tm: TravelMatrix,
    weights: Mapping[str, float] | None = None,
    travel_factor: float = 1.0,
) -> dict[str, list[str]]:
    """Routes (crew id -> job ids) chosen by the nearest-available-crew rule.

    With ``weights`` (job id -> weight) the free crew takes instead the job with the best
    weight per minute of travel and work (Smith's rule), hazards still first: the seed
    of the OR-Tools search. ``travel_factor`` scales the travel minutes in that ratio
    (above 1, nearby jobs are preferred more).
    """
    current = problem.current_crew()
    routes: dict[str, list[str]] = {c.id: [] for c in problem.crews}
    left = {j.id for j in problem.jobs if j.id not in current}
    queue: list[tuple[float, int, int]] = []  # (free at, crew index, position row)
    for v, crew in enumerate(problem.crews):
        row, now = tm.start(crew.id), shift_open(crew)
        if crew.current_job is not None:
            job = problem.job(crew.current_job)
            _, _, finish, _ = step(tm, crew, job, row, now)
            routes[crew.id].append(job.id)
            row, now = tm.jobs[job.id], finish
        heapq.heappush(queue, (now, v, row))
    jobs = [j for j in problem.jobs]
    while queue and left:
        now, v, row = heapq.heappop(queue)
        crew = problem.crews[v]
        best: tuple[bool, float, float] | None = None
        pick = None
        for job in jobs:
            if job.id not in left or not crew.can_do(job):
                continue
            arrival, start, finish, fits = step(tm, crew, job, row, now)
            if weights is None:
                key = (not job.hazard, start, -float(job.customers))
            else:
                busy = finish - now + (travel_factor - 1.0) * (arrival - now)
                key = (not job.hazard, -weights[job.id] / max(busy, 1.0), start)
            if fits and (best is None or key < best):
                best, pick = key, (job, finish)
        if pick is None:
            continue  # nothing this crew can still do: it stays idle
        job, finish = pick
        left.discard(job.id)
        routes[crew.id].append(job.id)
        heapq.heappush(queue, (finish, v, tm.jobs[job.id]))
    return routes


def greedy_plan(problem: Problem) -> Plan:
    """The baseline plan with its customer-minutes and travel (dropped: not reached)."""
    from dispatch.plan import schedule

    tm = travel_matrix(problem)
    routes = {c: tuple(r) for c, r in greedy_routes(problem, tm).items()}
    visits = schedule(problem, routes, tm)
    served = {v.job for v in visits}
    travel = float(np.sum([route_travel(tm, problem.crew(c), r) for c, r in routes.items()]))
    dropped = tuple(
        DroppedJob(j.id, "no free crew could take it") for j in problem.jobs if j.id not in served
    )
    return Plan(
        routes=routes,
        visits=visits,
        dropped=dropped,
        customer_minutes=customer_minutes(problem, visits),
        travel_minutes=travel,
    )
