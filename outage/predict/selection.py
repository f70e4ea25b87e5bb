"""The predictor's state and its dynamic programme: each candidate's score and best
explanation, kept up to date along a path, and the outages selected from them.

A layer of `Predictor` (see `outage.predict`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from outage.candidates import NONE, CandidateTree
from outage.scoring import Scorer

FORCED = 1e9  # score of a device known to be open: beats any amount of evidence
# The least score of a device reported open: above zero, so it is always an outage and
# is reached from the root, yet no more than its reports say when its parent is weighed.
KNOWN_OPEN = 1e-9
# Beyond this gap between two log-likelihoods, adding the smaller's e^x to the larger's
# changes nothing a double holds (log1p(e^-40) is 4e-18).
_LOST = 40.0
_FAR = 700.0  # exp() of more overflows a float


def logistic(log_odds: float) -> float:
    """The chance whose log-odds these are (the logistic function), 0 far below zero."""
    return 1.0 / (1.0 + math.exp(-log_odds)) if log_odds > -_FAR else 0.0


@dataclass(frozen=True, slots=True)
class Change:
    """Outages that stopped and started being the explanation after one update."""

    removed: frozenset[int]
    added: frozenset[int]


class Selection:
    """Evidence counts and scores per candidate, and the outages they select (see
    `outage.predict`)."""

    def __init__(self, tree: CandidateTree, scorer: Scorer) -> None:
        self.tree = tree
        self.scorer = scorer
        n = len(tree)
        self.calls = [0] * n
        self.gasps = [0] * n
        self.powered = [0] * n
        self.silent = [0] * n
        self.back = [0] * n  # meters whose power-restore arrived after their restoration
        # The same two of meters whose last gasp never arrived (`Scorer.evidence`).
        self.unheard = [0] * n
        self.unheard_back = [0] * n
        # Sums of the first-call (last-gasp) times in minutes below each candidate, and
        # of their squares: one outage's reports come soon after it began, reports
        # scattered over hours are several outages (or false calls).
        self.call_t = [0.0] * n
        self.call_t2 = [0.0] * n
        self.gasp_t = [0.0] * n
        self.gasp_t2 = [0.0] * n
        self.forced = [False] * n
        # Reported open by a crew, or inside a live outage above it (a crew isolating a
        # fault): the device above is weighed against its reports rather than vetoed
        # (the engine decides which opens these are).
        self.isolating = [False] * n
        # Sections fed from elsewhere (back-fed through a tie): the devices above do not
        # feed them, so while fed they hang off the tree (their parent link cut), trees
        # of their own whose evidence and outages go no further up.
        self.detached = [False] * n
        self._detached: set[int] = set()
        self.best = [0.0] * n
        self.child_sum = [0.0] * n
        self.positive_children: list[set[int]] = [set() for _ in range(n)]
        # The same programme summed instead of maximised: the log of the likelihood
        # ratio of every configuration of the subtree (`a` operated, or each child's
        # subtree any way it can be) against all quiet, and its sum over the children.
        # What the confidence is the share of (`Predictor.confidence`).
        self.logz = [0.0] * n
        self.child_logz = [0.0] * n
        self.selected: set[int] = set()
        self.ami = False
        self._parent: list[int] = tree.parent.tolist()
        self._roots = [a for a, parent in enumerate(self._parent) if parent == NONE]
        self._sp = tree.service_points.tolist()
        self.live_scale = 1.0
        self.storm_size = 0.0  # outages going on, as the evidence implies (refit_storm_size)
        self._detection_key: object = None
        self._detection: dict[str, float] = {}
        self._shown_when_sized = 0
        self._sizes_by_kind: dict[str, dict[int, int]] = {}
        # A device whose only child serves exactly its customers (a breaker right
        # above a recloser) explains nothing the child does not: the nearer one,
        # which is what operates on a fault below both, wins ties.
        sp = tree.service_points
        self._shadow = [0.0] * n
        self._same_child = [NONE] * n  # the child serving exactly its customers, if any
        for child, parent in enumerate(self._parent):
            if parent != NONE and sp[child] == sp[parent]:
                self._shadow[parent] = 1e-6
                if sp[child]:
                    self._same_child[parent] = child
        self._cap = [math.inf] * n  # penalty caps inside recently restored outages
        self._floor = [0.0] * n  # penalty floors of devices known closed
        self._raised = [0.0] * n  # penalty added to devices above one a crew closed
        self._penalty = self._priced(self.live_scale)
        self._score = [-math.inf] * n
        self._active: set[int] = set()  # candidates with evidence or forced open

    def score(self, a: int) -> float:
        """The candidate's current score (cached; refreshed whenever its inputs change)."""
        return self._score[a]

    def prior_log_odds(self, a: int) -> float:
        """Log prior odds that `a` operated (its current penalty, negated)."""
        return -self._penalty[a]

    def compute_score(self, a: int) -> float:
        """Log-likelihood ratio that `a` operated, less its prior penalty.

        A device reported open is an outage whatever its reports say
        (`explains_itself`), and scores a certainty that no device above it can beat.
        One reported open inside a live outage above it (`isolating`: a crew opens a
        switch to isolate the fault, then closes the device that tripped, a partial
        restoration) pays no penalty and scores just above zero at least: the device
        above is weighed against what its reports say, and reports elsewhere below it
        keep it on the board.
        """
        forced = self.forced[a]
        if forced and not self.isolating[a]:
            # Open with nobody behind it (a line end, or all of it fed from elsewhere):
            # no outage, and no cover over the devices above it.
            return FORCED if self._sp[a] else -math.inf
        # Silent meters speak only of devices inside a recently restored outage (where
        # the prior is capped): above it, a fresh operation would have brought fresh gasps.
        calls, gasps = self.calls[a], self.gasps[a]
        if self._cap[a] < math.inf:
            silent, back = self.silent[a], self.back[a]
            unheard, unheard_back = self.unheard[a], self.unheard_back[a]
            # Every meter here lost power with the restored outage: whether its last
            # gasp arrived then says nothing of a device inside it, open or not. Only
            # fresh gasps, silence and power-restores speak.
            unknown = self._sp[a] - silent - back - unheard - unheard_back - gasps
        else:
            silent = back = unknown = unheard = unheard_back = 0
        if calls == 0 and gasps == 0 and silent == 0 and unheard == 0:
            return KNOWN_OPEN if forced else -math.inf  # nothing says it operated
        scorer = self.scorer
        score = scorer.evidence(self._sp[a], calls, gasps, self.powered[a], self.ami, silent,
                                back, unknown, unheard, unheard_back)
        if calls > 1:  # timing needs two reports (and skipping the call is the hot path)
            score += scorer.timing(calls, self.call_t[a], self.call_t2[a])
        if gasps > 1:  # last gasps mean meters report: the meter channel is on
            score += scorer.gasp_timing(gasps, self.gasp_t[a], self.gasp_t2[a])
        if forced:
            return score if score > KNOWN_OPEN else KNOWN_OPEN
        return score - self._penalty[a]

    def _twin_below(self, a: int) -> int:
        """The child of `a` serving exactly its customers, in its subtree now (not fed
        from elsewhere) and not reported open, or NONE."""
        twin = self._same_child[a]
        if twin == NONE or self.detached[twin] or self.forced[twin]:
            return NONE
        return twin

    def _twin_top(self, a: int) -> int:
        """The topmost of the devices right above `a` serving exactly its customers, one
        above the other (not reported open), or `a` itself when there is none."""
        parent = self._parent[a]
        while parent != NONE and not self.forced[parent] and self._twin_below(parent) == a:
            a, parent = parent, self._parent[parent]
        return a

    def lowest_twin(self, a: int) -> int:
        """The lowest of the devices right below `a` serving exactly its customers
        (`twins_below`), or `a` itself when there is none."""
        while (twin := self._twin_below(a)) != NONE:
            a = twin
        return a

    def twins_below(self, a: int) -> list[int]:
        """The devices right below `a`, one below the other, that serve exactly its
        customers (a recloser right below a breaker; `_twin_below`), nearest first."""
        twins = []
        while (a := self._twin_below(a)) != NONE:
            twins.append(a)
        return twins

    def explains_itself(self, a: int) -> bool:
        """True when `a` operating is the best explanation of the evidence below it.

        A device reported open is an outage whatever lies below it (devices open
        inside it too are part of the same outage until it closes again), when
        someone is behind it.
        """
        if self.forced[a]:
            return bool(self._sp[a])
        s = self._score[a]
        return s > 0 and s >= self.child_sum[a]

    def _reextract(self, region: int) -> Change:
        """Choose the outages below `region` afresh: in its tree, and in the sections
        inside it fed from elsewhere (trees of their own, whose scores a change over
        the region may have moved too)."""
        tin = self.tree.tin
        lo, hi = int(tin[region]), int(self.tree.tout[region])
        removed = {s for s in self.selected if lo <= int(tin[s]) < hi}
        self.selected -= removed
        added: set[int] = set()
        self._extract(region, added)
        for d in self._detached:
            if lo < int(tin[d]) < hi:
                self._extract(d, added)
        return Change(frozenset(removed - added), frozenset(added - removed))

    def _priced(self, live: float) -> list[float]:
        base = self.scorer.penalties(self.tree.kind, live)
        self._base_penalty = [p + shadow for p, shadow in zip(base, self._shadow, strict=True)]
        return [self._price(a) for a in range(len(base))]

    def _price(self, a: int) -> float:
        """A candidate's penalty: its prior, capped inside a restored outage, floored
        while it is known closed."""
        return max(min(self._base_penalty[a] + self._raised[a], self._cap[a]), self._floor[a])

    def expected_outages(self) -> dict[str, float]:
        """The number of outages the evidence implies among the candidates it touches,
        by kind of device: each candidate's posterior of being the topmost device open,
        summed (the outside pass of the programme whose inside is `logz`)."""
        parents, logz, child_logz, score = self._parent, self.logz, self.child_logz, self._score
        kinds = self.tree.kind
        outside: dict[int, float] = {}
        total: dict[str, float] = {}
        for a in sorted(self._active_walk()):  # preorder: parents first
            parent = parents[a]
            if parent == NONE:
                out = -logz[a]
            elif parent in outside:
                out = outside[parent] + child_logz[parent] - logz[a]
            else:
                continue
            outside[a] = out
            s = score[a]
            if s > -_FAR:
                total[kinds[a]] = total.get(kinds[a], 0.0) + math.exp(min(s + out, 0.0))
        return total

    def _active_walk(self) -> set[int]:
        """The candidates a pass over the evidence visits. Evidence counts up the tree,
        so its candidates' ancestors are active too; a device reported open is active on
        its own, and its ancestors must be walked as well, or it is never reached from a
        root (SCADA opens a breaker before anyone calls)."""
        walk = set(self._active)
        for a in [a for a in self._active if self.forced[a]]:
            walk.update(self._path(a))
        return walk

    def detection_by_kind(self) -> dict[str, float]:
        """The chance that an outage at a device of each kind, drawn uniformly among
        them, has been reported by anyone (`Scorer.detection`)."""
        if not self._sizes_by_kind:  # the devices of each kind, by how many they serve
            for kind, size in zip(self.tree.kind, self._sp, strict=True):
                sizes = self._sizes_by_kind.setdefault(kind, {})
                sizes[size] = sizes.get(size, 0) + 1
        detection = self.scorer.detection
        return {kind: sum(detection(size, self.ami) * k for size, k in sizes.items())
                / sum(sizes.values()) for kind, sizes in self._sizes_by_kind.items()}

    def active_between(self, lo: int, hi: int) -> list[int]:
        """Active candidates in [lo, hi), sorted: by range or by set, whichever is smaller."""
        if hi - lo < len(self._active):
            return [a for a in range(lo, hi) if a in self._active]
        return sorted(a for a in self._active if lo <= a < hi)

    def _counts(self) -> tuple[list[int], ...]:
        """Every count of evidence kept per candidate (each summed over its subtree)."""
        return (self.calls, self.gasps, self.powered, self.silent, self.back, self.unheard,
                self.unheard_back)

    def _track_active(self, nodes: list[int]) -> None:
        for a in nodes:
            if (self.calls[a] or self.gasps[a] or self.powered[a] or self.silent[a]
                    or self.back[a] or self.unheard[a] or self.unheard_back[a]
                    or self.forced[a]):
                self._active.add(a)
            else:
                self._active.discard(a)

    def _recompute(self) -> Change:
        """Every active candidate afresh (after a change that moves all scores)."""
        old = set(self.selected)
        nodes = sorted(self._active_walk())
        # The sums of every configuration afresh too: a running sum of logs keeps what
        # rounding left behind (a device reported open adds 1e9, and takes it away).
        n = len(self.logz)
        self.logz, self.child_logz = [0.0] * n, [0.0] * n
        for a in reversed(nodes):  # children before parents
            self._set_best(a)
        self.selected = set()
        for root in (a for a in nodes if self._parent[a] == NONE):
            self._extract(root)
        return Change(frozenset(old - self.selected), frozenset(self.selected - old))

    def _path(self, candidate: int) -> list[int]:
        path = []
        parent = self._parent
        while candidate != NONE:
            path.append(candidate)
            candidate = parent[candidate]
        return path

    def _set_best(self, a: int) -> float:
        """Rescore `a`, recompute best(a) and logz(a) from its score and children; return
        the change of best(a)."""
        score = self._score[a] = self.compute_score(a)
        below = self.child_sum[a]
        # max(0, score, below) without the cost of a call: this is the hottest line
        new = score if score > below else below
        new = new if new > 0.0 else 0.0
        # logz(a) = log(e^score + e^child_logz), inline for the same reason: the larger,
        # and a correction only when the other is not lost in its last digit
        quiet = self.child_logz[a]
        gap = score - quiet
        if gap > _LOST:
            z = score
        elif gap < -_LOST:  # a score of -inf too: nothing says `a` operated
            z = quiet
        elif gap > 0.0:
            z = score + math.log1p(math.exp(-gap))
        else:
            z = quiet + math.log1p(math.exp(gap))
        parent = self._parent[a]
        dz = z - self.logz[a]
        if dz:
            self.logz[a] = z
            if parent != NONE:
                self.child_logz[parent] += dz
        delta = new - self.best[a]
        if delta:
            self.best[a] = new
            if parent != NONE:
                self.child_sum[parent] += delta
                if new > 0:
                    self.positive_children[parent].add(a)
                else:
                    self.positive_children[parent].discard(a)
                    if not self.positive_children[parent]:
                        self.child_sum[parent] = 0.0  # no drift from float sums
        return delta

    def _refresh(self, path: list[int]) -> None:
        for a in path:  # nearest first: each parent sees its children's new best
            self._set_best(a)

    def _reselect(self, path: list[int], before: list[bool], floor: int = -1) -> Change:
        """Re-extract the outages below the highest path candidate whose decision flipped.

        `floor` forces at least ``path[floor]`` to be re-extracted (its subtree changed
        off the path).
        """
        after = [self.explains_itself(a) for a in path]
        changed = [i for i in range(len(path)) if before[i] != after[i]]
        if not changed and floor < 0:
            return Change(frozenset(), frozenset())
        top = max([*changed, floor])  # the highest candidate whose decision flipped
        if any(after[top + 1 :]):
            return Change(frozenset(), frozenset())  # a larger outage covers it either way
        return self._reextract(path[top])

    def _extract(self, a: int, added: set[int] | None = None) -> None:
        stack = [a]
        while stack:
            c = stack.pop()
            if self.explains_itself(c):
                self.selected.add(c)
                if added is not None:
                    added.add(c)
            else:
                stack.extend(self.positive_children[c])
