"""Ties between feeders, and the sections they feed.

A tie is a device open in the network as normally switched. Closed, it can feed a
section whose own supply is cut off behind a device reported open (a back-feed, or
a load transfer made before the device opened). `TieSections` keeps what the device
reports said of each device's state and which sections a tie feeds, and answers the
questions the engine asks of them; the engine restores and re-darkens the outages.
"""

from __future__ import annotations

import numpy as np

from gis import Network, Topology
from outage.book import OutageBook
from outage.candidates import CandidateTree
from outage.predict import Predictor


class TieSections:
    """Device states as last reported, and the sections fed through ties."""

    def __init__(self, network: Network, topology: Topology, tree: CandidateTree,
                 predictor: Predictor, book: OutageBook) -> None:
        self.network, self.topology, self.tree = network, topology, tree
        self._predictor, self._book = predictor, book
        self.device_open: dict[str, bool] = {}  # as last reported, by device id
        # The open device isolating each section fed through a tie -> the tie.
        self.fed: dict[int, str] = {}

    def is_tie(self, device_id: str) -> bool:
        """A device open in the network as normally switched (a tie between feeders)."""
        index = self.network.devices.index.get(device_id)
        return index is not None and bool(self.network.devices.normally_open[index])

    def candidates_above(self, bus: int) -> list[int]:
        """The candidates a bus hangs below, nearest first (as normally switched)."""
        branches = self.topology.upstream_branches(bus)
        position = {b: k for k, b in enumerate(branches)}
        found = np.flatnonzero(np.isin(self.tree.branch, branches))
        nearest = sorted(found.tolist(), key=lambda c: position[int(self.tree.branch[c])])
        return self.tree.path_up(nearest[0]) if nearest else []

    def paths(self, tie: str) -> list[list[int]]:
        """The candidates each end of a tie hangs below, nearest first."""
        branch = self.network.element_branch(tie)
        ends = (int(self.network.branches.from_bus[branch]),
                int(self.network.branches.to_bus[branch]))
        return [self.candidates_above(bus) for bus in ends]

    def feeds(self, c: int) -> bool:
        """Whether candidate `c` lies in a section fed through a tie."""
        return any(self.tree.contains(boundary, c) for boundary in self.fed)

    def isolated_by(self, path: list[int]) -> int | None:
        """The nearest device on `path` reported open, if any, short of a section fed
        through a tie (whose device, open, no longer isolates it: the tie feeds it)."""
        for c in path:
            if c in self.fed:
                return None
            if self._predictor.forced[c]:
                return c
        return None

    def dark(self, path: list[int]) -> bool:
        """Whether a bus below `path` is without power: a device on it reported open,
        an outage there on the board, or its section back-fed already."""
        forced, book = self._predictor.forced, self._book.by_candidate
        return any(forced[c] or c in book or c in self.fed for c in path)

    def feeding(self, c: int) -> str | None:
        """A closed tie that feeds the section below `c` from an energised side, when
        `c` opens: nothing between them is reported open, and the path up from the
        tie's other end does not run through `c`."""
        devices = self.network.devices
        for d in np.flatnonzero(devices.normally_open).tolist():
            tie = devices.ids[d]
            if self.device_open.get(tie, True):
                continue  # open, as normally
            paths = self.paths(tie)
            for side in (0, 1):
                near, far = paths[side], paths[1 - side]
                if c not in near or c in far or self.dark(far):
                    continue
                # Nothing between the tie's end and `c` open, or fed from elsewhere.
                between = near[:near.index(c)]
                if not any(self._predictor.forced[a] or a in self.fed for a in between):
                    return tie
        return None
