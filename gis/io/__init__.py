"""Network file formats: each reader returns the same validated `Network`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gis.errors import NetworkFormatError
from gis.model import Network

_OURS = {".gpkg": "geopackage", ".geojson": "geojson", ".json": "geojson"}


def load_network(source: str | Path, extra: Sequence[str | Path] = ()) -> Network:
    """Load a network from any supported source.

    `source` is an OpenDSS master ``.dss`` file (`extra` files are redirected after
    it; a coordinates file among them is loaded as bus coordinates), a
    ``simbench:CODE`` or ``pandapower:NAME`` spec, a pandapower ``.json`` net, or a
    ``.gpkg`` / ``.geojson`` file in the project's schema.
    """
    text = str(source)
    files = [Path(p) for p in extra]
    if text.startswith(("simbench:", "pandapower:")):
        from gis.io.pandapower import load_pandapower_source

        return load_pandapower_source(text)
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix == ".dss":
        from gis.io.opendss import read_opendss

        coords = [p for p in files if p.suffix.lower() != ".dss"]
        dss_files = [p for p in files if p.suffix.lower() == ".dss"]
        return read_opendss(path, dss_files, coordinates=coords[0] if coords else None)
    if extra:
        raise NetworkFormatError(f"{path}: extra files are only read with an OpenDSS model")
    if suffix == ".gpkg":
        from gis.io.geopackage import read_geopackage

        return read_geopackage(path)
    if suffix in (".geojson", ".json"):
        return _load_json(path)
    raise NetworkFormatError(
        f"{path}: unknown network source (expected .dss, .gpkg, .geojson, "
        "simbench:CODE or pandapower:NAME)"
    )


def _load_json(path: Path) -> Network:
    from gis.io.geojson import read_geojson

    if path.suffix.lower() == ".json" and _looks_like_pandapower(path):
        from gis.io.pandapower import load_pandapower_source

        return load_pandapower_source(str(path))
    return read_geojson(path)


def _looks_like_pandapower(path: Path) -> bool:
    with path.open("rb") as head:
        start = head.read(4096)
    return b"pandapowerNet" in start


def save_network(network: Network, path: Path) -> None:
    """Write a network in the project's schema; the suffix picks GeoPackage or GeoJSON."""
    path = Path(path)
    kind = _OURS.get(path.suffix.lower())
    if kind == "geopackage":
        from gis.io.geopackage import write_geopackage

        write_geopackage(network, path)
    elif kind == "geojson":
        from gis.io.geojson import write_geojson

        write_geojson(network, path)
    else:
        raise NetworkFormatError(f"{path}: write .gpkg or .geojson")
