"""Static arrays the topology trace runs on: adjacency and customers by bus."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gis.model import IntArray, Network


@dataclass(frozen=True, slots=True)
class NetworkArrays:
    """Compressed adjacency (both directions of every branch) and customers per bus."""

    ptr: list[int]  # bus -> slice of nbr_bus / nbr_branch
    nbr_bus: list[int]
    nbr_branch: list[int]
    cust_ptr: IntArray  # bus -> slice of cust_by_bus
    cust_by_bus: IntArray


def build_arrays(network: Network) -> NetworkArrays:
    """Derive the adjacency and the customer grouping from a network, vectorised."""
    n_bus = len(network.buses.ids)
    frm, to = network.branches.from_bus, network.branches.to_bus
    branch = np.arange(len(frm), dtype=np.int64)
    tail = np.concatenate((frm, to))
    head = np.concatenate((to, frm))
    both = np.concatenate((branch, branch))
    order = np.argsort(tail, kind="stable")
    ptr = np.concatenate(([0], np.cumsum(np.bincount(tail, minlength=n_bus))))
    cust_bus = network.customers.bus
    cust_order = np.argsort(cust_bus, kind="stable").astype(np.int64)
    cust_ptr = np.concatenate(([0], np.cumsum(np.bincount(cust_bus, minlength=n_bus))))
    return NetworkArrays(
        ptr=ptr.tolist(),
        nbr_bus=head[order].tolist(),
        nbr_branch=both[order].tolist(),
        cust_ptr=cust_ptr.astype(np.int64),
        cust_by_bus=cust_order,
    )


def preorder(root: int, members: list[int], parent_bus: IntArray) -> IntArray:
    """Depth-first preorder of one tree given its members and their parents."""
    children: dict[int, list[int]] = {}
    parents = parent_bus[members].tolist()
    for bus, parent in zip(members, parents, strict=True):
        if parent >= 0:
            children.setdefault(parent, []).append(bus)
    out: list[int] = []
    stack = [root]
    while stack:
        bus = stack.pop()
        out.append(bus)
        kids = children.get(bus)
        if kids:
            stack.extend(reversed(kids))
    return np.array(out, dtype=np.int64)
