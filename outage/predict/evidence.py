"""Evidence into the predictor: reports, devices reported open, sections fed from
elsewhere, restored areas' meters, each re-deciding only the paths it touches.

A layer of `Predictor` (see `outage.predict`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from outage.candidates import NONE
from outage.predict.selection import Change, Selection

_NO_METERS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class RestoredMeters:
    """The meters of a restored area, by what they said since, each given as its parent
    candidate: `silent` / `back` gasped when it went out and sent no power-restore /
    sent one; `unheard` / `unheard_back` the same of those whose last gasp was lost."""

    silent: np.ndarray = field(default_factory=lambda: _NO_METERS)
    back: np.ndarray = field(default_factory=lambda: _NO_METERS)
    unheard: np.ndarray = field(default_factory=lambda: _NO_METERS)
    unheard_back: np.ndarray = field(default_factory=lambda: _NO_METERS)


def _combined(first: Change, then: Change) -> Change:
    """Two changes of the selection one after the other, as one."""
    removed = (first.removed - then.added) | (then.removed - first.added)
    added = (first.added - then.removed) | (then.added - first.removed)
    return Change(frozenset(removed), frozenset(added))


class EvidenceUpdates(Selection):
    """Changes of the evidence below candidates, each re-deciding the paths it touches."""

    def add_evidence(
        self, candidate: int, calls: int, gasps: int, powered: int, silent: int = 0,
        call_minutes: float = 0.0, gasp_minutes: float = 0.0, unheard: int = 0,
        back: int = 0, unheard_back: int = 0,
    ) -> Change:
        """Change the counts below `candidate` (a customer's parent) and re-decide its path.

        `call_minutes` / `gasp_minutes` are the times of the call / last gasp added (or
        retracted) by `calls` / `gasps`.
        """
        if candidate == NONE:
            return Change(frozenset(), frozenset())
        path = self._path(candidate)  # up to its root, or to a section fed from elsewhere
        before = [self.explains_itself(a) for a in path]
        # One loop per kind of evidence that changed: a report is usually one kind.
        for counts, sums, squares, n, minutes in (
            (self.calls, self.call_t, self.call_t2, calls, call_minutes),
            (self.gasps, self.gasp_t, self.gasp_t2, gasps, gasp_minutes),
        ):
            if n:
                d, d2 = n * minutes, n * minutes * minutes
                for a in path:
                    counts[a] += n
                    sums[a] += d
                    squares[a] += d2
        for counts, delta in ((self.powered, powered), (self.silent, silent),
                              (self.unheard, unheard), (self.back, back),
                              (self.unheard_back, unheard_back)):
            if delta:
                for a in path:
                    counts[a] += delta
        self._track_active(path)
        self._refresh(path)
        return self._reselect(path, before)

    def set_forced(self, candidate: int, forced: bool, *, isolating: bool = False) -> Change:
        """A device reported open (forced) or closed again; `isolating` when opened
        inside a live outage above it (see `compute_score`)."""
        path = self._path(candidate)
        before = [self.explains_itself(a) for a in path]
        self.forced[candidate] = forced
        self.isolating[candidate] = forced and isolating
        self._track_active([candidate])
        self._refresh(path)
        return self._reselect(path, before)

    def cut_off(self, candidate: int) -> Change:
        """A section fed from elsewhere (back-fed through a tie): the device isolating it
        is no longer an outage, the reports below it are over, and the section leaves
        the devices above (`set_detached`). One decision for the three: taken in steps,
        the outage above would drop and come back as another record."""
        self.forced[candidate] = self.isolating[candidate] = False
        forgotten = self.clear_below(candidate)
        return _combined(forgotten, self._set_fed(candidate, True))

    def set_detached(self, candidate: int, detached: bool) -> Change:
        """A section fed from elsewhere no longer hangs below the devices above it: it is
        a tree of its own, whose service points and evidence leave their counts (and
        whose outages are its own), until the back-feed ends."""
        if detached == self.detached[candidate]:
            return Change(frozenset(), frozenset())
        return self._set_fed(candidate, detached)

    def _set_fed(self, candidate: int, fed: bool) -> Change:
        """Cut the section below `candidate` off the tree (`fed` from elsewhere) or hang
        it back: its service points, evidence and best choice leave the devices above,
        or come back to them; the outages over the root are chosen afresh."""
        parent = int(self.tree.parent[candidate])
        if parent == NONE or fed == self.detached[candidate]:
            return Change(frozenset(), frozenset())
        if not fed:  # hang it back below its parent first: the path up goes through it
            self._parent[candidate] = parent
            self._flag_detached(candidate, False)
        above = self._path(parent)
        before = [self.explains_itself(a) for a in above]
        sign = -1 if fed else 1
        size = self._sp[candidate]
        for a in above:
            self._sp[a] += sign * size
        for counts in self._counts():
            total = counts[candidate]
            for a in above:
                counts[a] += sign * total
        for times in (self.call_t, self.call_t2, self.gasp_t, self.gasp_t2):
            minutes = times[candidate]
            for a in above:
                times[a] += sign * minutes
        self.child_logz[parent] += sign * self.logz[candidate]
        best = self.best[candidate]
        if best > 0:  # its outages count in its parent's choice, or no longer
            self.child_sum[parent] += sign * best
            if fed:
                self.positive_children[parent].discard(candidate)
                if not self.positive_children[parent]:
                    self.child_sum[parent] = 0.0
            else:
                self.positive_children[parent].add(candidate)
        if fed:
            self._parent[candidate] = NONE
            self._flag_detached(candidate, True)
        self._track_active(above)
        self._refresh(above)
        # The root's outages afresh, the section's (a tree of its own now, or again
        # part of the root's) with them.
        return self._reselect(above, before, floor=len(above) - 1)

    def _flag_detached(self, candidate: int, detached: bool) -> None:
        self.detached[candidate] = detached
        if detached:
            self._detached.add(candidate)
        else:
            self._detached.discard(candidate)

    def fed_by(self, candidate: int, nodes: Sequence[int]) -> Sequence[int]:
        """`nodes` (at or below `candidate`) but those in sections below it fed from
        elsewhere (back-fed through a tie): neither its evidence nor its outages."""
        if not self._detached:
            return nodes
        tin, tout = self.tree.tin, self.tree.tout
        lo, hi = int(tin[candidate]), int(tout[candidate])
        away = [(int(tin[d]), int(tout[d])) for d in self._detached if lo < int(tin[d]) < hi]
        return [a for a in nodes if not any(b <= a < e for b, e in away)]

    def clear_below(self, candidate: int) -> Change:
        """Forget the calls and last gasps below a restored candidate, in one sweep.

        Cheaper than retracting customer by customer: the counts above it drop by
        its totals once, and only the active candidates below it are recomputed.
        """
        path = self._path(candidate)
        before = [self.explains_itself(a) for a in path]
        lo, hi = int(self.tree.tin[candidate]), int(self.tree.tout[candidate])
        inside = list(self.fed_by(candidate, self.active_between(lo, hi)))
        # Every count but the powered meters' (they expire on their own), and the times.
        for counts in (c for c in self._counts() if c is not self.powered):
            total = counts[candidate]
            for a in inside:
                counts[a] = 0
            for a in path[1:]:
                counts[a] -= total
        for times in (self.call_t, self.call_t2, self.gasp_t, self.gasp_t2):
            value = times[candidate]
            for a in inside:
                times[a] = 0.0
            for a in path[1:]:
                times[a] -= value
        for a in reversed(inside):  # children before parents
            self._set_best(a)
        self._track_active(inside + path)
        self._refresh(path)
        return self._reselect(path, before, floor=0)

    def set_meters_below(self, candidate: int, meters: RestoredMeters | None) -> Change:
        """Set what the meters below a restored candidate said since (`RestoredMeters`),
        in one sweep (None clears it). Counted in bulk up the subtree, then once along
        the path.
        """
        lo, hi = int(self.tree.tin[candidate]), int(self.tree.tout[candidate])
        path = self._path(candidate)
        before = [self.explains_itself(a) for a in path]
        touched: set[int] = set()
        inside = self.active_between(lo, hi)
        m = meters or RestoredMeters()
        for counts, arrivals in ((self.silent, m.silent), (self.back, m.back),
                                 (self.unheard, m.unheard),
                                 (self.unheard_back, m.unheard_back)):
            old = counts[candidate]
            for a in inside:
                counts[a] = 0
            new = self._accumulate(arrivals, lo, hi, counts, touched)
            for a in path[1:]:
                counts[a] += new - old
        nodes = sorted(touched | set(inside))
        self._track_active(nodes + path)
        for a in reversed(nodes):
            self._set_best(a)
        self._refresh(path)
        return self._reselect(path, before, floor=0)

    def _accumulate(self, parents: np.ndarray, lo: int, hi: int, counts: list[int],
                    touched: set[int]) -> int:
        """Add one per meter to its parent and every ancestor up to `lo`; return the total."""
        if len(parents) == 0:
            return 0
        at = np.bincount(parents - lo, minlength=hi - lo)
        parent = self._parent
        detached = self.detached
        for offset in range(hi - lo - 1, 0, -1):  # children before parents within [lo, hi)
            if at[offset] and not detached[lo + offset]:
                at[parent[lo + offset] - lo] += at[offset]
        for offset in np.flatnonzero(at).tolist():
            counts[lo + offset] += int(at[offset])
            touched.add(lo + offset)
        return int(at[0])

    def neighbours_gasp_minutes(self, candidate: int) -> float | None:
        """When the nearest meters to `candidate` that gasped lost power: the mean time
        of the last gasps below it, or below the nearest candidate above it that has
        any (None when no meter on its path has gasped)."""
        for a in self._path(candidate):
            if self.gasps[a] > 0:
                return self.gasp_t[a] / self.gasps[a]
        return None

    def report_times(self, channel: str) -> tuple[int, float, float]:
        """The reports on the board on a channel (``"call"``: first calls, ``"gasp"``:
        last gasps) over the whole network: how many, the sum of their times (minutes)
        and of their squares."""
        counts, sums, squares = ((self.calls, self.call_t, self.call_t2) if channel == "call"
                                 else (self.gasps, self.gasp_t, self.gasp_t2))
        roots = [*self._roots, *self._detached]  # sections fed from elsewhere too
        return (sum(counts[a] for a in roots), sum(sums[a] for a in roots),
                sum(squares[a] for a in roots))

    def evidence_of(self, a: int) -> tuple[int, int, int, int]:
        """(service points, callers, last gasps, powered meters) below a candidate."""
        return self._sp[a], self.calls[a], self.gasps[a], self.powered[a]

    def silent_since_restored(self, a: int) -> int:
        """Meters below `a` that have not said they are back since their area was
        restored (counted only inside a restored outage, where they are evidence)."""
        return self.silent[a] + self.unheard[a] if self._cap[a] < math.inf else 0
