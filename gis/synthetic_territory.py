"""The sample territory: the synthetic utility's structure laid along a street grid.

Same skeleton and emitter as `gis.synthetic` (so the same ids, devices and
checks), but every wire follows a street: a feeder's main leaves its substation
along an east–west boulevard, turns onto an arterial avenue and runs away from
or toward the river; fused laterals run east along the side streets with
service transformers on the poles and houses on both sides, each with a street
address. Ties between feeders follow the shortest street path between them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from gis.model import Network
from gis.synthetic_skeleton import Skeleton, build_network, choose_ties
from gis.synthetic_streets import (
    StreetGrid,
    StreetParams,
    house_number,
    make_grid,
    street_name,
    warp,
)

Cell = tuple[int, int]
CENTER = (-122.66, 45.52)


@dataclass(frozen=True, slots=True)
class TerritoryParams:
    """What the territory holds; defaults give about 6,000 customers."""

    streets: StreetParams = field(default_factory=StreetParams)
    substations: tuple[Cell, ...] = ((6, 23), (10, 7))  # (col, row) of each yard's corner
    feeder_cols: tuple[int, ...] = (0, 4, 8, 12)  # arterials that carry mains
    transformers_per_lateral: tuple[int, int] = (4, 8)
    customers_per_transformer: tuple[int, int] = (5, 15)
    park_share: float = 0.08  # side streets with no houses (parks, schools, yards)
    life_support: int = 18
    seed: int = 2026


@dataclass(frozen=True, slots=True)
class Territory:
    """The network, the streets it follows, and who its critical customers are."""

    network: Network
    grid: StreetGrid
    critical: dict[str, str]  # customer id -> what it is


@dataclass(slots=True)
class _Plan:
    """Skeleton columns being collected, in plan metres, plus what addresses need."""

    main_feeder: list[int] = field(default_factory=list)
    main_cell: list[Cell] = field(default_factory=list)
    lateral_tap: list[int] = field(default_factory=list)
    node_lateral: list[int] = field(default_factory=list)
    node_col: list[float] = field(default_factory=list)  # fractional col along its street
    node_row: list[int] = field(default_factory=list)
    lateral_start: list[float] = field(default_factory=list)


def make_territory(params: TerritoryParams | None = None) -> Territory:
    """Build the sample territory (deterministic for given params)."""
    p = params or TerritoryParams()
    rng = np.random.default_rng(p.seed)
    grid = make_grid(p.streets)
    plan = _Plan()
    feeder_sub = _lay_feeders(grid, p, plan, rng)
    skeleton, critical = _skeleton(grid, p, plan, np.array(feeder_sub), rng)
    net = build_network(skeleton, "sample-territory", CENTER, rng)
    ids = net.customers.ids
    return Territory(net, grid, {ids[c]: role for c, role in critical.items()})


def _lay_feeders(
    grid: StreetGrid, p: TerritoryParams, plan: _Plan, rng: np.random.Generator
) -> list[int]:
    """Two feeders per arterial and substation: one toward the river, one away."""
    feeder_sub: list[int] = []
    axis = (p.streets.rows - 1) // 2
    for s, (cs, rs) in enumerate(p.substations):
        away = 1 if rs > axis else -1
        for c in p.feeder_cols:
            for step in (away, -away):
                feeder = len(feeder_sub)
                feeder_sub.append(s)
                _lay_main(grid, p, plan, feeder, (cs, rs), c, step, rng)
    return feeder_sub


def _lay_main(
    grid: StreetGrid, p: TerritoryParams, plan: _Plan, feeder: int, sub: Cell, col: int,
    step: int, rng: np.random.Generator,
) -> None:
    """Along the boulevard to the arterial, then along it with a lateral at each street."""
    cs, rs = sub
    toward = 1 if col >= cs else -1
    for c in range(cs, col + toward, toward):
        plan.main_feeder.append(feeder)
        plan.main_cell.append((c, rs))
    r = rs + step
    while 0 <= r < p.streets.rows and grid.land[col, r]:
        plan.main_feeder.append(feeder)
        plan.main_cell.append((col, r))
        if rng.random() >= p.park_share:
            _lay_lateral(grid, p, plan, len(plan.main_cell) - 1, col, r, rng)
        r += step


def _lay_lateral(
    grid: StreetGrid, p: TerritoryParams, plan: _Plan, tap: int, col: int, row: int,
    rng: np.random.Generator,
) -> None:
    """East along the street to just short of the next arterial (or the water's edge)."""
    reach = 0
    while reach < p.streets.arterial_every and col + reach + 1 < p.streets.cols and \
            grid.land[col + reach + 1, row]:
        reach += 1
    if reach == 0:
        return
    span = reach - (0.3 if reach == p.streets.arterial_every else 0.1)
    low, high = p.transformers_per_lateral
    n = min(int(rng.integers(low, high + 1)), max(1, int(span * 2.2)))
    lateral = len(plan.lateral_tap)
    plan.lateral_tap.append(tap)
    for i in range(n):
        plan.node_lateral.append(lateral)
        plan.node_col.append(col + span * (i + 0.5) / n)
        plan.node_row.append(row)
    plan.lateral_start.append(float(col))


def _skeleton(
    grid: StreetGrid, p: TerritoryParams, plan: _Plan, feeder_sub: np.ndarray,
    rng: np.random.Generator,
) -> tuple[Skeleton, dict[int, str]]:
    """Place transformers and houses, pick critical customers, tie feeders; warp to map."""
    xy = np.vectorize(grid.plan_xy)
    node_col, node_row = np.array(plan.node_col), np.array(plan.node_row)
    node_x, node_y = xy(node_col, node_row)
    main_x, main_y = xy(*np.array(plan.main_cell, dtype=float).T)
    n_node = len(node_col)
    low, high = p.customers_per_transformer
    per_tx = rng.integers(low, high + 1, n_node)
    cust_tx = np.repeat(np.arange(n_node), per_tx)
    cust_col, north = _houses(node_col, np.array(plan.node_lateral), per_tx, grid, rng)
    cust_row = node_row[cust_tx]
    cust_x, cust_y = xy(cust_col, cust_row)
    cust_y = cust_y + np.where(north, 22.0, -22.0)
    address = _unique_addresses(
        f"{house_number(grid, c, bool(n))} {street_name(grid, int(r), c)}"
        for c, r, n in zip(cust_col.tolist(), cust_row.tolist(), north.tolist(), strict=True)
    )
    critical = _critical(cust_x, cust_y, grid, p, rng)
    subs = np.array([grid.plan_xy(c + 0.35, r + 0.4) for c, r in p.substations])
    main_feeder = np.array(plan.main_feeder)
    main_xy = np.column_stack((main_x, main_y))
    ties, tie_shapes = _ties(grid, plan.main_cell, main_feeder, main_xy)
    node_shapes = _lateral_shapes(grid, plan, node_col, node_row)
    skeleton = Skeleton(
        sub_xy=warp(subs), feeder_sub=feeder_sub, main_feeder=main_feeder, main_xy=warp(main_xy),
        lateral_tap=np.array(plan.lateral_tap), node_lateral=np.array(plan.node_lateral),
        node_xy=warp(np.column_stack((node_x, node_y))),
        tx_node=np.arange(n_node), tx_xy=warp(np.column_stack((node_x, node_y + 6.0))),
        cust_tx=cust_tx, cust_xy=warp(np.column_stack((cust_x, cust_y))),
        cust_critical=np.isin(np.arange(len(cust_tx)), list(critical)),
        ties=ties, cust_address=address, node_shapes=node_shapes, tie_shapes=tie_shapes,
    )
    return skeleton, critical


def _houses(
    node_col: np.ndarray, node_lateral: np.ndarray, per_tx: np.ndarray, grid: StreetGrid,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Houses alternate sides of the street, evenly spread over the transformer's stretch."""
    same = np.concatenate(([False], node_lateral[1:] == node_lateral[:-1]))
    gap = np.where(same, np.diff(node_col, prepend=node_col[0]), np.nan)
    # A transformer covers half the distance to its neighbours; the first mirrors the next.
    half = np.nan_to_num(np.fmin(gap, np.roll(gap, -1)) / 2, nan=0.25)
    tx = np.repeat(np.arange(len(per_tx)), per_tx)
    k = np.arange(len(tx)) - np.repeat(np.cumsum(per_tx) - per_tx, per_tx)
    slot = (k // 2 + 0.5) / np.ceil(per_tx[tx] / 2)  # 0..1 along the stretch, per side
    col = node_col[tx] - half[tx] + 2 * half[tx] * slot + rng.normal(0, 0.01, len(tx))
    return col, k % 2 == 0


def _unique_addresses(addresses: Iterable[str]) -> tuple[str, ...]:
    """Neighbours that land on one house number become units of one building."""
    seen: Counter[str] = Counter()
    out = []
    for address in addresses:
        seen[address] += 1
        n = seen[address]
        out.append(address if n == 1 else f"{address} Unit {chr(ord('A') + n - 1)}")
    return tuple(out)


def _critical(
    x: np.ndarray, y: np.ndarray, grid: StreetGrid, p: TerritoryParams, rng: np.random.Generator
) -> dict[int, str]:
    """Two hospitals, the water works and a pump station by the river, life support at home."""
    spots = {
        "hospital (Eastside Medical Center)": grid.plan_xy(13.5, 25),
        "hospital (St. Clair Hospital)": grid.plan_xy(2.5, 9),
        "water treatment plant": grid.plan_xy(9.5, 12),
        "wastewater pump station": grid.plan_xy(5.5, 18),
    }
    out: dict[int, str] = {}
    for role, (sx, sy) in spots.items():
        out[int(np.argmin(np.hypot(x - sx, y - sy)))] = role
    rest = np.setdiff1d(np.arange(len(x)), list(out))
    for c in rng.choice(rest, p.life_support, replace=False).tolist():
        out[int(c)] = "life-support customer"
    return out


def _lateral_shapes(
    grid: StreetGrid, plan: _Plan, node_col: np.ndarray, node_row: np.ndarray
) -> dict[int, np.ndarray]:
    """Each lateral span as a polyline through the intersections it passes (warped)."""
    shapes: dict[int, np.ndarray] = {}
    for k in range(len(node_col)):
        lateral = plan.node_lateral[k]
        first = k == 0 or plan.node_lateral[k - 1] != lateral
        start = plan.lateral_start[lateral] if first else node_col[k - 1]
        stop = node_col[k]
        cols = [start, *range(int(start) + 1, int(np.ceil(stop))), stop]
        if len(cols) > 2:  # a span that passes no intersection is a straight segment
            shapes[k] = warp(np.array([grid.plan_xy(c, int(node_row[k])) for c in cols]))
    return shapes


def road_graph(grid: StreetGrid) -> nx.Graph:
    """The street grid as a graph of cells weighted by map metres."""
    g = nx.Graph()
    for road in grid.roads:
        a, b = warp(np.array([grid.plan_xy(*road.a), grid.plan_xy(*road.b)]))
        g.add_edge(road.a, road.b, length=float(np.hypot(*(b - a))))
    return g


def _ties(
    grid: StreetGrid, cells: list[Cell], main_feeder: np.ndarray, main_xy: np.ndarray
) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Each feeder's far end to the nearest other feeder's main, by street distance."""
    g = road_graph(grid)
    last = np.flatnonzero(np.concatenate((main_feeder[1:] != main_feeder[:-1], [True])))
    owners: dict[Cell, list[int]] = {}
    for m, cell in enumerate(cells):
        owners.setdefault(cell, []).append(m)
    pairs: dict[tuple[int, int], tuple[int, int]] = {}
    for end in last.tolist():
        dist = nx.single_source_dijkstra_path_length(g, cells[end], cutoff=1500.0, weight="length")
        options = [(d, m) for cell, d in dist.items() for m in owners.get(cell, [])
                   if main_feeder[m] != main_feeder[end] and cells[m] != cells[end]]
        if not options:
            continue
        _, other = min(options)
        key = tuple(sorted((int(main_feeder[end]), int(main_feeder[other]))))
        pairs.setdefault((key[0], key[1]), (end, other))
    if not pairs:
        return choose_ties(main_feeder, main_xy), {}
    ties = np.array(sorted(pairs.values()), dtype=np.int64)
    shapes = {}
    for i, (a, b) in enumerate(ties.tolist()):
        path = nx.shortest_path(g, cells[a], cells[b], weight="length")
        shapes[i] = warp(np.array([grid.plan_xy(*cell) for cell in path]))
    return ties, shapes
