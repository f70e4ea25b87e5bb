"""Reader for VRPLIB-style keyword/section files (CVRPLIB VRPTW and CVRP, LKH-3 CVRPTW).

Nodes are numbered from 1 in the file; the depot (DEPOT_SECTION, usually 1) becomes node 0.
A CVRP file (no TIME_WINDOW_SECTION) gets windows no route can break: every node is open
from 0 to a horizon longer than any route could be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dispatch.errors import InstanceFormatError
from dispatch.io.text import read_text
from dispatch.vrptw import VrptwInstance

_REQUIRED = ("NODE_COORD_SECTION", "DEMAND_SECTION")
WINDOWS = "TIME_WINDOW_SECTION"
# Euclidean in the plane, up to rounding (the solver's convention decides the rounding).
PLANE_DISTANCES = ("EUC_2D", "EXACT_2D", "CEIL_2D", "FLOOR_2D")


@dataclass(slots=True)
class VrplibFile:
    """The raw content of a VRPLIB file: header keywords and sections (rows of numbers)."""

    source: str
    header: dict[str, str] = field(default_factory=dict)
    sections: dict[str, list[list[float]]] = field(default_factory=dict)


def parse_vrplib(text: str, source: str, required: tuple[str, ...] = (*_REQUIRED, WINDOWS)
                 ) -> VrplibFile:
    """Split ``text`` into header keywords and numeric sections (``required`` must be
    there: time windows unless the caller reads CVRP too)."""
    out = VrplibFile(source)
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        ln = raw.strip()
        if not ln or ln == "EOF":
            continue
        head = ln.split()[0].rstrip(":").upper()
        if head.endswith("_SECTION"):
            current = head
            out.sections[current] = []
        elif ":" in ln and not ln[0].isdigit() and not ln.startswith("-"):
            key, _, value = ln.partition(":")
            out.header[key.strip().upper()] = value.strip()
            current = None
        elif current is not None:
            try:
                out.sections[current].append([float(t) for t in ln.split()])
            except ValueError:
                raise InstanceFormatError(f"{source}: line {number}: not numbers: {ln!r}") from None
        else:
            raise InstanceFormatError(f"{source}: line {number}: unexpected {ln!r}")
    missing = [s for s in required if s not in out.sections]
    if missing:
        raise InstanceFormatError(f"{source}: missing section(s) {', '.join(missing)}")
    weights = out.header.get("EDGE_WEIGHT_TYPE", "EUC_2D").upper()
    if weights not in PLANE_DISTANCES:
        raise InstanceFormatError(
            f"{source}: EDGE_WEIGHT_TYPE {weights}: only Euclidean distances from "
            f"NODE_COORD_SECTION are read ({', '.join(PLANE_DISTANCES)})")
    return out


def _column(f: VrplibFile, section: str, n: int, width: int) -> np.ndarray:
    rows = f.sections[section]
    if len(rows) != n or any(len(r) < width + 1 for r in rows):
        raise InstanceFormatError(f"{f.source}: {section} needs {n} rows of {width + 1} numbers")
    order = np.argsort([r[0] for r in rows])
    return np.array([rows[i][1 : width + 1] for i in order])


def to_instance(
    f: VrplibFile, fleet: int | None = None, service_default: float = 0.0
) -> VrptwInstance:
    """Build a :class:`VrptwInstance`; ``fleet`` overrides the file's VEHICLES keyword."""
    try:
        n = int(f.header.get("DIMENSION", len(f.sections["NODE_COORD_SECTION"])))
        capacity = int(float(f.header["CAPACITY"]))
    except (KeyError, ValueError):
        raise InstanceFormatError(f"{f.source}: missing or bad DIMENSION/CAPACITY") from None
    xy = _column(f, "NODE_COORD_SECTION", n, 2)
    demand = _column(f, "DEMAND_SECTION", n, 1)[:, 0]
    if "SERVICE_TIME_SECTION" in f.sections:
        service = _column(f, "SERVICE_TIME_SECTION", n, 1)[:, 0]
    else:
        service = np.full(n, float(f.header.get("SERVICE_TIME", service_default)))
    depot_rows = f.sections.get("DEPOT_SECTION", [[1.0]])
    depot = int(depot_rows[0][0]) - 1 if depot_rows and depot_rows[0][0] > 0 else 0
    if not 0 <= depot < n:
        raise InstanceFormatError(f"{f.source}: DEPOT_SECTION names node {depot + 1}, "
                                  f"not one of the {n} nodes")
    if "SERVICE_TIME_SECTION" not in f.sections:
        service[depot] = 0.0
    if WINDOWS in f.sections:
        tw = _column(f, WINDOWS, n, 2)
    else:  # CVRP: no leg is longer than two depot radii (triangle inequality)
        radius = float(np.hypot(*(xy - xy[depot]).T).max())
        horizon = math.ceil((n + 1) * 2 * radius + service.sum()) + 1
        tw = np.column_stack([np.zeros(n), np.full(n, float(horizon))])
    order = [depot] + [i for i in range(n) if i != depot]
    vehicles = f.header.get("VEHICLES")
    bks = int(float(vehicles)) if vehicles else None
    if fleet is None:
        fleet = bks if bks is not None else n - 1
    return VrptwInstance(
        name=f.header.get("NAME", Path(f.source).stem),
        x=xy[order, 0],
        y=xy[order, 1],
        demand=demand[order].astype(np.int64),
        ready=tw[order, 0],
        due=tw[order, 1],
        service=service[order],
        capacity=capacity,
        fleet=fleet,
        bks_vehicles=bks,
        ids=tuple(str(i + 1) for i in order),
    )


def read_vrplib(path: str | Path) -> VrptwInstance:
    """Read a VRPLIB VRPTW or CVRP file (VEHICLES, when given, is the fleet size)."""
    path = Path(path)
    return to_instance(parse_vrplib(read_text(path), path.name, _REQUIRED))
