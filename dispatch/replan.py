"""Re-planning when the world changes: incremental, bounded in time, stable.

The caller builds the new :class:`Problem` (the helpers below cover the usual events: a
new job, a job done, a crew's status or position changing, a crew added) and calls
:func:`replan` with the previous plan. The search starts from the previous routes (jobs
that no longer exist or no longer fit are cut out; new jobs are inserted by the search),
runs for a short time, and charges ``churn_cost`` customer-minutes for every job moved
to another crew, so crews are not reshuffled for a negligible gain.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dispatch.insertion import insert_jobs
from dispatch.model import job_weight
from dispatch.plan import Plan
from dispatch.problem import Crew, Job, Problem
from dispatch.solve import SolveParams, solve
from dispatch.timing import travel_matrix


@dataclass(frozen=True, slots=True)
class ReplanParams:
    """Time bound and stability of a re-plan (``base`` gives the other solver settings)."""

    time_limit: float = 1.0
    churn_cost: float = 120.0  # customer-minutes per job moved to another crew
    base: SolveParams = field(default_factory=SolveParams)
    solution_limit: int | None = None


def replan(previous: Plan, problem: Problem, params: ReplanParams | None = None) -> Plan:
    """Plan ``problem`` again starting from ``previous``; ``Plan.churn`` counts moved jobs."""
    params = params or ReplanParams()
    jobs = {j.id for j in problem.jobs}
    current = problem.current_crew()
    hint: dict[str, list[str]] = {}
    for crew in problem.crews:
        route = [j for j in previous.routes.get(crew.id, ()) if j in jobs and j not in current]
        if crew.current_job is not None:
            route.insert(0, crew.current_job)
        hint[crew.id] = route
    planned = {j for r in hint.values() for j in r}
    weights = {j.id: float(job_weight(j, params.base.critical_weight)) for j in problem.jobs}
    weights.update({j.id: float(sum(weights.values()) + 1) for j in problem.jobs if j.hazard})
    insert_jobs(
        problem,
        travel_matrix(problem),
        hint,
        [j.id for j in problem.jobs if j.id not in planned and j.locked_to in (None, *hint)],
        weights,
        params.base.travel_weight,
    )
    solve_params = replace(
        params.base,
        time_limit=params.time_limit,
        churn_cost=params.churn_cost,
        solution_limit=params.solution_limit,
    )
    return solve(problem, solve_params, initial_routes=hint, previous=previous.assignment())


def add_job(problem: Problem, job: Job) -> Problem:
    """The problem with one more job."""
    return replace(problem, jobs=(*problem.jobs, job))


def complete_job(problem: Problem, job_id: str) -> Problem:
    """The problem without a finished (or cancelled) job; crews on it are freed."""
    problem.job(job_id)  # raises LookupError for an unknown id
    crews = tuple(
        replace(c, current_job=None) if c.current_job == job_id else c for c in problem.crews
    )
    return replace(problem, crews=crews, jobs=tuple(j for j in problem.jobs if j.id != job_id))


def update_crew(problem: Problem, crew: Crew) -> Problem:
    """The problem with ``crew`` replacing the crew of the same id (position, shift, job)."""
    problem.crew(crew.id)
    return replace(problem, crews=tuple(crew if c.id == crew.id else c for c in problem.crews))


def add_crew(problem: Problem, crew: Crew) -> Problem:
    """The problem with one more crew (mutual aid arriving, a crew back from a break)."""
    return replace(problem, crews=(*problem.crews, crew))
