"""The network's geometry for the maps: feeders, devices, sources (no customers)."""

from __future__ import annotations

import gzip
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from gis import Network, Topology
from gis.io.schema import network_to_layers
from web.auth import CONTROL_ROOM, require_role

bp = Blueprint("network", __name__, url_prefix="/api")
_building = threading.Lock()


def network_geojson(network: Network) -> bytes:
    """Branches (with index and feeder), devices and sources as one FeatureCollection."""
    layers = network_to_layers(network)
    topology = Topology(network)
    features: list[dict[str, Any]] = []
    for i, row in enumerate(layers["branches"]):
        if not row["geometry"]:
            continue
        feeder = topology.feeder(int(network.branches.to_bus[i]))
        features.append(_feature("LineString", row["geometry"],
                                 {"layer": "branch", "i": i, "id": row["id"], "kind": row["kind"],
                                  "feeder": feeder}))
    for layer in ("devices", "sources"):
        for row in layers[layer]:
            if row["geometry"]:
                props = {k: v for k, v in row.items() if k != "geometry"}
                features.append(_feature("Point", row["geometry"],
                                         {"layer": layer[:-1], **props}))
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":")).encode()


def _feature(kind: str, coordinates: Any, props: dict[str, Any]) -> dict[str, Any]:
    if kind == "LineString":
        coordinates = [[round(x, 6), round(y, 6)] for x, y in coordinates]
    else:
        coordinates = [round(coordinates[0], 6), round(coordinates[1], 6)]
    return {"type": "Feature", "geometry": {"type": kind, "coordinates": coordinates},
            "properties": props}


@bp.get("/network.geojson")
@require_role(*CONTROL_ROOM, "crew")
def get_network() -> Response:
    response = _geojson(_network_bodies(current_app))
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _network_bodies(app: Flask) -> tuple[bytes, bytes]:
    # Built once per app (the network does not change while serving); a dashboard that
    # asks while `warm` builds it waits for that build rather than making another.
    with _building:
        cache = app.extensions.setdefault("oms_geojson", {})
        if "network" not in cache:
            cache["network"] = _both(network_geojson(app.extensions["oms_live"].network))
        bodies: tuple[bytes, bytes] = cache["network"]
    return bodies


def warm(app: Flask) -> None:
    """Build the map's GeoJSON now, on a thread of its own, so the first dashboard does
    not wait for it (seconds for a million customers)."""
    threading.Thread(target=_network_bodies, args=(app,), name="map-geojson",
                     daemon=True).start()


def _both(body: bytes) -> tuple[bytes, bytes]:
    """The body as it is and gzipped: a large utility's network is tens of megabytes of
    GeoJSON, a sixth of that compressed, and every dashboard downloads it."""
    return body, gzip.compress(body, compresslevel=6, mtime=0)


def _geojson(bodies: tuple[bytes, bytes]) -> Response:
    plain, packed = bodies
    if request.accept_encodings.quality("gzip") > 0:
        response = Response(packed, mimetype="application/geo+json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(plain, mimetype="application/geo+json")
    response.headers["Vary"] = "Accept-Encoding"
    return response


@bp.get("/roads.geojson")
def get_roads() -> Response:
    """The street basemap (public: streets are not personal data)."""
    path = current_app.config.get("ROADS")
    if not path or not Path(path).exists():
        return Response(b'{"type":"FeatureCollection","features":[]}',
                        mimetype="application/geo+json")
    response = _geojson(_roads(str(path)))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@lru_cache(maxsize=2)
def _roads(path: str) -> tuple[bytes, bytes]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    for feature in data.get("features", []):
        props = feature.get("properties", {})
        feature["properties"] = {"name": props.get("name"), "kind": props.get("kind")}
        feature["geometry"]["coordinates"] = [[round(x, 6), round(y, 6)] for x, y in
                                              feature["geometry"]["coordinates"]]
    return _both(json.dumps(data, separators=(",", ":")).encode())
