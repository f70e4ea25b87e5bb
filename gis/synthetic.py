"""Synthetic utilities of any size, for benchmarks and load tests.

`synthesize_utility(1_000_000)` lays out substations over an area around a centre,
2–8 feeders radiating from each, a main line per feeder with laterals tapped off
it alternately left and right, service transformers along each lateral and 5–15
service points per transformer. The layout is vectorised with numpy; the rows go
through `NetworkBuilder`, so the result is validated like any imported network.

Everything is drawn from one seeded generator: the same arguments give the same
network, element for element.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from gis.model import FloatArray, IntArray, Network
from gis.synthetic_skeleton import (
    DeviceParams,
    Skeleton,
    build_network,
    choose_ties,
    ordinal,
    split_counts,
)

# Downtown Portland, OR: any centre works; this one matches the sample territory.
DEFAULT_CENTER = (-122.68, 45.52)


@dataclass(frozen=True, slots=True)
class SynthParams:
    """Sizes and spacings of the generated structure (ranges are inclusive)."""

    customers_per_transformer: tuple[int, int] = (5, 15)
    transformers_per_lateral: tuple[int, int] = (3, 12)
    laterals_per_feeder: tuple[int, int] = (12, 36)
    feeders_per_substation: tuple[int, int] = (2, 8)
    critical_share: float = 0.003  # hospitals, life-support customers, water works
    substation_spacing_m: float = 3_000.0
    main_span_m: tuple[float, float] = (50.0, 90.0)  # between lateral taps
    lateral_span_m: tuple[float, float] = (35.0, 55.0)  # between transformers
    devices: DeviceParams = field(default_factory=DeviceParams)

    def __post_init__(self) -> None:
        for name in ("customers_per_transformer", "transformers_per_lateral",
                     "laterals_per_feeder", "feeders_per_substation"):
            low, high = getattr(self, name)
            if not 1 <= low <= high:
                raise ValueError(f"SynthParams.{name}: need 1 ≤ low ≤ high, got {(low, high)}")
        if not 0.0 <= self.critical_share <= 1.0:
            raise ValueError(f"SynthParams.critical_share: {self.critical_share} not in [0, 1]")


def synthesize_utility(
    customers: int,
    *,
    seed: int = 0,
    center: tuple[float, float] = DEFAULT_CENTER,
    params: SynthParams | None = None,
    name: str | None = None,
) -> Network:
    """A radial utility of exactly `customers` service points (count 1 each), in WGS 84."""
    if customers < 1:
        raise ValueError(f"customers: need at least 1, got {customers}")
    rng = np.random.default_rng(seed)
    p = params or SynthParams()
    skeleton = radial_skeleton(customers, rng, p)
    return build_network(skeleton, name or f"synthetic-{customers}-seed{seed}", center, rng,
                         p.devices)


def radial_skeleton(customers: int, rng: np.random.Generator, p: SynthParams) -> Skeleton:
    """Counts top-down from customers, then positions bottom-up from the substations."""
    per_tx = split_counts(customers, *p.customers_per_transformer, rng)
    per_lateral = split_counts(len(per_tx), *p.transformers_per_lateral, rng)
    per_feeder = split_counts(len(per_lateral), *p.laterals_per_feeder, rng)
    per_sub = split_counts(len(per_feeder), *p.feeders_per_substation, rng)
    sub_xy = _substation_sites(len(per_sub), p.substation_spacing_m, rng)
    feeder_sub = np.repeat(np.arange(len(per_sub)), per_sub)
    # One lateral per main node, so main nodes and laterals share their index.
    main_feeder = np.repeat(np.arange(len(per_feeder)), per_feeder)
    main_xy, heading = _main_nodes(sub_xy, feeder_sub, main_feeder, per_sub, p, rng)
    node_lateral = np.repeat(np.arange(len(per_lateral)), per_lateral)
    node_xy = _lateral_nodes(main_xy, heading, main_feeder, node_lateral, p, rng)
    # One transformer per lateral node, set back from the line on a short drop.
    tx_xy = node_xy + rng.normal(0.0, 8.0, node_xy.shape)
    cust_tx = np.repeat(np.arange(len(per_tx)), per_tx)
    return Skeleton(
        sub_xy=sub_xy,
        feeder_sub=feeder_sub,
        main_feeder=main_feeder,
        main_xy=main_xy,
        lateral_tap=np.arange(len(per_lateral)),
        node_lateral=node_lateral,
        node_xy=node_xy,
        tx_node=np.arange(len(node_xy)),
        tx_xy=tx_xy,
        cust_tx=cust_tx,
        cust_xy=tx_xy[cust_tx] + _disc(len(cust_tx), 15.0, 45.0, rng),
        cust_critical=rng.random(len(cust_tx)) < p.critical_share,
        ties=choose_ties(main_feeder, main_xy),
    )


def _substation_sites(n: int, spacing: float, rng: np.random.Generator) -> FloatArray:
    """A jittered, row-staggered grid (like real substations, roughly evenly spread)."""
    cols = math.ceil(math.sqrt(n))
    i = np.arange(n)
    row, col = i // cols, i % cols
    x = (col + 0.5 * (row % 2)) * spacing
    y = row * spacing * math.sqrt(3) / 2
    xy = np.column_stack((x, y)) + rng.uniform(-0.2, 0.2, (n, 2)) * spacing
    centred: FloatArray = xy - xy.mean(axis=0)
    return centred


def _main_nodes(
    sub_xy: FloatArray,
    feeder_sub: IntArray,
    main_feeder: IntArray,
    per_sub: IntArray,
    p: SynthParams,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray]:
    """Main lines radiate from the substation at evenly spread bearings and meander."""
    n_feeder = len(feeder_sub)
    slot = ordinal(feeder_sub) + rng.uniform(-0.2, 0.2, n_feeder)
    bearing = 2 * math.pi * slot / per_sub[feeder_sub] + rng.uniform(0, 2 * math.pi,
                                                                       len(per_sub))[feeder_sub]
    span = rng.uniform(*p.main_span_m, len(main_feeder))
    r = 150.0 + _group_cumsum(span, main_feeder)  # leave the substation yard first
    wiggle = rng.uniform(40.0, 120.0, n_feeder)[main_feeder] * np.sin(
        r / rng.uniform(300.0, 700.0, n_feeder)[main_feeder]
    )
    theta = bearing[main_feeder]
    u = np.column_stack((np.cos(theta), np.sin(theta)))
    v = np.column_stack((-u[:, 1], u[:, 0]))
    xy = sub_xy[feeder_sub[main_feeder]] + r[:, None] * u + wiggle[:, None] * v
    return xy, theta


def _lateral_nodes(
    main_xy: FloatArray,
    heading: FloatArray,
    main_feeder: IntArray,
    node_lateral: IntArray,
    p: SynthParams,
    rng: np.random.Generator,
) -> FloatArray:
    """Laterals leave the main roughly at right angles, alternating sides."""
    side = np.where(ordinal(main_feeder) % 2 == 0, 1.0, -1.0)
    angle = heading + side * (math.pi / 2 + rng.uniform(-0.4, 0.4, len(heading)))
    direction = np.column_stack((np.cos(angle), np.sin(angle)))[node_lateral]
    step = _group_cumsum(rng.uniform(*p.lateral_span_m, len(node_lateral)), node_lateral)
    out: FloatArray = main_xy[node_lateral] + step[:, None] * direction
    return out


def _group_cumsum(values: FloatArray, groups: IntArray) -> FloatArray:
    """Running sum of `values` restarting at each new (contiguous) group."""
    total = np.cumsum(values)
    start = np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))
    before = np.concatenate(([0.0], total))[start]
    lengths = np.diff(np.concatenate((start, [len(values)])))
    out: FloatArray = total - np.repeat(before, lengths)
    return out


def _disc(n: int, r_min: float, r_max: float, rng: np.random.Generator) -> FloatArray:
    """Offsets uniform over an annulus: houses around their transformer."""
    r = np.sqrt(rng.uniform(r_min**2, r_max**2, n))
    a = rng.uniform(0, 2 * math.pi, n)
    return np.column_stack((r * np.cos(a), r * np.sin(a)))
