"""Reader for VRPLIB-style keyword/section files (CVRPLIB VRPTW and LKH-3 CVRPTW).

Nodes are numbered from 1 in the file; the depot (DEPOT_SECTION, usually 1) becomes node 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dispatch.errors import InstanceFormatError
from dispatch.vrptw import VrptwInstance

_REQUIRED = ("NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION")


@dataclass(slots=True)
class VrplibFile:
    """The raw content of a VRPLIB file: header keywords and sections (rows of numbers)."""

    source: str
    header: dict[str, str] = field(default_factory=dict)
    sections: dict[str, list[list[float]]] = field(default_factory=dict)


def parse_vrplib(text: str, source: str) -> VrplibFile:
    """Split ``text`` into header keywords and numeric sections."""
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
    missing = [s for s in _REQUIRED if s not in out.sections]
    if missing:
        raise InstanceFormatError(f"{source}: missing section(s) {', '.join(missing)}")
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
    tw = _column(f, "TIME_WINDOW_SECTION", n, 2)
    if "SERVICE_TIME_SECTION" in f.sections:
        service = _column(f, "SERVICE_TIME_SECTION", n, 1)[:, 0]
    else:
        service = np.full(n, float(f.header.get("SERVICE_TIME", service_default)))
    depot_rows = f.sections.get("DEPOT_SECTION", [[1.0]])
    depot = int(depot_rows[0][0]) - 1 if depot_rows and depot_rows[0][0] > 0 else 0
    if "SERVICE_TIME_SECTION" not in f.sections:
        service[depot] = 0.0
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
    """Read a VRPLIB VRPTW file (VEHICLES is taken as the fleet size)."""
    path = Path(path)
    return to_instance(parse_vrplib(path.read_text(), path.name))
