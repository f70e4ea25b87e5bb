"""Tiny hand-checkable dispatch problems shared by the tests (imported, not a conftest)."""

from __future__ import annotations

from pathlib import Path

from dispatch.problem import Crew, Job, Point, Problem
from dispatch.travel import GreatCircleTravel

DATA = Path(__file__).parent / "data"

# 60 km/h, no detour: 1 km = 1 minute. 0.01 deg of latitude is about 1.11 km.
TRAVEL = GreatCircleTravel(speed_kmh=60.0, detour=1.0)
ORIGIN = Point(-122.6, 45.5)


def at(km_north: float, km_east: float = 0.0) -> Point:
    """A point ``km_north`` / ``km_east`` of the origin (small distances)."""
    return Point(ORIGIN.lon + km_east / 78.0, ORIGIN.lat + km_north / 111.2)


def crew(
    cid: str, skills: set[str] | None = None, shift: tuple[float, float] = (0, 480), **kw: object
) -> Crew:
    """A crew at the origin."""
    return Crew(cid, kw.pop("start", ORIGIN), shift, frozenset(skills or {"line"}), **kw)  # type: ignore[arg-type]


def job(
    jid: str, km: float, duration: float = 10.0, skills: set[str] | None = None, **kw: object
) -> Job:
    """A job ``km`` north of the origin."""
    return Job(jid, at(km), duration, frozenset(skills or {"line"}), **kw)  # type: ignore[arg-type]


def problem(crews: list[Crew], jobs: list[Job]) -> Problem:
    """A problem with the 1 km = 1 minute travel model."""
    return Problem(tuple(crews), tuple(jobs), TRAVEL)
