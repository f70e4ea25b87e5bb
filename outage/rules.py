"""The classic fixed-threshold roll-up, as OMS products configure it: the baseline.

Reports group under their transformer (their nearest candidate); a device is
predicted out when at least `min_children` of the things directly below it —
child devices predicted out, or customers hanging directly from it who
reported — are out, or when it is the transformer of a reporting customer.
Last gasps count as reports. It shares the predictor's incremental machinery;
only the decision rule differs, so benchmarks compare rules, not plumbing.
"""

from __future__ import annotations

import math

from outage.candidates import CandidateTree
from outage.predict import FORCED, Change, Predictor
from outage.scoring import Scorer

MIN_CHILDREN = 2


class RulePredictor(Predictor):
    """Predictor whose decision is the classic roll-up rule instead of likelihoods."""

    def __init__(self, tree: CandidateTree, scorer: Scorer, min_children: int = MIN_CHILDREN):
        super().__init__(tree, scorer)
        self.min_children = min_children
        self._kids: list[list[int]] = [[] for _ in range(len(tree))]
        for child, parent in enumerate(self._parent):
            if parent >= 0:
                self._kids[parent].append(child)
        self._transformer = [kind == "service_transformer" for kind in tree.kind]

    def compute_score(self, a: int) -> float:
        if self.forced[a]:
            return FORCED
        reports = self.calls[a] + self.gasps[a]
        if reports == 0:
            return -math.inf
        direct = reports - sum(self.calls[c] + self.gasps[c] for c in self._kids[a])
        units_out = len(self.positive_children[a]) + direct
        if (self._transformer[a] and direct > 0) or units_out >= self.min_children:
            return self.child_sum[a] + 1.0  # the rule says this device: it wins
        return -math.inf

    def rescale(self, *, reprice: bool = False) -> Change:
        """Fixed thresholds do not change with the storm's size."""
        return Change(frozenset(), frozenset())

    def refit_storm_size(self) -> Change:
        """Nor with the storm's mix of devices."""
        return Change(frozenset(), frozenset())
