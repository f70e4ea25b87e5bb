"""Each customer's interruption is exact through nested and partial restorations."""

from __future__ import annotations

import pytest

from gis import Network
from outage.interruptions import interruptions
from outage.reliability import compute_indices

from .conftest import call, device, first_call_wait
from .test_engine import run


def _records(feeder: Network, events: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    engine = run(feeder, events)
    outages = engine.outages()
    return interruptions(feeder, outages, {o.id: engine.customer_ids_of(o) for o in outages})


def test_nested_customers_are_out_until_the_inner_repair(feeder: Network) -> None:
    """Fuse a restored at 60 min, transformer a3 at 150: a3's customers count 150 minutes
    more than the others, from the fuse's start (4 minutes before its first call: the
    wait expected of the first of its five callers)."""
    events = [call(c, i) for i, c in enumerate(["a1.1", "a2.2", "a3.3", "a1.4", "a2.6"])]
    events += [device("fuse.a", 60, "closed", "crew"), call("a3.1", 70), call("a3.2", 72),
               device("transformer.a3", 150, "closed", "crew")]
    records = _records(feeder, events)
    minutes = {c: (r.end - r.start).total_seconds() / 60 for r in records
               for c in r.customer_ids or ()}
    wait = first_call_wait(5)
    assert minutes["a1.1"] == 60 + wait and minutes["a3.5"] == 150 + wait
    assert len(minutes) == 18  # every customer of lateral a once, no overlaps
    indices = compute_indices(records, customers_served=36, period=24 * 60)
    assert indices.saidi == pytest.approx((12 * (60 + wait) + 6 * (150 + wait)) / 36)


def test_partial_restoration_gives_two_ends(feeder: Network) -> None:
    """Isolated section b is out 120 minutes, lateral a 45, from the same start."""
    events = [device("recloser.r1", 0, "open"), call("a1.1", 2), call("b2.2", 3),
              device("fuse.b", 40, "open", "crew"), device("recloser.r1", 45, "closed"),
              device("fuse.b", 120, "closed", "crew")]
    records = _records(feeder, events)
    ends = {(r.end - r.start).total_seconds() / 60: r.customers for r in records}
    assert ends == {45.0: 18, 120.0: 18}
