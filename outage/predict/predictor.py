"""The predictor as the engine uses it: every layer below, and what a dispatcher reads
of an outage — its confidence against its alternatives, and what else it could be.

A layer of `Predictor` (see `outage.predict`)."""

from __future__ import annotations

import math

from outage.candidates import NONE
from outage.predict.priors import PriorUpdates
from outage.predict.selection import logistic

# The alternatives to an outage that are not a device above it (`Predictor.chances`).
BELOW = -2  # outages below it instead
NOTHING = -3  # no outage at all: its reports are false


class Predictor(PriorUpdates):
    """Incremental maximum-likelihood outage set over a candidate tree."""

    def confidence(self, a: int) -> float:
        """The chance that `a` is the outage: under the model, the posterior that `a`
        operated and no device above it did, every configuration of the outages below
        it and beside it summed (`logz`), not only the likeliest. Devices right above or
        below it serving exactly its customers are the same outage, told apart by the
        prior alone: their chance is its. A product along the path: one of them operated
        rather than only outages below, and each device above them did not, given what
        its subtree says. `chances` shares out the rest. A device reported open is
        certain."""
        if self.forced[a]:
            return 1.0
        score, child_logz, parents, forced = (self._score, self.child_logz, self._parent,
                                              self.forced)
        top = self._twin_top(a)
        chance = max(0.0, -math.expm1(child_logz[self.lowest_twin(a)] - self.logz[top]))
        parent = parents[top]
        while parent != NONE and not forced[parent]:  # a plain loop: every event
            chance *= logistic(child_logz[parent] - score[parent])
            parent = parents[parent]
        return chance

    def chances(self, a: int) -> list[tuple[int, float]]:
        """The other explanations of `a`'s evidence, each with its chance, `confidence`
        the rest of a whole: BELOW, outages below it instead; NOTHING, none at all (false
        reports); and each device above it operating (the topmost one that did), nearest
        first. Devices above one another serving the same customers are one explanation,
        named by the lowest (what operates on a fault below both)."""
        if self.forced[a]:
            return []
        score, child_logz, parents, forced = (self._score, self.child_logz, self._parent,
                                              self.forced)
        top = self._twin_top(a)
        path = []
        parent = parents[top]
        while parent != NONE and not forced[parent]:
            path.append(parent)
            parent = parents[parent]
        topmost: list[tuple[int, float]] = []
        quiet_above = 1.0  # the chance that no device above the one at hand operated
        for p in reversed(path):  # from the top down
            topmost.append((p, quiet_above * logistic(score[p] - child_logz[p])))
            quiet_above *= logistic(child_logz[p] - score[p])
        low = self.lowest_twin(a)
        not_a = quiet_above * math.exp(child_logz[low] - self.logz[top])
        nothing = math.exp(-child_logz[low])  # everything below it quiet too
        out = [(BELOW, not_a * (1.0 - nothing)), (NOTHING, not_a * nothing)]
        for what, chance in reversed(topmost):  # nearest first
            if out[-1][0] >= 0 and self._twin_below(what) == out[-1][0]:
                out[-1] = (out[-1][0], out[-1][1] + chance)
            else:
                out.append((what, chance))
        return [(what, chance) for what, chance in out if chance > 0.0]

    def children_explanation(self, a: int) -> list[int]:
        """The outages below `a` that would explain its evidence if `a` did not operate."""
        out: list[int] = []
        stack = list(self.positive_children[a])
        while stack:
            c = stack.pop()
            if self.explains_itself(c):
                out.append(c)
            else:
                stack.extend(self.positive_children[c])
        return sorted(out)
