"""Power-restore messages that arrive long after their area was restored.

A meter sends one when its power comes back. Long after its area's restoration,
from a meter that had not said it was back, it says the meter was still out until
now: behind a device nobody reported open, closed just now (a nested outage, found
from the meters as a crew's close finds one). `found_devices` says where.
"""

from __future__ import annotations

from collections.abc import Callable

from outage.candidates import NONE, CandidateTree


def found_devices(tree: CandidateTree, meters: list[int],
                  came_back_on_time: Callable[[int], bool]) -> list[tuple[int, list[int]]]:
    """The devices that were still open over late `meters` (all from one restoration),
    each with its meters: the lowest device over all of them, else each meter's own.

    A device counts only when none of its meters came back with the restoration
    (`came_back_on_time(device)`): a few restore messages merely delayed (a head-end's
    backlog) are scattered over an area most of whose meters were back on time.
    """
    parents = [int(p) for p in tree.customer_parent[meters]]
    top = tree.covering(parents)
    if top != NONE and not came_back_on_time(top):
        return [(top, meters)]
    by_parent: dict[int, list[int]] = {}
    for i, p in zip(meters, parents, strict=True):
        by_parent.setdefault(p, []).append(i)
    return [(p, group) for p, group in by_parent.items()
            if p != NONE and not came_back_on_time(p)]

