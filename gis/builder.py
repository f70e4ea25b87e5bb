"""Assemble a `Network` row by row, all or nothing.

Importers add rows as they read them; `build()` checks every row and either
returns a consistent network or raises one `NetworkError` listing each problem
with the record and field at fault. Nothing is half-built.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from enum import StrEnum

import numpy as np
import pyproj

from gis.errors import NetworkError
from gis.model import (
    BRANCH_KINDS,
    DEVICE_KINDS,
    BranchKind,
    BranchTable,
    CustomerTable,
    DeviceKind,
    DeviceTable,
    Network,
    SourceTable,
    branch_table,
    bus_table,
    customer_table,
    device_table,
    source_table,
)

# How many problems one error message lists before summarising the rest.
MAX_LISTED_PROBLEMS = 25

Point = tuple[float, float]


class NetworkBuilder:
    """Collects rows; `build()` validates them and returns the immutable network."""

    def __init__(self, name: str, *, crs: str | None = None, units: str = "m") -> None:
        self.name = name
        self.crs = crs
        self.units = units
        self._errors: list[str] = []
        self._bus_ids: list[str] = []
        self._bus_xy: list[Point] = []
        self._branches: list[tuple[str, str, str, str, float, tuple[Point, ...] | None]] = []
        self._devices: list[tuple[str, str, str, bool]] = []
        self._customers: list[tuple[str, str, int, bool, float, float, str]] = []
        self._sources: list[tuple[str, str, str]] = []

    # -- rows ----------------------------------------------------------------------
    def add_bus(self, bus_id: str, x: float = math.nan, y: float = math.nan) -> None:
        self._bus_ids.append(bus_id)
        self._bus_xy.append((float(x), float(y)))

    def add_branch(
        self,
        branch_id: str,
        kind: BranchKind | str,
        from_bus: str,
        to_bus: str,
        *,
        length_m: float = math.nan,
        geometry: Sequence[Point] | None = None,
    ) -> None:
        shape = tuple((float(px), float(py)) for px, py in geometry) if geometry else None
        self._branches.append((branch_id, str(kind), from_bus, to_bus, float(length_m), shape))

    def add_device(
        self, device_id: str, kind: DeviceKind | str, branch: str, *, normally_open: bool = False
    ) -> None:
        self._devices.append((device_id, str(kind), branch, bool(normally_open)))

    def add_customer(
        self,
        customer_id: str,
        bus: str,
        *,
        count: int = 1,
        critical: bool = False,
        x: float = math.nan,
        y: float = math.nan,
        address: str = "",
    ) -> None:
        self._customers.append((customer_id, bus, count, critical, float(x), float(y), address))

    def add_source(self, source_id: str, bus: str, *, substation: str = "") -> None:
        self._sources.append((source_id, bus, substation or source_id))

    def error(self, message: str) -> None:
        """Record a problem found by the importer itself (reported with the rest)."""
        self._errors.append(message)

    # -- build ---------------------------------------------------------------------
    def build(self) -> Network:
        """Validate every row and return the network, or raise `NetworkError`."""
        errors = list(self._errors)
        bus_index = _unique(self._bus_ids, "bus", errors)
        branches = self._build_branches(bus_index, errors)
        devices = self._build_devices(branches.index, errors)
        customers = self._build_customers(bus_index, errors)
        sources = self._build_sources(bus_index, errors)
        if not self._sources:
            errors.append("the network has no source (no substation or supply point)")
        if self.crs is not None:
            _check_crs(self.crs, errors)
        if errors:
            raise NetworkError(_summarise(self.name, errors))
        buses = bus_table(
            tuple(self._bus_ids),
            [xy[0] for xy in self._bus_xy],
            [xy[1] for xy in self._bus_xy],
        )
        on_branch: defaultdict[int, list[int]] = defaultdict(list)
        for device, branch in enumerate(devices.branch.tolist()):
            on_branch[branch].append(device)
        return Network(
            name=self.name,
            crs=self.crs,
            units=self.units,
            buses=buses,
            branches=branches,
            devices=devices,
            customers=customers,
            sources=sources,
            devices_on_branch={b: tuple(d) for b, d in on_branch.items()},
        )

    def _build_branches(self, bus_index: dict[str, int], errors: list[str]) -> BranchTable:
        ids = [row[0] for row in self._branches]
        _unique(ids, "branch", errors)
        kinds, froms, tos, geometry = [], [], [], {}
        for position, (branch_id, kind, from_bus, to_bus, _, shape) in enumerate(self._branches):
            kinds.append(
                _kind_position(BranchKind, BRANCH_KINDS, kind, "branch", branch_id, errors)
            )
            froms.append(_bus_ref(bus_index, from_bus, "branch", branch_id, "from_bus", errors))
            tos.append(_bus_ref(bus_index, to_bus, "branch", branch_id, "to_bus", errors))
            if from_bus == to_bus:
                errors.append(f"branch {branch_id!r}: from_bus and to_bus are both {from_bus!r}")
            if shape is not None:
                if len(shape) < 2 or not all(map(math.isfinite, np.ravel(shape))):
                    errors.append(f"branch {branch_id!r}: geometry needs two or more finite points")
                geometry[position] = shape
        lengths = self._lengths(froms, tos, geometry)
        return branch_table(tuple(ids), kinds, froms, tos, lengths, geometry)

    def _lengths(
        self, froms: list[int], tos: list[int], geometry: dict[int, tuple[Point, ...]]
    ) -> np.ndarray:
        """Given lengths, else measured from the geometry when the CRS says how."""
        given = np.array([row[4] for row in self._branches], dtype=float)
        missing = np.flatnonzero(np.isnan(given))
        if self.crs is None or len(missing) == 0 or min(froms + tos, default=0) < 0:
            return given
        try:
            crs = pyproj.CRS.from_user_input(self.crs)
        except pyproj.exceptions.CRSError:
            return given  # reported by build()
        xy = np.array(self._bus_xy, dtype=float).reshape(-1, 2)
        straight = [i for i in missing.tolist() if i not in geometry]
        a, b = xy[np.array(froms)[straight]], xy[np.array(tos)[straight]]
        if crs.is_geographic:
            geod = pyproj.Geod(ellps="WGS84")
            given[straight] = geod.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])[2]
            for i in (i for i in missing.tolist() if i in geometry):
                lon, lat = zip(*geometry[i], strict=True)
                given[i] = geod.line_length(lon, lat)
        else:
            scale = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
            given[straight] = np.hypot(*(b - a).T) * scale
            for i in (i for i in missing.tolist() if i in geometry):
                given[i] = float(np.hypot(*np.diff(np.array(geometry[i]), axis=0).T).sum()) * scale
        return given

    def _build_devices(self, branch_index: Mapping[str, int], errors: list[str]) -> DeviceTable:
        ids = [row[0] for row in self._devices]
        _unique(ids, "device", errors)
        kinds, branches = [], []
        for device_id, kind, branch, _ in self._devices:
            kinds.append(
                _kind_position(DeviceKind, DEVICE_KINDS, kind, "device", device_id, errors)
            )
            position = branch_index.get(branch)
            if position is None:
                errors.append(f"device {device_id!r}: branch {branch!r} is not a branch")
                position = -1
            branches.append(position)
        return device_table(tuple(ids), kinds, branches, [row[3] for row in self._devices])

    def _build_customers(self, bus_index: dict[str, int], errors: list[str]) -> CustomerTable:
        ids = [row[0] for row in self._customers]
        _unique(ids, "customer", errors)
        buses, xs, ys = [], [], []
        for customer_id, bus, count, _, x, y, _ in self._customers:
            position = _bus_ref(bus_index, bus, "customer", customer_id, "bus", errors)
            buses.append(position)
            if not isinstance(count, int | np.integer) or count < 0:
                errors.append(
                    f"customer {customer_id!r}: count {count!r} is not a whole number ≥ 0"
                )
            # A service point without its own coordinates sits at its bus.
            if not (math.isfinite(x) and math.isfinite(y)) and position >= 0:
                xs.append(self._bus_xy[position][0])
                ys.append(self._bus_xy[position][1])
            else:
                xs.append(x)
                ys.append(y)
        return customer_table(
            tuple(ids),
            buses,
            [row[2] if isinstance(row[2], int | np.integer) else 0 for row in self._customers],
            [bool(row[3]) for row in self._customers],
            xs,
            ys,
            tuple(row[6] for row in self._customers),
        )

    def _build_sources(self, bus_index: dict[str, int], errors: list[str]) -> SourceTable:
        ids = [row[0] for row in self._sources]
        _unique(ids, "source", errors)
        buses = [
            _bus_ref(bus_index, bus, "source", source_id, "bus", errors)
            for source_id, bus, _ in self._sources
        ]
        return source_table(tuple(ids), buses, tuple(row[2] for row in self._sources))


def _check_crs(crs: str, errors: list[str]) -> None:
    try:
        pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        errors.append(
            f"network crs {crs!r} cannot be resolved (try an EPSG code such as EPSG:4326)"
        )


def _unique(ids: list[str], kind: str, errors: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, element_id in enumerate(ids):
        if not isinstance(element_id, str) or not element_id:
            errors.append(f"{kind} #{position + 1}: id is empty")
        elif element_id in index:
            errors.append(f"{kind} {element_id!r}: duplicate id")
        else:
            index[element_id] = position
    return index


def _bus_ref(
    bus_index: dict[str, int], bus: str, kind: str, element_id: str, field: str, errors: list[str]
) -> int:
    position = bus_index.get(bus)
    if position is None:
        errors.append(f"{kind} {element_id!r}: {field} {bus!r} is not a bus (dangling end)")
        return -1
    return position


def _kind_position(
    enum: type[StrEnum],
    members: Sequence[StrEnum],
    value: str,
    kind: str,
    element_id: str,
    errors: list[str],
) -> int:
    try:
        return members.index(enum(value))
    except ValueError:
        allowed = ", ".join(str(m) for m in members)
        errors.append(f"{kind} {element_id!r}: kind {value!r} is unknown (one of: {allowed})")
        return 0


def _summarise(name: str, errors: list[str]) -> str:
    listed = "\n".join(f"  - {e}" for e in errors[:MAX_LISTED_PROBLEMS])
    more = len(errors) - MAX_LISTED_PROBLEMS
    tail = f"\n  … and {more} more" if more > 0 else ""
    plural = "problem" if len(errors) == 1 else "problems"
    return f"network {name!r} was not loaded: {len(errors)} {plural}\n{listed}{tail}"
