"""Placing reported locations on the network."""

from __future__ import annotations

import pyproj
import pytest

from gis import Network, NetworkBuilder, NetworkError
from gis.spatial import ServicePointIndex


def test_nearest_service_point_in_metres(feeder: Network) -> None:
    """A lon/lat a few metres from c3's meter finds c3, with the distance in metres."""
    index = ServicePointIndex(feeder)
    hit = index.nearest({"lon": 0.02101, "lat": 0.00101}, max_distance=50)
    assert hit is not None
    assert hit.customer_id == "c3"
    assert 0.5 < hit.distance < 3.0  # 0.00001° is about 1.1 m at the equator
    assert index.unit == "m"


def test_nothing_within_tolerance_gives_none(feeder: Network) -> None:
    """A location far from every service point is not forced onto one."""
    index = ServicePointIndex(feeder)
    assert index.nearest({"lon": 0.5, "lat": 0.5}, max_distance=200) is None


@pytest.mark.parametrize(("units", "said"), [("ft", "ft"), ("local", "local units")])
def test_local_plane_network_uses_its_own_units(units: str, said: str) -> None:
    """IEEE-style networks with no CRS take x/y and refuse lon/lat with a clear reason;
    distances are said in their unit ("local units" when the model names none)."""
    b = NetworkBuilder("local", units=units)
    b.add_bus("a", 0, 0)
    b.add_bus("b", 100, 0)
    b.add_branch("line.ab", "line", "a", "b")
    b.add_customer("load.x", "b")
    b.add_source("vsource.s", "a")
    index = ServicePointIndex(b.build())
    assert index.unit == said
    hit = index.nearest({"x": 103, "y": 4}, max_distance=10)
    assert hit is not None and hit.customer_id == "load.x" and hit.distance == pytest.approx(5)
    with pytest.raises(NetworkError, match="no coordinate reference system"):
        index.nearest({"lon": -122.6, "lat": 45.5}, max_distance=10)


def test_projected_network_accepts_wgs84() -> None:
    """A network in UTM metres places a WGS 84 report correctly."""
    b = NetworkBuilder("utm", crs="EPSG:32610", units="m")
    b.add_bus("a", 525_000, 5_040_000)
    b.add_bus("b", 525_100, 5_040_000)
    b.add_branch("line.ab", "line", "a", "b")
    b.add_customer("m1", "a")
    b.add_customer("m2", "b")
    b.add_source("s", "a")
    index = ServicePointIndex(b.build())
    to_wgs84 = pyproj.Transformer.from_crs("EPSG:32610", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(525_098, 5_040_003)
    hit = index.nearest({"lon": lon, "lat": lat}, max_distance=100)
    assert hit is not None and hit.customer_id == "m2"


def test_bad_location_is_refused(feeder: Network) -> None:
    """A location without coordinates, or off the Earth, is an error that says so."""
    index = ServicePointIndex(feeder)
    with pytest.raises(NetworkError, match="lon and lat, or x and y"):
        index.nearest({"street": 1}, max_distance=10)  # type: ignore[dict-item]
    with pytest.raises(NetworkError, match="not on Earth"):
        index.nearest({"lon": 500, "lat": 0}, max_distance=10)
