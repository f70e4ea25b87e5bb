"""What re-prices the predictor's scores: the engine's running estimates, the storm's
size, and the priors raised, capped or floored for a while around restorations.

A layer of `Predictor` (see `outage.predict`)."""

from __future__ import annotations

import math

from outage.predict.evidence import EvidenceUpdates
from outage.predict.selection import Change, logistic

# How many outages' worth of evidence the configured shares of the kinds of device
# weigh against a storm's own mix (`PriorUpdates._size_storm`).
KIND_PRIOR_OUTAGES = 5.0


class PriorUpdates(EvidenceUpdates):
    """New estimates and priors, re-pricing the scores they move."""

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
                real = 1.0 if self.forced[a] else logistic(self._score[a])
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

    def set_ami(self, active: bool) -> Change:
        """Meters exist after all: every score with evidence changes."""
        if active == self.ami:
            return Change(frozenset(), frozenset())
        self.ami = active
        return self._recompute()

    def rescale(self, *, reprice: bool = False) -> Change:
        """Re-price the priors when the number of outages going on has moved a lot (or
        `reprice`: the kinds' shares moved).

        A storm makes every device likelier to be out; re-pricing only when the count
        has halved or grown half again keeps full recomputes rare. The count is the
        larger of the outages shown and those the evidence implies (`storm_size`),
        estimated again when the outages shown have moved as much.
        """
        shown = len(self.selected)
        if not 0.5 <= (shown + 1) / (self._shown_when_sized + 1) <= 1.5:
            reprice = self._size_storm() or reprice
        live = max(float(shown), self.storm_size, self.scorer.params.quiet_day_outages)
        if 0.5 <= live / self.live_scale <= 1.5 and not reprice:
            return Change(frozenset(), frozenset())
        self.live_scale = live
        self._penalty = self._priced(live)
        return self._recompute()

    def refit_storm_size(self) -> Change:
        """Estimate how many outages are going on, and of which kinds, from the
        evidence, and re-price the priors for them: a few steps of
        expectation-maximisation (`_size_storm`)."""
        removed: set[int] = set()
        added: set[int] = set()
        for _ in range(4):
            scale, shares = self.live_scale, self.scorer.learned_shares
            step = self.rescale(reprice=self._size_storm())
            removed = (removed - step.added) | step.removed
            added = (added - step.removed) | step.added
            if self.live_scale == scale and self.scorer.learned_shares == shares:
                break
        return Change(frozenset(removed - added), frozenset(added - removed))

    def _size_storm(self) -> bool:
        """Estimate the outages going on, reported or not, and the share of each kind
        of device among them: of each kind, the outages the reports imply
        (`expected_outages`) over the chance that one is reported at all
        (`detection_by_kind`), the configured shares counting as `KIND_PRIOR_OUTAGES`
        outages. A storm of small outages that each drew one call is many outages,
        not one caller's mistake made again and again. True when the shares moved
        enough to re-price."""
        key = (self.ami, self.scorer.call_prior, self.scorer.gasp_prior)
        if key != self._detection_key:
            self._detection_key, self._detection = key, self.detection_by_kind()
        seen = self.expected_outages()
        self._shown_when_sized = len(self.selected)
        implied = {k: seen.get(k, 0.0) / d for k, d in self._detection.items()
                   if k != "source" and d > 0}
        self.storm_size = sum(implied.values()) + seen.get("source", 0.0)
        configured = self.scorer.kind_shares(implied)
        weight = KIND_PRIOR_OUTAGES + sum(implied.values())
        shares = {k: (KIND_PRIOR_OUTAGES * configured[k] + implied[k]) / weight
                  for k in implied}
        old = self.scorer.learned_shares or configured
        if all(2 / 3 <= shares[k] / old[k] <= 1.5 for k in shares if old.get(k)):
            return False
        self.scorer.set_kind_shares(shares)
        return True

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
