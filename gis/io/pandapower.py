"""Import a pandapower or SimBench network.

`load_pandapower_source` reads ``pandapower:NAME`` (a function of
`pandapower.networks`, e.g. ``pandapower:mv_oberrhein``), ``simbench:CODE``
(``simbench:1-MVLV-urban-all-0-sw``) or a pandapower JSON file; `read_pandapower`
converts a `pandapowerNet` in memory.

Ids (DESIGN §3): an element's ``name`` when non-empty and unique in its table, else
``table:index`` (``load:17``). Lines, trafos, impedances, DC lines and bus-bus
switches share the branch namespace, so a name used in two of those tables falls
back to ``table:index`` in both. What the model says becomes:

- buses: at their ``geo`` GeoJSON point (pandapower 3) or ``bus_geodata`` x/y (older
  nets); coordinates all within lon/lat ranges are WGS 84 (``EPSG:4326``, degrees;
  mv_oberrhein and SimBench are), any others a local plane;
- lines, impedances, DC lines: line branches (length_km × 1000, the ``geo`` LineString);
- trafos: service transformers when the lv bus is below 1 kV, else power
  transformers; a trafo3w gives two, hv→mv (its id) and hv→lv (``id~lv``). A switch
  on it sits on hv→lv when at the lv bus, else on hv→mv (at hv it cuts only mv off);
- switches: ``CB`` is a breaker, any other type a switch, normally open when not
  closed; on their line or trafo, or for a bus-bus switch on a connector branch
  with the switch's id;
- loads and asymmetric loads: one customer each (count 1, or the ``customers`` column
  when a net has one; an asymmetric load named like a load is ``asymmetric_load:i``);
  SimBench loads, households or aggregates, too. sgen, storage and gen are ignored;
- ext_grids: sources, their substation named by the ext_grid (else ``ext_grid:i``).

Out-of-service elements are left out, as the network runs without them: a bus
with everything attached, a line or trafo with its switches, a load. So customers
are the in-service loads on in-service buses: all 147 of mv_oberrhein, all 11,542
of 1-MVLV-urban-all-0-sw.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gis import json_input
from gis.builder import NetworkBuilder
from gis.errors import NetworkFormatError
from gis.json_input import JsonInputError
from gis.model import BranchKind, DeviceKind, Network

Point = tuple[float, float]

_SERVICE_KV = 1.0  # a transformer whose low side is below this feeds customers directly
# Balanced and three-phase unbalanced loads are both customers (ieee_european_lv
# models its 55 houses as asymmetric loads).
_LOAD_TABLES = ("load", "asymmetric_load")
_COUNT_COLUMN = "customers"  # not a pandapower column; honoured when a user adds it
# Tables whose rows become branches, with their end-bus columns.
_BRANCH_TABLES = {
    "line": ("from_bus", "to_bus"),
    "impedance": ("from_bus", "to_bus"),
    "dcline": ("from_bus", "to_bus"),
    "trafo": ("hv_bus", "lv_bus"),
    "trafo3w": ("hv_bus", "mv_bus"),
}
_SWITCH_TABLES = {"l": "line", "t": "trafo", "t3": "trafo3w"}


def _modules() -> tuple[Any, Any]:
    try:
        # Lazy: pandapower is an optional extra and takes seconds to import.
        with _without_notices():
            import pandapower
            import pandapower.networks
    except ImportError as error:  # pragma: no cover - depends on the install
        raise NetworkFormatError(
            "reading pandapower networks needs pandapower: pip install 'oms[pandapower]'"
        ) from error
    return pandapower, pandapower.networks


def load_pandapower_source(spec: str) -> Network:
    """Load ``pandapower:NAME``, ``simbench:CODE`` or a pandapower JSON file path."""
    pandapower, networks = _modules()
    scheme, _, name = spec.partition(":")
    if scheme == "pandapower" and name:
        loader = getattr(networks, name, None) if not name.startswith("_") else None
    elif scheme == "simbench" and name:
        loader = _simbench_loader(name)
    elif Path(spec).is_file():
        name, loader = Path(spec).stem, lambda: pandapower.from_json(spec)
    else:
        raise NetworkFormatError(f"{spec!r} is not pandapower:NAME, simbench:CODE or a file")
    if not callable(loader):
        raise NetworkFormatError(f"{spec!r}: pandapower.networks has no network {name!r}")
    try:
        with warnings.catch_warnings(), _without_notices():
            # mv_oberrhein() runs a power flow on a net saved before pandapower 3,
            # which warns about the tap table it lacks; that says nothing about topology.
            warnings.filterwarnings(
                "ignore", message="tap_dependency_table is missing", category=DeprecationWarning
            )
            net = loader()
    except Exception as error:  # loaders raise anything from KeyError to ValueError
        raise NetworkFormatError(f"{spec!r} could not be loaded: {error}") from error
    if not isinstance(net, pandapower.pandapowerNet):
        raise NetworkFormatError(f"{spec!r} did not give a pandapower network")
    return read_pandapower(net, name)


# pandapower's notices about features the import does not use, by the logger that
# gives each: numba would speed up its power flows (some networks run one as they
# load), plotly would draw interactive plots (said as pandapower is imported). They
# only alarm the reader.
_NOTICES = {"pandapower.auxiliary": "numba", "pandapower.plotting.plotly.draw_layers": "plotly"}


class _Notice(logging.Filter):
    """Drops the records that mention `word`."""

    def __init__(self, word: str) -> None:
        super().__init__()
        self.word = word

    def filter(self, record: logging.LogRecord) -> bool:
        return self.word not in record.getMessage()


@contextmanager
def _without_notices() -> Iterator[None]:
    # A logger's filters do not reach its children: each on the one that logs it.
    added = [(logging.getLogger(name), _Notice(word)) for name, word in _NOTICES.items()]
    for logger, notice in added:
        logger.addFilter(notice)
    try:
        yield
    finally:
        for logger, notice in added:
            logger.removeFilter(notice)


def _simbench_loader(code: str) -> Any:
    try:
        import simbench
    except ImportError as error:  # pragma: no cover - depends on the install
        raise NetworkFormatError(
            "reading SimBench networks needs simbench: pip install 'oms[pandapower]'"
        ) from error
    if code not in simbench.collect_all_simbench_codes():
        raise NetworkFormatError(f"'simbench:{code}': not a SimBench grid code (one is "
                                 "1-LV-urban6--0-sw; simbench.collect_all_simbench_codes() "
                                 "lists them all)")
    return lambda: simbench.get_simbench_net(code)


def read_pandapower(net: Any, name: str) -> Network:
    """Convert a `pandapowerNet` into a validated `Network` (see the module docstring)."""
    xy = _bus_coordinates(net)
    crs, units = ("EPSG:4326", "deg") if _looks_like_lonlat(xy.values()) else (None, "local")
    reader = _Reader(net, NetworkBuilder(name, crs=crs, units=units))
    reader.read_buses(xy)
    reader.read_branches()
    reader.read_switches()
    reader.read_loads()
    reader.read_sources()
    return reader.builder.build()


def _element_ids(
    table: str, names: Iterable[Any], index: Iterable[int], shared: frozenset[str] = frozenset()
) -> dict[int, str]:
    """Id per row: its name when non-empty, unique in the table and not in `shared`."""
    labels = [_name(value) for value in names]
    counts = Counter(labels)
    return {
        int(i): label if label and counts[label] == 1 and label not in shared else f"{table}:{i}"
        for i, label in zip(index, labels, strict=True)
    }


def _name(value: Any) -> str:
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return "" if missing else str(value).strip()


def _rows(net: Any, table: str, *columns: str) -> Iterator[tuple[Any, ...]]:
    """(index, in_service, *columns) per row; a table the net lacks has no rows."""
    frame = net.get(table)
    if frame is None or frame.empty:
        return iter(())
    service = frame["in_service"] if "in_service" in frame else [True] * len(frame)
    return zip(frame.index, service, *(frame[c] for c in columns), strict=True)


@dataclass
class _Reader:
    """Adds a pandapower net's rows to a builder, tracking ids across tables."""

    net: Any
    builder: NetworkBuilder
    bus_ids: dict[int, str] = field(default_factory=dict)
    dead_buses: set[int] = field(default_factory=set)
    branch_ids: dict[str, dict[int, str]] = field(default_factory=dict)  # table -> index -> id
    # (table, index) -> branch id of the elements imported, for the switches on them.
    branch_of: dict[tuple[str, int], str] = field(default_factory=dict)

    def read_buses(self, xy: dict[int, Point]) -> None:
        bus = self.net.bus
        self.bus_ids = _element_ids("bus", bus["name"], bus.index)
        for i, in_service in zip(bus.index, bus["in_service"], strict=True):
            if not in_service:
                self.dead_buses.add(int(i))
                continue
            self.builder.add_bus(self.bus_ids[int(i)], *xy.get(int(i), (math.nan, math.nan)))

    def ends(self, table: str, element_id: str, buses: dict[str, Any]) -> list[str] | None:
        """Bus ids of an element's ends; None to skip it (dead bus, or a missing one reported)."""
        found: list[str] = []
        for column, index in buses.items():
            bus = self.bus_ids.get(int(index))
            if bus is None:
                self.builder.error(f"{table} {element_id!r}: {column} {index} is not a bus")
            found.append(bus or "")
        if any(int(i) in self.dead_buses for i in buses.values()) or "" in found:
            return None
        return found

    def read_branches(self) -> None:
        ids = self.branch_ids = _branch_ids(self.net)
        for table, (a, b) in _BRANCH_TABLES.items():
            lengths = _lengths_m(self.net, table)
            geometry = _line_geometry(self.net) if table == "line" else {}
            for i, in_service, bus_a, bus_b in _rows(self.net, table, a, b):
                branch_id = ids[table][int(i)]
                ends = self.ends(table, branch_id, {a: bus_a, b: bus_b}) if in_service else None
                if ends is None:
                    continue
                self.builder.add_branch(
                    branch_id,
                    self._kind(table, int(bus_b)),
                    *ends,
                    length_m=lengths.get(int(i), math.nan),
                    geometry=geometry.get(int(i)),
                )
                self.branch_of[(table, int(i))] = branch_id
        self._read_trafo3w_lv(ids.get("trafo3w", {}))

    def _read_trafo3w_lv(self, ids: dict[int, str]) -> None:
        for i, _, hv, lv in _rows(self.net, "trafo3w", "hv_bus", "lv_bus"):
            if ("trafo3w", int(i)) not in self.branch_of:
                continue  # out of service, or its hv→mv side was left out
            ends = self.ends("trafo3w", ids[int(i)], {"hv_bus": hv, "lv_bus": lv})
            if ends is not None:
                branch_id = f"{ids[int(i)]}~lv"
                kind = BranchKind.POWER_TRANSFORMER
                self.builder.add_branch(branch_id, kind, *ends, length_m=0.0)
                self.branch_of[("trafo3w~lv", int(i))] = branch_id

    def _kind(self, table: str, low_bus: int) -> BranchKind:
        if not table.startswith("trafo"):
            return BranchKind.LINE
        if table == "trafo" and self.net.bus.at[low_bus, "vn_kv"] < _SERVICE_KV:
            return BranchKind.SERVICE_TRANSFORMER
        return BranchKind.POWER_TRANSFORMER

    def read_switches(self) -> None:
        switch = self.net.switch
        ids = _element_ids("switch", switch["name"], switch.index)
        rows = _rows(self.net, "switch", "bus", "element", "et", "type", "closed")
        for i, _, bus, element, et, kind, closed in rows:
            device_id = ids[int(i)]
            if et == "b":
                branch = self._connector(int(i), device_id, {"bus": bus, "element": element})
            else:
                branch = self._switched_branch(device_id, int(bus), int(element), str(et))
            if branch is not None:
                device = DeviceKind.BREAKER if kind == "CB" else DeviceKind.SWITCH
                self.builder.add_device(device_id, device, branch, normally_open=not closed)

    def _connector(self, index: int, device_id: str, buses: dict[str, Any]) -> str | None:
        """Add the connector branch of a bus-bus switch; None when it is left out."""
        ends = self.ends("switch", device_id, buses)
        if ends is None:
            return None
        branch_id = self.branch_ids["switch"][index]
        self.builder.add_branch(branch_id, BranchKind.CONNECTOR, *ends, length_m=0.0)
        return branch_id

    def _switched_branch(self, device_id: str, bus: int, element: int, et: str) -> str | None:
        """Branch a line or trafo switch sits on; None when that element was left out."""
        table = _SWITCH_TABLES.get(et)
        if table is None or table not in self.net or element not in self.net[table].index:
            self.builder.error(f"switch {device_id!r}: element {et}:{element} does not exist")
            return None
        if table == "trafo3w" and bus == int(self.net.trafo3w.at[element, "lv_bus"]):
            table = "trafo3w~lv"
        return None if bus in self.dead_buses else self.branch_of.get((table, element))

    def read_loads(self) -> None:
        taken: frozenset[str] = frozenset()
        for table in _LOAD_TABLES:
            frame = self.net.get(table)
            if frame is None or frame.empty:
                continue
            ids = _element_ids(table, frame["name"], frame.index, taken)
            taken |= frozenset(ids.values())
            columns = ("bus", _COUNT_COLUMN) if _COUNT_COLUMN in frame else ("bus",)
            for i, in_service, bus, *count in _rows(self.net, table, *columns):
                ends = self.ends(table, ids[int(i)], {"bus": bus}) if in_service else None
                if ends is not None:
                    self.builder.add_customer(ids[int(i)], ends[0], count=_count(count))

    def read_sources(self) -> None:
        grid = self.net.ext_grid
        ids = _element_ids("ext_grid", grid["name"], grid.index)
        for i, in_service, bus, name in _rows(self.net, "ext_grid", "bus", "name"):
            ends = self.ends("ext_grid", ids[int(i)], {"bus": bus}) if in_service else None
            if ends is not None:
                substation = _name(name) or f"ext_grid:{i}"
                self.builder.add_source(ids[int(i)], ends[0], substation=substation)


def _branch_ids(net: Any) -> dict[str, dict[int, str]]:
    """Ids of each branch table's rows; names used by two branch tables are not ids."""
    frames = {t: net[t] for t in _BRANCH_TABLES if t in net}
    switch = net.switch
    frames["switch"] = switch[switch["et"] == "b"]
    users = Counter(
        name for frame in frames.values() for name in {_name(v) for v in frame["name"]} - {""}
    )
    shared = frozenset(name for name, tables in users.items() if tables > 1)
    ids = {t: _element_ids(t, f["name"], f.index, shared) for t, f in frames.items()}
    # Bus-bus switches must be unique among all switches, not only bus-bus ones.
    unique = _element_ids("switch", switch["name"], switch.index, shared)
    ids["switch"] = {i: unique[i] for i in ids["switch"]}
    return ids


def _lengths_m(net: Any, table: str) -> dict[int, float]:
    """Lengths in metres; transformers are 0 m, rows without length_km NaN (measured later)."""
    frame = net.get(table)
    if frame is None:
        return {}
    if table.startswith("trafo"):
        return dict.fromkeys(map(int, frame.index), 0.0)
    if "length_km" not in frame:
        return {}
    return {
        int(i): float(km) * 1000.0 for i, km in zip(frame.index, frame["length_km"], strict=True)
    }


def _bus_coordinates(net: Any) -> dict[int, Point]:
    """Bus coordinates from ``bus.geo`` (pandapower 3) or ``bus_geodata`` (older nets)."""
    if "geo" in net.bus:
        points = zip(net.bus.index, map(_geojson, net.bus["geo"]), strict=True)
        return {int(i): p[0] for i, p in points if p}
    old = net.get("bus_geodata")
    if old is None or old.empty:
        return {}
    return {
        int(i): (float(x), float(y)) for i, x, y in zip(old.index, old["x"], old["y"], strict=True)
    }


def _line_geometry(net: Any) -> dict[int, tuple[Point, ...]]:
    """Line shapes from ``line.geo`` or the older ``line_geodata.coords``; two points or more."""
    if "geo" in net.line:
        shapes = zip(net.line.index, map(_geojson, net.line["geo"]), strict=True)
    elif "line_geodata" in net and not net.line_geodata.empty:
        old = net.line_geodata
        shapes = zip(old.index, map(_points, old["coords"]), strict=True)
    else:
        return {}
    return {int(i): shape for i, shape in shapes if len(shape) >= 2}


def _geojson(value: Any) -> tuple[Point, ...]:
    """Points of a GeoJSON Point or LineString (a string or a dict); () when absent."""
    if isinstance(value, str):
        try:
            value = json_input.loads(value)
        except JsonInputError:
            return ()
    if not isinstance(value, dict):
        return ()
    coordinates = value.get("coordinates")
    return _points([coordinates] if value.get("type") == "Point" else coordinates)


def _points(coordinates: Any) -> tuple[Point, ...]:
    try:
        points = tuple((float(c[0]), float(c[1])) for c in coordinates)
    except (TypeError, ValueError, IndexError):
        return ()
    return points if all(math.isfinite(v) for p in points for v in p) else ()


def _looks_like_lonlat(points: Iterable[Point]) -> bool:
    """True when there are coordinates and all fit longitude and latitude ranges.

    A local grid of small numbers would pass too; pandapower keeps no CRS to ask.
    """
    finite = [p for p in points if math.isfinite(p[0]) and math.isfinite(p[1])]
    return bool(finite) and all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in finite)


def _count(value: list[Any]) -> Any:
    """Customers behind a load: 1 unless a count column says; the builder rejects bad ones."""
    number = value[0] if value else 1
    return int(number) if isinstance(number, float) and number.is_integer() else number
