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
Columns = dict[str, list[Any]]  # a layer field by field, "geometry" among them


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
    meta: Mapping[str, Any], layers: Mapping[str, Columns], source: str
) -> Network:
    """Build a network from layer columns; errors name the file, layer, row and field."""
    builder = NetworkBuilder(
        str(meta.get("name") or source), crs=meta.get("crs") or None, units=meta.get("units", "m")
    )
    for layer in LAYERS:
        if layer not in layers:
            raise NetworkFormatError(f"{source}: layer {layer!r} is missing")
    nan = (math.nan, math.nan)
    c = _filled(layers, "buses", source, builder)
    for bus_id, point in zip(c["id"], c["geometry"], strict=True):
        builder.add_bus(bus_id, *(point or nan))
    c = _filled(layers, "branches", source, builder)
    for row in zip(c["id"], c["kind"], c["from_bus"], c["to_bus"], c["length_m"], c["geometry"],
                   strict=True):
        branch_id, kind, from_bus, to_bus, length, shape = row
        builder.add_branch(branch_id, kind, from_bus, to_bus, length_m=_number(length),
                           geometry=shape if shape and len(shape) > 2 else None)
    c = _filled(layers, "devices", source, builder)
    for device_id, kind, branch, normally_open in zip(c["id"], c["kind"], c["branch"],
                                                      c["normally_open"], strict=True):
        builder.add_device(device_id, kind, branch, normally_open=_flag(normally_open))
    c = _filled(layers, "customers", source, builder)
    for customer_id, bus, count, critical, address, point in zip(
        c["id"], c["bus"], c["count"], c["critical"], c["address"], c["geometry"], strict=True
    ):
        x, y = point or nan
        builder.add_customer(customer_id, bus, count=_count(count), critical=_flag(critical),
                             x=x, y=y, address=str(address or ""))
    c = _filled(layers, "sources", source, builder)
    for source_id, bus, substation in zip(c["id"], c["bus"], c["substation"], strict=True):
        builder.add_source(source_id, bus, substation=str(substation or ""))
    return builder.build()


def rows_to_columns(rows: Sequence[Row]) -> Columns:
    """A layer given row by row (GeoJSON features) as columns."""
    names = dict.fromkeys(name for row in rows for name in row)
    return {name: [row.get(name) for row in rows] for name in names}


def _filled(layers: Mapping[str, Columns], layer: str, source: str,
            builder: NetworkBuilder) -> Columns:
    """The layer's fields with blanks (None, "" or NaN) set to their defaults, column by
    column; a row missing a required field is reported and left out."""
    required, optional = LAYERS[layer]
    columns = layers[layer]
    rows = max((len(values) for values in columns.values()), default=0)
    absent = [None] * rows
    missing: dict[int, list[str]] = {}
    for name in required:
        for i, value in enumerate(columns.get(name, absent)):
            if _blank(value):
                missing.setdefault(i, []).append(name)
    for i in sorted(missing):
        builder.error(f"{source}: layer {layer!r} row {i + 1}: {', '.join(missing[i])} missing")
    keep = [i for i in range(rows) if i not in missing] if missing else None

    def kept(values: list[Any]) -> list[Any]:
        return values if keep is None else [values[i] for i in keep]

    out: Columns = {name: kept(columns.get(name, absent)) for name in required}
    out["id"] = [str(v) for v in out["id"]]
    isnan = math.isnan
    for name, default in optional.items():
        # _blank written out: this runs for every field of a million rows.
        out[name] = [default if v is None or v == "" or (isinstance(v, float) and isnan(v))
                     else v for v in kept(columns.get(name, absent))]
    out["geometry"] = kept(columns.get("geometry", absent))
    return out


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


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
