"""Topology invariants on random networks (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gis import Network, NetworkBuilder, Topology


@st.composite
def networks(draw: st.DrawFn) -> tuple[Network, list[str]]:
    """A random tree of buses with devices, extra closed/open edges and a second source."""
    n = draw(st.integers(2, 40))
    parents = [draw(st.integers(0, i - 1)) for i in range(1, n)]
    b = NetworkBuilder("random")
    for i in range(n):
        b.add_bus(f"b{i}", float(i), 0.0)
    for i, parent in enumerate(parents, start=1):
        b.add_branch(f"br{i}", "line", f"b{parent}", f"b{i}")
        kind = draw(st.sampled_from([None, "fuse", "recloser", "switch", "breaker"]))
        if kind:
            b.add_device(f"d{i}", kind, f"br{i}")
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=4))
    for k, (u, v) in enumerate(extra):
        if u != v:
            b.add_branch(f"x{k}", "line", f"b{u}", f"b{v}")
            b.add_device(f"x{k}", "switch", f"x{k}", normally_open=draw(st.booleans()))
    for i in range(n):
        for c in range(draw(st.integers(0, 2))):
            b.add_customer(f"c{i}_{c}", f"b{i}", count=draw(st.integers(1, 3)))
    b.add_source("s0", "b0")
    if draw(st.booleans()):
        b.add_source("s1", f"b{draw(st.integers(1, n - 1))}")
    net = b.build()
    toggles = (
        draw(st.lists(st.sampled_from(net.devices.ids), max_size=6)) if net.devices.ids else []
    )
    return net, toggles


def _check_invariants(net: Network, topo: Topology) -> None:
    roots = set(net.sources.bus.tolist())
    counts = net.customers.count
    for c in topo.energised_customers().tolist():
        bus = int(net.customers.bus[c])
        seen = [bus]
        while topo.parent_bus[seen[-1]] >= 0:
            seen.append(int(topo.parent_bus[seen[-1]]))
        assert seen[-1] in roots, "an energised customer's path ends at a source"
        assert len(seen) == len(set(seen)), "the path never visits a bus twice"
    for branch in range(len(net.branches.ids)):
        down = topo.downstream_customers(branch)
        assert topo.downstream_customer_count(branch) == int(counts[down].sum())
        inside = set(down.tolist())
        for c in range(len(net.customers.ids)):
            assert topo.is_downstream(int(net.customers.bus[c]), branch) == (c in inside)
    for s, root in enumerate(net.sources.bus.tolist()):
        if topo.tree_of[root] == s:
            fed = topo.tree_of[net.customers.bus] == s
            assert topo.downstream_count[root] == int(counts[fed].sum()), "counts add up"


def _snapshot(net: Network, topo: Topology) -> list[tuple[str, ...]]:
    return [
        tuple(sorted(net.customers.ids[c] for c in topo.downstream_customers(b)))
        for b in range(len(net.branches.ids))
    ] + [tuple(str(topo.feeder(int(bus))) for bus in net.customers.bus)]


@settings(max_examples=150, deadline=None)
@given(networks())
def test_invariants_hold_and_incremental_retrace_equals_rebuild(
    case: tuple[Network, list[str]],
) -> None:
    """Paths end at one source, counts add up, and switching equals a full rebuild."""
    net, toggles = case
    topo = Topology(net)
    _check_invariants(net, topo)
    for device in toggles:
        i = net.device_index(device)
        topo.set_device_open(device, not bool(topo.device_open[i]))
        _check_invariants(net, topo)
    open_now = {net.devices.ids[i] for i in np.flatnonzero(topo.device_open)}
    fresh = Topology(net, open_devices=open_now)
    assert _snapshot(net, topo) == _snapshot(net, fresh)
