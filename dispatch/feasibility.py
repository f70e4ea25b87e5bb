"""Which crews may do which jobs, and why a job can be done by nobody (reported as dropped)."""

from __future__ import annotations

from dataclasses import dataclass

from dispatch.errors import InvalidRecordError
from dispatch.problem import Crew, Job, Problem
from dispatch.timing import TravelMatrix, shift_open, step

NO_TIME = "not enough crew time"
NO_CREWS = "no crews on the roster"


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Per job: the crews (by index) that can reach and finish it; reasons for the rest."""

    allowed: dict[str, list[int]]
    reasons: dict[str, str]


def _skill_reason(problem: Problem, job: Job) -> str:
    everyone: set[str] = set().union(*(c.skills for c in problem.crews)) if problem.crews else set()
    missing = sorted(job.skills - everyone)
    if missing:
        return f"no crew has skills {', '.join(missing)}"
    if job.locked_to is not None:
        return f"locked crew {job.locked_to} lacks skills {', '.join(sorted(job.skills))}"
    return f"no single crew has all skills {', '.join(sorted(job.skills))}"


def _reachable(tm: TravelMatrix, crew: Crew, job: Job) -> str | None:
    """None when the crew alone can do the job first thing; else what stops it."""
    _, start, _, fits = step(tm, crew, job, tm.start(crew.id), shift_open(crew))
    if fits:
        return None
    if job.window is not None and start > job.window[1]:
        return "window"
    return "shift"


def eligibility(problem: Problem, tm: TravelMatrix) -> Eligibility:
    """Allowed crews per job (skills, locks, current jobs, windows, shifts) and drop reasons."""
    current = problem.current_crew()
    allowed: dict[str, list[int]] = {}
    reasons: dict[str, str] = {}
    for job in problem.jobs:
        lock = current.get(job.id, job.locked_to)
        capable = [
            (v, c) for v, c in enumerate(problem.crews) if c.can_do(job) and lock in (None, c.id)
        ]
        if not capable:
            reasons[job.id] = _skill_reason(problem, job)
            continue
        why = {v: _reachable(tm, c, job) for v, c in capable}
        ok = [v for v, w in why.items() if w is None]
        if ok:
            allowed[job.id] = ok
        elif all(w == "window" for w in why.values()):
            reasons[job.id] = "window closes before any crew can arrive"
        elif lock is not None:
            reasons[job.id] = f"locked crew {lock} cannot finish it within its shift"
        else:
            reasons[job.id] = "no capable crew can finish it within its shift"
    return Eligibility(allowed, reasons)


def require_servable(problem: Problem, tm: TravelMatrix) -> None:
    """Raise for the first job that no crew can ever do because of skills (strict input)."""
    for job in problem.jobs:
        if not any(c.can_do(job) for c in problem.crews):
            raise InvalidRecordError("job", job.id, _skill_reason(problem, job))
