"""The energised radial topology: who feeds whom, traced from the sources.

`Topology` traces the network from its sources through closed branches and keeps,
per bus, the tree it hangs in (its parent, feeder, nearest upstream protective
device and service transformer) and, per branch, the customers downstream of it.
Queries are array look-ups; opening or closing a device re-traces only the source
trees that it touches.

Real data is not always radial. What the trace finds is reported as `Problem`s
rather than refused:
- a closed loop inside one source's tree: every bus of the loop hangs from the
  loop's entry bus, so its customers are downstream of the devices that would cut
  the whole loop off, and devices inside the loop cut off nothing;
- parallel branches between the same two buses (regulator banks): not a loop, but
  opening one of them cuts off nothing;
- two sources paralleled through a closed branch: each bus stays with the source
  that reaches it in fewer hops;
- buses and customers that no source reaches (islands, unfed customers).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from gis.model import BRANCH_KINDS, DEVICE_KINDS, BranchKind, DeviceKind, IntArray, Network
from gis.topology_arrays import NetworkArrays, build_arrays, preorder

NONE = -1

# Among several protective devices on one branch, the most local one is "nearest".
_PROTECTIVE_ORDER = (
    DeviceKind.FUSE,
    DeviceKind.SECTIONALIZER,
    DeviceKind.RECLOSER,
    DeviceKind.BREAKER,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the trace found that a network engineer should look at."""

    kind: str  # loop | parallel_sources | island | unfed_customers
    message: str
    elements: tuple[str, ...]


@dataclass(slots=True)
class _TreeIndex:
    """Per source tree: buses in preorder and customers ordered by their bus's preorder."""

    buses: IntArray
    customers: IntArray


class Topology:
    """Energised topology of a network under a given set of device states."""

    def __init__(self, network: Network, open_devices: set[str] | None = None) -> None:
        self.network = network
        self._arrays: NetworkArrays = build_arrays(network)
        self.device_open = network.devices.normally_open.copy()
        if open_devices is not None:
            self.device_open[:] = False
            for device_id in open_devices:
                self.device_open[network.device_index(device_id)] = True
        n_bus = len(network.buses.ids)
        n_branch = len(network.branches.ids)
        self.tree_of = np.full(n_bus, NONE, dtype=np.int64)
        self.parent_bus = np.full(n_bus, NONE, dtype=np.int64)
        self.parent_branch = np.full(n_bus, NONE, dtype=np.int64)
        self.depth = np.zeros(n_bus, dtype=np.int64)
        self.tin = np.zeros(n_bus, dtype=np.int64)
        self.tout = np.zeros(n_bus, dtype=np.int64)
        self.feeder_of = np.full(n_bus, NONE, dtype=np.int64)
        self.up_protective = np.full(n_bus, NONE, dtype=np.int64)
        self.up_transformer = np.full(n_bus, NONE, dtype=np.int64)
        self.downstream_count = np.zeros(n_bus, dtype=np.int64)
        self.cust_lo = np.zeros(n_bus, dtype=np.int64)
        self.cust_hi = np.zeros(n_bus, dtype=np.int64)
        # For each branch that is a bridge of the energised tree: its downstream bus.
        self.child_of_branch = np.full(n_branch, NONE, dtype=np.int64)
        self.feeder_ids: list[str] = []
        self._feeder_index: dict[str, int] = {}
        self._trees: dict[int, _TreeIndex] = {}
        self._problems: dict[int, list[Problem]] = {}
        self._parallel_children: set[int] = set()
        self._retrace(set(range(len(network.sources.ids))))

    # -- switching -----------------------------------------------------------------
    def set_device_open(self, device_id: str, is_open: bool) -> set[str]:
        """Open or close a device; re-trace the trees it touches; return their source ids."""
        device = self.network.device_index(device_id)
        if bool(self.device_open[device]) == is_open:
            return set()
        self.device_open[device] = is_open
        branch = int(self.network.devices.branch[device])
        ends = (self.network.branches.from_bus[branch], self.network.branches.to_bus[branch])
        affected = {int(self.tree_of[end]) for end in ends} - {NONE}
        self._retrace(affected)
        return {self.network.sources.ids[s] for s in affected}

    def branch_closed(self, branch: int) -> bool:
        """True when no device on the branch is open."""
        return not any(self.device_open[d] for d in self.network.devices_on_branch.get(branch, ()))

    # -- queries on buses ------------------------------------------------------------
    def is_energised(self, bus: int) -> bool:
        return bool(self.tree_of[bus] != NONE)

    def feeder(self, bus: int) -> str | None:
        """Feeder of a bus: its nearest upstream breaker, else its source; None if unfed."""
        f = int(self.feeder_of[bus])
        return self.feeder_ids[f] if f != NONE else None

    def upstream_branches(self, bus: int) -> list[int]:
        """Branches from the bus up to its source, nearest first (loops are skipped)."""
        path = []
        while bus != NONE:
            branch = int(self.parent_branch[bus])
            if branch != NONE:
                path.append(branch)
            bus = int(self.parent_bus[bus])
        return path

    def upstream_devices(self, bus: int, *, protective_only: bool = False) -> list[int]:
        """Devices that would de-energise the bus if opened, nearest first."""
        devices = []
        for branch in self.upstream_branches(bus):
            if self.child_of_branch[branch] == NONE:
                continue  # a branch inside a loop or a parallel bank cuts nothing off
            for d in self.network.devices_on_branch.get(branch, ()):
                if not protective_only or DEVICE_KINDS[self.network.devices.kind[d]] in (
                    _PROTECTIVE_ORDER
                ):
                    devices.append(d)
        return devices

    def is_downstream(self, bus: int, branch: int) -> bool:
        """True when opening `branch` would de-energise `bus`."""
        child = int(self.child_of_branch[branch])
        if child == NONE or self.tree_of[bus] != self.tree_of[child]:
            return False
        return bool(self.tin[child] <= self.tin[bus] < self.tout[child])

    # -- queries on branches ---------------------------------------------------------
    def downstream_customer_count(self, branch: int) -> int:
        """Customers (summed counts) de-energised if the branch opens."""
        child = int(self.child_of_branch[branch])
        return 0 if child == NONE else int(self.downstream_count[child])

    def downstream_customers(self, branch: int) -> IntArray:
        """Customer indices de-energised if the branch opens, in preorder of their buses."""
        far = self._far_side(branch)
        if far is None:
            return np.empty(0, dtype=np.int64)
        tree, child = far
        return tree.customers[self.cust_lo[child] : self.cust_hi[child]]

    def downstream_buses(self, branch: int) -> IntArray:
        """Bus indices de-energised if the branch opens (the branch's far side first)."""
        far = self._far_side(branch)
        if far is None:
            return np.empty(0, dtype=np.int64)
        tree, child = far
        return tree.buses[self.tin[child] : self.tout[child]]

    def _far_side(self, branch: int) -> tuple[_TreeIndex, int] | None:
        """The tree and downstream bus of a branch that cuts something off, else None."""
        child = int(self.child_of_branch[branch])
        if child == NONE:
            return None
        return self._trees[int(self.tree_of[child])], child

    # -- whole-network views ---------------------------------------------------------
    def source_customers(self, source: int) -> IntArray:
        """Customer indices fed by a source (all of its tree)."""
        tree = self._trees.get(source)
        return tree.customers if tree is not None else np.empty(0, dtype=np.int64)

    def preorder(self) -> list[IntArray]:
        """Each energised tree's buses, parents before children."""
        return [self._trees[s].buses for s in sorted(self._trees) if len(self._trees[s].buses)]

    def energised_customers(self) -> IntArray:
        """Indices of customers that some source reaches."""
        return np.flatnonzero(self.tree_of[self.network.customers.bus] != NONE)

    def problems(self) -> list[Problem]:
        """Loops, paralleled sources, islands and unfed customers, largest first."""
        seen: dict[tuple[str, str], Problem] = {}
        for found in self._problems.values():
            for problem in found:
                seen.setdefault((problem.kind, problem.message), problem)
        return list(seen.values()) + self._island_problems()

    # -- tracing -------------------------------------------------------------------
    def _retrace(self, sources: set[int]) -> None:
        """Re-trace the given source trees and any tree they now touch through closed branches.

        Re-tracing the whole closed-branch component together gives exactly the result
        of a full rebuild, while trees elsewhere are left alone.
        """
        sources = set(sources)
        while sources:
            cleared = np.flatnonzero(np.isin(self.tree_of, list(sources)))
            self._clear(cleared)
            for s in sources:
                self._problems.pop(s, None)
                self._trees.pop(s, None)
            order, extra = self._bfs(sorted(sources))
            touched = self._touched_trees(cleared, extra, sources)
            if touched:
                sources |= touched
                continue
            self._resolve_extra_edges(extra)
            members: dict[int, list[int]] = {s: [] for s in sources}
            tree_of = self.tree_of.tolist() if len(order) > 1000 else None
            for bus in order:
                members[tree_of[bus] if tree_of else int(self.tree_of[bus])].append(bus)
            for s in sources:
                self._index_tree(s, members[s])
            return

    def _touched_trees(
        self, cleared: IntArray, extra: list[tuple[int, int, int]], sources: set[int]
    ) -> set[int]:
        """Trees outside `sources` reached from the re-traced region through closed branches."""
        touched = {int(self.tree_of[v]) for u, v, _ in extra} | {
            int(self.tree_of[u]) for u, v, _ in extra
        }
        a = self._arrays
        closed = None
        for bus in cleared[self.tree_of[cleared] == NONE].tolist():
            for k in range(a.ptr[bus], a.ptr[bus + 1]):
                if closed is None:
                    closed = self._closed_branches()
                if closed[a.nbr_branch[k]]:
                    touched.add(int(self.tree_of[a.nbr_bus[k]]))
        return touched - sources - {NONE}

    def _clear(self, buses: IntArray) -> None:
        came_by = self.parent_branch[buses]
        self.child_of_branch[came_by[came_by != NONE]] = NONE
        for array in (
            self.tree_of,
            self.parent_bus,
            self.parent_branch,
            self.feeder_of,
            self.up_protective,
            self.up_transformer,
        ):
            array[buses] = NONE
        self.downstream_count[buses] = 0

    def _bfs(self, sources: list[int]) -> tuple[list[int], list[tuple[int, int, int]]]:
        """Multi-source breadth-first trace; returns visit order and non-tree closed edges."""
        a = self._arrays
        tree_of = self.tree_of
        parent_bus, parent_branch, depth = self.parent_bus, self.parent_branch, self.depth
        closed = self._closed_branches()
        queue: deque[int] = deque()
        for s in sources:
            root = int(self.network.sources.bus[s])
            if tree_of[root] != NONE:
                continue  # two sources on one bus: the first one feeds it
            tree_of[root], parent_bus[root], parent_branch[root], depth[root] = s, NONE, NONE, 0
            queue.append(root)
        order: list[int] = []
        extra: list[tuple[int, int, int]] = []
        ptr, nbr_bus, nbr_branch = a.ptr, a.nbr_bus, a.nbr_branch
        while queue:
            u = queue.popleft()
            order.append(u)
            tree_u, came_by = tree_of[u], parent_branch[u]
            for k in range(ptr[u], ptr[u + 1]):
                branch = nbr_branch[k]
                if branch == came_by or not closed[branch]:
                    continue
                v = nbr_bus[k]
                if tree_of[v] == NONE:
                    tree_of[v], parent_bus[v], parent_branch[v] = tree_u, u, branch
                    depth[v] = depth[u] + 1
                    queue.append(v)
                elif u < v or tree_of[v] != tree_u:
                    extra.append((u, v, branch))
        return order, extra

    def _closed_branches(self) -> list[bool]:
        closed = np.ones(len(self.network.branches.ids), dtype=bool)
        open_branches = self.network.devices.branch[self.device_open]
        closed[open_branches] = False
        return closed.tolist()

    def _resolve_extra_edges(self, extra: list[tuple[int, int, int]]) -> None:
        """Classify non-tree closed edges: parallel banks, loops, paralleled sources."""
        ids, branch_ids = self.network.buses.ids, self.network.branches.ids
        loops = _UnionFind()
        parallel_children: set[int] = set()
        reported_cross: set[int] = set()
        for u, v, branch in extra:
            tree_u, tree_v = int(self.tree_of[u]), int(self.tree_of[v])
            if tree_u != tree_v:
                if branch not in reported_cross:
                    reported_cross.add(branch)
                    src = self.network.sources.ids
                    problem = Problem(
                        "parallel_sources",
                        f"sources {src[tree_u]!r} and {src[tree_v]!r} are paralleled "
                        f"through closed branch {branch_ids[branch]!r}",
                        (branch_ids[branch],),
                    )
                    for tree in {tree_u, tree_v} - {NONE}:
                        self._problems.setdefault(tree, []).append(problem)
                continue
            if self.parent_bus[v] == u or self.parent_bus[u] == v:
                parallel_children.add(v if self.parent_bus[v] == u else u)
                continue
            cycle = self._cycle(u, v)
            for bus in cycle:
                loops.union(cycle[0], bus)
            names = ", ".join(ids[b] for b in cycle[:6]) + (" …" if len(cycle) > 6 else "")
            self._problems.setdefault(tree_u, []).append(
                Problem(
                    "loop",
                    f"closed loop through branch {branch_ids[branch]!r} and buses {names}; "
                    "its customers are treated as fed from the loop's entry bus",
                    (branch_ids[branch], *(ids[b] for b in cycle)),
                )
            )
        self._parallel_children = parallel_children
        self._reparent_loops(loops)

    def _cycle(self, u: int, v: int) -> list[int]:
        """Buses on the tree paths from u and v to their lowest common ancestor (LCA first)."""
        up_u, up_v = [u], [v]
        while self.depth[up_u[-1]] > self.depth[up_v[-1]]:
            up_u.append(int(self.parent_bus[up_u[-1]]))
        while self.depth[up_v[-1]] > self.depth[up_u[-1]]:
            up_v.append(int(self.parent_bus[up_v[-1]]))
        while up_u[-1] != up_v[-1]:
            up_u.append(int(self.parent_bus[up_u[-1]]))
            up_v.append(int(self.parent_bus[up_v[-1]]))
        lca = up_u[-1]
        return [lca, *up_u[:-1], *up_v[:-1]]

    def _reparent_loops(self, loops: _UnionFind) -> None:
        """Hang every bus of a loop from the loop's entry (its shallowest bus)."""
        for members in loops.groups():
            entry = min(members, key=lambda b: int(self.depth[b]))
            for bus in members:
                if bus != entry:
                    self.parent_bus[bus] = entry
                    self.parent_branch[bus] = NONE
                    self.depth[bus] = self.depth[entry] + 1

    def _index_tree(self, source: int, members: list[int]) -> None:
        """Number one tree (its buses in visit order) in preorder; derive per-bus arrays."""
        if not members:
            self._trees[source] = _TreeIndex(*(np.empty(0, dtype=np.int64),) * 2)
            return
        root = int(self.network.sources.bus[source])
        buses = preorder(root, members, self.parent_bus)
        self.tin[buses] = np.arange(len(buses))
        self._derive_down(source, buses)
        self._index_customers(source, buses)

    def _derive_down(self, source: int, buses: IntArray) -> None:
        """Feeder, nearest protective device and transformer, parents before children."""
        net = self.network
        source_feeder = self._feeder(net.sources.ids[source])
        parent_bus, parent_branch = self.parent_bus, self.parent_branch
        feeder, up_prot, up_tx = self.feeder_of, self.up_protective, self.up_transformer
        tx_kind = BRANCH_KINDS.index(BranchKind.SERVICE_TRANSFORMER)
        branch_kind = net.branches.kind
        for bus in buses.tolist():
            parent = int(parent_bus[bus])
            if parent == NONE:
                feeder[bus], up_prot[bus], up_tx[bus] = source_feeder, NONE, NONE
                continue
            feeder[bus], up_prot[bus], up_tx[bus] = feeder[parent], up_prot[parent], up_tx[parent]
            branch = int(parent_branch[bus])
            if branch == NONE or bus in self._parallel_children:
                continue
            self.child_of_branch[branch] = bus
            if branch_kind[branch] == tx_kind:
                up_tx[bus] = branch
            protective = self._protective_on(branch)
            if protective is not None:
                up_prot[bus] = protective
                if DEVICE_KINDS[net.devices.kind[protective]] is DeviceKind.BREAKER:
                    feeder[bus] = self._feeder(net.devices.ids[protective])

    def _protective_on(self, branch: int) -> int | None:
        devices = self.network.devices_on_branch.get(branch)
        if not devices:
            return None
        kinds = self.network.devices.kind
        ranked = [
            (_PROTECTIVE_ORDER.index(DEVICE_KINDS[kinds[d]]), d)
            for d in devices
            if DEVICE_KINDS[kinds[d]] in _PROTECTIVE_ORDER
        ]
        return min(ranked)[1] if ranked else None

    def _feeder(self, feeder_id: str) -> int:
        index = self._feeder_index.get(feeder_id)
        if index is None:
            index = self._feeder_index[feeder_id] = len(self.feeder_ids)
            self.feeder_ids.append(feeder_id)
        return index

    def _index_customers(self, source: int, buses: IntArray) -> None:
        """Customers in bus preorder, and per bus the slice of them downstream."""
        a = self._arrays
        starts, stops = a.cust_ptr[buses], a.cust_ptr[buses + 1]
        per_bus = stops - starts
        customers = a.cust_by_bus[_ranges(starts, per_bus)]
        counts = self.network.customers.count[customers]
        prefix = np.concatenate(([0], np.cumsum(counts)))
        # Position of each bus's first customer in `customers`, then subtree bounds.
        first = np.concatenate(([0], np.cumsum(per_bus)))
        size = _subtree_sizes(buses, self.parent_bus, self.tin)
        self.tout[buses] = self.tin[buses] + size
        lo = first[self.tin[buses]]
        hi = first[self.tin[buses] + size]
        self.cust_lo[buses], self.cust_hi[buses] = lo, hi
        self.downstream_count[buses] = prefix[hi] - prefix[lo]
        self._trees[source] = _TreeIndex(buses, customers)

    def _island_problems(self) -> list[Problem]:
        unfed = np.flatnonzero(self.tree_of == NONE)
        if len(unfed) == 0:
            return []
        net = self.network
        customers = np.flatnonzero(self.tree_of[net.customers.bus] == NONE)
        problems = []
        if len(customers):
            names = ", ".join(net.customers.ids[c] for c in customers[:8])
            more = " …" if len(customers) > 8 else ""
            problems.append(
                Problem(
                    "unfed_customers",
                    f"{len(customers)} service points are fed by no source: {names}{more}",
                    tuple(net.customers.ids[c] for c in customers),
                )
            )
        names = ", ".join(net.buses.ids[b] for b in unfed[:8]) + (" …" if len(unfed) > 8 else "")
        problems.append(
            Problem(
                "island",
                f"{len(unfed)} buses are reached by no source through closed branches: {names}",
                tuple(net.buses.ids[b] for b in unfed),
            )
        )
        return problems


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenate ``range(s, s + n)`` for each pair, vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.arange(total, dtype=np.int64) + offsets


def _subtree_sizes(buses: IntArray, parent_bus: IntArray, tin: IntArray) -> IntArray:
    """Size of each bus's subtree, for buses given in preorder."""
    size = [1] * len(buses)
    parent_position = tin[parent_bus[buses[1:]]].tolist()  # the root has no parent
    for i in range(len(buses) - 1, 0, -1):
        size[parent_position[i - 1]] += size[i]
    return np.array(size, dtype=np.int64)


class _UnionFind:
    def __init__(self) -> None:
        self._parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = x
        while self._parent.get(root, root) != root:
            root = self._parent[root]
        while x != root:
            self._parent[x], x = root, self._parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        self._parent.setdefault(a, a)
        self._parent.setdefault(b, b)
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[rb] = ra

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for x in self._parent:
            out.setdefault(self.find(x), []).append(x)
        return list(out.values())
