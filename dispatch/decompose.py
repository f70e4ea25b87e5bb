"""Large first plans: improve the seed one group of nearby crews at a time.

OR-Tools' local search slows down sharply with the number of vehicles on the field model:
at 100 crews x 1,000 jobs it evaluates about 500 moves a second (against 10,000-40,000 at
20-50 crews and the same number of jobs) and moves the seed by less than 0.1 % in 25 s.
So above ``DECOMPOSE_ABOVE`` crews the seed routes are improved group by group: crews are
ordered by the bearing of their route's centre from the centre of all jobs and cut into
groups of ``GROUP_CREWS``; each group is solved as its own problem (its crews, the jobs on
their routes, and the unplanned jobs nearest to them that one of them can do), warm-started
from its routes. A second round shifts the cut by half a group so that jobs can move
between neighbouring groups. The caller then runs the whole model from the result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from dispatch.problem import Crew, Job, Point, Problem

if TYPE_CHECKING:
    from dispatch.solve import SolveParams

GROUP_CREWS = 20
DECOMPOSE_ABOVE = 40  # crews
ROUNDS = 2
MIN_SHARE = 0.3  # seconds: below this a group is not worth a model


def _centre(points: Sequence[Point]) -> tuple[float, float]:
    return (
        sum(p.lon for p in points) / len(points),
        sum(p.lat for p in points) / len(points),
    )


def _route_centre(crew: Crew, route: Sequence[str], jobs: Mapping[str, Job]) -> tuple[float, float]:
    points = [jobs[j].location for j in route] or [crew.start]
    return _centre(points)


def crew_groups(
    problem: Problem, routes: Mapping[str, Sequence[str]], offset: int = 0
) -> list[list[Crew]]:
    """Crews ordered by bearing of their route centre, cut into groups of ``GROUP_CREWS``
    starting ``offset`` crews into that order (the order wraps around)."""
    jobs = problem.job_index()
    cx, cy = _centre([j.location for j in problem.jobs] or [c.start for c in problem.crews])
    centres = {c.id: _route_centre(c, routes.get(c.id, ()), jobs) for c in problem.crews}
    order = sorted(
        problem.crews,
        key=lambda c: (math.atan2(centres[c.id][1] - cy, centres[c.id][0] - cx), c.id),
    )
    if not order:
        return []
    offset %= len(order)
    order = order[offset:] + order[:offset]
    n_groups = max(1, round(len(order) / GROUP_CREWS))
    size = math.ceil(len(order) / n_groups)
    return [order[i : i + size] for i in range(0, len(order), size)]


def _unplanned_by_group(
    problem: Problem, routes: Mapping[str, Sequence[str]], groups: list[list[Crew]]
) -> list[list[Job]]:
    """Each unplanned job goes to the group of the nearest crew (by route centre) able to
    do it; a locked job to its crew's group."""
    jobs = problem.job_index()
    planned = {j for r in routes.values() for j in r}
    group_of = {c.id: g for g, group in enumerate(groups) for c in group}
    centres = {c.id: _route_centre(c, routes.get(c.id, ()), jobs) for c in problem.crews}
    out: list[list[Job]] = [[] for _ in groups]
    for job in problem.jobs:
        if job.id in planned:
            continue
        if job.locked_to is not None:
            out[group_of[job.locked_to]].append(job)
            continue
        able = [c for c in problem.crews if c.can_do(job)]
        if not able:
            continue
        lon, lat = job.location.lon, job.location.lat
        nearest = min(
            able,
            key=lambda c: ((centres[c.id][0] - lon) ** 2 + (centres[c.id][1] - lat) ** 2, c.id),
        )
        out[group_of[nearest.id]].append(job)
    return out


def improve_by_groups(
    problem: Problem,
    routes: Mapping[str, Sequence[str]],
    params: SolveParams,
    seconds: float,
) -> dict[str, list[str]]:
    """Routes improved group by group within ``seconds`` (see the module docstring)."""
    from dispatch.solve import solve

    deadline = time.perf_counter() + seconds
    jobs = problem.job_index()
    out = {c.id: list(routes.get(c.id, ())) for c in problem.crews}
    for rnd in range(ROUNDS):
        groups = crew_groups(problem, out, offset=rnd * GROUP_CREWS // 2)
        extra = _unplanned_by_group(problem, out, groups)
        for g, group in enumerate(groups):
            left = (len(groups) - g) + (ROUNDS - 1 - rnd) * len(groups)
            share = (deadline - time.perf_counter()) / left
            if share < MIN_SHARE:
                continue
            own = [jobs[j] for c in group for j in out[c.id]]
            own += [
                jobs[c.current_job]
                for c in group
                if c.current_job is not None and c.current_job not in out[c.id]
            ]
            sub = replace(problem, crews=tuple(group), jobs=tuple(own + extra[g]))
            hint = {c.id: out[c.id] for c in group}
            plan = solve(sub, replace(params, time_limit=share), initial_routes=hint)
            for c in group:
                out[c.id] = list(plan.routes.get(c.id, ()))
    return out
