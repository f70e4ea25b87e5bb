"""Read and write the project's schema as one GeoJSON FeatureCollection.

Every feature carries its layer in ``properties.layer``; the network record sits
in the collection's ``oms`` member. Coordinates are written as the network holds
them (RFC 7946 expects WGS 84; a local-plane network says so in ``oms.crs``).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from gis import json_input
from gis.errors import NetworkFormatError
from gis.io.schema import (
    LAYERS,
    Row,
    layers_to_network,
    metadata,
    network_to_layers,
    rows_to_columns,
)
from gis.json_input import JsonInputError
from gis.model import Network


def write_geojson(network: Network, path: Path) -> None:
    """Write the network as a FeatureCollection, atomically."""
    features = []
    for layer, rows in network_to_layers(network).items():
        for row in rows:
            props = {k: _plain(v) for k, v in row.items() if k != "geometry"}
            features.append(
                {
                    "type": "Feature",
                    "geometry": _geometry(row["geometry"]),
                    "properties": {"layer": layer, **props},
                }
            )
    document = {"type": "FeatureCollection", "oms": metadata(network), "features": features}
    path = Path(path)
    fd, tmp = tempfile.mkstemp(suffix=".geojson", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, allow_nan=False)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _plain(value: Any) -> Any:
    """NaN (an unknown length) has no JSON spelling: write null."""
    return None if isinstance(value, float) and math.isnan(value) else value


def _geometry(coords: Any) -> dict[str, Any] | None:
    if coords is None:
        return None
    if isinstance(coords, tuple):
        return {"type": "Point", "coordinates": list(coords)}
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


def read_geojson(path: Path) -> Network:
    """Read a FeatureCollection in the project's schema."""
    path = Path(path)
    try:
        document = json_input.loads(path.read_bytes())
    except FileNotFoundError:
        raise NetworkFormatError(f"{path}: no such file") from None
    except JsonInputError as error:
        raise NetworkFormatError(f"{path}: {error}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise NetworkFormatError(f"{path}: not a GeoJSON FeatureCollection")
    layers: dict[str, list[Row]] = {name: [] for name in LAYERS}
    for number, feature in enumerate(document.get("features", []), start=1):
        props = feature.get("properties") or {}
        layer = props.get("layer")
        if layer not in layers:
            raise NetworkFormatError(
                f"{path}: feature {number}: properties.layer {layer!r} is not one of "
                f"{', '.join(LAYERS)}"
            )
        row = {k: v for k, v in props.items() if k != "layer"}
        row["geometry"] = _coords(feature.get("geometry"))
        layers[layer].append(row)
    columns = {name: rows_to_columns(rows) for name, rows in layers.items()}
    return layers_to_network(document.get("oms") or {}, columns, str(path))


def _coords(geometry: dict[str, Any] | None) -> Any:
    if not geometry:
        return None
    coords = geometry.get("coordinates") or []
    if geometry.get("type") == "Point":
        return (float(coords[0]), float(coords[1]))
    return [(float(c[0]), float(c[1])) for c in coords]
