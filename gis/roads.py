"""Road networks for crew travel: a GeoJSON of street segments as a networkx graph.

Contract (what `load_roads` reads): a GeoJSON FeatureCollection in WGS 84 whose
features are LineStrings, one per road segment, with properties ``length_m``
(metres along the segment) and ``speed_kmh``; ``name`` and ``kind`` are kept when
present. Segments that share an end point (to 1e-6 degrees, about 0.1 m) share a
graph node, so the file needs no separate node table.

The graph is undirected; nodes are integers with ``lon``/``lat`` attributes;
edges carry ``length_m``, ``speed_kmh`` and ``travel_s`` (ready as a
shortest-path weight), plus ``name`` and ``kind``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from gis import json_input
from gis.errors import NetworkFormatError
from gis.json_input import JsonInputError

# Shared end points are matched after rounding to this many decimals of a degree.
_NODE_DECIMALS = 6
_METRES_PER_DEGREE = 111_320.0


def load_roads(path: str | Path) -> nx.Graph:
    """Read a road GeoJSON into a graph; errors name the file and feature."""
    path = Path(path)
    try:
        data = json_input.loads(path.read_bytes())
    except (OSError, JsonInputError) as error:
        raise NetworkFormatError(f"{path}: not a readable GeoJSON file ({error})") from error
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise NetworkFormatError(f"{path}: no 'features' list (expected a FeatureCollection)")
    graph = nx.Graph(crs="EPSG:4326")
    nodes: dict[tuple[float, float], int] = {}
    for number, feature in enumerate(features, start=1):
        _add_segment(graph, nodes, feature, f"{path}: feature {number}")
    return graph


def _add_segment(
    graph: nx.Graph, nodes: dict[tuple[float, float], int], feature: Any, where: str
) -> None:
    geometry = (feature or {}).get("geometry") or {}
    props = (feature or {}).get("properties") or {}
    coords = geometry.get("coordinates")
    if geometry.get("type") != "LineString" or not coords or len(coords) < 2:
        raise NetworkFormatError(f"{where}: geometry must be a LineString of 2+ points")
    length, speed = _positive(props, "length_m", where), _positive(props, "speed_kmh", where)
    ends = [_node(graph, nodes, coords[i]) for i in (0, -1)]
    if ends[0] == ends[1]:
        return  # a loop road adds no way between places
    travel = length / (speed / 3.6)
    old = graph.get_edge_data(*ends)
    if old is None or old["travel_s"] > travel:
        graph.add_edge(*ends, length_m=length, speed_kmh=speed, travel_s=travel,
                       name=str(props.get("name") or ""), kind=str(props.get("kind") or ""))


def _positive(props: dict[str, Any], key: str, where: str) -> float:
    value = props.get(key)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise NetworkFormatError(f"{where}: {key} {value!r} is not a positive number")
    return number


def _node(graph: nx.Graph, nodes: dict[tuple[float, float], int], point: Any) -> int:
    key = (round(float(point[0]), _NODE_DECIMALS), round(float(point[1]), _NODE_DECIMALS))
    node = nodes.get(key)
    if node is None:
        node = nodes[key] = len(nodes)
        graph.add_node(node, lon=key[0], lat=key[1])
    return node


def nearest_road_node(graph: nx.Graph, lon: float, lat: float) -> int:
    """The graph node closest to a WGS 84 point (equirectangular distance)."""
    return int(nearest_road_nodes(graph, [lon], [lat])[0])


def nearest_road_nodes(graph: nx.Graph, lons: Any, lats: Any) -> np.ndarray:
    """Vectorised `nearest_road_node` for many points (a KD-tree over the nodes)."""
    from scipy.spatial import cKDTree

    if graph.number_of_nodes() == 0:
        raise ValueError("the road graph has no nodes")
    ids = np.fromiter(graph.nodes, dtype=np.int64)
    lon = np.array([graph.nodes[n]["lon"] for n in ids.tolist()])
    lat = np.array([graph.nodes[n]["lat"] for n in ids.tolist()])
    scale = math.cos(math.radians(float(np.mean(lat))))
    tree = cKDTree(np.column_stack((lon * scale, lat)) * _METRES_PER_DEGREE)
    query = np.column_stack((np.asarray(lons, dtype=float) * scale, np.asarray(lats, dtype=float)))
    _, index = tree.query(query * _METRES_PER_DEGREE)
    out: np.ndarray = ids[index]
    return out
