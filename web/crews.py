"""Crews as the web layer tracks them: position, status, current job, route on the map.

The dispatch package plans with immutable `dispatch.problem.Crew` records; this is
the live, mutable side (where the truck is now) that each plan starts from.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from dispatch.problem import Crew, CrewType, Point

CREW_STATUSES = ("available", "assigned", "en_route", "on_site", "need_help", "off_shift")
SHIFT_MINUTES = 16 * 60.0


@dataclass(slots=True)
class CrewState:
    id: str
    name: str
    kind: str = "line"
    skills: list[str] = field(default_factory=lambda: ["line", "switching"])
    lon: float = 0.0
    lat: float = 0.0
    status: str = "available"
    job: str | None = None  # the outage it is en route to or working on
    path: list[list[float]] = field(default_factory=list)  # road path to drive, lon/lat
    updated: str = ""

    def __post_init__(self) -> None:
        if not self.id or not isinstance(self.id, str):
            raise ValueError("crew id must be a non-empty string")
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise ValueError(f"crew {self.id!r}: position ({self.lon}, {self.lat}) is not lon/lat")
        CrewType(self.kind)  # ValueError names the bad kind
        if not all(isinstance(s, str) and s for s in self.skills):
            raise ValueError(f"crew {self.id!r}: skills must be non-empty strings")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def for_plan(self, current_job: str | None, at: Point | None = None) -> Crew:
        """The crew as the planner sees it: from where it is (`at` its job when it is
        there: its last position sent may be down the road), on its current job."""
        return Crew(id=self.id, start=at or Point(self.lon, self.lat),
                    shift=(0.0, SHIFT_MINUTES), skills=frozenset(self.skills),
                    kind=CrewType(self.kind), current_job=current_job)


class CrewRegistry:
    """All crews, behind a lock; readers get copies as JSON."""

    def __init__(self) -> None:
        self._crews: dict[str, CrewState] = {}
        self.lock = threading.RLock()

    def add(self, crew: CrewState) -> None:
        with self.lock:
            if crew.id in self._crews:
                raise ValueError(f"crew {crew.id!r} already exists")
            self._crews[crew.id] = crew

    def get(self, crew_id: str) -> CrewState:
        with self.lock:
            crew = self._crews.get(crew_id)
        if crew is None:
            raise LookupError(f"unknown crew {crew_id!r}")
        return crew

    def all(self) -> list[CrewState]:
        with self.lock:
            return list(self._crews.values())

    def to_json(self) -> list[dict[str, Any]]:
        with self.lock:
            return [c.to_json() for c in self._crews.values()]

    def __contains__(self, crew_id: object) -> bool:
        return crew_id in self._crews
