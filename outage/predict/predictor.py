"""The predictor as the engine uses it: every layer below, and what a dispatcher reads
of an outage — its confidence against its alternatives, and what else it could be.

A layer of `Predictor` (see `outage.predict`)."""

from __future__ import annotations

import math

from outage.candidates import NONE
from outage.predict.priors import PriorUpdates

# The alternatives to an outage that are not a device above it (`Predictor.alternatives`).
BELOW = -2  # the best outages below it
NOTHING = -3  # no outage at all: its reports are false
_FAR = 700.0  # exp() of more overflows a float
_NEGLIGIBLE = 40.0  # odds under exp(-40) change no confidence by 1e-17


class Predictor(PriorUpdates):
    """Incremental maximum-likelihood outage set over a candidate tree."""

    def confidence(self, a: int) -> float:
        """The chance that `a` is the outage against its alternatives (`chances`), 0..1.
        A device reported open is certain."""
        if self.forced[a]:
            return 1.0
        odds = 1.0  # `a`'s own, then each alternative's against it (a plain loop: every event)
        for _, against in self.alternatives(a):
            if against > -_NEGLIGIBLE:
                odds += math.exp(min(against, _FAR))
        return 1.0 / odds

    def chances(self, a: int) -> list[tuple[int, float]]:
        """The other explanations of `a`'s evidence (`alternatives`) that are not
        negligible, each with its chance: each weighed by its likelihood, so two
        ancestors nearly as likely as `a` leave it a third, not a half. Devices above
        one another serving the same customers are one explanation, named by the
        lowest (what operates on a fault below both)."""
        if self.forced[a]:
            return []
        odds = [(what, math.exp(min(against, _FAR))) for what, against in self.alternatives(a)
                if against > -_NEGLIGIBLE]
        total = 1.0 + sum(o for _, o in odds)
        out: list[tuple[int, float]] = []
        for what, o in odds:
            if out and out[-1][0] >= 0 and self._twin_below(what) == out[-1][0]:
                out[-1] = (out[-1][0], out[-1][1] + o / total)
            else:
                out.append((what, o / total))
        return out

    def alternatives(self, a: int) -> list[tuple[int, float]]:
        """The explanations of `a`'s evidence other than `a` operating, each with its
        log-likelihood against `a` (its score less `a`'s, the rest of the network as
        it is): BELOW, the best outages below it; NOTHING, no outage at all (when that
        is not what is best below it); and each device above it operating instead.

        A device right above or below it serving exactly its customers (a breaker over
        a switch) is the same outage of the same customers, told apart by the prior
        alone: not an alternative. The alternatives are the devices past such a chain.
        """
        s = self._score[a]
        below = self.child_sum[self.lowest_twin(a)]
        out = [(BELOW, below - s)] + ([(NOTHING, -s)] if below > 0 else [])
        top, parent = a, self._parent[a]
        while parent != NONE and not self.forced[parent] and self._twin_below(parent) == top:
            top, parent = parent, self._parent[parent]
        # Going up, `mine` is the best of each ancestor's subtree with `a` an outage.
        mine, c = s, top
        forced, parents, child_sum, best, score = (self.forced, self._parent, self.child_sum,
                                                   self.best, self._score)
        while parent != NONE and not forced[parent]:
            mine += child_sum[parent] - best[c]
            out.append((parent, score[parent] - mine))
            c, parent = parent, parents[parent]
        return out

    def lowest_twin(self, a: int) -> int:
        """The lowest of the devices right below `a` serving exactly its customers
        (`twins_below`), or `a` itself when there is none."""
        while (twin := self._twin_below(a)) != NONE:
            a = twin
        return a

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
