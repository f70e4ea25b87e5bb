"""Reader for the original Solomon / Gehring-Homberger text format (node 0 = depot)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from dispatch.errors import InstanceFormatError
from dispatch.io.text import read_text
from dispatch.vrptw import VrptwInstance

_COLUMNS = 7


def read_solomon(path: str | Path) -> VrptwInstance:
    """Read a Solomon text file: NAME, VEHICLE (NUMBER, CAPACITY), CUSTOMER table."""
    path = Path(path)
    lines = [ln.strip() for ln in read_text(path).splitlines()]
    return parse_solomon(lines, path.name)


def parse_solomon(lines: list[str], source: str) -> VrptwInstance:
    """Parse the lines of a Solomon text file; ``source`` names it in error messages."""
    upper = [ln.upper() for ln in lines]
    try:
        v = upper.index("VEHICLE")
        c = upper.index("CUSTOMER")
    except ValueError:
        raise InstanceFormatError(f"{source}: missing VEHICLE or CUSTOMER section") from None
    name = next((ln for ln in lines[:v] if ln), Path(source).stem)
    fleet_line = next((ln for ln in lines[v + 1 : c] if ln and ln[0].isdigit()), None)
    if fleet_line is None:
        raise InstanceFormatError(f"{source}: VEHICLE section has no NUMBER CAPACITY line")
    try:
        fleet, capacity = (int(t) for t in fleet_line.split()[:2])
    except ValueError:
        raise InstanceFormatError(f"{source}: bad VEHICLE line {fleet_line!r}") from None
    rows: list[list[float]] = []
    for number, ln in enumerate(lines[c + 1 :], start=c + 2):
        if not ln or not ln[0].isdigit():
            continue
        parts = ln.split()
        if len(parts) != _COLUMNS:
            raise InstanceFormatError(f"{source}: line {number}: expected 7 columns, got {ln!r}")
        try:
            row = [float(p) for p in parts]
        except ValueError:
            raise InstanceFormatError(f"{source}: line {number}: not a number in {ln!r}") from None
        if not all(math.isfinite(v) for v in row):  # float() reads "nan" and "inf"
            raise InstanceFormatError(f"{source}: line {number}: not a finite number in {ln!r}")
        rows.append(row)
    if len(rows) < 2:
        raise InstanceFormatError(f"{source}: CUSTOMER section needs a depot and a customer")
    a = np.array(rows)
    return VrptwInstance(
        name=name,
        x=a[:, 1],
        y=a[:, 2],
        demand=a[:, 3].astype(np.int64),
        ready=a[:, 4],
        due=a[:, 5],
        service=a[:, 6],
        capacity=capacity,
        fleet=fleet,
        ids=tuple(str(int(i)) for i in a[:, 0]),
    )
