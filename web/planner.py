"""Keeping a dispatch plan current: live outages + crews -> Problem -> solve/replan.

Re-planning runs outside the request on a worker thread (STYLE: long work runs
outside the request); `request()` marks the plan stale and wakes the worker.
Tests call `run()` directly for determinism.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from dispatch.from_outages import EtrPolicy, job_from_outage, restoration_times
from dispatch.plan import Plan
from dispatch.problem import Job, Problem
from dispatch.replan import ReplanParams, replan
from dispatch.solve import SolveParams, solve

if TYPE_CHECKING:
    from web.live import LiveState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlannerParams:
    time_limit: float = 1.0
    solution_limit: int | None = None
    debounce: float = 0.3  # seconds to gather changes before re-planning
    # How the plan's finish times become outages' ETRs (None: the ETRs stay the model's).
    etrs: EtrPolicy | None = field(default_factory=EtrPolicy)


@dataclass(frozen=True, slots=True)
class PlanResult:
    plan: Plan
    problem: Problem
    at: datetime

    def eta(self, job_id: str) -> datetime | None:
        visit = self.plan.visit(job_id)
        return None if visit is None else self.at + timedelta(minutes=visit.start)

    def finish(self, job_id: str) -> datetime | None:
        visit = self.plan.visit(job_id)
        return None if visit is None else self.at + timedelta(minutes=visit.finish)

    def finishes(self) -> dict[str, datetime]:
        """When each planned job should be done: its outage's ETR as the plan has it."""
        return restoration_times(self.plan, self.at)

    def crew_of(self, job_id: str) -> str | None:
        visit = self.plan.visit(job_id)
        return None if visit is None else visit.crew


class Planner:
    """The current plan, the dispatcher's locks, and the worker that keeps it fresh."""

    def __init__(self, live: LiveState, params: PlannerParams,
                 on_plan: Callable[[PlanResult], None]) -> None:
        self.live = live
        self.params = params
        self.on_plan = on_plan
        self.locks: dict[str, str] = {}  # job id -> crew id
        self.result: PlanResult | None = None
        self._wake = threading.Event()
        self._run_lock = threading.Lock()
        self._stop = False
        self._thread: threading.Thread | None = None

    # -- problem -------------------------------------------------------------------------
    def problem(self, now: datetime) -> Problem:
        crews = self.live.crews.all()
        crew_ids = {c.id for c in crews}
        jobs: dict[str, Job] = {}
        for outage in self.live.engine.outages():
            lock = self.locks.get(outage.id)
            job = job_from_outage(self.live.network, outage, now=now)
            if job is not None:
                # The planner's own locks decide here (crews it knows, jobs it gave out).
                jobs[job.id] = replace(job, locked_to=lock if lock in crew_ids else None)
        current: dict[str, str] = {}
        for crew in crews:
            if crew.job in jobs and crew.job not in current.values() and \
                    jobs[crew.job].locked_to in (None, crew.id):
                current[crew.id] = crew.job
        on_site = {c.id: jobs[current[c.id]].location for c in crews
                   if c.status == "on_site" and c.id in current}
        return Problem(crews=tuple(c.for_plan(current.get(c.id), on_site.get(c.id))
                                   for c in crews),
                       jobs=tuple(jobs.values()), start_time=now)

    def run(self) -> PlanResult:
        """Plan now (warm-started from the previous plan) and publish the result."""
        with self._run_lock:
            now = self.live.clock.now()
            problem = self.problem(now)
            base = SolveParams(time_limit=self.params.time_limit,
                               solution_limit=self.params.solution_limit)
            if self.result is None or not problem.jobs:
                plan = solve(problem, base)
            else:
                plan = replan(self.result.plan, problem,
                              ReplanParams(time_limit=self.params.time_limit, base=base,
                                           solution_limit=self.params.solution_limit))
            self.result = PlanResult(plan, problem, now)
        self.on_plan(self.result)
        return self.result

    # -- worker --------------------------------------------------------------------------
    def request(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="planner", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop:
            self._wake.wait()
            if self._stop:
                return
            threading.Event().wait(self.params.debounce)
            self._wake.clear()
            try:
                self.run()
            except Exception:  # the worker must survive a bad plan; the error is logged
                log.exception("re-planning failed")

    def to_json(self) -> dict[str, Any]:
        result = self.result
        if result is None:
            return {"planned_at": None, "routes": {}, "visits": [], "dropped": []}
        plan = result.plan
        return {
            "planned_at": result.at.isoformat(),
            "routes": {crew: list(jobs) for crew, jobs in plan.routes.items()},
            "visits": [{"crew": v.crew, "job": v.job,
                        "arrival": (result.at + timedelta(minutes=v.arrival)).isoformat(),
                        "start": (result.at + timedelta(minutes=v.start)).isoformat(),
                        "finish": (result.at + timedelta(minutes=v.finish)).isoformat()}
                       for v in plan.visits],
            "dropped": [{"job": d.job, "reason": d.reason} for d in plan.dropped],
            "customer_minutes": round(plan.customer_minutes, 1),
            "travel_minutes": round(plan.travel_minutes, 1),
            "seconds": round(plan.seconds, 3),
            "churn": plan.churn,
            "locks": dict(self.locks),
        }
