"""The tree of places an outage can be: devices, transformers, feeder heads.

A candidate is something whose operation de-energises a set of customers: a
source (the whole tree), a device (breaker, recloser, sectionalizer, fuse,
switch) or a service transformer (its fuse). Candidates nest along the radial
topology; each customer hangs from its nearest upstream candidate. The
prediction engine works on this tree only, with integer indices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gis import BranchKind, DeviceKind, Network, Topology
from gis.model import BRANCH_KINDS, DEVICE_KINDS, IntArray

NONE = -1

# Which device names a branch carrying several: the one that operates on a fault first.
_DEVICE_RANK = {
    DeviceKind.FUSE: 0,
    DeviceKind.SECTIONALIZER: 1,
    DeviceKind.RECLOSER: 2,
    DeviceKind.BREAKER: 3,
    DeviceKind.SWITCH: 4,
}


@dataclass(frozen=True, slots=True)
class CandidateTree:
    """Candidates in preorder (parents first) with their nesting and sizes."""

    element_id: tuple[str, ...]  # device, transformer branch or source id
    kind: tuple[str, ...]  # device kind, "service_transformer" or "source"
    branch: IntArray  # branch index, NONE for a source
    parent: IntArray  # parent candidate, NONE at a source
    tin: IntArray  # preorder interval: c is inside a when tin[a] <= tin[c] < tout[a]
    tout: IntArray
    feeder: tuple[str, ...]
    service_points: IntArray  # downstream service points (what reports come from)
    customers: IntArray  # downstream customers (summed counts)
    critical: IntArray  # downstream critical customers
    customer_parent: IntArray  # per service point: nearest upstream candidate, NONE if unfed
    index: dict[str, int]

    def __len__(self) -> int:
        return len(self.element_id)

    def contains(self, outer: int, inner: int) -> bool:
        """True when candidate `inner` is `outer` or lies below it."""
        return bool(self.tin[outer] <= self.tin[inner] < self.tout[outer])

    def path_up(self, candidate: int) -> list[int]:
        """The candidate and its ancestors, nearest first."""
        path = []
        while candidate != NONE:
            path.append(candidate)
            candidate = int(self.parent[candidate])
        return path

    def covering(self, candidates: list[int]) -> int:
        """The lowest candidate at or above every one of `candidates` (NONE if none is,
        or if one of them is NONE)."""
        tins = np.array([int(self.tin[c]) for c in candidates if c != NONE])
        if len(tins) < len(candidates):
            return NONE
        c = candidates[0]
        while c != NONE and not (self.tin[c] <= tins.min() and tins.max() < self.tout[c]):
            c = int(self.parent[c])
        return c


def build_candidates(network: Network, topology: Topology) -> CandidateTree:
    """Derive the candidate tree from the traced topology."""
    ids: list[str] = []
    kinds: list[str] = []
    branches: list[int] = []
    parents: list[int] = []
    feeders: list[str] = []
    up = np.full(len(network.buses.ids), NONE, dtype=np.int64)
    label = _branch_labels(network)
    for tree in topology.preorder():
        up_list = _walk_tree(tree, topology, label, up, ids, kinds, branches, parents, feeders)
        up[tree] = up_list
    n = len(ids)
    parent = np.array(parents, dtype=np.int64)
    tout = _subtree_end(parent)
    customer_parent = up[network.customers.bus]
    sp, cust, crit = _sizes(network, parent, customer_parent, n)
    return CandidateTree(
        element_id=tuple(ids),
        kind=tuple(kinds),
        branch=np.array(branches, dtype=np.int64),
        parent=parent,
        tin=np.arange(n, dtype=np.int64),
        tout=tout,
        feeder=tuple(feeders),
        service_points=sp,
        customers=cust,
        critical=crit,
        customer_parent=customer_parent,
        index={element: i for i, element in enumerate(ids)},
    )


def _branch_labels(network: Network) -> dict[int, tuple[str, str]]:
    """Branches that are candidates, with the id and kind an outage there is named by."""
    labels: dict[int, tuple[str, str]] = {}
    tx = BRANCH_KINDS.index(BranchKind.SERVICE_TRANSFORMER)
    for branch in np.flatnonzero(network.branches.kind == tx).tolist():
        labels[branch] = (network.branches.ids[branch], str(BranchKind.SERVICE_TRANSFORMER))
    for branch, devices in network.devices_on_branch.items():
        device = min(devices, key=lambda d: _DEVICE_RANK[DEVICE_KINDS[network.devices.kind[d]]])
        kind = DEVICE_KINDS[network.devices.kind[device]]
        labels[branch] = (network.devices.ids[device], str(kind))
    return labels


def _walk_tree(
    tree: IntArray,
    topology: Topology,
    label: dict[int, tuple[str, str]],
    up: IntArray,
    ids: list[str],
    kinds: list[str],
    branches: list[int],
    parents: list[int],
    feeders: list[str],
) -> list[int]:
    """Append one source tree's candidates in preorder; return each bus's candidate."""
    network = topology.network
    root = int(tree[0])
    source = int(topology.tree_of[root])
    position = {bus: i for i, bus in enumerate(tree.tolist())}
    result = [NONE] * len(tree)
    result[0] = len(ids)
    ids.append(network.sources.ids[source])
    kinds.append("source")
    branches.append(NONE)
    parents.append(NONE)
    feeders.append(topology.feeder(root) or "")
    parent_bus, parent_branch = topology.parent_bus, topology.parent_branch
    child_of_branch = topology.child_of_branch
    for i, bus in enumerate(tree.tolist()[1:], start=1):
        above = result[position[int(parent_bus[bus])]]
        branch = int(parent_branch[bus])
        if branch != NONE and branch in label and child_of_branch[branch] == bus:
            result[i] = len(ids)
            element, kind = label[branch]
            ids.append(element)
            kinds.append(kind)
            branches.append(branch)
            parents.append(above)
            feeders.append(topology.feeder(bus) or "")
        else:
            result[i] = above
    return result


def _subtree_end(parent: IntArray) -> IntArray:
    """For candidates listed in preorder, one past the last descendant of each."""
    n = len(parent)
    size = np.ones(n, dtype=np.int64)
    parents = parent.tolist()
    for c in range(n - 1, 0, -1):
        if parents[c] != NONE:
            size[parents[c]] += size[c]
    return np.arange(n, dtype=np.int64) + size


def _sizes(
    network: Network, parent: IntArray, customer_parent: IntArray, n: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Downstream service points, customers and critical customers of every candidate."""
    fed = customer_parent != NONE
    at = customer_parent[fed]
    counts = network.customers.count[fed]
    critical = np.where(network.customers.critical[fed], counts, 0)
    sp = np.bincount(at, minlength=n).astype(np.int64)
    cust = np.bincount(at, weights=counts, minlength=n).astype(np.int64)
    crit = np.bincount(at, weights=critical, minlength=n).astype(np.int64)
    parents = parent.tolist()
    for c in range(n - 1, 0, -1):  # children after parents in preorder: sum upwards
        p = parents[c]
        if p != NONE:
            sp[p] += sp[c]
            cust[p] += cust[c]
            crit[p] += crit[c]
    return sp, cust, crit
