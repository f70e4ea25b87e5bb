"""Recognise an instance file's format and read it."""

from __future__ import annotations

from pathlib import Path

from dispatch.errors import InstanceFormatError
from dispatch.io.field_json import read_field_json
from dispatch.io.lkh import read_lkh
from dispatch.io.solomon import read_solomon
from dispatch.io.vrplib import read_vrplib
from dispatch.problem import Problem
from dispatch.vrptw import VrptwInstance


def read_instance(path: str | Path) -> VrptwInstance | Problem:
    """Field JSON, LKH-3 ``.vrptw``, VRPLIB (``NODE_COORD_SECTION``) or Solomon text."""
    path = Path(path)
    if not path.is_file():
        raise InstanceFormatError(f"{path}: no such instance file")
    head = path.read_text(errors="replace")[:4096].lstrip()
    if path.suffix == ".json" or head.startswith("{"):
        return read_field_json(path)
    first = head.splitlines()[0] if head else ""
    if "_SECTION" in head.upper() or ":" in first:
        if path.suffix == ".vrptw" or "SERVICE_TIME :" in head or "SERVICE_TIME:" in head:
            return read_lkh(path)
        return read_vrplib(path)
    return read_solomon(path)  # its errors name the missing section
