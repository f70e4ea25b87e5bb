"""The field dispatch problem: crews, jobs, and the travel model (no outage imports).

Times are minutes from the problem's ``start_time`` (0 = now); they may be fractional.
Records are frozen and validated on construction; change them with ``dataclasses.replace``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from dispatch.errors import DispatchError, InvalidRecordError

if TYPE_CHECKING:
    from dispatch.travel import TravelTimes


class CrewType(Enum):
    """What kind of crew this is (informative; what it may do is given by its skills)."""

    TROUBLESHOOTER = "troubleshooter"
    LINE = "line"
    TREE = "tree"
    UNDERGROUND = "underground"
    MUTUAL_AID = "mutual_aid"


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS 84 position."""

    lon: float
    lat: float

    def __post_init__(self) -> None:
        if not (-180.0 <= self.lon <= 180.0 and -90.0 <= self.lat <= 90.0):
            raise DispatchError(f"point ({self.lon}, {self.lat}) is not a lon/lat position")


def _check_time(kind: str, rid: str, name: str, value: float) -> None:
    if not math.isfinite(value):
        raise InvalidRecordError(kind, rid, f"{name} is not a finite number")


@dataclass(frozen=True, slots=True)
class Crew:
    """A crew: ``shift`` is [start, end] in minutes; ``end`` None means the route ends at the
    last job (no return trip); ``current_job`` is a job it is en route to or working on,
    which stays first on its route."""

    id: str
    start: Point
    shift: tuple[float, float]
    skills: frozenset[str] = frozenset()
    kind: CrewType = CrewType.LINE
    end: Point | None = None
    current_job: str | None = None

    def __post_init__(self) -> None:
        for name, value in zip(("shift start", "shift end"), self.shift, strict=True):
            _check_time("crew", self.id, name, value)
        if self.shift[1] <= self.shift[0]:
            raise InvalidRecordError("crew", self.id, f"empty shift {list(self.shift)}")
        object.__setattr__(self, "skills", frozenset(self.skills))

    def can_do(self, job: Job) -> bool:
        """True when this crew has every skill ``job`` needs and no lock excludes it."""
        return job.skills <= self.skills and job.locked_to in (None, self.id)


@dataclass(frozen=True, slots=True)
class Job:
    """A piece of field work: restore an outage, make a hazard safe, investigate.

    ``window`` bounds the *start* of the work; ``customers`` are restored when it finishes;
    ``critical`` counts critical customers (hospitals, life support) among them or in
    addition; ``hazard`` jobs come before all others; ``priority`` adds to the weight;
    ``locked_to`` pins the job to one crew.
    """

    id: str
    location: Point
    duration: float
    skills: frozenset[str] = frozenset()
    customers: int = 0
    critical: int = 0
    hazard: bool = False
    priority: int = 0
    window: tuple[float, float] | None = None
    locked_to: str | None = None

    def __post_init__(self) -> None:
        _check_time("job", self.id, "duration", self.duration)
        if self.duration < 0:
            raise InvalidRecordError("job", self.id, f"negative duration {self.duration}")
        if self.customers < 0 or self.critical < 0 or self.priority < 0:
            raise InvalidRecordError(
                "job", self.id, "customers, critical and priority must be >= 0"
            )
        if self.window is not None:
            for name, value in zip(("window start", "window end"), self.window, strict=True):
                _check_time("job", self.id, name, value)
            if self.window[1] < self.window[0]:
                raise InvalidRecordError("job", self.id, f"window {list(self.window)} is empty")
            # A window closed already is no error of the instance: the job is dropped,
            # with why (`dispatch.feasibility`), and the rest is planned.
        object.__setattr__(self, "skills", frozenset(self.skills))


def _default_travel() -> TravelTimes:
    from dispatch.travel import GreatCircleTravel

    return GreatCircleTravel()


@dataclass(frozen=True, slots=True)
class Problem:
    """Crews and jobs to plan at ``start_time`` with a travel model."""

    crews: tuple[Crew, ...]
    jobs: tuple[Job, ...]
    travel: TravelTimes = field(default_factory=_default_travel)
    start_time: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "crews", tuple(self.crews))
        object.__setattr__(self, "jobs", tuple(self.jobs))
        _unique("crew", [c.id for c in self.crews])
        _unique("job", [j.id for j in self.jobs])
        crew_ids = {c.id for c in self.crews}
        job_ids = {j.id: j for j in self.jobs}
        for j in self.jobs:
            if j.locked_to is not None and j.locked_to not in crew_ids:
                raise InvalidRecordError(
                    "job", j.id, f"locked_to names unknown crew {j.locked_to!r}"
                )
        current: dict[str, str] = {}
        for c in self.crews:
            if c.current_job is None:
                continue
            job = job_ids.get(c.current_job)
            if job is None:
                raise InvalidRecordError("crew", c.id, f"current_job {c.current_job!r} is unknown")
            if c.current_job in current:
                raise InvalidRecordError(
                    "crew", c.id, f"job {c.current_job!r} is current for 2 crews"
                )
            if job.locked_to not in (None, c.id):
                raise InvalidRecordError(
                    "crew", c.id, f"current job is locked to {job.locked_to!r}"
                )
            current[c.current_job] = c.id

    def crew(self, crew_id: str) -> Crew:
        """The crew with this id."""
        for c in self.crews:
            if c.id == crew_id:
                return c
        raise LookupError(f"unknown crew {crew_id!r}")

    def job(self, job_id: str) -> Job:
        """The job with this id."""
        for j in self.jobs:
            if j.id == job_id:
                return j
        raise LookupError(f"unknown job {job_id!r}")

    def job_index(self) -> dict[str, Job]:
        """Map job id -> job."""
        return {j.id: j for j in self.jobs}

    def current_crew(self) -> dict[str, str]:
        """Map job id -> crew id for the jobs crews are en route to or working on."""
        return {c.current_job: c.id for c in self.crews if c.current_job is not None}


def _unique(kind: str, ids: Sequence[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if not i:
            raise InvalidRecordError(kind, i, "empty id")
        if i in seen:
            raise InvalidRecordError(kind, i, "duplicate id")
        seen.add(i)
