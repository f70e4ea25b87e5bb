"""Road graphs from GeoJSON, and the committed sample road network."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from gis.errors import NetworkFormatError
from gis.roads import load_roads, nearest_road_node

ROADS = Path(__file__).parents[2] / "sample_data" / "roads.geojson"


def _write(tmp_path: Path, features: list[dict[str, object]]) -> Path:
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _road(a: tuple[float, float], b: tuple[float, float], length: float = 100.0,
          speed: float = 36.0) -> dict[str, object]:
    return {"type": "Feature", "properties": {"length_m": length, "speed_kmh": speed},
            "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]}}


def test_segments_sharing_ends_share_nodes(tmp_path: Path) -> None:
    """Two segments meeting at a point make a 3-node path with travel times."""
    graph = load_roads(_write(tmp_path, [_road((0, 0), (0.001, 0)), _road((0.001, 0), (0.002, 0))]))
    assert graph.number_of_nodes() == 3 and graph.number_of_edges() == 2
    a = nearest_road_node(graph, -0.0001, 0.0)
    b = nearest_road_node(graph, 0.0021, 0.0)
    assert nx.shortest_path_length(graph, a, b, weight="travel_s") == pytest.approx(20.0)
    assert graph.nodes[b]["lon"] == pytest.approx(0.002)


def test_bad_segment_names_feature(tmp_path: Path) -> None:
    """A segment without a positive speed is refused, naming the feature."""
    path = _write(tmp_path, [_road((0, 0), (1, 0)), _road((1, 0), (2, 0), speed=0)])
    with pytest.raises(NetworkFormatError, match="feature 2: speed_kmh"):
        load_roads(path)


def test_not_geojson_is_refused(tmp_path: Path) -> None:
    """A file that is not a FeatureCollection raises NetworkFormatError."""
    path = tmp_path / "roads.geojson"
    path.write_text("[1, 2, 3]")
    with pytest.raises(NetworkFormatError, match="features"):
        load_roads(path)


def test_sample_roads_connected_with_bridges() -> None:
    """The sample road network is one connected graph that crosses the river on bridges."""
    graph = load_roads(ROADS)
    assert graph.number_of_nodes() > 300
    assert nx.is_connected(graph)
    kinds = {data["kind"] for _, _, data in graph.edges(data=True)}
    assert {"arterial", "local", "bridge"} <= kinds
    assert all(d["length_m"] > 0 and d["speed_kmh"] > 0 for _, _, d in graph.edges(data=True))
