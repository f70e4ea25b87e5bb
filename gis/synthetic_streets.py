"""A generated street grid for the sample territory: avenues, streets, a river, bridges.

The grid is laid out in "plan" metres (avenues every `block_x_m`, streets every
`block_y_m`), then bent by a smooth warp so it looks surveyed rather than drawn
with a ruler. A river meanders east–west through the middle; intersections in
the water are dropped and the only crossings are the bridges on chosen
avenues, so a crew's shortest path has to use them.

Plan coordinates are what the territory layout works in (streets are straight
there); `warp` maps any plan point to the local metres of the map.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from gis.model import FloatArray


@dataclass(frozen=True, slots=True)
class StreetParams:
    """Extent and spacing of the grid (columns are avenues, rows are streets)."""

    cols: int = 17  # avenues, west to east
    rows: int = 31  # streets, south to north; the middle row is the river's axis
    block_x_m: float = 140.0
    block_y_m: float = 100.0
    arterial_every: int = 4  # every 4th avenue is an arterial
    bridges: tuple[int, ...] = (4, 12)  # avenues that cross the river
    river_half_width_m: float = 75.0
    arterial_rows: tuple[int, ...] = (7, 23)  # east–west arterials (the substations' rows)
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Road:
    """One segment between two adjacent intersections."""

    a: tuple[int, int]  # (col, row)
    b: tuple[int, int]
    name: str
    kind: str  # arterial | local | bridge
    speed_kmh: float


@dataclass(frozen=True, slots=True)
class StreetGrid:
    """Intersections that exist on land, and the road segments between them."""

    params: StreetParams
    land: np.ndarray  # (cols, rows) bool: the intersection exists
    roads: list[Road] = field(repr=False)

    def plan_xy(self, col: float, row: float) -> tuple[float, float]:
        """Plan metres of a (possibly fractional) grid position, centred on the grid."""
        p = self.params
        return ((col - (p.cols - 1) / 2) * p.block_x_m, (row - (p.rows - 1) / 2) * p.block_y_m)

    def side(self, row: int) -> str:
        """N or S of the river."""
        return "N" if row > (self.params.rows - 1) // 2 else "S"


def warp(xy: FloatArray) -> FloatArray:
    """Bend plan metres into map metres: a slow sway, a shear and a gentle rotation."""
    xy = np.asarray(xy, dtype=np.float64)
    x, y = xy[..., 0], xy[..., 1]
    wx = x + 110.0 * np.sin(y / 850.0) + 0.06 * y
    wy = y + 80.0 * np.sin(x / 650.0 + 0.5)
    turn = math.radians(-9.0)
    c, s = math.cos(turn), math.sin(turn)
    out: FloatArray = np.stack((c * wx - s * wy, s * wx + c * wy), axis=-1)
    return out


def river_offset(x: FloatArray | float) -> FloatArray:
    """North–south offset (plan metres) of the river's centre line at plan x."""
    out: FloatArray = 70.0 * np.sin(np.asarray(x) / 520.0) + 35.0 * np.sin(np.asarray(x) / 210.0
                                                                            + 1.0)
    return out


def make_grid(params: StreetParams | None = None) -> StreetGrid:
    """Intersections on land and the segments joining grid neighbours (bridges included)."""
    p = params or StreetParams()
    grid = StreetGrid(p, np.zeros((p.cols, p.rows), dtype=bool), [])
    cols, rows = np.meshgrid(np.arange(p.cols), np.arange(p.rows), indexing="ij")
    x, y = grid.plan_xy(cols, rows)  # type: ignore[arg-type]
    grid.land[:] = np.abs(np.asarray(y) - river_offset(x)) > p.river_half_width_m
    grid.roads.extend(_avenue_segments(grid))
    grid.roads.extend(_street_segments(grid))
    return grid


def _avenue_segments(grid: StreetGrid) -> list[Road]:
    """North–south segments; the gap over the river is spanned only on bridge avenues."""
    p, out = grid.params, []
    for c in range(p.cols):
        on_land = [r for r in range(p.rows) if grid.land[c, r]]
        arterial = c % p.arterial_every == 0
        for r0, r1 in itertools.pairwise(on_land):
            crosses = r1 - r0 > 1
            if crosses and c not in p.bridges:
                continue
            kind = "bridge" if crosses else ("arterial" if arterial else "local")
            speed = 40.0 if crosses else (50.0 if arterial else 30.0)
            out.append(Road((c, r0), (c, r1), avenue_name(grid, c, r1), kind, speed))
    return out


def _street_segments(grid: StreetGrid) -> list[Road]:
    """East–west segments between neighbouring intersections that are both on land."""
    p, out = grid.params, []
    for r in range(p.rows):
        arterial = r in p.arterial_rows
        for c in range(p.cols - 1):
            if grid.land[c, r] and grid.land[c + 1, r]:
                out.append(Road((c, r), (c + 1, r), street_name(grid, r, c + 1),
                                "arterial" if arterial else "local", 50.0 if arterial else 30.0))
    return out


# Named avenues (arterials); the rest are numbered outward from the baseline avenue.
_AVENUES = {0: "Delmar", 4: "Union", 8: "Grand", 12: "Lincoln", 16: "Meridian"}
_NORTH = ("Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Glisan", "Broadway",
          "Holly", "Ivy", "Juniper", "Knott", "Laurel", "Maple", "Oak", "Pine")
_SOUTH = ("Ash", "Belmont", "Clay", "Division", "Evans", "Franklin", "Grant", "Hawthorne",
          "Harrison", "Irving", "Jackson", "Kelly", "Lambert", "Morrison", "Nehalem", "Ogden")


def quadrant(grid: StreetGrid, col: float, row: int) -> str:
    """Portland-style prefix: N or S of the river, E or W of the baseline avenue."""
    east = "E" if col >= (grid.params.cols - 1) / 2 else "W"
    return grid.side(row) + east


def avenue_name(grid: StreetGrid, col: int, row: int) -> str:
    """``NE Union Ave``, ``SW 14th Ave``."""
    base = (grid.params.cols - 1) // 2
    name = _AVENUES.get(col) or _ordinal(abs(col - base) * 3 + (1 if col > base else 2))
    return f"{quadrant(grid, col, row)} {name} Ave"


def street_name(grid: StreetGrid, row: int, col: float) -> str:
    """``NE Alder St``: names run outward from the river on each side."""
    axis = (grid.params.rows - 1) // 2
    names = _NORTH if row > axis else _SOUTH
    name = names[(abs(row - axis) - 1) % len(names)]
    kind = "Blvd" if row in grid.params.arterial_rows else "St"
    return f"{quadrant(grid, col, row)} {name} {kind}"


def house_number(grid: StreetGrid, col: float, north_side: bool) -> int:
    """Numbers rise 100 per block away from the baseline; even on the north side."""
    base = (grid.params.cols - 1) / 2
    n = int(abs(col - base) * 100) + 100
    return n + (n % 2) if north_side else n + 1 - (n % 2)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
