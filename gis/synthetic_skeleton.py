"""The shared shape of a synthetic utility, and how it becomes a validated `Network`.

A layout (the radial scale layout in `gis.synthetic`, the street layout of the
sample territory) only decides *where* things are: substations, the nodes of each
feeder's main line, the laterals tapped off it, the service transformers along a
lateral and the customers behind each transformer. Everything else — ids, the
breaker bay, reclosers and sectionalizing switches on the main, fuses at lateral
heads, tie switches, conversion to WGS 84 — is decided here once, so both layouts
produce the same structure with the same naming.

Coordinates in a skeleton are local metres (x east, y north) around a centre.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from gis.builder import NetworkBuilder
from gis.model import BoolArray, FloatArray, IntArray, Network

# Metres per degree of latitude; a degree of longitude is this times cos(latitude).
# An equirectangular projection is ample over a service area of some tens of km.
METRES_PER_DEGREE = 111_320.0

Shapes = Mapping[int, FloatArray]


@dataclass(frozen=True, slots=True)
class Skeleton:
    """Where every element of a synthetic utility sits (local metres).

    Every "child" array is grouped by its parent (contiguous, parents ascending),
    which is what lets ids and parent links be derived without Python loops.
    A main node's parent is the previous main node of its feeder (the first one
    hangs from the feeder's breaker bay); a lateral node's parent is the previous
    node of its lateral (the first one hangs from its tap on the main, through the
    lateral's fuse).
    """

    sub_xy: FloatArray  # (S, 2)
    feeder_sub: IntArray  # (F,)
    main_feeder: IntArray  # (M,)
    main_xy: FloatArray  # (M, 2)
    lateral_tap: IntArray  # (L,) main node each lateral hangs from
    node_lateral: IntArray  # (K,)
    node_xy: FloatArray  # (K, 2)
    tx_node: IntArray  # (T,) lateral node feeding each service transformer
    tx_xy: FloatArray  # (T, 2) the transformer's secondary side
    cust_tx: IntArray  # (C,)
    cust_xy: FloatArray  # (C, 2)
    cust_critical: BoolArray  # (C,)
    ties: IntArray  # (P, 2) pairs of main nodes of different feeders
    cust_address: tuple[str, ...] | None = None
    # Polylines (metres, both ends included) of segments that are not straight:
    # keyed by the main node / lateral node / tie the segment leads to.
    main_shapes: Shapes = field(default_factory=dict)
    node_shapes: Shapes = field(default_factory=dict)
    tie_shapes: Shapes = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeviceParams:
    """How many protective and sectionalizing devices each feeder's main line gets."""

    reclosers: tuple[int, int] = (1, 3)
    switches: tuple[int, int] = (1, 3)


def ordinal(groups: IntArray) -> IntArray:
    """Position of each element within its run of equal, contiguous group values."""
    n = len(groups)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))
    lengths = np.diff(np.concatenate((starts, [n])))
    return np.arange(n, dtype=np.int64) - np.repeat(starts, lengths)


def choose_ties(main_feeder: IntArray, main_xy: FloatArray, per_feeder: int = 1) -> IntArray:
    """Tie each feeder's far end to the nearest main node of another feeder.

    One tie per unordered feeder pair, so two feeders that reach for each other
    share a single normally-open point, as utilities draw them.
    """
    if len(np.unique(main_feeder)) < 2:
        return np.empty((0, 2), dtype=np.int64)
    tree = cKDTree(main_xy)
    ends = np.flatnonzero(np.concatenate((main_feeder[1:] != main_feeder[:-1], [True])))
    k = min(len(main_xy), 64)
    _, near = tree.query(main_xy[ends], k=k)
    pairs: dict[tuple[int, int], tuple[int, int]] = {}
    for end, candidates in zip(ends.tolist(), near.tolist(), strict=True):
        other = [c for c in candidates if main_feeder[c] != main_feeder[end]][:per_feeder]
        for c in other:
            key = tuple(sorted((int(main_feeder[end]), int(main_feeder[c]))))
            pairs.setdefault((key[0], key[1]), (end, c))
    return np.array(sorted(pairs.values()), dtype=np.int64).reshape(-1, 2)


def to_lonlat(xy: FloatArray, center: tuple[float, float]) -> FloatArray:
    """Local metres to WGS 84 degrees (equirectangular about `center`)."""
    lon0, lat0 = center
    scale = np.array([METRES_PER_DEGREE * math.cos(math.radians(lat0)), METRES_PER_DEGREE])
    out: FloatArray = np.asarray(xy, dtype=np.float64) / scale + np.array([lon0, lat0])
    return out


def build_network(
    skel: Skeleton,
    name: str,
    center: tuple[float, float],
    rng: np.random.Generator,
    devices: DeviceParams = DeviceParams(),
) -> Network:
    """Name every element, place devices and run the rows through `NetworkBuilder`."""
    builder = NetworkBuilder(name, crs="EPSG:4326", units="deg")
    names = _Names.of(skel)
    _add_substations(builder, skel, names, center)
    _add_mains(builder, skel, names, center, rng, devices)
    _add_laterals(builder, skel, names, center)
    _add_transformers(builder, skel, names, center)
    _add_customers(builder, skel, names, center)
    _add_ties(builder, skel, names, center)
    return builder.build()


@dataclass(frozen=True, slots=True)
class _Names:
    """Readable labels: feeder ``s3f2``, lateral ``s3f2l17``, main node ``s3f2m5`` …"""

    sub: list[str]
    feeder: list[str]
    main_bus: list[str]
    lateral: list[str]
    node_bus: list[str]
    tx: list[str]

    @staticmethod
    def of(skel: Skeleton) -> _Names:
        sub = [f"s{s + 1}" for s in range(len(skel.sub_xy))]
        feeder = _labels([sub[s] for s in skel.feeder_sub.tolist()], "f", ordinal(skel.feeder_sub))
        main = _labels([feeder[f] for f in skel.main_feeder.tolist()], "m",
                       ordinal(skel.main_feeder))
        lat_feeder = skel.main_feeder[skel.lateral_tap]
        lateral = _labels([feeder[f] for f in lat_feeder.tolist()], "l", ordinal(lat_feeder))
        node = _labels([lateral[k] for k in skel.node_lateral.tolist()], "n",
                       ordinal(skel.node_lateral))
        tx_lateral = skel.node_lateral[skel.tx_node]
        tx = _labels([lateral[k] for k in tx_lateral.tolist()], "t", ordinal(tx_lateral))
        return _Names(sub, feeder, main, lateral, node, tx)


def _labels(prefixes: list[str], letter: str, ordinals: IntArray) -> list[str]:
    return [f"{p}{letter}{i + 1}" for p, i in zip(prefixes, ordinals.tolist(), strict=True)]


def _rows(xy: FloatArray, center: tuple[float, float]) -> Iterator[tuple[float, float]]:
    lonlat = to_lonlat(xy, center)
    return zip(lonlat[:, 0].tolist(), lonlat[:, 1].tolist(), strict=True)


def _lengths(a: FloatArray, b: FloatArray, shapes: Shapes) -> list[float]:
    """Segment lengths in metres: straight unless a polyline is given."""
    d = np.asarray(b) - np.asarray(a)
    length: FloatArray = np.hypot(d[:, 0], d[:, 1])
    for i, shape in shapes.items():
        step = np.diff(shape, axis=0)
        length[i] = np.hypot(step[:, 0], step[:, 1]).sum()
    rounded: list[float] = np.round(length, 1).tolist()
    return rounded


def _shape(shapes: Shapes, i: int, center: tuple[float, float]) -> list[tuple[float, float]] | None:
    shape = shapes.get(i)
    return None if shape is None else list(_rows(shape, center))


def _add_substations(
    b: NetworkBuilder, skel: Skeleton, names: _Names, center: tuple[float, float]
) -> None:
    """Source → power transformer → substation bus → one breaker bay per feeder."""
    for s, (x, y) in enumerate(_rows(skel.sub_xy, center)):
        sub = names.sub[s]
        b.add_bus(f"{sub}.hv", x, y)
        b.add_bus(f"{sub}.mv", x, y)
        b.add_source(f"source.{sub}", f"{sub}.hv", substation=f"sub{s + 1}")
        b.add_branch(f"power_transformer.{sub}", "power_transformer", f"{sub}.hv", f"{sub}.mv",
                     length_m=0.0)
    sub_lonlat = to_lonlat(skel.sub_xy, center)
    for f, feeder in enumerate(names.feeder):
        s = int(skel.feeder_sub[f])
        x, y = sub_lonlat[s]
        # The breaker sits in the substation on a zero-length bay connector.
        b.add_bus(f"{feeder}.bay", float(x), float(y))
        b.add_branch(f"bay.{feeder}", "connector", f"{names.sub[s]}.mv", f"{feeder}.bay",
                     length_m=0.0)
        b.add_device(f"breaker.{feeder}", "breaker", f"bay.{feeder}")


def _add_mains(
    b: NetworkBuilder,
    skel: Skeleton,
    names: _Names,
    center: tuple[float, float],
    rng: np.random.Generator,
    devices: DeviceParams,
) -> None:
    first = np.concatenate(([True], skel.main_feeder[1:] != skel.main_feeder[:-1]))
    parent_xy = np.where(first[:, None], skel.sub_xy[skel.feeder_sub[skel.main_feeder]],
                         np.roll(skel.main_xy, 1, axis=0))
    lengths = _lengths(parent_xy, skel.main_xy, skel.main_shapes)
    for m, (x, y) in enumerate(_rows(skel.main_xy, center)):
        bus = names.main_bus[m]
        feeder = names.feeder[skel.main_feeder[m]]
        parent = f"{feeder}.bay" if first[m] else names.main_bus[m - 1]
        b.add_bus(bus, x, y)
        b.add_branch(f"line.{bus}", "line", parent, bus, length_m=lengths[m],
                     geometry=_shape(skel.main_shapes, m, center))
    starts = np.flatnonzero(first)
    stops = np.concatenate((starts[1:], [len(first)]))
    for f, (start, stop) in enumerate(zip(starts.tolist(), stops.tolist(), strict=True)):
        _add_main_devices(b, names, f, start, stop, rng, devices)


def _add_main_devices(
    b: NetworkBuilder, names: _Names, feeder: int, start: int, stop: int,
    rng: np.random.Generator, devices: DeviceParams,
) -> None:
    """Reclosers spread evenly along the main; sectionalizing switches between them."""
    label = names.feeder[feeder]
    # Segment `start` leaves the breaker: keep it free so a recloser is never redundant.
    free = list(range(start + 1, stop))
    n_rec = min(int(rng.integers(devices.reclosers[0], devices.reclosers[1] + 1)), len(free))
    at = sorted({free[(len(free) * (k + 1)) // (n_rec + 1)] for k in range(n_rec)}) if free else []
    for k, m in enumerate(at):
        b.add_device(f"recloser.{label}r{k + 1}", "recloser", f"line.{names.main_bus[m]}")
    rest = [m for m in free if m not in set(at)]
    n_sw = min(int(rng.integers(devices.switches[0], devices.switches[1] + 1)), len(rest))
    for k, m in enumerate(sorted(rng.choice(rest, n_sw, replace=False).tolist()) if rest else []):
        b.add_device(f"switch.{label}k{k + 1}", "switch", f"line.{names.main_bus[m]}")


def _add_laterals(
    b: NetworkBuilder, skel: Skeleton, names: _Names, center: tuple[float, float]
) -> None:
    first = np.concatenate(([True], skel.node_lateral[1:] != skel.node_lateral[:-1]))
    tap_xy = skel.main_xy[skel.lateral_tap[skel.node_lateral]]
    parent_xy = np.where(first[:, None], tap_xy, np.roll(skel.node_xy, 1, axis=0))
    lengths = _lengths(parent_xy, skel.node_xy, skel.node_shapes)
    taps = skel.lateral_tap.tolist()
    lateral_of = skel.node_lateral.tolist()
    for k, (x, y) in enumerate(_rows(skel.node_xy, center)):
        bus = names.node_bus[k]
        parent = names.main_bus[taps[lateral_of[k]]] if first[k] else names.node_bus[k - 1]
        b.add_bus(bus, x, y)
        b.add_branch(f"line.{bus}", "line", parent, bus, length_m=lengths[k],
                     geometry=_shape(skel.node_shapes, k, center))
        if first[k]:
            b.add_device(f"fuse.{names.lateral[lateral_of[k]]}", "fuse", f"line.{bus}")


def _add_transformers(
    b: NetworkBuilder, skel: Skeleton, names: _Names, center: tuple[float, float]
) -> None:
    lengths = _lengths(skel.node_xy[skel.tx_node], skel.tx_xy, {})
    for t, (x, y) in enumerate(_rows(skel.tx_xy, center)):
        tx = names.tx[t]
        b.add_bus(f"{tx}.lv", x, y)
        b.add_branch(f"transformer.{tx}", "service_transformer", names.node_bus[skel.tx_node[t]],
                     f"{tx}.lv", length_m=lengths[t])


def customer_ids(n: int) -> list[str]:
    """``cust.000001`` …: zero-padded so ids sort in creation order."""
    width = max(6, len(str(n)))
    return [f"cust.{i:0{width}d}" for i in range(1, n + 1)]


def _add_customers(
    b: NetworkBuilder, skel: Skeleton, names: _Names, center: tuple[float, float]
) -> None:
    n = len(skel.cust_tx)
    buses = [f"{names.tx[t]}.lv" for t in skel.cust_tx.tolist()]
    critical = skel.cust_critical.tolist()
    address = skel.cust_address or ("",) * n
    add = b.add_customer
    rows = zip(customer_ids(n), buses, critical, _rows(skel.cust_xy, center), address, strict=True)
    for cid, bus, crit, (x, y), addr in rows:
        add(cid, bus, critical=crit, x=x, y=y, address=addr)


def _add_ties(
    b: NetworkBuilder, skel: Skeleton, names: _Names, center: tuple[float, float]
) -> None:
    a, c = skel.ties[:, 0], skel.ties[:, 1]
    lengths = _lengths(skel.main_xy[a], skel.main_xy[c], skel.tie_shapes)
    for p, (i, j) in enumerate(skel.ties.tolist()):
        fa, fc = names.feeder[skel.main_feeder[i]], names.feeder[skel.main_feeder[j]]
        tie = f"tie.{fa}-{fc}"
        b.add_branch(f"line.{tie}", "line", names.main_bus[i], names.main_bus[j],
                     length_m=lengths[p], geometry=_shape(skel.tie_shapes, p, center))
        b.add_device(f"switch.{tie}", "switch", f"line.{tie}", normally_open=True)


def split_counts(
    total: int, low: int, high: int, rng: np.random.Generator, mean: float | None = None
) -> IntArray:
    """Group sizes in [low, high] that sum exactly to `total` (fewer only if total < low)."""
    if total <= low:
        return np.array([total], dtype=np.int64) if total > 0 else np.empty(0, dtype=np.int64)
    groups = max(1, round(total / (mean or (low + high) / 2)))
    groups = min(max(groups, -(-total // high)), total // low)
    sizes = rng.integers(low, high + 1, groups)
    _nudge(sizes, total - int(sizes.sum()), low, high, rng)
    return sizes


def _nudge(sizes: npt.NDArray[np.int64], diff: int, low: int, high: int,
           rng: np.random.Generator) -> None:
    """Add or take one from random groups that have room until the sum is right."""
    while diff != 0:
        step = 1 if diff > 0 else -1
        room = np.flatnonzero(sizes < high) if step > 0 else np.flatnonzero(sizes > low)
        pick = rng.choice(room, min(abs(diff), len(room)), replace=False)
        sizes[pick] += step
        diff -= step * len(pick)
