"""Read and write the project's schema as a GeoPackage (opens in QGIS)."""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely

from gis.errors import NetworkFormatError
from gis.io.schema import (
    LAYERS,
    Columns,
    Row,
    layers_to_network,
    metadata,
    network_to_layers,
)
from gis.model import Network

META_LAYER = "network"


def write_geopackage(network: Network, path: Path) -> None:
    """Write all layers to `path` atomically: a failed write leaves no file behind."""
    path = Path(path)
    layers = network_to_layers(network)
    fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", dir=path.parent or ".")
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        meta = {k: ("" if v is None else v) for k, v in metadata(network).items()}
        pyogrio.write_dataframe(pd.DataFrame([meta]), tmp, layer=META_LAYER)
        with warnings.catch_warnings():
            # A local-plane network has no CRS to write; its units are in the meta layer.
            warnings.filterwarnings("ignore", message="'crs' was not provided")
            for name, rows in layers.items():
                frame = _frame(rows, name, network.crs)
                pyogrio.write_dataframe(frame, tmp, layer=name, append=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _frame(rows: Sequence[Row], layer: str, crs: str | None) -> gpd.GeoDataFrame:
    required, optional = LAYERS[layer]
    columns = [*required, *optional]
    attributes = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)
    geometry = [_shape(row["geometry"]) for row in rows]
    return gpd.GeoDataFrame(attributes, geometry=geometry, crs=crs)


def _shape(coords: Any) -> shapely.Geometry | None:
    if coords is None:
        return None
    if isinstance(coords, tuple):
        return shapely.Point(coords)
    return shapely.LineString(coords)


def read_geopackage(path: Path) -> Network:
    """Read a GeoPackage in the project's schema; errors name layer, row and field."""
    path = Path(path)
    if not path.is_file():
        raise NetworkFormatError(f"{path}: no such file")
    try:
        available = {name for name, _ in pyogrio.list_layers(path)}
    except Exception as error:  # pyogrio raises DataSourceError and friends
        raise NetworkFormatError(f"{path}: not a readable GeoPackage ({error})") from error
    meta: dict[str, Any] = {}
    if META_LAYER in available:
        table = pyogrio.read_dataframe(path, layer=META_LAYER, read_geometry=False)
        meta = table.iloc[0].to_dict() if len(table) else {}
    layers = {name: _columns(path, name) for name in LAYERS if name in available}
    return layers_to_network(meta, layers, str(path))


def _columns(path: Path, layer: str) -> Columns:
    # Straight from GDAL's arrays, field by field: a million-customer network loads in
    # seconds.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL notes on empty layers
        meta, _, wkb, fields = pyogrio.raw.read(path, layer=layer, datetime_as_string=True)
    columns: Columns = {str(name): values.tolist()
                        for name, values in zip(meta["fields"], fields, strict=True)}
    if wkb is not None:
        columns["geometry"] = _coords(shapely.from_wkb(wkb))
    return columns


def _coords(shapes: np.ndarray) -> list[Any]:
    """Each shape as a point ``(x, y)``, a list of points, or None (missing or empty)."""
    out: list[Any] = [None] * len(shapes)
    kind = shapely.get_type_id(shapes)  # -1 for a missing geometry
    kind[shapely.is_empty(shapes)] = -1
    points = np.flatnonzero(kind == shapely.GeometryType.POINT)
    for i, x, y in zip(points.tolist(), shapely.get_x(shapes[points]).tolist(),
                       shapely.get_y(shapes[points]).tolist(), strict=True):
        out[i] = (x, y)
    others = np.flatnonzero((kind >= 0) & (kind != shapely.GeometryType.POINT))
    if len(others):
        xy, owner = shapely.get_coordinates(shapes[others], return_index=True)
        starts = np.searchsorted(owner, np.arange(len(others) + 1))
        pairs = list(zip(xy[:, 0].tolist(), xy[:, 1].tolist(), strict=True))
        for k, i in enumerate(others.tolist()):
            out[i] = pairs[starts[k]:starts[k + 1]]
    return out
