"""Reader for LKH-3 CVRPTW files (``NAME.<n>.<K>.vrptw``).

In these files ``VEHICLES`` is the best-known vehicle count K, not the fleet; the fleet is
the original Gehring-Homberger one (n / 4: 25 for 100 customers, 50 for 200, 100 for 400).
The global ``SERVICE_TIME`` applies to customers, not to the depot.
"""

from __future__ import annotations

from pathlib import Path

from dispatch.io.text import read_text
from dispatch.io.vrplib import parse_vrplib, to_instance
from dispatch.vrptw import VrptwInstance

CUSTOMERS_PER_VEHICLE = 4


def original_fleet(customers: int) -> int:
    """The Solomon / Gehring-Homberger fleet size for ``customers`` customers."""
    return max(1, customers // CUSTOMERS_PER_VEHICLE)


def read_lkh(path: str | Path, fleet: int | None = None) -> VrptwInstance:
    """Read an LKH-3 .vrptw file with the original fleet (or ``fleet`` if given)."""
    path = Path(path)
    raw = parse_vrplib(read_text(path), path.name)
    inst = to_instance(raw)
    return to_instance(raw, fleet=fleet or original_fleet(inst.customers))
