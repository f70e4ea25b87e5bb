"""The in-memory network model: buses, branches, devices, customers and sources.

The model is columnar: each table holds its ids as a tuple and its attributes as
read-only numpy arrays indexed by the element's integer position, so a utility of
a million customers fits in memory and topology code runs on arrays. Records
(`Bus`, `Branch`, ...) are the row view for callers that want one element.

Build a model with `gis.builder.NetworkBuilder`, which validates everything
before it returns, so a `Network` is always internally consistent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from gis.errors import UnknownElementError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class BranchKind(StrEnum):
    """What a branch (an edge between two buses) physically is."""

    LINE = "line"  # overhead or underground conductor
    CONNECTOR = "connector"  # zero-length link that only carries a device (bus-bus switch)
    SERVICE_TRANSFORMER = "service_transformer"  # steps down to customers' voltage
    POWER_TRANSFORMER = "power_transformer"  # substation or MV/MV transformer
    REGULATOR = "regulator"  # voltage regulator (a transformer with ratio near 1)


class DeviceKind(StrEnum):
    """Devices that can interrupt a branch."""

    BREAKER = "breaker"
    RECLOSER = "recloser"
    SECTIONALIZER = "sectionalizer"
    FUSE = "fuse"
    SWITCH = "switch"


# Devices that open by themselves on a fault.
PROTECTIVE_KINDS: frozenset[DeviceKind] = frozenset(
    {DeviceKind.BREAKER, DeviceKind.RECLOSER, DeviceKind.SECTIONALIZER, DeviceKind.FUSE}
)
BRANCH_KINDS: tuple[BranchKind, ...] = tuple(BranchKind)
DEVICE_KINDS: tuple[DeviceKind, ...] = tuple(DeviceKind)


def _floats(values: npt.ArrayLike) -> FloatArray:
    out = np.array(values, dtype=np.float64)
    out.flags.writeable = False
    return out


def _ints(values: npt.ArrayLike) -> IntArray:
    out = np.array(values, dtype=np.int64)
    out.flags.writeable = False
    return out


def _bools(values: npt.ArrayLike) -> BoolArray:
    out = np.array(values, dtype=np.bool_)
    out.flags.writeable = False
    return out


def _index(ids: tuple[str, ...]) -> dict[str, int]:
    return {element_id: position for position, element_id in enumerate(ids)}


@dataclass(frozen=True, slots=True)
class Bus:
    """A connection point; coordinates are NaN when the source gives none."""

    id: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Branch:
    """An edge between two buses; `geometry` is None for a straight segment."""

    id: str
    kind: BranchKind
    from_bus: str
    to_bus: str
    length_m: float
    geometry: tuple[tuple[float, float], ...] | None


@dataclass(frozen=True, slots=True)
class Device:
    """A device that can open a branch; `normally_open` marks tie switches."""

    id: str
    kind: DeviceKind
    branch: str
    normally_open: bool

    @property
    def protective(self) -> bool:
        """True for devices that operate by themselves on a fault."""
        return self.kind in PROTECTIVE_KINDS


@dataclass(frozen=True, slots=True)
class Customer:
    """A service point with the number of customers behind it."""

    id: str
    bus: str
    count: int
    critical: bool
    x: float
    y: float
    address: str


@dataclass(frozen=True, slots=True)
class Source:
    """Where power enters the network (a substation's supply point)."""

    id: str
    bus: str
    substation: str


@dataclass(frozen=True, slots=True)
class BusTable:
    ids: tuple[str, ...]
    x: FloatArray
    y: FloatArray
    index: Mapping[str, int] = field(repr=False)


@dataclass(frozen=True, slots=True)
class BranchTable:
    ids: tuple[str, ...]
    kind: IntArray  # position in BRANCH_KINDS
    from_bus: IntArray
    to_bus: IntArray
    length_m: FloatArray
    # Intermediate vertices included; only branches that are not straight segments.
    geometry: Mapping[int, tuple[tuple[float, float], ...]] = field(repr=False)
    index: Mapping[str, int] = field(repr=False)


@dataclass(frozen=True, slots=True)
class DeviceTable:
    ids: tuple[str, ...]
    kind: IntArray  # position in DEVICE_KINDS
    branch: IntArray
    normally_open: BoolArray
    index: Mapping[str, int] = field(repr=False)


@dataclass(frozen=True, slots=True)
class CustomerTable:
    ids: tuple[str, ...]
    bus: IntArray
    count: IntArray
    critical: BoolArray
    x: FloatArray
    y: FloatArray
    address: tuple[str, ...]
    index: Mapping[str, int] = field(repr=False)


@dataclass(frozen=True, slots=True)
class SourceTable:
    ids: tuple[str, ...]
    bus: IntArray
    substation: tuple[str, ...]
    index: Mapping[str, int] = field(repr=False)


def bus_table(ids: tuple[str, ...], x: npt.ArrayLike, y: npt.ArrayLike) -> BusTable:
    return BusTable(ids, _floats(x), _floats(y), _index(ids))


def branch_table(
    ids: tuple[str, ...],
    kind: npt.ArrayLike,
    from_bus: npt.ArrayLike,
    to_bus: npt.ArrayLike,
    length_m: npt.ArrayLike,
    geometry: Mapping[int, tuple[tuple[float, float], ...]],
) -> BranchTable:
    return BranchTable(
        ids,
        _ints(kind),
        _ints(from_bus),
        _ints(to_bus),
        _floats(length_m),
        dict(geometry),
        _index(ids),
    )


def device_table(
    ids: tuple[str, ...], kind: npt.ArrayLike, branch: npt.ArrayLike, normally_open: npt.ArrayLike
) -> DeviceTable:
    return DeviceTable(
        ids,
        _ints(kind),
        _ints(branch),
        _bools(normally_open),
        _index(ids),
    )


def customer_table(
    ids: tuple[str, ...],
    bus: npt.ArrayLike,
    count: npt.ArrayLike,
    critical: npt.ArrayLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    address: tuple[str, ...],
) -> CustomerTable:
    return CustomerTable(
        ids,
        _ints(bus),
        _ints(count),
        _bools(critical),
        _floats(x),
        _floats(y),
        address,
        _index(ids),
    )


def source_table(
    ids: tuple[str, ...], bus: npt.ArrayLike, substation: tuple[str, ...]
) -> SourceTable:
    return SourceTable(ids, _ints(bus), substation, _index(ids))


@dataclass(frozen=True, slots=True)
class Network:
    """A distribution network as imported: elements and their normal state.

    `crs` is anything pyproj understands (``"EPSG:4326"``), or None for a local
    plane whose unit is `units` (the IEEE test feeders use feet).
    """

    name: str
    crs: str | None
    units: str
    buses: BusTable
    branches: BranchTable
    devices: DeviceTable
    customers: CustomerTable
    sources: SourceTable
    # Devices per branch, derived once: most branches carry none.
    devices_on_branch: Mapping[int, tuple[int, ...]] = field(repr=False, default_factory=dict)

    # -- row views -----------------------------------------------------------------
    def bus(self, bus_id: str) -> Bus:
        i = self.bus_index(bus_id)
        return Bus(bus_id, float(self.buses.x[i]), float(self.buses.y[i]))

    def branch(self, branch_id: str) -> Branch:
        i = self.branch_index(branch_id)
        t = self.branches
        return Branch(
            branch_id,
            BRANCH_KINDS[t.kind[i]],
            self.buses.ids[t.from_bus[i]],
            self.buses.ids[t.to_bus[i]],
            float(t.length_m[i]),
            t.geometry.get(i),
        )

    def device(self, device_id: str) -> Device:
        i = self.device_index(device_id)
        t = self.devices
        return Device(
            device_id,
            DEVICE_KINDS[t.kind[i]],
            self.branches.ids[t.branch[i]],
            bool(t.normally_open[i]),
        )

    def customer(self, customer_id: str) -> Customer:
        i = self.customer_index(customer_id)
        t = self.customers
        return Customer(
            customer_id,
            self.buses.ids[t.bus[i]],
            int(t.count[i]),
            bool(t.critical[i]),
            float(t.x[i]),
            float(t.y[i]),
            t.address[i],
        )

    def source(self, source_id: str) -> Source:
        i = _lookup(self.sources.index, "source", source_id)
        return Source(source_id, self.buses.ids[self.sources.bus[i]], self.sources.substation[i])

    # -- id lookups ----------------------------------------------------------------
    def bus_index(self, bus_id: str) -> int:
        return _lookup(self.buses.index, "bus", bus_id)

    def branch_index(self, branch_id: str) -> int:
        return _lookup(self.branches.index, "branch", branch_id)

    def device_index(self, device_id: str) -> int:
        return _lookup(self.devices.index, "device", device_id)

    def customer_index(self, customer_id: str) -> int:
        return _lookup(self.customers.index, "customer", customer_id)

    def branch_kind(self, branch: int) -> BranchKind:
        return BRANCH_KINDS[int(self.branches.kind[branch])]

    def device_kind(self, device: int) -> DeviceKind:
        return DEVICE_KINDS[int(self.devices.kind[device])]

    def element_branch(self, element_id: str) -> int:
        """Branch operated by a device id, or the branch with that id (e.g. a transformer)."""
        device = self.devices.index.get(element_id)
        if device is not None:
            return int(self.devices.branch[device])
        branch = self.branches.index.get(element_id)
        if branch is None:
            raise UnknownElementError("device or branch", element_id)
        return branch

    @property
    def customer_total(self) -> int:
        """Customers served (the sum of service points' customer counts)."""
        return int(self.customers.count.sum())


def _lookup(index: Mapping[str, int], kind: str, element_id: str) -> int:
    try:
        return index[element_id]
    except KeyError:
        raise UnknownElementError(kind, element_id) from None
