"""A dispatch plan: crew routes with ETAs, dropped jobs with reasons, and objective parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dispatch.problem import Problem

if TYPE_CHECKING:
    from dispatch.timing import TravelMatrix


@dataclass(frozen=True, slots=True)
class Visit:
    """One job on a crew's route; times in minutes from the problem start."""

    crew: str
    job: str
    arrival: float
    start: float
    finish: float


@dataclass(frozen=True, slots=True)
class DroppedJob:
    """A job left out of the plan and why (e.g. ``no crew has skills tree``)."""

    job: str
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    """Routes per crew (in the problem's crew order) and what they achieve.

    ``customer_minutes`` = sum over served jobs of customers x finish time (minutes from
    start); ``travel_minutes`` = total driving; ``churn`` = jobs whose crew changed
    against the previous plan (re-planning only).
    """

    routes: Mapping[str, tuple[str, ...]]
    visits: tuple[Visit, ...]
    dropped: tuple[DroppedJob, ...]
    customer_minutes: float
    travel_minutes: float
    objective: int = 0
    seconds: float = 0.0
    churn: int = 0
    _by_job: dict[str, Visit] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_job.update({v.job: v for v in self.visits})

    def visit(self, job_id: str) -> Visit | None:
        """The visit serving ``job_id``, or None when it was dropped."""
        return self._by_job.get(job_id)

    def eta(self, job_id: str) -> float | None:
        """Minutes from the start until the crew starts work on ``job_id`` (None if dropped)."""
        v = self._by_job.get(job_id)
        return None if v is None else v.start

    def assignment(self) -> dict[str, str]:
        """Map job id -> crew id."""
        return {v.job: v.crew for v in self.visits}

    @property
    def jobs_dropped(self) -> int:
        """Number of dropped jobs."""
        return len(self.dropped)


def schedule(
    problem: Problem, routes: Mapping[str, tuple[str, ...]], tm: TravelMatrix | None = None
) -> tuple[Visit, ...]:
    """Earliest-start times of ``routes`` (crew id -> job ids) on ``problem``; no checks."""
    from dispatch.timing import route_visits, travel_matrix

    tm = tm or travel_matrix(problem)
    out: list[Visit] = []
    for crew in problem.crews:
        out.extend(route_visits(problem, crew, routes.get(crew.id, ()), tm))
    return tuple(out)


def churn(previous: Mapping[str, str], current: Mapping[str, str]) -> int:
    """Jobs present in both assignments (job -> crew) whose crew changed."""
    return sum(1 for j, c in current.items() if j in previous and previous[j] != c)
