"""What `oms network info` tells a person about a network: counts, feeders, problems."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from gis.model import BRANCH_KINDS, DEVICE_KINDS, Network
from gis.topology import Problem, Topology


@dataclass(frozen=True, slots=True)
class FeederSummary:
    id: str
    source: str
    customers: int
    critical: int
    service_points: int
    buses: int
    radial: bool


@dataclass(frozen=True, slots=True)
class NetworkSummary:
    name: str
    crs: str | None
    units: str
    buses: int
    branches: dict[str, int]
    devices: dict[str, int]
    normally_open: int
    service_points: int
    customers: int
    critical_customers: int
    energised_customers: int
    sources: int
    substations: int
    feeders: list[FeederSummary]
    problems: list[Problem]

    @property
    def radial(self) -> bool:
        return not any(p.kind in ("loop", "parallel_sources") for p in self.problems)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["radial"] = self.radial
        data["problems"] = [
            {"kind": p.kind, "message": p.message, "elements": list(p.elements[:50])}
            for p in self.problems
        ]
        return data


def summarise(network: Network, topology: Topology | None = None) -> NetworkSummary:
    """Count what the network holds and trace it to find its feeders and problems."""
    topo = topology or Topology(network)
    c = network.customers
    energised = topo.energised_customers()
    problems = topo.problems() + _coordinate_problems(network)
    return NetworkSummary(
        name=network.name,
        crs=network.crs,
        units=network.units,
        buses=len(network.buses.ids),
        branches=_count_kinds(network.branches.kind, BRANCH_KINDS),
        devices=_count_kinds(network.devices.kind, DEVICE_KINDS),
        normally_open=int(network.devices.normally_open.sum()),
        service_points=len(c.ids),
        customers=int(c.count.sum()),
        critical_customers=int(c.count[c.critical].sum()),
        energised_customers=int(c.count[energised].sum()),
        sources=len(network.sources.ids),
        substations=len(set(network.sources.substation)),
        feeders=_feeders(network, topo, problems),
        problems=problems,
    )


def _count_kinds(kinds: np.ndarray, names: tuple[Any, ...]) -> dict[str, int]:
    counts = Counter(kinds.tolist())
    return {str(names[k]): n for k, n in sorted(counts.items())}


def _feeders(network: Network, topo: Topology, problems: list[Problem]) -> list[FeederSummary]:
    c = network.customers
    feeder_of_customer = topo.feeder_of[c.bus]
    looped = {e for p in problems if p.kind == "loop" for e in p.elements}
    out = []
    for index, feeder_id in enumerate(topo.feeder_ids):
        buses = np.flatnonzero(topo.feeder_of == index)
        if len(buses) == 0:
            continue
        mine = feeder_of_customer == index
        root_tree = int(topo.tree_of[buses[0]])
        bus_ids = {network.buses.ids[b] for b in buses.tolist()} if looped else set()
        out.append(
            FeederSummary(
                id=feeder_id,
                source=network.sources.ids[root_tree],
                customers=int(c.count[mine].sum()),
                critical=int(c.count[mine & c.critical].sum()),
                service_points=int(mine.sum()),
                buses=len(buses),
                radial=not (bus_ids & looped),
            )
        )
    # A substation's own buses above its breakers form a partition with no customers:
    # not a feeder a person would name.
    with_feeders = {f.source for f in out if f.id != f.source}
    out = [
        f for f in out if not (f.customers == 0 and f.id == f.source and f.source in with_feeders)
    ]
    return sorted(out, key=lambda f: (f.source, f.id))


def _coordinate_problems(network: Network) -> list[Problem]:
    problems = []
    for kind, ids, x in (
        ("bus", network.buses.ids, network.buses.x),
        ("customer", network.customers.ids, network.customers.x),
    ):
        missing = np.flatnonzero(~np.isfinite(x))
        if len(missing):
            names = ", ".join(ids[i] for i in missing[:8]) + (" …" if len(missing) > 8 else "")
            problems.append(
                Problem(
                    "missing_coordinates",
                    f"{len(missing)} {kind} records have no coordinates: {names}",
                    tuple(ids[i] for i in missing),
                )
            )
    return problems
