"""Travel matrix of a problem and earliest-start timing of routes (shared by all solvers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dispatch.plan import Visit
from dispatch.problem import Crew, Job, Problem

FloatArray = npt.NDArray[np.float64]
EPS = 1e-6


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Travel minutes over jobs (0..J-1), crew starts (J..J+C-1) and crew ends (J+C..)."""

    minutes: FloatArray
    jobs: dict[str, int]
    crews: dict[str, int]
    has_end: tuple[bool, ...]

    @property
    def n_jobs(self) -> int:
        """Number of jobs."""
        return len(self.jobs)

    def start(self, crew_id: str) -> int:
        """Row of the crew's start position."""
        return self.n_jobs + self.crews[crew_id]

    def end(self, crew_id: str) -> int:
        """Row of the crew's end depot (its start if it has none; see ``to_end``)."""
        return self.n_jobs + len(self.crews) + self.crews[crew_id]

    def to_end(self, crew_id: str, row: int) -> float:
        """Minutes from ``row`` to the crew's end depot; 0 when the route is open."""
        if not self.has_end[self.crews[crew_id]]:
            return 0.0
        return float(self.minutes[row, self.end(crew_id)])


def travel_matrix(problem: Problem) -> TravelMatrix:
    """Compute the travel minutes once for all jobs and crew positions of ``problem``."""
    points = [j.location for j in problem.jobs]
    points += [c.start for c in problem.crews]
    points += [c.end if c.end is not None else c.start for c in problem.crews]
    minutes = np.asarray(problem.travel.matrix(points), dtype=np.float64)
    if minutes.shape != (len(points), len(points)) or (minutes < 0).any():
        raise ValueError("travel model returned a matrix of the wrong shape or negative times")
    return TravelMatrix(
        minutes=minutes,
        jobs={j.id: i for i, j in enumerate(problem.jobs)},
        crews={c.id: i for i, c in enumerate(problem.crews)},
        has_end=tuple(c.end is not None for c in problem.crews),
    )


def shift_open(crew: Crew) -> float:
    """When the crew can start working (never before the plan start)."""
    return max(0.0, crew.shift[0])


def step(
    tm: TravelMatrix, crew: Crew, job: Job, row: int, now: float
) -> tuple[float, float, float, bool]:
    """Arrival, start, finish at ``job`` coming from ``row`` at ``now``; and whether it fits."""
    j = tm.jobs[job.id]
    arrival = now + float(tm.minutes[row, j])
    start = arrival if job.window is None else max(arrival, job.window[0])
    finish = start + job.duration
    fits = finish + tm.to_end(crew.id, j) <= crew.shift[1] + EPS
    if job.window is not None and start > job.window[1] + EPS:
        fits = False
    return arrival, start, finish, fits


def route_visits(
    problem: Problem, crew: Crew, job_ids: Sequence[str], tm: TravelMatrix | None = None
) -> list[Visit]:
    """Earliest-start visits of ``job_ids`` in order for ``crew`` (feasibility not checked)."""
    tm = tm or travel_matrix(problem)
    jobs = problem.job_index()
    row, now, out = tm.start(crew.id), shift_open(crew), []
    for jid in job_ids:
        arrival, start, finish, _ = step(tm, crew, jobs[jid], row, now)
        out.append(Visit(crew.id, jid, arrival, start, finish))
        row, now = tm.jobs[jid], finish
    return out


def feasible_subsequence(
    problem: Problem, crew: Crew, job_ids: Sequence[str], tm: TravelMatrix
) -> list[str]:
    """Keep the jobs of ``job_ids``, in order, that still fit when the others are skipped."""
    jobs = problem.job_index()
    row, now, kept = tm.start(crew.id), shift_open(crew), []
    for jid in job_ids:
        job = jobs.get(jid)
        if job is None or not crew.can_do(job):
            continue
        _, _, finish, fits = step(tm, crew, job, row, now)
        if fits:
            kept.append(jid)
            row, now = tm.jobs[jid], finish
    return kept


def route_travel(tm: TravelMatrix, crew: Crew, job_ids: Sequence[str]) -> float:
    """Driving minutes of a route, including the trip to the end depot if any."""
    row, total = tm.start(crew.id), 0.0
    for jid in job_ids:
        j = tm.jobs[jid]
        total += float(tm.minutes[row, j])
        row = j
    if job_ids:
        total += tm.to_end(crew.id, row)
    return total


def customer_minutes(problem: Problem, visits: Sequence[Visit]) -> float:
    """Sum of customers x finish minute over ``visits``."""
    customers = {j.id: j.customers for j in problem.jobs}
    return float(sum(customers[v.job] * v.finish for v in visits))
