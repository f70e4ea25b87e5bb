"""Travel-time models."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from dispatch.errors import DispatchError
from dispatch.generate import default_points
from dispatch.problem import Point
from dispatch.travel import GreatCircleTravel, RoadNetworkTravel, TravelTimes


def test_great_circle_one_degree_of_latitude() -> None:
    """One degree of latitude is ~111.2 km: at 60 km/h without detour, ~111.2 minutes."""
    m = GreatCircleTravel(60.0, 1.0).matrix([Point(0, 0), Point(0, 1)])
    assert m[0, 1] == pytest.approx(111.19, abs=0.05)
    assert m[0, 0] == 0.0


def test_detour_and_speed_scale_the_time() -> None:
    """Doubling the detour doubles the time; doubling the speed halves it."""
    pts = [Point(-122.6, 45.5), Point(-122.7, 45.55)]
    base = GreatCircleTravel(40.0, 1.0).matrix(pts)[0, 1]
    assert GreatCircleTravel(40.0, 2.0).matrix(pts)[0, 1] == pytest.approx(2 * base)
    assert GreatCircleTravel(80.0, 1.0).matrix(pts)[0, 1] == pytest.approx(base / 2)
    with pytest.raises(DispatchError):
        GreatCircleTravel(0.0)


def test_matrix_for_hundreds_of_points_is_square_and_symmetric() -> None:
    """500 points give a 500 x 500 symmetric, non-negative matrix."""
    m = GreatCircleTravel().matrix(default_points(3, count=500))
    assert m.shape == (500, 500)
    assert np.allclose(m, m.T) and (m >= 0).all()


def _grid() -> nx.Graph:
    g = nx.grid_2d_graph(5, 5)
    for x, y in g.nodes:
        g.nodes[(x, y)].update(lon=-122.6 + x * 0.01, lat=45.5 + y * 0.01)
    for u, v in g.edges:
        g.edges[u, v].update(length_m=1000.0, speed=60.0)
    return nx.convert_node_labels_to_integers(g)


def test_road_network_follows_the_grid() -> None:
    """On a grid of 1 km edges at 60 km/h, opposite corners are 8 minutes apart."""
    travel = RoadNetworkTravel.from_graph(_grid())
    assert isinstance(travel, TravelTimes)
    m = travel.matrix([Point(-122.6, 45.5), Point(-122.56, 45.54)])
    assert m[0, 1] == pytest.approx(8.0, abs=1e-6)
    assert travel.cached_origins() == 2
    travel.matrix([Point(-122.6, 45.5)])
    assert travel.cached_origins() == 2


def test_road_network_adds_the_access_leg() -> None:
    """A point off the graph pays the access leg to its nearest node."""
    travel = RoadNetworkTravel.from_graph(_grid(), access_speed_kmh=15.0)
    off = Point(-122.6, 45.5 - 0.009)  # ~1 km south of the corner node
    m = travel.matrix([off, Point(-122.6, 45.5)])
    assert m[0, 1] == pytest.approx(1.0 / 15.0 * 60.0, rel=0.01)


def test_road_graph_without_lengths_is_rejected() -> None:
    """An edge without length_m is named in the error."""
    g = nx.Graph()
    g.add_node(1, lon=0.0, lat=0.0)
    g.add_node(2, lon=0.0, lat=0.1)
    g.add_edge(1, 2)
    with pytest.raises(DispatchError, match="length_m"):
        RoadNetworkTravel.from_graph(g)
