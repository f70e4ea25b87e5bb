"""The project's schema as GeoPackage and GeoJSON: round trips and broken files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gis import Network, NetworkError, NetworkFormatError
from gis.io import load_network, save_network
from gis.io.schema import network_to_layers


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_round_trip_keeps_every_element(feeder: Network, tmp_path: Path, suffix: str) -> None:
    """Writing then reading gives back the same elements, states, counts and CRS."""
    path = tmp_path / f"net{suffix}"
    save_network(feeder, path)
    again = load_network(path)
    assert again.name == feeder.name and again.crs == feeder.crs
    assert network_to_layers(again) == network_to_layers(feeder)
    assert np.array_equal(again.customers.critical, feeder.customers.critical)


def _geojson(tmp_path: Path, feeder: Network, edit: callable) -> Path:  # type: ignore[valid-type]
    path = tmp_path / "net.geojson"
    save_network(feeder, path)
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))
    return path


def _feature(document: dict, layer: str, feature_id: str) -> dict:  # type: ignore[type-arg]
    return next(
        f["properties"]
        for f in document["features"]
        if f["properties"]["layer"] == layer and f["properties"]["id"] == feature_id
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: _feature(d, "branches", "line.l2").update(to_bus="b99"),
            "branch 'line.l2': to_bus 'b99' is not a bus",
        ),
        (lambda d: _feature(d, "customers", "c2").update(id="c1"), "customer 'c1': duplicate id"),
        (
            lambda d: _feature(d, "devices", "fuse.f1").update(kind="fusible"),
            "device 'fuse.f1': kind 'fusible' is unknown",
        ),
        (
            lambda d: _feature(d, "devices", "fuse.f1").update(branch="line.zz"),
            "device 'fuse.f1': branch 'line.zz' is not a branch",
        ),
        (lambda d: _feature(d, "customers", "c4").update(count=-2), "customer 'c4': count -2"),
        (lambda d: d["oms"].update(crs="EPSG:999999"), "crs 'EPSG:999999' cannot be resolved"),
        (
            lambda d: _feature(d, "branches", "line.l3").pop("from_bus"),
            "layer 'branches' row 4: from_bus missing",
        ),
    ],
)
def test_broken_network_names_record_and_field(
    feeder: Network,
    tmp_path: Path,
    edit: callable,
    message: str,  # type: ignore[valid-type]
) -> None:
    """Each defect is reported by record and field, and nothing is loaded."""
    path = _geojson(tmp_path, feeder, edit)
    with pytest.raises(NetworkError, match=message.replace("(", r"\(")):
        load_network(path)


def _without(document: dict, layer: str, field: str | None = None) -> None:  # type: ignore[type-arg]
    """Drop a field from every feature of a layer, or (no field) the layer's features."""
    features = document["features"]
    if field is None:
        document["features"] = [f for f in features if f["properties"]["layer"] != layer]
    for f in features:
        if f["properties"]["layer"] == layer and field is not None:
            f["properties"].pop(field, None)


def test_a_field_no_feature_has_is_reported_row_by_row(feeder: Network, tmp_path: Path) -> None:
    """A GIS export without the branches' kind at all names the field, not a crash."""
    path = _geojson(tmp_path, feeder, lambda d: _without(d, "branches", "kind"))
    with pytest.raises(NetworkError, match="layer 'branches' row 1: kind missing"):
        load_network(path)


def test_a_layer_without_features_is_an_empty_layer(feeder: Network, tmp_path: Path) -> None:
    """A network without devices is read as one (its GeoJSON has no device features)."""
    path = _geojson(tmp_path, feeder, lambda d: _without(d, "devices"))
    network = load_network(path)
    assert len(network.devices.ids) == 0 and len(network.branches.ids) == len(feeder.branches.ids)


def test_every_problem_is_listed_at_once(feeder: Network, tmp_path: Path) -> None:
    """Several defects come back in one message, so a GIS export is fixed in one pass."""

    def edit(document: dict) -> None:  # type: ignore[type-arg]
        _feature(document, "branches", "line.l2").update(to_bus="nowhere")
        _feature(document, "devices", "fuse.f1").update(kind="fusible")

    with pytest.raises(NetworkError) as raised:
        load_network(_geojson(tmp_path, feeder, edit))
    assert "2 problems" in str(raised.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "FeatureCollection", "features": ' + "[" * 100_000, "nested too deeply"),
        ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        (
            '{"type": "FeatureCollection", "features": [{"properties": {"layer": "poles"}}]}',
            "feature 1: properties.layer 'poles'",
        ),
    ],
)
def test_unreadable_geojson(tmp_path: Path, content: str, message: str) -> None:
    """Files that are not our schema are refused with the reason."""
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(NetworkFormatError, match=message):
        load_network(path)


def test_not_a_geopackage(tmp_path: Path) -> None:
    """A file named .gpkg that is not one is refused, and a failed write leaves nothing."""
    path = tmp_path / "bad.gpkg"
    path.write_text("hello")
    with pytest.raises(NetworkFormatError, match="not a readable GeoPackage"):
        load_network(path)
    with pytest.raises(NetworkFormatError, match="unknown network source"):
        load_network(tmp_path / "net.shp")
