"""Any stream of events, however odd, leaves the engine consistent: property tests.

Hypothesis draws event streams over small networks (fused laterals of transformers;
two feeders with switched sections and a normally-open tie between them; two
substations)
mixing calls, last gasps and restores (pinged or not), call-back answers, device
operations from SCADA and crews (ties, isolating opens, closes of devices nobody
reported open), crew updates and dispatcher actions on the outages of the moment,
quiet-minute ticks, and events a little out of time order. Whatever the stream:

- an event is applied or refused with an `EventError`, nothing else;
- each device's counts of calls and last gasps are its customers' reports;
- no customer is in two live outages, and a live outage's count is its customers';
- restored outages were restored after they began;
- the same events replayed into a fresh engine give the same outages, and so does an
  engine restored from a snapshot (pickled, as the service stores it) partway through.
"""

from __future__ import annotations

import pickle
from datetime import timedelta
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gis import Network
from outage.engine import OutageEngine
from outage.errors import EventError
from outage.events import parse_event
from outage.records import Stage

from .conftest import T0, lateral_feeder
from .test_engine import _empty_end, _two_feeders_with_a_tie, _two_substations, _two_ties

NETWORKS = {"laterals": lateral_feeder(),
            "tie": _two_feeders_with_a_tie(("switch.s1", "switch.s2")),
            "two ties": _two_ties(),
            "two sources": _two_substations(),
            "empty end": _empty_end()}
SOURCES = ("scada", "crew")


def _event(data: st.DataObject, network: Network, engine: OutageEngine,
           minute: float) -> dict[str, Any]:
    """One event at `minute`: its kind first, then what it names."""
    time = (T0 + timedelta(minutes=minute)).isoformat()
    customers, devices = list(network.customers.ids), list(network.devices.ids)
    outages = [o.id for o in engine.outages(include_cancelled=True)]
    kinds = ["call", "meter", "meter", "tick", "callback"] + (["device"] if devices else [])
    if outages:
        kinds += ["crew", "dispatcher"]
    kind = data.draw(st.sampled_from(kinds))
    if kind == "call":
        return {"type": "call", "time": time, "customer_id": data.draw(st.sampled_from(customers)),
                **({"hazard": "wire_down"} if data.draw(st.booleans()) else {})}
    if kind in ("meter", "callback"):
        # A meter's message, a head-end's answer to a ping, or a customer's answer to a
        # call back.
        return {"type": kind, "time": time, "customer_id": data.draw(st.sampled_from(customers)),
                "state": data.draw(st.sampled_from(("off", "on"))),
                **({"ping": True} if kind == "meter" and data.draw(st.booleans()) else {})}
    if kind == "device":
        return {"type": "device", "time": time, "device_id": data.draw(st.sampled_from(devices)),
                "state": data.draw(st.sampled_from(("open", "closed"))),
                "source": data.draw(st.sampled_from(SOURCES))}
    if kind == "tick":
        return {"type": "tick", "time": time}
    outage = data.draw(st.sampled_from(outages))
    if kind == "crew":
        return {"type": "crew", "time": time, "outage_id": outage, "crew_id": "T-1",
                "status": data.draw(st.sampled_from(
                    ("assigned", "en_route", "on_site", "restored")))}
    action = data.draw(st.sampled_from(
        ("confirm", "cancel", "merge", "split", "set_etr", "set_cause", "clear_reports")))
    extra: dict[str, Any] = {}
    if action == "merge":
        extra["target"] = data.draw(st.sampled_from(outages))
    elif action in ("split", "clear_reports"):
        extra["customer_ids"] = data.draw(st.lists(st.sampled_from(customers), min_size=1,
                                                   max_size=3, unique=True))
    elif action == "set_etr":
        extra["etr"] = (T0 + timedelta(minutes=minute + 120)).isoformat()
    elif action == "set_cause":
        extra["cause"] = "tree"
    return {"type": "dispatcher", "time": time, "action": action, "outage_id": outage, **extra}


def _apply(engine: OutageEngine, data: dict[str, Any]) -> bool:
    """Apply one event; False when the engine refuses it (an `EventError`)."""
    try:
        engine.apply(parse_event(data))
    except EventError:
        return False
    return True


def _state(engine: OutageEngine) -> list[dict[str, Any]]:
    engine.settle()
    return [engine.describe(o) for o in engine.outages(include_cancelled=True)]


def _reports_counted(engine: OutageEngine) -> None:
    """Each device's counts of calls and last gasps are its customers' reports, summed
    up the tree (but not past a section fed from elsewhere), and never more than its
    service points: the likelihoods are computed from them. Reports set aside (hours
    old, no outage explaining them) still stand, uncounted."""
    tree, predictor = engine.tree, engine.predictor
    expected = {"calls": np.zeros(len(tree), dtype=np.int64),
                "gasps": np.zeros(len(tree), dtype=np.int64)}
    parents = tree.customer_parent
    counted = ~np.frombuffer(engine.reports.retired, dtype=np.uint8).astype(bool) & (parents >= 0)
    for name, flags in (("calls", engine.reports.called), ("gasps", engine.reports.gasped)):
        reported = np.frombuffer(flags, dtype=np.uint8).astype(bool) & counted
        np.add.at(expected[name], parents[reported], 1)
        for a in range(len(tree) - 1, 0, -1):  # preorder: children after parents
            parent = int(tree.parent[a])
            if parent >= 0 and not predictor.detached[a]:
                expected[name][parent] += expected[name][a]
    assert list(expected["calls"]) == predictor.calls
    assert list(expected["gasps"]) == predictor.gasps
    for a in range(len(tree)):
        assert predictor.calls[a] <= predictor._sp[a], tree.element_id[a]


def _check_invariants(engine: OutageEngine) -> None:
    _reports_counted(engine)
    network = engine.network
    seen: dict[str, str] = {}
    for outage in engine.book.live():
        ids = engine.customer_ids_of(outage)
        for customer in ids:
            assert customer not in seen, f"{customer} in {seen.get(customer)} and {outage.id}"
            seen[customer] = outage.id
        count = sum(int(network.customers.count[network.customers.index[c]]) for c in ids)
        assert outage.customers_out == count, outage.id
        assert 0.0 <= outage.confidence <= 1.0
    for outage in engine.outages():
        if outage.restored is not None:
            assert outage.restored >= outage.started, outage.id
        # A record names each customer it interrupted once, and counts them so.
        ids = engine.customer_ids_of(outage)
        assert len(set(ids)) == len(ids), outage.id
        if outage.stage is Stage.RESTORED:
            count = sum(int(network.customers.count[network.customers.index[c]]) for c in ids)
            assert outage.customers_out == count, outage.id


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from(sorted(NETWORKS)),
       length=st.integers(min_value=1, max_value=40))
def test_any_event_stream_leaves_the_engine_consistent_and_replayable(
    data: st.DataObject, name: str, length: int,
) -> None:
    network = NETWORKS[name]
    engine = OutageEngine(network)
    accepted: list[dict[str, Any]] = []
    minute = 0.0
    for _ in range(length):
        # Mostly forward, by seconds to hours; now and then a little back in time.
        minute = max(0.0, minute + data.draw(st.sampled_from((-3.0, 0.1, 1.0, 7.0, 45.0, 400.0))))
        event = _event(data, network, engine, minute)
        if _apply(engine, event):
            accepted.append(event)
        _check_invariants(engine)

    # The state is a fold over the accepted events: the same again from scratch, and
    # from a snapshot taken partway.
    expected = _state(engine)
    again = OutageEngine(network)
    for event in accepted:
        assert _apply(again, event), event
    assert _state(again) == expected
    cut = data.draw(st.integers(min_value=0, max_value=len(accepted)))
    first = OutageEngine(network)
    for event in accepted[:cut]:
        _apply(first, event)
    restored: OutageEngine = pickle.loads(pickle.dumps(first))
    for event in accepted[cut:]:
        assert _apply(restored, event), event
    assert _state(restored) == expected
