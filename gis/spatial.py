"""Place a reported location on the network: the nearest service point, within a tolerance.

A caller's address is geocoded to coordinates (WGS 84 lon/lat) or arrives in the
network's own coordinate system (x/y). Distances are measured in metres: a
geographic network is projected to an azimuthal equidistant plane centred on it;
a projected network uses its own unit converted to metres; a local-plane network
(no CRS, like the IEEE test feeders) measures in its own units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from gis.errors import NetworkError
from gis.model import FloatArray, Network

WGS84 = "EPSG:4326"


@dataclass(frozen=True, slots=True)
class NearestServicePoint:
    """A customer found near a location, and how far away it is (metres or local units)."""

    customer: int
    customer_id: str
    distance: float


class ServicePointIndex:
    """R-tree (shapely STRtree) over the service points of a network."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self._to_plane, self._from_wgs84, self.unit = _planes(network)
        x, y = self._to_plane(network.customers.x, network.customers.y)
        known = np.isfinite(x) & np.isfinite(y)
        self._customers = np.flatnonzero(known)
        self._tree = shapely.STRtree(shapely.points(x[known], y[known]))

    def nearest(
        self, location: Mapping[str, float], max_distance: float
    ) -> NearestServicePoint | None:
        """The service point nearest `location` ({lon, lat} or {x, y}), if within range."""
        px, py = self.to_plane(location)
        hits, distances = self._tree.query_nearest(
            shapely.Point(px, py),
            max_distance=max_distance,
            return_distance=True,
            all_matches=False,
        )
        if len(hits) == 0:
            return None
        customer = int(self._customers[hits[0]])
        return NearestServicePoint(
            customer, self.network.customers.ids[customer], float(distances[0])
        )

    def to_plane(self, location: Mapping[str, float]) -> tuple[float, float]:
        """Project a location into the index's metric (or local) plane."""
        if "lon" in location and "lat" in location:
            if self._from_wgs84 is None:
                raise NetworkError(
                    f"network {self.network.name!r} has no coordinate reference system, so "
                    "lon/lat cannot be placed on it: give x/y in the network's own units"
                )
            lon, lat = float(location["lon"]), float(location["lat"])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise NetworkError(f"location lon={lon}, lat={lat} is not on Earth")
            x, y = self._from_wgs84(lon, lat)
            return float(x), float(y)
        if "x" in location and "y" in location:
            xs, ys = self._to_plane(np.array([location["x"]]), np.array([location["y"]]))
            return float(xs[0]), float(ys[0])
        raise NetworkError("a location needs lon and lat, or x and y")


class _Projector:
    """Network coordinates -> plane, vectorised."""

    def __init__(self, transformer: pyproj.Transformer | None, scale: float) -> None:
        self._transformer = transformer
        self._scale = scale

    def __call__(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        px, py = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if self._transformer is not None:
            px, py = self._transformer.transform(px, py)
        return np.asarray(px) * self._scale, np.asarray(py) * self._scale


class _FromWgs84:
    def __init__(self, transformer: pyproj.Transformer, scale: float) -> None:
        self._transformer = transformer
        self._scale = scale

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self._transformer.transform(lon, lat)
        return x * self._scale, y * self._scale


def _planes(network: Network) -> tuple[_Projector, _FromWgs84 | None, str]:
    if network.crs is None:
        # A unit named for people: "150 local units", "150 ft".
        unit = "local units" if network.units == "local" else network.units
        return _Projector(None, 1.0), None, unit
    crs = pyproj.CRS.from_user_input(network.crs)
    if crs.is_geographic:
        lon0, lat0 = _centre(network)
        plane = pyproj.CRS.from_proj4(f"+proj=aeqd +lon_0={lon0} +lat_0={lat0} +units=m")
        to_plane = pyproj.Transformer.from_crs(crs, plane, always_xy=True)
        from_wgs = pyproj.Transformer.from_crs(WGS84, plane, always_xy=True)
        return _Projector(to_plane, 1.0), _FromWgs84(from_wgs, 1.0), "m"
    scale = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    from_wgs = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    return _Projector(None, scale), _FromWgs84(from_wgs, scale), "m"


def _centre(network: Network) -> tuple[float, float]:
    x, y = network.buses.x, network.buses.y
    known = np.isfinite(x) & np.isfinite(y)
    if not known.any():
        return 0.0, 0.0
    lon, lat = float(np.median(x[known])), float(np.median(y[known]))
    return (lon, lat) if math.isfinite(lon) and math.isfinite(lat) else (0.0, 0.0)
