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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dispatch.plan import Plan
from dispatch.problem import Job, Point
from gis import Network
from gis.placement import to_wgs84
from outage.engine import OutageEngine
from outage.records import Outage, Stage

# Hazards that must be made safe before anything else.
URGENT_HAZARDS = frozenset({"wire_down", "fire"})
# Devices on the main line are operated under a switching order: crews with that skill.
SWITCHING_KINDS = frozenset({"recloser", "breaker", "sectionalizer", "switch", "source"})
PLANNABLE = frozenset({Stage.PREDICTED, Stage.CONFIRMED, Stage.ASSIGNED, Stage.EN_ROUTE,
                       Stage.ON_SITE})


@dataclass(frozen=True, slots=True)
class JobParams:
    """How long work takes and what it needs, by what operated."""

    minutes: dict[str, float] = field(default_factory=lambda: {
        "service_transformer": 60.0,
        "fuse": 45.0,
        "sectionalizer": 75.0,
        "recloser": 90.0,
        "breaker": 120.0,
        "switch": 60.0,
        "source": 180.0,
    })
    hazard_minutes: float = 30.0  # making a downed wire or a fire safe comes on top
    investigate_below: float = 0.6  # confidence under which the job is a patrol first
    investigate_minutes: float = 30.0
    # A crew on site has the rest of the job to do; one past its expected time is taken
    # to need this much more (else the plan would have it done the moment it replans).
    overrun_minutes: float = 15.0


@dataclass(frozen=True, slots=True)
class OutageJobs:
    """The jobs, and the outages that could not become jobs (with the reason)."""

    jobs: tuple[Job, ...]
    skipped: dict[str, str]


def jobs_from_outages(engine: OutageEngine, params: JobParams | None = None) -> OutageJobs:
    """One job per live outage that a crew can reach."""
    jobs: list[Job] = []
    skipped: dict[str, str] = {}
    for outage in engine.outages():
        if outage.stage not in PLANNABLE:
            continue
        job = job_from_outage(engine.network, outage, params=params)
        if job is None:
            skipped[outage.id] = "the device has no coordinates on a map"
        else:
            jobs.append(job)
    return OutageJobs(tuple(jobs), skipped)


def job_from_outage(
    network: Network, outage: Outage, locked_to: str | None = None,
    params: JobParams | None = None, now: datetime | None = None,
) -> Job | None:
    """The job restoring `outage`, or None when it is over or has no place on a map.

    A crew already driving to it or working on it keeps it (`locked_to` overrides); a
    crew on site since before `now` has only the rest of the work left (until the ETR it
    gave, when it gave one).
    """
    if outage.stage not in PLANNABLE:
        return None
    where = outage_location(network, outage.device_id)
    if where is None:
        return None
    params = params or JobParams()
    hazard = bool(outage.hazards & URGENT_HAZARDS)
    minutes = params.minutes.get(outage.device_kind, 90.0)
    if outage.confidence < params.investigate_below and outage.stage is Stage.PREDICTED:
        minutes += params.investigate_minutes  # patrol to find what really operated
    if hazard:
        minutes += params.hazard_minutes
    if outage.stage is Stage.ON_SITE and now is not None:
        if outage.etr_source == "crew" and outage.etr is not None:
            # The crew at the job says when it will be done: the rest of the plan follows.
            minutes = max(params.overrun_minutes, (outage.etr - now).total_seconds() / 60)
        elif outage.arrived is not None:
            spent = (now - outage.arrived).total_seconds() / 60
            minutes = max(params.overrun_minutes, minutes - spent)
    committed = outage.crew_id if outage.stage in (Stage.EN_ROUTE, Stage.ON_SITE) else None
    return Job(
        id=outage.id,
        location=Point(*where),
        duration=minutes,
        skills=skills_for(outage),
        customers=max(outage.customers_out, 0),
        critical=max(outage.critical_out, 0),
        hazard=hazard,
        locked_to=locked_to or committed or None,
    )


def skills_for(outage: Outage) -> frozenset[str]:
    """Line work always; switching for main-line devices; tree crews where trees are down."""
    skills = {"line"}
    if outage.device_kind in SWITCHING_KINDS:
        skills.add("switching")
    if "tree" in outage.hazards:
        skills.add("tree")
    return frozenset(skills)


def outage_location(network: Network, device_id: str) -> tuple[float, float] | None:
    """WGS 84 lon/lat of a device (its branch's downstream end) or of a source's bus."""
    if device_id in network.sources.index:
        bus = int(network.sources.bus[network.sources.index[device_id]])
    else:
        bus = int(network.branches.to_bus[network.element_branch(device_id)])
    x, y = float(network.buses.x[bus]), float(network.buses.y[bus])
    if network.crs is None or not (math.isfinite(x) and math.isfinite(y)):
        return None
    if network.crs != "EPSG:4326":
        x, y = to_wgs84(network.crs).transform(x, y)
    return (float(x), float(y))



def restoration_times(plan: Plan, start: datetime) -> dict[str, datetime]:
    """Each planned job's finish as a clock time: the ETR of its outage."""
    return {
        visit.job: start + timedelta(minutes=visit.finish) for visit in plan.visits
    }


@dataclass(frozen=True, slots=True)
class EtrPolicy:
    """How a plan's finish times are told as ETRs: with a margin, on the quarter hour,
    and told again only when it matters — customers are texted each new ETR, and a plan
    moves by minutes every time it is made again."""

    margin: timedelta = timedelta(minutes=10)
    step: timedelta = timedelta(minutes=15)
    sooner: timedelta = timedelta(minutes=30)  # told earlier only by at least this

    def to_tell(self, current: datetime | None, finish: datetime) -> datetime | None:
        """The ETR to tell of a job the plan finishes at `finish`, or None to keep
        `current`: when there is none, when the plan can no longer meet it, or when it
        would meet it `sooner` or more before it."""
        target = round_up(finish + self.margin, self.step)
        if current is None or finish > current or target <= current - self.sooner:
            return target
        return None


def round_up(when: datetime, step: timedelta = timedelta(minutes=15)) -> datetime:
    """`when` rounded up to a whole `step` (of the hour, for steps that divide it): the
    quarter hour an ETR is told to customers in."""
    rest = (when - when.replace(minute=0, second=0, microsecond=0)) % step
    return when + (step - rest) % step
