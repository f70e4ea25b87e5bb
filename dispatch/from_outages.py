"""From outages to field work, and from the plan back to restoration times.

The one module that knows both the outage engine and the dispatch problem (the
dependency points one way: outage ← dispatch). Each live outage is a job at its
device: restore it, and its customers come back; critical customers weigh more,
and hazards (wire down, fire) go first whatever their size. A nested outage found
after a restoration is simply a new live outage, so it becomes new work. The
plan's finish time of each job becomes its outage's ETR.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyproj

from dispatch.plan import Plan
from dispatch.problem import Job, Point
from gis import Network
from outage.engine import OutageEngine
from outage.records import Outage, Stage

# Hazards that must be made safe before anything else.
URGENT_HAZARDS = frozenset({"wire_down", "fire"})


@dataclass(frozen=True, slots=True)
class JobParams:
    """How long work takes and what it needs, by what operated."""

    minutes: dict[str, float] = field(default_factory=lambda: {
        "service_transformer": 90.0,
        "fuse": 60.0,
        "sectionalizer": 75.0,
        "recloser": 120.0,
        "breaker": 150.0,
        "switch": 60.0,
        "source": 240.0,
    })
    hazard_minutes: float = 30.0  # making a downed wire or a fire safe comes on top
    investigate_below: float = 0.6  # confidence under which the job is a patrol first
    investigate_minutes: float = 30.0


@dataclass(frozen=True, slots=True)
class OutageJobs:
    """The jobs, and the outages that could not become jobs (with the reason)."""

    jobs: tuple[Job, ...]
    skipped: dict[str, str]


def jobs_from_outages(engine: OutageEngine, params: JobParams | None = None) -> OutageJobs:
    """One job per live outage that a crew can reach."""
    params = params or JobParams()
    locate = _locator(engine.network)
    jobs: list[Job] = []
    skipped: dict[str, str] = {}
    for outage in engine.outages():
        if not outage.active:
            continue
        where = locate(engine, outage)
        if where is None:
            skipped[outage.id] = "the device has no coordinates on a map"
            continue
        jobs.append(_job(outage, where, params))
    return OutageJobs(tuple(jobs), skipped)


def _job(outage: Outage, where: Point, params: JobParams) -> Job:
    hazard = bool(outage.hazards & URGENT_HAZARDS)
    minutes = params.minutes.get(outage.device_kind, 90.0)
    if outage.confidence < params.investigate_below and outage.stage is Stage.PREDICTED:
        minutes += params.investigate_minutes  # patrol to find what really operated
    if hazard:
        minutes += params.hazard_minutes
    skills = {"line"} | ({"tree"} if "tree" in outage.hazards else set())
    committed = outage.stage in (Stage.EN_ROUTE, Stage.ON_SITE) and outage.crew_id
    return Job(
        id=outage.id,
        location=where,
        duration=minutes,
        skills=frozenset(skills),
        customers=outage.customers_out,
        critical=outage.critical_out,
        hazard=hazard,
        locked_to=outage.crew_id if committed else None,
    )


Locate = Callable[[OutageEngine, Outage], Point | None]


def _nowhere(engine: OutageEngine, outage: Outage) -> None:
    return None


def _locator(network: Network) -> Locate:
    """Position of an outage's device in WGS 84, or None where the network has no map."""
    if network.crs is None:
        return _nowhere
    to_wgs84 = pyproj.Transformer.from_crs(network.crs, "EPSG:4326", always_xy=True)

    def locate(engine: OutageEngine, outage: Outage) -> Point | None:
        branch = int(engine.tree.branch[outage.candidate])
        if branch >= 0:
            bus = int(network.branches.to_bus[branch])
        else:
            bus = int(network.sources.bus[network.sources.index[outage.device_id]])
        lon, lat = to_wgs84.transform(float(network.buses.x[bus]), float(network.buses.y[bus]))
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return None
        return Point(float(lon), float(lat))

    return locate


def restoration_times(plan: Plan, start: datetime) -> dict[str, datetime]:
    """Each planned job's finish as a clock time: the ETR of its outage."""
    return {
        visit.job: start + timedelta(minutes=visit.finish) for visit in plan.visits
    }
