"""The project's own network schema: five layers and a metadata record.

This is the format ``oms network import`` writes (GeoPackage or GeoJSON) and a
utility can export from its GIS; `docs/network-schema.md` documents it for people.
Both file formats go through `network_to_layers` / `layers_to_network`, an
inverse pair, so they cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from gis.builder import NetworkBuilder
from gis.errors import NetworkFormatError
from gis.model import BRANCH_KINDS, DEVICE_KINDS, Network

SCHEMA_VERSION = 1

# Layer -> (required fields, optional fields with their defaults).
LAYERS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "buses": (("id",), {}),
    "branches": (("id", "kind", "from_bus", "to_bus"), {"length_m": math.nan}),
    "devices": (("id", "kind", "branch"), {"normally_open": False}),
    "customers": (("id", "bus"), {"count": 1, "critical": False, "address": ""}),
    "sources": (("id", "bus"), {"substation": ""}),
}

Coords = list[tuple[float, float]]
Row = dict[str, Any]  # attributes plus "geometry": a point, a list of points, or None


def network_to_layers(network: Network) -> dict[str, list[Row]]:
    """Rows of each layer, geometry as plain coordinates (None where unknown)."""
    buses, branches, devices = network.buses, network.branches, network.devices
    bx, by = buses.x.tolist(), buses.y.tolist()

    def point(bus: int) -> tuple[float, float] | None:
        x, y = bx[bus], by[bus]
        return (x, y) if math.isfinite(x) and math.isfinite(y) else None

    def line(branch: int) -> Coords | None:
        shape = branches.geometry.get(branch)
        if shape is not None:
            return list(shape)
        ends = point(int(branches.from_bus[branch])), point(int(branches.to_bus[branch]))
        return [ends[0], ends[1]] if ends[0] and ends[1] else None

    layers: dict[str, list[Row]] = {name: [] for name in LAYERS}
    layers["buses"] = [{"id": bid, "geometry": point(i)} for i, bid in enumerate(buses.ids)]
    layers["branches"] = [
        {
            "id": bid,
            "kind": str(BRANCH_KINDS[branches.kind[i]]),
            "from_bus": buses.ids[branches.from_bus[i]],
            "to_bus": buses.ids[branches.to_bus[i]],
            "length_m": float(branches.length_m[i]),
            "geometry": line(i),
        }
        for i, bid in enumerate(branches.ids)
    ]
    layers["devices"] = [
        {
            "id": did,
            "kind": str(DEVICE_KINDS[devices.kind[i]]),
            "branch": branches.ids[devices.branch[i]],
            "normally_open": bool(devices.normally_open[i]),
            # Drawn at the branch's downstream-by-definition end (to_bus).
            "geometry": point(int(branches.to_bus[devices.branch[i]])),
        }
        for i, did in enumerate(devices.ids)
    ]
    layers["customers"] = list(_customer_rows(network))
    layers["sources"] = [
        {
            "id": sid,
            "bus": buses.ids[network.sources.bus[i]],
            "substation": network.sources.substation[i],
            "geometry": point(int(network.sources.bus[i])),
        }
        for i, sid in enumerate(network.sources.ids)
    ]
    return layers


def _customer_rows(network: Network) -> Iterator[Row]:
    c = network.customers
    xs, ys = c.x.tolist(), c.y.tolist()
    for i, cid in enumerate(c.ids):
        x, y = xs[i], ys[i]
        yield {
            "id": cid,
            "bus": network.buses.ids[c.bus[i]],
            "count": int(c.count[i]),
            "critical": bool(c.critical[i]),
            "address": c.address[i],
            "geometry": (x, y) if math.isfinite(x) and math.isfinite(y) else None,
        }


def metadata(network: Network) -> dict[str, Any]:
    """The network-wide record stored beside the layers."""
    return {
        "schema": "oms-network",
        "version": SCHEMA_VERSION,
        "name": network.name,
        "crs": network.crs,
        "units": network.units,
    }


def layers_to_network(
    meta: Mapping[str, Any], layers: Mapping[str, Sequence[Row]], source: str
) -> Network:
    """Build a network from layer rows; errors name the file, layer, row and field."""
    builder = NetworkBuilder(
        str(meta.get("name") or source), crs=meta.get("crs") or None, units=meta.get("units", "m")
    )
    for layer in LAYERS:
        if layer not in layers:
            raise NetworkFormatError(f"{source}: layer {layer!r} is missing")
    for row in _rows(layers, "buses", source, builder):
        x, y = row["geometry"] if row["geometry"] else (math.nan, math.nan)
        builder.add_bus(row["id"], x, y)
    for row in _rows(layers, "branches", source, builder):
        shape = row["geometry"]
        builder.add_branch(
            row["id"],
            row["kind"],
            row["from_bus"],
            row["to_bus"],
            length_m=_number(row["length_m"]),
            geometry=shape if shape and len(shape) > 2 else None,
        )
    for row in _rows(layers, "devices", source, builder):
        builder.add_device(
            row["id"], row["kind"], row["branch"], normally_open=_flag(row["normally_open"])
        )
    for row in _rows(layers, "customers", source, builder):
        x, y = row["geometry"] if row["geometry"] else (math.nan, math.nan)
        builder.add_customer(
            row["id"],
            row["bus"],
            count=_count(row["count"]),
            critical=_flag(row["critical"]),
            x=x,
            y=y,
            address=str(row["address"] or ""),
        )
    for row in _rows(layers, "sources", source, builder):
        builder.add_source(row["id"], row["bus"], substation=str(row["substation"] or ""))
    return builder.build()


def _rows(
    layers: Mapping[str, Sequence[Row]], layer: str, source: str, builder: NetworkBuilder
) -> Iterator[Row]:
    """Rows with defaults filled; a row missing a required field is reported and skipped."""
    required, optional = LAYERS[layer]
    for number, row in enumerate(layers[layer], start=1):
        filled = dict(optional)
        for key, value in row.items():
            # Blank (None, "" or NaN) fields take their defaults; written out inline
            # because this runs for every field of a million rows.
            if not (value is None or value == ""
                    or (isinstance(value, float) and math.isnan(value))):
                filled[key] = value
        missing = [f for f in required if f not in filled]
        if missing:
            builder.error(f"{source}: layer {layer!r} row {number}: {', '.join(missing)} missing")
            continue
        filled["id"] = str(row["id"])
        filled.setdefault("geometry", None)
        yield filled


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _count(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # anything else: the builder names the bad value


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "open"}
    return bool(value)
