"""Networks on the map: WGS 84 lon/lat for every bus, customer and line.

The live maps and crew routing work in lon/lat. Networks arrive in lon/lat
(the sample territory, mv_oberrhein, SimBench), in a projected CRS, in a local
plane without a CRS (the IEEE test feeders, in feet) or with no coordinates at all
(IEEE 13). `on_the_map` returns the same network — ids, topology, lengths
unchanged — with coordinates every map can draw:

- a projected CRS is transformed to lon/lat;
- a local plane keeps its shape and scale (its unit in metres, `LOCAL_UNIT_METRES`),
  centred on `NOMINAL_ORIGIN`, a point chosen for nothing but being somewhere;
- without any coordinates the buses are laid out as a schematic: feeders side by
  side, each bus one step below its parent and above the middle of its children;
- a bus that lacks coordinates in an otherwise drawn network sits at its parent's.

Customers without a position of their own sit at their bus.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pyproj

from gis.model import FloatArray, IntArray, Network
from gis.spatial import WGS84
from gis.topology import NONE, Topology

NOMINAL_ORIGIN = (0.0, 0.0)  # lon, lat of a local plane's centre
# Metres per unit of a local plane; "local" (OpenDSS bus coordinates) is taken as feet,
# which the IEEE test feeders use.
LOCAL_UNIT_METRES = {"m": 1.0, "metre": 1.0, "km": 1000.0, "ft": 0.3048, "feet": 0.3048,
                     "local": 0.3048, "kft": 304.8, "mi": 1609.344}
SCHEMATIC_STEP_M = 60.0  # between neighbouring buses of a schematic
METRES_PER_DEGREE = math.pi / 180 * 6_371_000  # on the sphere distances are measured on

Convert = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


def on_the_map(network: Network) -> Network:
    """The network with WGS 84 lon/lat coordinates (itself when it has them already)."""
    return placed(network)[0]


def own_to_map(network: Network) -> Convert | None:
    """Where a point given in the network's own coordinates (its CRS, or its local plane
    in its units: an address-only call's location) lies on the map `on_the_map` draws the
    network on; None when the network has no coordinates (drawn as a schematic, where a
    point means nothing)."""
    return placed(network)[1]


def placed(network: Network) -> tuple[Network, Convert | None]:
    """`on_the_map` and `own_to_map` at once, the buses converted once (a projected
    CRS's transform is the start-up's work at a million)."""
    if _is_wgs84(network.crs):
        return network, _identity
    x, y = _metres_or_degrees(network, network.buses.x, network.buses.y)
    drawn = np.isfinite(x) & np.isfinite(y)
    # The trace is needed only to draw what the model does not (seconds at a million).
    topology = None if drawn.all() else Topology(network)
    if topology is not None and not drawn.any():  # no coordinates at all: a schematic
        x, y = _schematic(topology)
    plane = _plane_to_lonlat(x, y) if network.crs is None or not drawn.any() else _identity

    def own(px: FloatArray, py: FloatArray) -> tuple[FloatArray, FloatArray]:
        return plane(*_metres_or_degrees(network, px, py))

    bx, by = plane(x, y)
    if topology is not None:
        bx, by = _fill_from_parents(topology, bx, by)
    cx, cy = own(network.customers.x, network.customers.y)
    bus = network.customers.bus
    missing = ~(np.isfinite(cx) & np.isfinite(cy))
    cx, cy = np.where(missing, bx[bus], cx), np.where(missing, by[bus], cy)
    geometry = {}
    for i, points in network.branches.geometry.items():
        px, py = own(*(np.array(v, dtype=float) for v in zip(*points, strict=True)))
        if np.isfinite(px).all() and np.isfinite(py).all():
            geometry[i] = tuple(zip(px.tolist(), py.tolist(), strict=True))
    on_map = dataclasses.replace(
        network, crs=WGS84, units="deg",
        buses=dataclasses.replace(network.buses, x=bx, y=by),
        customers=dataclasses.replace(network.customers, x=cx, y=cy),
        branches=dataclasses.replace(network.branches, geometry=geometry),
    )
    return on_map, own if drawn.any() else None


def _is_wgs84(crs: str | None) -> bool:
    return crs is not None and pyproj.CRS.from_user_input(crs) == pyproj.CRS.from_user_input(WGS84)


def _metres_or_degrees(network: Network, x: FloatArray, y: FloatArray) -> tuple[FloatArray,
                                                                                  FloatArray]:
    """A local plane in metres; a CRS's coordinates transformed to lon/lat."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if network.crs is None:
        scale = LOCAL_UNIT_METRES.get(network.units.lower(), 1.0)
        return x * scale, y * scale
    lon, lat = to_wgs84(network.crs).transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


@lru_cache(maxsize=8)
def to_wgs84(crs: str) -> pyproj.Transformer:
    """The (cached) transformer from `crs` to WGS 84 lon/lat."""
    return pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)


def _identity(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    return x, y


def _plane_to_lonlat(x: FloatArray, y: FloatArray) -> Convert:
    """Metres in a plane → lon/lat around the nominal origin (centre of the drawn area)."""
    ok = np.isfinite(x) & np.isfinite(y)
    cx = (float(x[ok].min()) + float(x[ok].max())) / 2 if ok.any() else 0.0
    cy = (float(y[ok].min()) + float(y[ok].max())) / 2 if ok.any() else 0.0
    lon0, lat0 = NOMINAL_ORIGIN
    per_lon = METRES_PER_DEGREE * math.cos(math.radians(lat0))

    def convert(px: FloatArray, py: FloatArray) -> tuple[FloatArray, FloatArray]:
        return lon0 + (px - cx) / per_lon, lat0 + (py - cy) / METRES_PER_DEGREE

    return convert


def _fill_from_parents(topology: Topology, x: FloatArray, y: FloatArray) -> tuple[FloatArray,
                                                                                  FloatArray]:
    """Buses without coordinates at their parent's (parents first); the rest, unfed,
    at the middle of the drawn buses."""
    x, y = x.copy(), y.copy()
    parent = topology.parent_bus
    for buses in topology.preorder():
        for b in buses.tolist():
            p = int(parent[b])
            if not (math.isfinite(x[b]) and math.isfinite(y[b])) and p != NONE:
                x[b], y[b] = x[p], y[p]
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.all():
        mx = float(np.mean(x[ok])) if ok.any() else NOMINAL_ORIGIN[0]
        my = float(np.mean(y[ok])) if ok.any() else NOMINAL_ORIGIN[1]
        x[~ok], y[~ok] = mx, my
    return x, y


def _schematic(topology: Topology) -> tuple[FloatArray, FloatArray]:
    """A tree drawing in metres: leaves one step apart, left to right in preorder; a
    parent above the middle of its children; each level one step down."""
    n = len(topology.parent_bus)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    children: dict[int, list[int]] = {}
    roots: list[int] = []
    for buses in topology.preorder():
        roots.append(int(buses[0]))
        for b in buses[1:].tolist():
            children.setdefault(int(topology.parent_bus[b]), []).append(b)
    next_leaf = 0.0
    for root in roots:
        order: IntArray = _postorder(root, children)
        for b in order.tolist():
            kids = children.get(b)
            if kids:
                x[b] = (x[kids[0]] + x[kids[-1]]) / 2
            else:
                x[b], next_leaf = next_leaf, next_leaf + 1
            y[b] = -float(topology.depth[b])
        next_leaf += 1  # a gap between feeders
    return x * SCHEMATIC_STEP_M, y * SCHEMATIC_STEP_M


def _postorder(root: int, children: dict[int, list[int]]) -> IntArray:
    order: list[int] = []
    stack = [(root, False)]
    while stack:
        b, done = stack.pop()
        if done:
            order.append(b)
            continue
        stack.append((b, True))
        stack.extend((k, False) for k in reversed(children.get(b, ())))
    return np.array(order, dtype=np.int64)
