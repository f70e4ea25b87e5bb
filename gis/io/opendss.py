"""Import an OpenDSS feeder model through opendssdirect.py.

Identifiers are OpenDSS's own, lower-case ``class.name`` (``line.l25``,
``fuse.f12``, ``transformer.t5``, ``load.s1a``). What the model says becomes:

- lines, series reactors and series capacitors: conductors; a line with
  ``switch=yes`` also carries a switch device with the line's own id;
- Fuse, Recloser, Relay (as a breaker) and SwtControl objects: devices on the
  element they switch (their ``SwitchedObj``, else their ``MonitoredObj``);
- transformers: regulators (a RegControl names them, or their ratio is near 1),
  service transformers (a winding below 1 kV) or power transformers;
- loads: customers (``NumCust`` of them), at their bus's coordinates;
- Vsources: sources, in one substation named after the circuit.

Elements that are open in the compiled circuit (``open Line.sw7 term=2``) give
normally-open devices. Coordinates come from the model's ``Buscoords`` commands or,
when it has none, from a coordinates file named on the command line or lying
beside the master file (``BusCoords.dat``, ``Buscoords.dss``). A file the model
names in another case than the one on disk (a model written on Windows) is read as
Windows would, and a missing data file (load shape, bus coordinates) as empty, each
with a `NetworkImportWarning` (`gis.io.opendss_files`).
"""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gis.builder import NetworkBuilder
from gis.errors import NetworkFormatError, NetworkImportWarning
from gis.io.opendss_files import MAX_RELINKED, Mirror, MissingFile, missing_file
from gis.model import BranchKind, DeviceKind, Network

# Metres per OpenDSS length unit code (none, mi, kft, km, m, ft, in, cm, mm).
_UNIT_METRES = (math.nan, 1609.344, 304.8, 1000.0, 1.0, 0.3048, 0.0254, 0.01, 0.001)
_SERIES_CLASSES = {"line", "reactor", "capacitor"}
_SERVICE_KV = 1.0  # a winding below this voltage feeds customers directly
_REGULATOR_RATIO = 0.1  # windings within 10% of each other: a regulator


def _dss() -> Any:
    try:
        import opendssdirect
    except ImportError as error:  # pragma: no cover - depends on the install
        raise NetworkFormatError(
            "reading OpenDSS models needs opendssdirect.py: pip install 'oms[opendss]'"
        ) from error
    return opendssdirect


def read_opendss(
    master: Path, extra: Sequence[Path] = (), *, coordinates: Path | None = None
) -> Network:
    """Compile `master` (then redirect `extra` .dss files) and return the network."""
    dss = _dss()
    master = Path(master).resolve()
    if not master.is_file():
        raise NetworkFormatError(f"OpenDSS master file {str(master)!r} does not exist")
    with _quiet(dss) as scratch:
        _compile(dss, master, [Path(p).resolve() for p in extra],
                 Mirror(master.parent, scratch / "model"))
        _run(dss, "makebuslist", master)
        _load_coordinates(dss, master, coordinates)

    builder = NetworkBuilder(dss.Circuit.Name() or master.stem, crs=None, units="local")
    known_buses = _read_buses(dss, builder)
    regulated = _regulated_transformers(dss)
    opened = _read_branches(dss, builder, regulated, known_buses)
    _read_devices(dss, builder, opened)
    _read_loads(dss, builder)
    _read_sources(dss, builder)
    return builder.build()


@contextmanager
def _quiet(dss: Any) -> Iterator[Path]:
    """Compile a model file as data: its ``Show``/``Export`` reports go to a scratch
    folder instead of the working directory and no editor opens, and ``DOScmd`` lines
    (shell commands) are refused — a network file must not run programs. OpenDSS
    moves the process into its data folder; the working folder is put back. Yields the
    scratch folder."""
    dss.Basic.AllowEditor(False)
    dss.Basic.AllowDOScmd(False)
    working = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="oms-opendss-") as scratch:
        dss.Basic.DataPath(scratch)
        try:
            yield Path(scratch)
        finally:
            dss.Basic.DataPath(working)
            os.chdir(working)


def _run(dss: Any, command: str, path: Path) -> None:
    try:
        dss.Text.Command(command)
    except Exception as error:  # opendssdirect raises its own DSSException
        raise NetworkFormatError(f"OpenDSS could not read {str(path)!r}: {error}") from error


def _compile(dss: Any, master: Path, extra: list[Path], mirror: Mirror) -> None:
    """Compile `master`, then `extra`. A file the model names in another case than the
    one on disk is read through `mirror` (`gis.io.opendss_files`), as is a data file
    that is not there at all (as empty), the model compiled again, and a warning says
    which file stood for which name."""
    while (failure := _try_compile(dss, [master, *extra], mirror)) is not None:
        path, message = failure
        missing = missing_file(message)
        twins = missing.twins(mirror.folder) if missing is not None else []
        if (missing is None or missing.wanted.exists() or missing.wanted in mirror.read_for
                or not missing.wanted.is_relative_to(mirror.folder)
                or len(mirror.read_for) >= MAX_RELINKED
                or len(twins) > 1 or (not twins and missing.model)):
            raise NetworkFormatError(
                f"OpenDSS could not read {str(path)!r}: {message}{_case_hint(missing, twins)}")
        mirror.link(missing, twins[0] if twins else None)
    if note := mirror.note():
        warnings.warn(NetworkImportWarning(f"OpenDSS model {master.name} {note}"), stacklevel=3)


def _try_compile(dss: Any, paths: list[Path], mirror: Mirror) -> tuple[Path, str] | None:
    """Compile `paths` in turn; the first that fails and OpenDSS's message, or None."""
    dss.Text.Command("clear")
    for path in paths:
        try:
            dss.Text.Command(f'redirect "{mirror.path(path)}"')
        except Exception as error:  # opendssdirect raises its own DSSException
            return path, mirror.original(str(error))
    return None


def _case_hint(missing: MissingFile | None, twins: list[Path]) -> str:
    """What is on disk under the name OpenDSS could not open, in another case."""
    if missing is None or not twins or missing.wanted.exists():
        return ""
    if len(twins) > 1:
        names = ", ".join(repr(t.name) for t in twins)
        return (f" (files whose names differ from it in case only: {names} in "
                f"{str(twins[0].parent)!r}; rename them so that the name means one file)")
    return (f" ({str(twins[0].name)!r} is in {str(twins[0].parent)!r}, outside the model's "
            "folder: file names are case-sensitive here, so rename the file or the reference "
            "to match)")


def _load_coordinates(dss: Any, master: Path, coordinates: Path | None) -> None:
    if coordinates is None and _any_coordinates(dss):
        return
    if coordinates is None:
        found = sorted(p for p in master.parent.iterdir() if "coord" in p.name.lower())
        if not found:
            return
        coordinates = found[0]
    _run(dss, f'buscoords "{Path(coordinates).resolve()}"', Path(coordinates))


def _any_coordinates(dss: Any) -> bool:
    for name in dss.Circuit.AllBusNames():
        dss.Circuit.SetActiveBus(name)
        if dss.Bus.Coorddefined():
            return True
    return False


def _bus(name: str) -> str:
    """Bus name without its node list: ``'650.1.2.3'`` -> ``'650'``."""
    return name.split(".", 1)[0].lower()


def _read_buses(dss: Any, builder: NetworkBuilder) -> set[str]:
    names = set()
    for name in dss.Circuit.AllBusNames():
        dss.Circuit.SetActiveBus(name)
        if dss.Bus.Coorddefined():
            builder.add_bus(name.lower(), dss.Bus.X(), dss.Bus.Y())
        else:
            builder.add_bus(name.lower())
        names.add(name.lower())
    return names


def _regulated_transformers(dss: Any) -> set[str]:
    names = set()
    index = dss.RegControls.First()
    while index > 0:
        names.add(f"transformer.{dss.RegControls.Transformer().lower()}")
        index = dss.RegControls.Next()
    return names


def _is_open(dss: Any) -> bool:
    return any(
        dss.CktElement.IsOpen(terminal, 0)
        for terminal in range(1, dss.CktElement.NumTerminals() + 1)
    )


def _read_branches(
    dss: Any, builder: NetworkBuilder, regulated: set[str], known_buses: set[str]
) -> set[str]:
    """Add conductors and transformers; return the ids of elements open in the model."""
    opened: set[str] = set()
    for full_name in dss.Circuit.AllElementNames():
        element_id = full_name.lower()
        cls = element_id.split(".", 1)[0]
        if cls not in _SERIES_CLASSES and cls != "transformer":
            continue
        dss.Circuit.SetActiveElement(full_name)
        short_name = element_id.split(".", 1)[1]
        enabled = dss.CktElement.Enabled()
        if cls == "line":
            dss.Lines.Name(short_name)  # make it the active line for the Lines interface
        if not enabled and not (cls == "line" and dss.Lines.IsSwitch()):
            continue  # out of service; a disabled switch is a normally-open one (IEEE 8500)
        buses = [_bus(b) for b in dss.CktElement.BusNames()]
        for bus in buses:
            if bus not in known_buses:
                known_buses.add(bus)
                builder.add_bus(bus)
        if cls == "transformer":
            dss.Transformers.Name(short_name)
            _add_transformer(dss, builder, element_id, buses, regulated)
        elif len(buses) >= 2 and buses[0] != buses[1]:
            builder.add_branch(
                element_id, BranchKind.LINE, buses[0], buses[1], length_m=_line_length(dss, cls)
            )
            if cls == "line" and dss.Lines.IsSwitch():
                builder.add_device(
                    element_id,
                    DeviceKind.SWITCH,
                    element_id,
                    normally_open=not enabled or _is_open(dss),
                )
        else:
            continue  # a shunt capacitor or reactor: not on the path of power
        if not enabled or _is_open(dss):
            opened.add(element_id)
    return opened


def _line_length(dss: Any, cls: str) -> float:
    if cls != "line":
        return 0.0
    units = dss.Lines.Units()
    factor = _UNIT_METRES[units] if 0 <= units < len(_UNIT_METRES) else math.nan
    return float(dss.Lines.Length()) * factor


def _add_transformer(
    dss: Any, builder: NetworkBuilder, element_id: str, buses: list[str], regulated: set[str]
) -> None:
    kvs = []
    for winding in range(1, dss.Transformers.NumWindings() + 1):
        dss.Transformers.Wdg(winding)
        kvs.append(float(dss.Transformers.kV()))
    if element_id in regulated or (
        len(kvs) >= 2 and abs(kvs[0] - kvs[1]) <= _REGULATOR_RATIO * max(kvs[0], kvs[1])
    ):
        kind = BranchKind.REGULATOR
    elif min(kvs) < _SERVICE_KV:
        kind = BranchKind.SERVICE_TRANSFORMER
    else:
        kind = BranchKind.POWER_TRANSFORMER
    # A centre-tapped transformer names its secondary bus twice: one branch.
    others = list(dict.fromkeys(b for b in buses[1:] if b != buses[0]))
    for position, other in enumerate(others):
        branch_id = element_id if position == 0 else f"{element_id}~{other}"
        builder.add_branch(branch_id, kind, buses[0], other, length_m=0.0)


def _read_devices(dss: Any, builder: NetworkBuilder, opened: set[str]) -> None:
    families = (
        (dss.Fuses, "fuse", DeviceKind.FUSE),
        (dss.Reclosers, "recloser", DeviceKind.RECLOSER),
        (dss.Relays, "relay", DeviceKind.BREAKER),
        (dss.SwtControls, "swtcontrol", DeviceKind.SWITCH),
    )
    for family, cls, kind in families:
        index = family.First()
        while index > 0:
            device_id = f"{cls}.{family.Name().lower()}"
            target = _switched_element(family)
            if not target:
                builder.error(f"device {device_id!r}: names no element to switch")
            else:
                normally_open = target in opened or _normal_state_open(family)
                builder.add_device(device_id, kind, target, normally_open=normally_open)
            index = family.Next()


def _switched_element(family: Any) -> str:
    switched = family.SwitchedObj() if hasattr(family, "SwitchedObj") else ""
    if not switched and hasattr(family, "MonitoredObj"):
        switched = family.MonitoredObj()
    return str(switched).lower()


def _normal_state_open(family: Any) -> bool:
    if not hasattr(family, "NormalState"):
        return False
    state = family.NormalState()
    states = state if isinstance(state, list | tuple) else [state]
    return any(str(s).lower() == "open" for s in states)


def _read_loads(dss: Any, builder: NetworkBuilder) -> None:
    index = dss.Loads.First()
    while index > 0:
        load_id = f"load.{dss.Loads.Name().lower()}"
        if dss.CktElement.Enabled():
            bus = _bus(dss.CktElement.BusNames()[0])
            builder.add_customer(load_id, bus, count=max(int(dss.Loads.NumCust()), 1))
        index = dss.Loads.Next()


def _read_sources(dss: Any, builder: NetworkBuilder) -> None:
    substation = dss.Circuit.Name().lower()
    index = dss.Vsources.First()
    while index > 0:
        source_id = f"vsource.{dss.Vsources.Name().lower()}"
        dss.Circuit.SetActiveElement(source_id)
        builder.add_source(source_id, _bus(dss.CktElement.BusNames()[0]), substation=substation)
        index = dss.Vsources.Next()
