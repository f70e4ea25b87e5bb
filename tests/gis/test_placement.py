"""Networks on the map: local planes, projected CRSs and undrawn networks in lon/lat."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gis import Network, NetworkBuilder, Topology
from gis.placement import on_the_map
from tests.gis.conftest import small_feeder


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two lon/lat points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _chain(crs: str | None, units: str, points: list[tuple[float, float]]) -> Network:
    """sub ─ b1 ─ … along `points` (the first is the substation), a customer at the end."""
    b = NetworkBuilder("chain", crs=crs, units=units)
    names = ["sub", *(f"b{i}" for i in range(1, len(points)))]
    for name, (x, y) in zip(names, points, strict=True):
        b.add_bus(name, x, y)
    for k in range(1, len(names)):
        b.add_branch(f"line.l{k}", "line", names[k - 1], names[k], length_m=100.0)
    b.add_customer("c1", names[-1])
    b.add_source("src", "sub")
    return b.build()


def test_a_lonlat_network_is_itself() -> None:
    network = small_feeder()
    assert on_the_map(network) is network


def test_a_local_plane_keeps_its_shape_and_scale_in_feet() -> None:
    """IEEE-style bus coordinates in feet: 1,000 ft apart on the map is 304.8 m."""
    network = _chain(None, "ft", [(0.0, 0.0), (1000.0, 0.0), (1000.0, 1000.0)])
    placed = on_the_map(network)
    assert placed.crs == "EPSG:4326"
    xy = list(zip(placed.buses.x.tolist(), placed.buses.y.tolist(), strict=True))
    assert _metres(xy[0], xy[1]) == pytest.approx(304.8, rel=1e-3)
    assert _metres(xy[1], xy[2]) == pytest.approx(304.8, rel=1e-3)
    assert xy[2][1] > xy[1][1] and xy[1][0] > xy[0][0]  # north is still up, east right
    # Same elements; the customer without a position sits at its bus.
    assert placed.customers.ids == network.customers.ids
    assert placed.branches.length_m.tolist() == network.branches.length_m.tolist()
    assert (placed.customers.x[0], placed.customers.y[0]) == xy[2]


def test_a_projected_crs_is_transformed() -> None:
    """UTM zone 32N metres near Freiburg come out in lon/lat there."""
    network = _chain("EPSG:32632", "m", [(414_000.0, 5_316_000.0), (414_500.0, 5_316_000.0)])
    placed = on_the_map(network)
    assert 7.8 < placed.buses.x[0] < 7.9 and 47.9 < placed.buses.y[0] < 48.1
    xy = list(zip(placed.buses.x.tolist(), placed.buses.y.tolist(), strict=True))
    assert _metres(xy[0], xy[1]) == pytest.approx(500, rel=5e-3)  # sphere vs ellipsoid


def test_a_bus_without_coordinates_sits_at_its_parent() -> None:
    network = _chain(None, "m", [(0.0, 0.0), (100.0, 0.0), (math.nan, math.nan)])
    placed = on_the_map(network)
    assert (placed.buses.x[2], placed.buses.y[2]) == (placed.buses.x[1], placed.buses.y[1])


def _random_tree(parents: list[int]) -> Network:
    b = NetworkBuilder("undrawn", crs=None, units="local")
    b.add_bus("n0")
    for k, p in enumerate(parents, start=1):
        b.add_bus(f"n{k}")
        b.add_branch(f"line.l{k}", "line", f"n{p % k}", f"n{k}")
        b.add_customer(f"c{k}", f"n{k}")
    b.add_source("src", "n0")
    return b.build()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60))
def test_an_undrawn_network_becomes_a_schematic(parents: list[int]) -> None:
    """Every bus drawn; each one below its parent; no two leaves on the same spot."""
    network = _random_tree(parents)
    placed = on_the_map(network)
    x, y = placed.buses.x, placed.buses.y
    assert np.isfinite(x).all() and np.isfinite(y).all()
    assert (np.abs(x) <= 180).all() and (np.abs(y) <= 90).all()
    topology = Topology(placed)
    for bus in range(1, len(x)):
        assert y[bus] < y[topology.parent_bus[bus]]
    has_child = set(topology.parent_bus[1:].tolist())
    leaves = [(x[b], y[b]) for b in range(len(x)) if b not in has_child]
    assert len(set(leaves)) == len(leaves)
    assert np.isfinite(placed.customers.x).all()


@pytest.mark.parametrize(("crs", "units", "points"), [
    (None, "ft", [(1000.0, 2000.0), (1300.0, 2000.0), (1300.0, 2400.0)]),
    ("EPSG:32610", "m", [(525000.0, 5040000.0), (525100.0, 5040000.0), (525100.0, 5040200.0)]),
])
def test_a_point_in_the_networks_own_coordinates_lands_where_its_bus_is_drawn(
        crs: str | None, units: str, points: list[tuple[float, float]]) -> None:
    """own_to_map places a point given in the network's own coordinates (a caller's
    location) on the map on_the_map draws, exactly where a bus there is drawn."""
    from gis.placement import own_to_map

    network = _chain(crs, units, points)
    drawn = on_the_map(network)
    place = own_to_map(network)
    assert place is not None
    lon, lat = place(network.buses.x, network.buses.y)
    assert np.allclose(lon, drawn.buses.x) and np.allclose(lat, drawn.buses.y)
    assert own_to_map(_chain(None, "ft", [(math.nan, math.nan)] * 3)) is None
