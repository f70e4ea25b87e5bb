"""The synthetic utility generator and the committed sample territory."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gis import Network, Topology
from gis.io import load_network
from gis.model import BRANCH_KINDS, DEVICE_KINDS, BranchKind, DeviceKind
from gis.synthetic import SynthParams, synthesize_utility
from gis.synthetic_skeleton import split_counts

TERRITORY = Path(__file__).parents[2] / "sample_data" / "territory.gpkg"


@pytest.fixture(scope="module")
def utility() -> Network:
    """A 20,000-customer synthetic utility, seed 7."""
    return synthesize_utility(20_000, seed=7)


@pytest.fixture(scope="module")
def topo(utility: Network) -> Topology:
    """Its topology in the normal state."""
    return Topology(utility)


def _devices(net: Network, kind: DeviceKind) -> np.ndarray:
    return np.flatnonzero(net.devices.kind == DEVICE_KINDS.index(kind))


def test_customer_count_is_exact(utility: Network) -> None:
    """The generator produces exactly the requested number of service points, count 1."""
    assert len(utility.customers.ids) == 20_000
    assert utility.customer_total == 20_000


@pytest.mark.parametrize("n", [1, 4, 5, 16, 999])
def test_small_sizes_are_exact(n: int) -> None:
    """Tiny utilities still have exactly the requested customers, all energised."""
    net = synthesize_utility(n, seed=1)
    assert net.customer_total == n
    assert len(Topology(net).energised_customers()) == n


def test_radial_and_everyone_energised(utility: Network, topo: Topology) -> None:
    """The normal state is radial and every customer is fed."""
    assert topo.problems() == []
    assert len(topo.energised_customers()) == len(utility.customers.ids)


def test_every_feeder_is_breaker_headed(utility: Network, topo: Topology) -> None:
    """Each customer's feeder is a breaker, and each substation has 2–8 breakers."""
    feeders = {topo.feeder_ids[f] for f in np.unique(topo.feeder_of[utility.customers.bus])}
    breakers = {utility.devices.ids[d] for d in _devices(utility, DeviceKind.BREAKER)}
    assert feeders == breakers
    per_sub = np.bincount([int(topo.tree_of[utility.devices.branch[d]])
                           for d in _devices(utility, DeviceKind.BREAKER)])
    assert per_sub.min() >= 2 and per_sub.max() <= 8


def test_transformers_serve_5_to_15(utility: Network, topo: Topology) -> None:
    """Every service transformer feeds between 5 and 15 customers."""
    tx = np.flatnonzero(utility.branches.kind == BRANCH_KINDS.index(BranchKind.SERVICE_TRANSFORMER))
    served = np.array([topo.downstream_customer_count(int(b)) for b in tx])
    assert served.min() >= 5 and served.max() <= 15


def test_structure_has_reclosers_fuses_and_open_ties(utility: Network, topo: Topology) -> None:
    """Mains carry reclosers; laterals fuses; ties are normally open and join two feeders."""
    assert len(_devices(utility, DeviceKind.RECLOSER)) >= len(_devices(utility, DeviceKind.BREAKER))
    assert len(_devices(utility, DeviceKind.FUSE)) > 0
    ties = [d for d in _devices(utility, DeviceKind.SWITCH) if utility.devices.ids[d].startswith(
        "switch.tie.")]
    assert ties and all(utility.devices.normally_open[ties])
    assert int(utility.devices.normally_open.sum()) == len(ties)
    for d in ties:
        branch = int(utility.devices.branch[d])
        ends = utility.branches.from_bus[branch], utility.branches.to_bus[branch]
        assert topo.feeder_of[ends[0]] != topo.feeder_of[ends[1]]


def test_critical_share_and_coordinates(utility: Network) -> None:
    """About 0.3 % of customers are critical; coordinates are WGS 84 near the centre."""
    assert 0.001 < utility.customers.critical.mean() < 0.006
    assert utility.crs == "EPSG:4326"
    assert np.all(np.abs(utility.customers.x - (-122.68)) < 1.0)
    assert np.all(np.abs(utility.customers.y - 45.52) < 1.0)


def test_closing_a_tie_makes_a_loop_and_reopening_restores(utility: Network) -> None:
    """Closing one tie parallels two feeders; opening it again gives the radial state back."""
    topo = Topology(utility)
    tie = next(d for d in utility.devices.ids if d.startswith("switch.tie."))
    topo.set_device_open(tie, False)
    assert topo.problems()
    topo.set_device_open(tie, True)
    assert topo.problems() == []


def test_same_seed_same_network() -> None:
    """Same seed gives an identical network; another seed a different one."""
    a, b, c = (synthesize_utility(3_000, seed=s) for s in (3, 3, 4))
    assert a.devices.ids == b.devices.ids and a.branches.ids == b.branches.ids
    np.testing.assert_array_equal(a.customers.x, b.customers.x)
    np.testing.assert_array_equal(a.customers.critical, b.customers.critical)
    np.testing.assert_array_equal(a.branches.length_m, b.branches.length_m)
    assert not np.array_equal(a.customers.x, c.customers.x)


def test_ids_are_readable() -> None:
    """Ids follow the documented pattern (sub3, breaker.s3f2, fuse.s3f2l17, cust.000123)."""
    net = synthesize_utility(2_000, seed=0)
    assert "breaker.s1f1" in net.devices.index
    assert "recloser.s1f1r1" in net.devices.index
    assert "fuse.s1f1l1" in net.devices.index
    assert "transformer.s1f1l1t1" in net.branches.index
    assert net.customers.ids[0] == "cust.000001"
    assert net.sources.substation[0] == "sub1"


def test_split_counts_sums_exactly() -> None:
    """Group sizes stay within bounds and sum to the total."""
    rng = np.random.default_rng(0)
    for total in (5, 17, 100, 12_345):
        sizes = split_counts(total, 5, 15, rng)
        assert sizes.sum() == total and sizes.min() >= 5 and sizes.max() <= 15


def test_bad_arguments_are_refused() -> None:
    """Zero customers or inverted ranges raise ValueError naming the field."""
    with pytest.raises(ValueError, match="customers"):
        synthesize_utility(0)
    with pytest.raises(ValueError, match="customers_per_transformer"):
        SynthParams(customers_per_transformer=(15, 5))


@pytest.fixture(scope="module")
def territory() -> Network:
    """The committed sample territory, loaded through the public loader."""
    return load_network(TERRITORY)


def test_territory_structure(territory: Network) -> None:
    """The sample has ≥ 2 substations, ≥ 8 feeders, reclosers, fuses and open ties."""
    topo = Topology(territory)
    assert len(set(territory.sources.substation)) >= 2
    assert len(_devices(territory, DeviceKind.BREAKER)) >= 8
    assert len(_devices(territory, DeviceKind.RECLOSER)) >= 8
    assert len(_devices(territory, DeviceKind.FUSE)) >= 50
    assert territory.devices.normally_open.sum() >= 4
    assert topo.problems() == []
    assert len(topo.energised_customers()) == len(territory.customers.ids)


def test_territory_customers(territory: Network) -> None:
    """Several thousand customers with critical ones and street addresses, in WGS 84."""
    assert 5_000 <= territory.customer_total <= 7_000
    assert territory.customers.critical.sum() >= 10
    assert territory.crs == "EPSG:4326"
    assert all(re.fullmatch(r"\d+ [NS][EW] \w+ (St|Blvd)( Unit [A-Z])?", a)
               for a in territory.customers.address)
    assert len(set(territory.customers.address)) == len(territory.customers.ids)


def test_territory_lines_follow_streets(territory: Network) -> None:
    """Spans that turn through intersections carry polylines; every line has a length."""
    assert len(territory.branches.geometry) > 250
    lines = territory.branches.kind == BRANCH_KINDS.index(BranchKind.LINE)
    assert np.all(territory.branches.length_m[lines] > 0)


@settings(max_examples=15, deadline=None)
@given(customers=st.integers(5, 3_000), seed=st.integers(0, 2**16))
def test_any_size_is_exact_radial_and_fed(customers: int, seed: int) -> None:
    """For any size and seed: exact count, radial, all fed, transformers serve 5–15."""
    net = synthesize_utility(customers, seed=seed)
    topo = Topology(net)
    assert net.customer_total == customers
    assert topo.problems() == []
    assert len(topo.energised_customers()) == customers
    per_bus = np.bincount(net.customers.bus)
    assert per_bus[per_bus > 0].min() >= 5 and per_bus.max() <= 15


def test_territory_is_deterministic() -> None:
    """Regenerating the territory gives the network that is committed."""
    from gis.synthetic_territory import make_territory

    fresh = make_territory().network
    committed = load_network(TERRITORY)
    assert fresh.devices.ids == committed.devices.ids
    assert fresh.customers.address == committed.customers.address
    np.testing.assert_allclose(fresh.customers.x, committed.customers.x)
