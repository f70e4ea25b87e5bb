"""Tiny hand-drawn networks shared by the gis tests."""

from __future__ import annotations

import pytest

from gis import Network, NetworkBuilder


def small_feeder() -> Network:
    """One substation, one breaker-headed feeder, a recloser, a fused lateral, a tie.

    ::

        sub ─BRK─ b1 ─R1─ b2 ─F1─ b3 ─T1─ s1 (c1, c2)
                   │       └─T2─ s2 (c3 critical)
                   └─L3── b4 ─T3─ s3 (c4 ×3)
                          └─TIE (normally open)─ b3
    """
    b = NetworkBuilder("small", crs="EPSG:4326", units="deg")
    coords = {
        "sub": (0.0, 0.0),
        "b1": (0.01, 0.0),
        "b2": (0.02, 0.0),
        "b3": (0.03, 0.0),
        "b4": (0.01, 0.01),
        "s1": (0.031, 0.001),
        "s2": (0.021, 0.001),
        "s3": (0.011, 0.011),
    }
    for bus, (x, y) in coords.items():
        b.add_bus(bus, x, y)
    for branch, kind, frm, to in [
        ("line.l0", "line", "sub", "b1"),
        ("line.l1", "line", "b1", "b2"),
        ("line.l2", "line", "b2", "b3"),
        ("line.l3", "line", "b1", "b4"),
        ("line.tie", "line", "b4", "b3"),
        ("transformer.t1", "service_transformer", "b3", "s1"),
        ("transformer.t2", "service_transformer", "b2", "s2"),
        ("transformer.t3", "service_transformer", "b4", "s3"),
    ]:
        b.add_branch(branch, kind, frm, to)
    b.add_device("relay.brk", "breaker", "line.l0")
    b.add_device("recloser.r1", "recloser", "line.l1")
    b.add_device("fuse.f1", "fuse", "line.l2")
    b.add_device("line.tie", "switch", "line.tie", normally_open=True)
    b.add_customer("c1", "s1")
    b.add_customer("c2", "s1")
    b.add_customer("c3", "s2", critical=True)
    b.add_customer("c4", "s3", count=3)
    b.add_source("vsource.sub", "sub", substation="north")
    return b.build()


@pytest.fixture
def feeder() -> Network:
    """The small feeder drawn in `small_feeder`."""
    return small_feeder()
