"""Regenerate the sample territory: network, road network and map.

    .venv/bin/python sample_data/make_territory.py

writes `territory.gpkg` (the network in the project's schema), `roads.geojson`
(one LineString per street segment, with length_m and speed_kmh) and
`territory.png` next to this file. Seeded: the same code gives the same files.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from gis.io import save_network
from gis.model import DEVICE_KINDS, Network
from gis.synthetic_skeleton import to_lonlat
from gis.synthetic_streets import StreetGrid, river_offset, warp
from gis.synthetic_territory import CENTER, Territory, TerritoryParams, make_territory

HERE = Path(__file__).parent
RIVER_NAME = "Willow River"


def lonlat(plan: np.ndarray) -> np.ndarray:
    """Plan metres of the street grid to WGS 84."""
    return to_lonlat(warp(plan), CENTER)


def road_features(grid: StreetGrid) -> list[dict[str, Any]]:
    """One GeoJSON feature per street segment (coordinates to ~0.1 m)."""
    features = []
    for i, road in enumerate(grid.roads):
        plan = np.array([grid.plan_xy(*road.a), grid.plan_xy(*road.b)])
        metres = warp(plan)
        coords = np.round(to_lonlat(metres, CENTER), 6).tolist()
        features.append({
            "type": "Feature",
            "properties": {"id": f"road.{i + 1}", "name": road.name, "kind": road.kind,
                           "speed_kmh": road.speed_kmh,
                           "length_m": round(float(np.hypot(*(metres[1] - metres[0]))), 1)},
            "geometry": {"type": "LineString", "coordinates": coords},
        })
    return features


def write_roads(grid: StreetGrid, path: Path) -> None:
    collection = {"type": "FeatureCollection", "name": "roads",
                  "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                  "features": road_features(grid)}
    path.write_text(json.dumps(collection, separators=(",", ":")) + "\n")


def river_polygon(grid: StreetGrid, half_width: float = 68.0) -> np.ndarray:
    """The river as a closed outline in WGS 84, a little wider than the grid."""
    x0, _ = grid.plan_xy(-2, 0)
    x1, _ = grid.plan_xy(grid.params.cols + 1, 0)
    x = np.linspace(x0, x1, 200)
    y = river_offset(x)
    north = np.column_stack((x, y + half_width))
    south = np.column_stack((x, y - half_width))[::-1]
    return lonlat(np.vstack((north, south, north[:1])))


def _branch_coords(net: Network, b: int) -> np.ndarray:
    shape = net.branches.geometry.get(b)
    if shape is not None:
        return np.array(shape)
    ends = net.branches.from_bus[b], net.branches.to_bus[b]
    return np.column_stack((net.buses.x[list(ends)], net.buses.y[list(ends)]))


def draw_network(ax: Any, net: Network) -> None:
    """Mains bold and laterals thin in each feeder's colour; ties dashed."""
    colours = [plt.get_cmap("tab20")(i) for i in range(20)]
    feeder_colour: dict[str, Any] = {}
    for b, bid in enumerate(net.branches.ids):
        match = re.match(r"line\.(s\d+f\d+)(m|l)", bid)
        if bid.startswith("line.tie."):
            xy = _branch_coords(net, b)
            ax.plot(xy[:, 0], xy[:, 1], color="#d62728", lw=1.2, ls=(0, (3, 2)), zorder=4)
        elif match:
            colour = feeder_colour.setdefault(match[1], colours[len(feeder_colour) % 20])
            xy = _branch_coords(net, b)
            main = match[2] == "m"
            ax.plot(xy[:, 0], xy[:, 1], color=colour, lw=2.4 if main else 1.0,
                    zorder=5 if main else 3, solid_capstyle="round")


def draw_devices(ax: Any, net: Network, critical: dict[str, str]) -> None:
    """Substations, reclosers, fuses, switches, ties, transformers and critical customers."""
    d = net.devices
    at = net.branches.to_bus[d.branch]
    x, y = net.buses.x[at], net.buses.y[at]
    kinds = np.array([str(DEVICE_KINDS[k]) for k in d.kind])
    styles = {"recloser": ("^", "#000000", 38, "recloser"), "fuse": ("o", "#ff7f0e", 9, "fuse"),
              "switch": ("s", "#1f77b4", 16, "sectionalizing switch")}
    for kind, (marker, colour, size, label) in styles.items():
        mask = (kinds == kind) & ~d.normally_open
        ax.scatter(x[mask], y[mask], marker=marker, c=colour, s=size, zorder=7, label=label,
                   linewidths=0)
    ties = np.flatnonzero(d.normally_open)
    mid = [_branch_coords(net, int(d.branch[t])) for t in ties]
    ax.scatter([m[len(m) // 2, 0] for m in mid], [m[len(m) // 2, 1] for m in mid], marker="o",
               facecolors="white", edgecolors="#d62728", s=28, zorder=8, label="normally-open tie")
    c = net.customers
    ax.scatter(c.x, c.y, s=0.4, c="#7f7f7f", zorder=2, linewidths=0, label="service point")
    crit = np.array([net.customer_index(i) for i in critical])
    ax.scatter(c.x[crit], c.y[crit], marker="*", s=70, c="#d62728", edgecolors="black",
               linewidths=0.4, zorder=9, label="critical customer")
    for cid, role in critical.items():
        if role != "life-support customer":
            i = net.customer_index(cid)
            ax.annotate(role, (c.x[i], c.y[i]), xytext=(6, 4), textcoords="offset points",
                        fontsize=7, zorder=10, bbox={"boxstyle": "round,pad=0.2", "fc": "white",
                                                     "ec": "#d62728", "lw": 0.5})
    for s, sid in enumerate(net.sources.ids):
        bus = net.sources.bus[s]
        ax.scatter(net.buses.x[bus], net.buses.y[bus], marker="s", s=150, c="#222222", zorder=11,
                   label="substation" if s == 0 else None)
        ax.annotate(f"{net.sources.substation[s]} ({sid})", (net.buses.x[bus], net.buses.y[bus]),
                    xytext=(8, -12), textcoords="offset points", fontsize=8, weight="bold",
                    zorder=11)


def draw_streets(ax: Any, grid: StreetGrid) -> None:
    """Land, river, streets (arterials wider and named)."""
    river = river_polygon(grid)
    ax.fill(river[:, 0], river[:, 1], color="#aad3df", zorder=0)
    mid = river[len(river) // 4]
    ax.text(mid[0], mid[1], RIVER_NAME, color="#2b6f8a", fontsize=9, style="italic",
            ha="center", va="center", zorder=1)
    named: set[str] = set()
    for road in grid.roads:
        xy = lonlat(np.array([grid.plan_xy(*road.a), grid.plan_xy(*road.b)]))
        major = road.kind != "local"
        ax.plot(xy[:, 0], xy[:, 1], color="#c9c2b5" if major else "#dcd6cc",
                lw=3.2 if major else 1.4, zorder=1, solid_capstyle="round")
        label = road.name.split(" ", 1)[1]
        if major and label not in named and road.kind == "arterial" and _label_here(road, grid):
            named.add(label)
            angle = np.degrees(np.arctan2(*(xy[1] - xy[0])[::-1]))
            angle = angle - 180 if angle > 90 else angle + 180 if angle < -90 else angle
            ax.text(*xy.mean(axis=0), label, fontsize=6.5, color="#555555", rotation=angle,
                    rotation_mode="anchor", ha="center", va="bottom", zorder=6)


def _label_here(road: Any, grid: StreetGrid) -> bool:
    """Name avenues near the top edge and boulevards near the east edge."""
    (c, r), p = road.a, grid.params
    return bool(r == p.rows - 3) if road.a[0] == road.b[0] else bool(c == p.cols - 3)


def render(territory: Territory, path: Path) -> None:
    """The utility map: streets, river, feeders, devices and critical customers."""
    fig, ax = plt.subplots(figsize=(11, 12), dpi=100)
    ax.set_facecolor("#f2efe9")
    draw_streets(ax, territory.grid)
    draw_network(ax, territory.network)
    draw_devices(ax, territory.network, territory.critical)
    ax.set_aspect(1 / np.cos(np.radians(CENTER[1])))
    ax.set_title("Sample territory: 2 substations, 16 feeders, ~6,000 customers (seed "
                 f"{TerritoryParams().seed})", fontsize=11)
    ax.legend(loc="lower right", fontsize=7, framealpha=0.9, markerscale=1.5)
    ax.tick_params(labelsize=7)
    ax.ticklabel_format(useOffset=False)
    ax.set_xlabel("longitude (WGS 84)", fontsize=8)
    ax.set_ylabel("latitude", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> int:
    territory = make_territory()
    net = territory.network
    save_network(net, HERE / "territory.gpkg")
    write_roads(territory.grid, HERE / "roads.geojson")
    render(territory, HERE / "territory.png")
    kinds = Counter(str(DEVICE_KINDS[k]) for k in net.devices.kind)
    print(f"{len(net.customers.ids)} customers, {int(net.customers.critical.sum())} critical, "
          f"{len(net.sources.ids)} substations, {kinds['breaker']} feeders, {dict(kinds)}, "
          f"{len(territory.grid.roads)} road segments", file=sys.stderr)
    for cid, role in sorted(territory.critical.items()):
        if role != "life-support customer":
            print(f"  {cid}: {role}, {net.customer(cid).address}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
