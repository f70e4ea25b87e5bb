"""The prediction engine: which candidates have operated, kept up to date per report.

Each candidate `a` keeps the counts of evidence below it (callers, last gasps,
meters that say they have power) and two numbers of a dynamic programme over the
candidate tree:

- ``score(a)``: the log-likelihood ratio that `a` operated (`outage.scoring`) less
  its prior penalty;
- ``best(a) = max(0, score(a), Σ best(children))``: the best explanation of the
  evidence below `a`, either by `a` itself or by outages further down.

The outages are the topmost candidates that explain their subtree by themselves.
Under the model's independence assumptions this is the exact maximum-likelihood
set of outages (with the prior), and a report changes only the candidates on
its customer's path to the source, so each update costs the depth of the tree.
A candidate reported open by SCADA or a crew is forced: it is an outage whatever
the reports say. Reported open by a crew, or inside a live outage above it (a crew
isolating the fault), its parent is weighed against what its reports say: the parent
may be open too. SCADA's report of a device with no outage above it outranks every
device above it (SCADA watches those too).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from outage.candidates import NONE, CandidateTree
from outage.scoring import Scorer

FORCED = 1e9  # score of a device known to be open: beats any amount of evidence
# The least score of a device reported open: above zero, so it is always an outage and
# is reached from the root, yet no more than its reports say when its parent is weighed.
KNOWN_OPEN = 1e-9
# The alternatives to an outage that are not a device above it (`Predictor.alternatives`).
BELOW = -2  # the best outages below it
NOTHING = -3  # no outage at all: its reports are false
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


@dataclass(frozen=True, slots=True)
class Change:
    """Outages that stopped and started being the explanation after one update."""

    removed: frozenset[int]
    added: frozenset[int]


class Predictor:
    """Incremental maximum-likelihood outage set over a candidate tree."""

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
        self.selected: set[int] = set()
        self.ami = False
        self._parent = tree.parent.tolist()
        self._roots = [a for a, parent in enumerate(self._parent) if parent == NONE]
        self._sp = tree.service_points.tolist()
        self.live_scale = 1.0
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

    # -- scores --------------------------------------------------------------------
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

    def _twin_below(self, a: int) -> int:
        """The child of `a` serving exactly its customers, in its subtree now (not fed
        from elsewhere) and not reported open, or NONE."""
        twin = self._same_child[a]
        if twin == NONE or self.detached[twin] or self.forced[twin]:
            return NONE
        return twin

    # -- updates -------------------------------------------------------------------
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

    def set_false_call_rate(self, rate: float) -> Change:
        """A new estimate of false calls re-prices every call."""
        self.scorer.set_false_call_rate(rate)
        return self._recompute()

    def set_spread(self, channel: str, minutes: float) -> Change:
        """A new estimate of how one outage's calls (or gasps) spread in time re-prices
        timing."""
        self.scorer.set_spread(channel, minutes)
        return self._recompute()

    def set_window(self, minutes: float) -> Change:
        """A new estimate of how far apart independent outages begin re-prices timing."""
        self.scorer.set_window(minutes)
        return self._recompute()

    def explained_calls(self) -> tuple[float, int]:
        """(callers the predicted outages explain, service points inside them).

        A caller counts as explained by the chance its outage is real (the posterior
        against nothing having operated there): a false call that made an outage of
        its own would otherwise lower the false-call estimate that let it.
        """
        explained = 0.0
        for a in self.selected:
            if self.calls[a]:
                real = 1.0 if self.forced[a] else _sigmoid(self._score[a])
                explained += self.calls[a] * real
        return explained, sum(self._sp[a] for a in self.selected)

    def set_call_prior(self, alpha: float, beta: float) -> Change:
        """A new estimate of the share of customers who call re-prices every call."""
        self.scorer.set_call_prior(alpha, beta)
        return self._recompute()

    def set_gasp_prior(self, alpha: float, beta: float) -> Change:
        """A new estimate of how often last gasps arrive re-prices every meter."""
        self.scorer.set_gasp_prior(alpha, beta)
        return self._recompute()

    def set_restore_delivery(self, rate: float) -> Change:
        """A new estimate of how often restore messages arrive re-prices silent meters."""
        self.scorer.set_restore_delivery(rate)
        return self._recompute()

    def set_unheard_delivery(self, rate: float) -> Change:
        """The same of meters whose last gasp was lost (`Scorer.set_unheard_delivery`)."""
        self.scorer.set_unheard_delivery(rate)
        return self._recompute()

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

    def set_ami(self, active: bool) -> Change:
        """Meters exist after all: every score with evidence changes."""
        if active == self.ami:
            return Change(frozenset(), frozenset())
        self.ami = active
        return self._recompute()

    def rescale(self) -> Change:
        """Re-price the priors when the number of outages going on has moved a lot.

        A storm makes every device likelier to be out; re-pricing only when the count
        has halved or grown half again keeps full recomputes rare.
        """
        live = max(float(len(self.selected)), self.scorer.params.quiet_day_outages)
        if 0.5 <= live / self.live_scale <= 1.5:
            return Change(frozenset(), frozenset())
        self.live_scale = live
        self._penalty = self._priced(live)
        return self._recompute()

    def _priced(self, live: float) -> list[float]:
        base = self.scorer.penalties(self.tree.kind, live)
        self._base_penalty = [p + shadow for p, shadow in zip(base, self._shadow, strict=True)]
        return [self._price(a) for a in range(len(base))]

    def _price(self, a: int) -> float:
        """A candidate's penalty: its prior, capped inside a restored outage, floored
        while it is known closed."""
        return max(min(self._base_penalty[a] + self._raised[a], self._cap[a]), self._floor[a])

    def cap_prior(self, candidate: int, penalty: float | None) -> Change:
        """Make operations strictly below `candidate` likelier (a cap on their penalty), or undo.

        After a large outage is restored, a device inside it still being open — a
        nested outage — is far likelier than a random device failing: this is how
        that knowledge enters the scores, for a while.
        """
        lo, hi = int(self.tree.tin[candidate]), int(self.tree.tout[candidate])
        cap = math.inf if penalty is None else penalty
        # Strictly inside (the device itself was just closed), but for sections fed from
        # elsewhere: its restoration was not theirs. Nor the devices right below it
        # serving all its customers: one of those open is no outage nested inside, it
        # is a close that restored nobody (weighed on its own, `_restored_nobody`).
        twins = set(self.twins_below(candidate))
        for a in self.fed_by(candidate, range(lo + 1, hi)):
            if a in twins:
                continue
            self._cap[a] = cap
            self._penalty[a] = self._price(a)
        path = self._path(candidate)
        before = [self.explains_itself(a) for a in path]
        for a in reversed(self.fed_by(candidate, self.active_between(lo, hi))):
            self._set_best(a)
        self._refresh(path)
        return self._reselect(path, before, floor=0)

    def floor_prior(self, candidate: int, penalty: float | None) -> Change:
        """Make `candidate` itself unlikelier to be out (a floor on its penalty), or undo.

        A device a crew or SCADA has just closed is closed: calls below it are far
        likelier a device further down (a nested outage) than the same device open
        again unreported.
        """
        self._floor[candidate] = 0.0 if penalty is None else penalty
        return self._repriced([candidate])

    def raise_prior(self, candidates: list[int], extra: float | None) -> Change:
        """Make `candidates` (one path up, nearest first) unlikelier to be out by `extra`
        on their penalties, or undo.

        A crew closing a device restores its customers only when the supply above it is
        on, and crews restore from the source outward: the devices above one just closed
        are likely closed. Added, not floored, so they keep their order among themselves.
        """
        if not candidates:
            return Change(frozenset(), frozenset())
        for a in candidates:
            self._raised[a] = 0.0 if extra is None else extra
        return self._repriced(candidates)

    def _repriced(self, candidates: list[int]) -> Change:
        """Price `candidates` (one path up, nearest first) again and re-decide their path."""
        for a in candidates:
            self._penalty[a] = self._price(a)
        path = self._path(candidates[0])
        before = [self.explains_itself(a) for a in path]
        self._refresh(path)
        return self._reselect(path, before)

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
        # Evidence counts up the tree, so its candidates' ancestors are active too; a
        # device reported open is active on its own, and its ancestors must be walked
        # as well, or it is never reached from a root (SCADA opens a breaker before
        # anyone calls).
        walk = set(self._active)
        for a in [a for a in self._active if self.forced[a]]:
            walk.update(self._path(a))
        nodes = sorted(walk)
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
        """Rescore `a`, recompute best(a) from its score and children; return the change."""
        score = self._score[a] = self.compute_score(a)
        below = self.child_sum[a]
        # max(0, score, below) without the cost of a call: this is the hottest line
        new = score if score > below else below
        new = new if new > 0.0 else 0.0
        delta = new - self.best[a]
        if delta:
            self.best[a] = new
            parent = self._parent[a]
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

    # -- inspection ----------------------------------------------------------------
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

    def silent_since_restored(self, a: int) -> int:
        """Meters below `a` that have not said they are back since their area was
        restored (counted only inside a restored outage, where they are evidence)."""
        return self.silent[a] + self.unheard[a] if self._cap[a] < math.inf else 0

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


_FAR = 700.0  # exp() of more overflows a float
_NEGLIGIBLE = 40.0  # odds under exp(-40) change no confidence by 1e-17


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 50.0), -50.0)))


def _combined(first: Change, then: Change) -> Change:
    """Two changes of the selection one after the other, as one."""
    removed = (first.removed - then.added) | (then.removed - first.added)
    added = (first.added - then.removed) | (then.added - first.removed)
    return Change(frozenset(removed), frozenset(added))
