"""Live outages as dispatch jobs.

This mapping belongs in ``dispatch/from_outages.py`` (STYLE.md: the one place
outages become jobs); it lives here until that module exists. One live outage is
one job at its device's location: customers and critical customers out, a hazard
flag for wires down or fire, and the skills the device kind needs.
"""

from __future__ import annotations

import math

from dispatch.problem import Job, Point
from gis import Network
from outage.records import Outage, Stage

# Minutes of work on site, by what operated (patrol, isolate, repair, close).
WORK_MINUTES = {
    "service_transformer": 60.0,
    "fuse": 45.0,
    "switch": 60.0,
    "sectionalizer": 75.0,
    "recloser": 90.0,
    "breaker": 120.0,
    "source": 180.0,
}
# Devices on the main line are switched under a switching order: line crews with that skill.
SWITCHING_KINDS = frozenset({"recloser", "breaker", "sectionalizer", "switch", "source"})
DANGEROUS = frozenset({"wire_down", "fire"})
PLANNABLE = frozenset({Stage.PREDICTED, Stage.CONFIRMED, Stage.ASSIGNED, Stage.EN_ROUTE,
                       Stage.ON_SITE})


def skills_for(outage: Outage) -> frozenset[str]:
    skills = {"line"}
    if outage.device_kind in SWITCHING_KINDS:
        skills.add("switching")
    if "tree" in outage.hazards:
        skills.add("tree")
    return frozenset(skills)


def outage_location(network: Network, device_id: str) -> tuple[float, float] | None:
    """Lon/lat of the device (the downstream end of its branch), or of a source's bus."""
    if device_id in network.sources.index:
        bus = int(network.sources.bus[network.sources.index[device_id]])
    else:
        branch = network.element_branch(device_id)
        bus = int(network.branches.to_bus[branch])
    x, y = float(network.buses.x[bus]), float(network.buses.y[bus])
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def job_from_outage(network: Network, outage: Outage, locked_to: str | None = None) -> Job | None:
    """The job restoring `outage`, or None when it is not plannable or has no location."""
    if outage.stage not in PLANNABLE:
        return None
    where = outage_location(network, outage.device_id)
    if where is None:
        return None
    return Job(
        id=outage.id,
        location=Point(*where),
        duration=WORK_MINUTES.get(outage.device_kind, 90.0),
        skills=skills_for(outage),
        customers=max(outage.customers_out, 0),
        critical=max(outage.critical_out, 0),
        hazard=bool(outage.hazards & DANGEROUS),
        locked_to=locked_to,
    )
