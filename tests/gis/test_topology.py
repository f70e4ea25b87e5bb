"""Topology trace on hand-checkable networks."""

from __future__ import annotations

import numpy as np

from gis import Network, NetworkBuilder, Topology


def _customers(net: Network, topo: Topology, element: str) -> set[str]:
    return {net.customers.ids[c] for c in topo.downstream_customers(net.element_branch(element))}


def _count(net: Network, topo: Topology, element: str) -> int:
    return topo.downstream_customer_count(net.element_branch(element))


def test_downstream_customers_of_each_device(feeder: Network) -> None:
    """Each device's downstream set is exactly the customers it would cut off."""
    topo = Topology(feeder)
    assert _customers(feeder, topo, "relay.brk") == {"c1", "c2", "c3", "c4"}
    assert _customers(feeder, topo, "recloser.r1") == {"c1", "c2", "c3"}
    assert _customers(feeder, topo, "fuse.f1") == {"c1", "c2"}
    assert _customers(feeder, topo, "transformer.t3") == {"c4"}
    assert _count(feeder, topo, "relay.brk") == 6  # c4 stands for three customers
    assert _count(feeder, topo, "line.tie") == 0  # open tie switch feeds nobody


def test_nearest_upstream_protective_device_and_feeder(feeder: Network) -> None:
    """A customer's bus knows its fuse, transformer and breaker-headed feeder."""
    topo = Topology(feeder)
    s1 = feeder.bus_index("s1")
    assert feeder.devices.ids[topo.up_protective[s1]] == "fuse.f1"
    assert feeder.branches.ids[topo.up_transformer[s1]] == "transformer.t1"
    assert topo.feeder(s1) == "relay.brk"
    assert topo.feeder(feeder.bus_index("sub")) == "vsource.sub"
    s3 = feeder.bus_index("s3")
    assert feeder.devices.ids[topo.up_protective[s3]] == "relay.brk"


def test_upstream_path_and_is_downstream(feeder: Network) -> None:
    """The upstream path runs nearest-first to the source; is_downstream agrees with it."""
    topo = Topology(feeder)
    s1 = feeder.bus_index("s1")
    path = [feeder.branches.ids[b] for b in topo.upstream_branches(s1)]
    assert path == ["transformer.t1", "line.l2", "line.l1", "line.l0"]
    assert topo.is_downstream(s1, feeder.element_branch("recloser.r1"))
    assert not topo.is_downstream(s1, feeder.element_branch("transformer.t3"))
    devices = [feeder.devices.ids[d] for d in topo.upstream_devices(s1)]
    assert devices == ["fuse.f1", "recloser.r1", "relay.brk"]


def test_closing_tie_and_opening_fuse_moves_customers(feeder: Network) -> None:
    """Switching re-traces: with the fuse open and the tie closed, c1 and c2 hang from L3."""
    topo = Topology(feeder)
    assert topo.set_device_open("line.tie", False) == {"vsource.sub"}
    # Tie closed and fuse closed: a loop b1-b2-b3-b4; its customers hang from b1.
    assert [p.kind for p in topo.problems()] == ["loop"]
    assert _customers(feeder, topo, "recloser.r1") == set()
    assert _customers(feeder, topo, "relay.brk") == {"c1", "c2", "c3", "c4"}
    topo.set_device_open("fuse.f1", True)
    assert topo.problems() == []
    assert _customers(feeder, topo, "line.tie") == {"c1", "c2"}
    assert _customers(feeder, topo, "line.l3") == {"c1", "c2", "c4"}
    assert _customers(feeder, topo, "recloser.r1") == {"c3"}


def test_opening_breaker_leaves_unfed_customers_reported(feeder: Network) -> None:
    """Customers no source reaches are listed by name, not silently dropped."""
    topo = Topology(feeder)
    topo.set_device_open("relay.brk", True)
    kinds = {p.kind: p for p in topo.problems()}
    assert set(kinds) == {"unfed_customers", "island"}
    assert set(kinds["unfed_customers"].elements) == {"c1", "c2", "c3", "c4"}
    assert len(topo.energised_customers()) == 0
    topo.set_device_open("relay.brk", False)
    assert topo.problems() == []
    assert len(topo.energised_customers()) == 4


def test_parallel_regulator_bank_is_not_a_loop() -> None:
    """Three single-phase regulators between the same buses are parallel, not a loop."""
    b = NetworkBuilder("bank")
    for bus in ("src", "a", "b", "c"):
        b.add_bus(bus, 0, 0)
    b.add_branch("line.in", "line", "src", "a")
    for phase in "abc":
        b.add_branch(f"transformer.reg{phase}", "regulator", "a", "b")
    b.add_branch("transformer.t", "service_transformer", "b", "c")
    b.add_customer("load.x", "c")
    b.add_source("vsource.s", "src")
    net = b.build()
    topo = Topology(net)
    assert topo.problems() == []
    assert topo.downstream_customer_count(net.branch_index("line.in")) == 1
    # Opening any one regulator of the bank cuts nobody off.
    assert topo.downstream_customer_count(net.branch_index("transformer.rega")) == 0


def test_two_sources_paralleled_are_reported() -> None:
    """A closed branch between two sources' trees is reported and each bus keeps one source."""
    b = NetworkBuilder("two")
    for bus in ("s1", "s2", "a", "b"):
        b.add_bus(bus, 0, 0)
    b.add_branch("line.1a", "line", "s1", "a")
    b.add_branch("line.2b", "line", "s2", "b")
    b.add_branch("line.ab", "line", "a", "b")
    b.add_customer("ca", "a")
    b.add_customer("cb", "b")
    b.add_source("src1", "s1")
    b.add_source("src2", "s2")
    net = b.build()
    topo = Topology(net)
    assert [p.kind for p in topo.problems()] == ["parallel_sources"]
    fed = topo.tree_of[net.customers.bus]
    assert np.all(fed >= 0)
