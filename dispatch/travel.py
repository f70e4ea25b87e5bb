"""Travel-time models: the ``TravelTimes`` plug point and its two implementations.

* :class:`GreatCircleTravel` — great-circle km x road-detour factor / speed (the default).
* :class:`RoadNetworkTravel` — shortest paths on a road graph (networkx, node attrs
  ``lon``/``lat``, edge attrs ``length_m`` and ``speed`` in km/h), computed with scipy's
  Dijkstra from each distinct origin and cached per origin node.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from dispatch.errors import DispatchError
from dispatch.problem import Point

FloatArray = npt.NDArray[np.float64]
EARTH_RADIUS_KM = 6371.0088


@runtime_checkable
class TravelTimes(Protocol):
    """Gives travel times in minutes between points."""

    def matrix(self, points: Sequence[Point]) -> FloatArray:
        """Square matrix of travel minutes; entry [i, j] is from ``points[i]`` to ``points[j]``."""
        ...


def great_circle_km(points: Sequence[Point]) -> FloatArray:
    """Haversine distance matrix in km."""
    lon = np.radians(np.array([p.lon for p in points], dtype=np.float64))
    lat = np.radians(np.array([p.lat for p in points], dtype=np.float64))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    result: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result


@dataclass(frozen=True, slots=True)
class GreatCircleTravel:
    """Great-circle distance x ``detour`` / ``speed_kmh``, in minutes."""

    speed_kmh: float = 40.0
    detour: float = 1.3

    def __post_init__(self) -> None:
        if self.speed_kmh <= 0 or self.detour < 1:
            raise DispatchError(f"travel: speed_kmh must be > 0 and detour >= 1, got {self}")

    def matrix(self, points: Sequence[Point]) -> FloatArray:
        """Travel minutes between every pair of ``points``."""
        result: FloatArray = great_circle_km(points) * self.detour / self.speed_kmh * 60.0
        return result


class RoadNetworkTravel:
    """Shortest road paths; points are snapped to their nearest graph node.

    The leg from a point to its snapped node is driven at ``access_speed_kmh`` over the
    great-circle distance. Results of Dijkstra are cached per origin node, so repeated
    re-plans over the same territory only pay for new locations.
    """

    def __init__(
        self,
        nodes: Sequence[Hashable],
        lonlat: FloatArray,
        graph: csr_matrix,
        access_speed_kmh: float = 15.0,
    ) -> None:
        self._nodes = list(nodes)
        self._lonlat = lonlat
        self._graph = graph
        self._access = access_speed_kmh
        lat0 = float(np.radians(lonlat[:, 1].mean())) if len(lonlat) else 0.0
        self._kx = np.cos(lat0)
        self._tree = cKDTree(np.column_stack([lonlat[:, 0] * self._kx, lonlat[:, 1]]))
        self._cache: dict[int, FloatArray] = {}

    @classmethod
    def from_graph(
        cls, graph: Any, default_speed_kmh: float = 40.0, access_speed_kmh: float = 15.0
    ) -> RoadNetworkTravel:
        """Build from a networkx graph (directed or not) with lon/lat and length_m/speed."""
        nodes = list(graph.nodes)
        if not nodes:
            raise DispatchError("road graph: no nodes")
        index = {n: i for i, n in enumerate(nodes)}
        try:
            lonlat = np.array(
                [[graph.nodes[n]["lon"], graph.nodes[n]["lat"]] for n in nodes], float
            )
        except KeyError as missing:
            raise DispatchError(f"road graph: a node lacks attribute {missing}") from None
        rows, cols, minutes = [], [], []
        for u, v, data in graph.edges(data=True):
            if "length_m" not in data:
                raise DispatchError(f"road graph: edge ({u!r}, {v!r}) lacks length_m")
            speed = float(data.get("speed") or default_speed_kmh)
            t = float(data["length_m"]) / 1000.0 / speed * 60.0
            rows.append(index[u])
            cols.append(index[v])
            minutes.append(max(t, 1e-6))  # csgraph treats 0 as no edge
            if not graph.is_directed():
                rows.append(index[v])
                cols.append(index[u])
                minutes.append(max(t, 1e-6))
        m = csr_matrix((minutes, (rows, cols)), shape=(len(nodes), len(nodes)))
        return cls(nodes, lonlat, m, access_speed_kmh)

    def snap(self, points: Sequence[Point]) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """Nearest graph node of each point and the access minutes to reach it."""
        q = np.array([[p.lon * self._kx, p.lat] for p in points], dtype=np.float64)
        _, idx = self._tree.query(q)
        idx = np.asarray(idx, dtype=np.int64)
        snapped = [Point(float(self._lonlat[i, 0]), float(self._lonlat[i, 1])) for i in idx]
        km = np.array([great_circle_km([p, s])[0, 1] for p, s in zip(points, snapped, strict=True)])
        return idx, km / self._access * 60.0

    def matrix(self, points: Sequence[Point]) -> FloatArray:
        """Travel minutes between every pair of ``points`` along the road graph."""
        if not points:
            return np.zeros((0, 0))
        idx, access = self.snap(points)
        todo = sorted({int(i) for i in idx} - self._cache.keys())
        if todo:
            dist = dijkstra(self._graph, directed=True, indices=todo)
            for row, origin in enumerate(todo):
                self._cache[origin] = dist[row]
        m = np.array([self._cache[int(i)][idx] for i in idx])
        m = m + access[:, None] + access[None, :]
        unreachable = ~np.isfinite(m)
        if unreachable.any():  # a disconnected graph: fall back to the straight-line model
            m[unreachable] = GreatCircleTravel().matrix(points)[unreachable]
        np.fill_diagonal(m, 0.0)
        result: FloatArray = m
        return result

    def cached_origins(self) -> int:
        """How many origin nodes have their shortest-path row cached."""
        return len(self._cache)
