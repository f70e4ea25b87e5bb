"""What the engine learns about a storm as it goes: configured priors, corrected by data.

Three properties of a utility's reports differ from place to place and storm to
storm, and the scores depend on them:

- how often customers with power call anyway (false calls): a storm brings many more
  than a quiet day;
- how often a meter's power-restore message arrives after a restoration;
- how far one outage's first calls (last gasps) spread in time: customers call within
  minutes in one place and after an hour in another; head-ends pass last gasps on at
  once or in batches;
- what share of an outage's customers call: a tenth at night, a third on a hot
  afternoon.

Each estimate starts at the configured value, weighted as a prior, and moves with
what the replay shows. An estimate is reported only when it has moved enough to be
worth re-pricing every score (a full recomputation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from outage.scoring import PredictionParams

# Weight of the configured false-call rate, in customers.
FALSE_CALL_PRIOR_CUSTOMERS = 2000
# Weight (degrees of freedom) of the configured spreads, their bounds (minutes), and
# the relative change that re-prices the scores.
SPREAD_PRIOR_DOF = 10.0
SPREAD_BOUNDS = {"call": (5.0, 180.0), "gasp": (0.25, 60.0)}
SPREAD_REPRICE = 0.15
# The relative change in the window outages begin in that re-prices the scores.
WINDOW_REPRICE = 0.25
# Change in the restore-message delivery estimate that re-prices the scores, and the
# weight (in meters) of the last-gasp delivery as its prior.
RESTORE_REPRICE = 0.05
RESTORE_PRIOR_METERS = 10
# The most weight (in meters) the learned last-gasp delivery takes as each candidate's
# prior, and the change in it that re-prices the scores.
GASP_PRIOR_METERS = 10.0
GASP_REPRICE = 0.05
# The share of an outage's customers who call, learned from restored outages someone
# called about. An outage is mostly found because a customer called, so each says what
# it says given that one did (`share_given_a_caller`): a one-customer outage nothing,
# counted plainly it would say everyone calls. One outage's share is one draw of how
# outages' shares spread, however many customers it has: the learned mean counts the
# configured one as CALL_PRIOR_OUTAGES outages, and the prior firms up by
# CALL_WEIGHT_PER_OUTAGE per outage to at most CALL_PRIOR_CUSTOMERS. A change in the
# mean of CALL_REPRICE re-prices the scores; CALL_RATE_MEMORY outages are remembered (the
# share changes with the hour and the storm; older outages fade out).
CALL_PRIOR_OUTAGES = 3.0
CALL_WEIGHT_PER_OUTAGE = 5.0
CALL_PRIOR_CUSTOMERS = 40.0
CALL_REPRICE = 0.03
CALL_RATE_MEMORY = 50.0
CALL_COUNT_FORGOTTEN = 1e-3  # of an outage's weight
SHARE_RANGE = (1e-4, 1 - 1e-4)  # where the learned share is sought, and how finely
SHARE_TOLERANCE = 1e-4


@dataclass(slots=True)
class RestoreDelivery:
    """Meters counted after restorations (`restore_counts`), how many of them said they
    were back, and the delivery rate of restore messages estimated from them."""

    rate: float = 0.5  # no restoration seen yet: a coin
    expected: int = 0
    seen: int = 0

    def count(self, expected: int, seen: int, prior: float) -> float | None:
        """More meters counted, with `prior` worth RESTORE_PRIOR_METERS: the new rate, or
        None when it moved by less than RESTORE_REPRICE."""
        self.expected += expected
        self.seen += seen
        rate = (self.seen + RESTORE_PRIOR_METERS * prior) / (self.expected + RESTORE_PRIOR_METERS)
        if abs(rate - self.rate) < RESTORE_REPRICE:
            return None
        self.rate = rate
        return rate


@dataclass(slots=True)
class Calibration:
    """The running estimates, with the evidence behind them."""

    params: PredictionParams
    false_call_rate: float = math.nan
    # Restore messages after restorations: of meters whose last gasp arrived, and of
    # those whose last gasp was lost (`count_unheard_restores`).
    restores: RestoreDelivery = field(default_factory=RestoreDelivery)
    unheard_restores: RestoreDelivery = field(default_factory=RestoreDelivery)
    gasps_expected: int = 0  # customers of restored outages
    gasps_seen: int = 0  # of which the meter's last gasp arrived
    gasp_prior: tuple[float, float] = (math.nan, math.nan)  # Beta, per candidate
    callers: int = 0  # customers on the board who called, at the last count
    # Restored outages counted for the share of callers, by (customers, callers), each
    # outage weighing one and fading (see CALL_RATE_MEMORY).
    call_counts: dict[tuple[int, int], float] = field(default_factory=dict)
    call_prior: tuple[float, float] = (math.nan, math.nan)  # Beta, per candidate
    callers_gasped: int = 0  # of which the meter's last gasp arrived
    # Scatter of first-report times within restored outages, and its degrees of freedom.
    spread_ss: dict[str, float] = field(default_factory=lambda: {"call": 0.0, "gasp": 0.0})
    spread_dof: dict[str, float] = field(default_factory=lambda: {"call": 0.0, "gasp": 0.0})

    def __post_init__(self) -> None:
        if math.isnan(self.false_call_rate):
            self.false_call_rate = self.params.false_call_rate
        if math.isnan(self.gasp_prior[0]):
            self.gasp_prior = (self.params.gasp_alpha, self.params.gasp_beta)
        if math.isnan(self.call_prior[0]):
            self.call_prior = (self.params.call_alpha, self.params.call_beta)

    def refit_false_calls(self, unexplained: float, customers_outside: int,
                          explained: float = 0.0, customers: int = 1) -> float | None:
        """Callers no outage explains among the customers outside every outage: the new
        false-call rate, or None when it moved by less than half (or a third down).

        `explained` callers (those the outages explain) bring their share of false
        calls with them (`PredictionParams.false_call_share`), spread over all the
        `customers`: a storm's crowd of calls about its large outages brings lone
        calls from customers with power, which must not read as the storm's small
        outages. A storm of small outages alone brings few."""
        p = self.params
        prior = p.false_call_rate * FALSE_CALL_PRIOR_CUSTOMERS
        outside = max(customers_outside, 1)
        rate = (unexplained + prior) / (outside + FALSE_CALL_PRIOR_CUSTOMERS)
        # Never below the configured rate: false calls build up on the board as a storm
        # goes on, so early counts say less than the quiet day's rate, not that a storm
        # brings fewer.
        brought = (p.false_call_share / (1 - p.false_call_share) * explained
                   / max(customers, 1))
        rate = max(rate, p.false_call_rate, brought)
        if 2 / 3 <= rate / self.false_call_rate <= 1.5:
            return None
        self.false_call_rate = rate
        return rate

    def count_callers(self, callers: int, gasped: int) -> None:
        """The customers on the board who called (they are out), and how many of their
        meters' last gasps arrived (weighed at the next `refit_gasp_prior`)."""
        self.callers, self.callers_gasped = callers, gasped

    @property
    def gasp_delivery(self) -> float:
        """How often a last gasp arrives: the callers' meters (`count_callers`) and the
        restored outages' customers (`count_gasps`), with the configured prior."""
        a0, b0 = self.params.gasp_alpha, self.params.gasp_beta
        seen = self.callers_gasped + self.gasps_seen
        return (seen + a0) / (self.callers + self.gasps_expected + a0 + b0)

    def refit_gasp_prior(self) -> tuple[float, float] | None:
        """The prior on each candidate's last-gasp delivery, from the callers
        (`count_callers`) and the restored outages' customers (`count_gasps`): the
        configured prior moves to the learned rate and firms up to GASP_PRIOR_METERS
        as they accumulate. None when its mean moved by less than GASP_REPRICE.

        A meter that stays silent under a candidate says more where nine in ten gasps
        arrive than where three do; a flat prior weighs both the same.
        """
        a0, b0 = self.params.gasp_alpha, self.params.gasp_beta
        rate = self.gasp_delivery
        weight = min(self.callers + self.gasps_expected + a0 + b0,
                     max(GASP_PRIOR_METERS, a0 + b0))
        alpha, beta = self.gasp_prior
        if abs(rate - alpha / (alpha + beta)) < GASP_REPRICE:
            return None
        self.gasp_prior = (weight * rate, weight * (1 - rate))
        return self.gasp_prior

    def count_calls(self, customers: int, called: int) -> tuple[float, float] | None:
        """A restored outage's customers and how many of them called: the new prior on
        each candidate's share of callers, or None when its mean moved by less than
        CALL_REPRICE and its weight by less than half (or the outage says nothing: one
        customer, or nobody called).

        With the configured prior's mean of a fifth, a storm whose customers call at a
        tenth reads a feeder with few calls as several small outages, and one whose
        customers call at a third reads scattered one-customer outages' calls as the
        feeder's; learned, the prior moves to the storm's share and firms up to
        CALL_PRIOR_CUSTOMERS.
        """
        if customers < 2 or called < 1:
            return None
        key = (customers, called)
        self.call_counts[key] = self.call_counts.get(key, 0.0) + 1.0
        m = sum(self.call_counts.values())  # the outages remembered
        if m > CALL_RATE_MEMORY:
            fade = CALL_RATE_MEMORY / m
            # Faded to nothing, an outage's count goes (the dict stays small for years).
            self.call_counts = {k: w * fade for k, w in self.call_counts.items()
                                if w * fade >= CALL_COUNT_FORGOTTEN}
            m = sum(self.call_counts.values())
        a0, b0 = self.params.call_alpha, self.params.call_beta
        share = share_given_a_caller(self.call_counts)
        rate = (m * share + CALL_PRIOR_OUTAGES * a0 / (a0 + b0)) / (m + CALL_PRIOR_OUTAGES)
        weight = min(a0 + b0 + CALL_WEIGHT_PER_OUTAGE * m,
                     max(CALL_PRIOR_CUSTOMERS, a0 + b0))
        alpha, beta = self.call_prior
        if abs(rate - alpha / (alpha + beta)) < CALL_REPRICE and weight < 1.5 * (alpha + beta):
            return None
        self.call_prior = (weight * rate, weight * (1 - rate))
        return self.call_prior

    def count_gasps(self, customers: int, gasped: int) -> None:
        """A restored outage's customers, and how many of their meters' last gasps
        arrived (see `gasp_delivery`)."""
        self.gasps_expected += customers
        self.gasps_seen += gasped

    def count_restores(self, expected: int, seen: int) -> float | None:
        """Meters expected to say they are back after a restoration, and how many did
        (see `restore_counts`): the new delivery rate of restore messages, or None when
        it barely moved."""
        # Last gasps go by the same meters and radio: their delivery is the prior, and
        # the estimate where no group has two meters (one customer per device).
        return self.restores.count(expected, seen, self.gasp_delivery)

    @property
    def restore_rate(self) -> float:
        """How often a restore message arrives from a meter whose last gasp did."""
        return self.restores.rate

    @property
    def unheard_rate(self) -> float:
        """How often a restore message arrives from a meter whose last gasp did not."""
        return self.unheard_restores.rate

    def count_unheard_restores(self, expected: int, seen: int) -> float | None:
        """The same as `count_restores`, of meters whose last gasp was lost: the new
        delivery rate of their restore messages, or None when it barely moved. The
        gasped meters' rate is its prior: the same radio, unless the meters that lose
        last gasps are those that never talk (no AMI there), which the count shows."""
        return self.unheard_restores.count(expected, seen, self.restore_rate)

    def observe_spread(self, channel: str, minutes: np.ndarray, current: float) -> float | None:
        """First-report times (minutes) of one restored outage on a channel (``"call"``
        or ``"gasp"``): the new spread, or None when it is within SPREAD_REPRICE of
        `current` (or the channel's timing is switched off, or fewer than two)."""
        prior = (self.params.call_spread_minutes if channel == "call"
                 else self.params.gasp_spread_minutes)
        if prior <= 0 or len(minutes) < 2:
            return None
        self.spread_ss[channel] += float(((minutes - minutes.mean()) ** 2).sum())
        self.spread_dof[channel] += len(minutes) - 1
        estimate = math.sqrt((SPREAD_PRIOR_DOF * prior ** 2 + self.spread_ss[channel])
                             / (SPREAD_PRIOR_DOF + self.spread_dof[channel]))
        low, high = SPREAD_BOUNDS[channel]
        estimate = min(max(estimate, low), high)
        if abs(estimate - current) <= SPREAD_REPRICE * current:
            return None
        return estimate

    def refit_window(self, variance: float, current: float) -> float | None:
        """The variance of the onsets behind the reports on the board (minutes²; inf
        when too few say): the window independent outages begin in (onsets uniform
        over it have a variance of ``W² / 12``), at most the configured one; None when
        it is within WINDOW_REPRICE of `current`."""
        configured = self.params.onset_window_minutes
        if configured <= 0:
            return None
        estimate = min(max(math.sqrt(12.0 * max(variance, 0.0)), 1.0), configured)
        if abs(estimate - current) <= WINDOW_REPRICE * current:
            return None
        return estimate


def restore_counts(groups: np.ndarray, back: np.ndarray,
                   among: np.ndarray | None = None) -> tuple[int, int]:
    """Meters of a restored outage (`among` them, when given), counted towards the
    restore-message delivery rate: (counted, of which back).

    A meter still silent may have lost its message or still be out, behind a device
    inside the outage that is still open — the nested outage the silence is weighed
    to find. Counting every silent meter as a lost message makes each nested outage
    drag the rate down, and with it the weight of silence (19 customers of 24 still
    out made 80 % delivery look like 13 %). So a meter counts only when another meter
    of its group (`groups`: the nearest device above each) said it is back: a device
    still open takes whole groups, so such a meter has power, and whether its own
    message arrived is independent of the others'.
    """
    _, group = np.unique(groups, return_inverse=True)
    back_in_group = np.bincount(group, weights=back)[group]
    counted = back_in_group - back > 0  # another meter of the group is back
    if among is not None:
        counted &= among
    return int(counted.sum()), int((counted & back).sum())


def share_given_a_caller(counts: dict[tuple[int, int], float]) -> float:
    """The share of customers who call that makes these outages' callers likeliest,
    each outage's count of callers taken as given that at least one called (the
    binomial truncated at one): `counts` weighs each (customers, callers).

    Only the outages someone called about are known; counted plainly, two-customer
    outages with one caller each would say half call, whatever the share.
    """
    (n, k), w = np.array(list(counts), dtype=float).T, np.fromiter(counts.values(), float)

    def slope(r: float) -> float:  # of the log-likelihood, falling in r
        log_none = n * math.log1p(-r)  # the chance that nobody of the n calls
        # d/dr of k log r + (n - k) log(1 - r) - log(1 - (1 - r)^n)
        return float(w @ (k / r - (n - k) / (1 - r)
                          - n * np.exp(log_none) / ((1 - r) * -np.expm1(log_none))))

    lo, hi = SHARE_RANGE
    if slope(lo) <= 0:
        return lo
    if slope(hi) >= 0:
        return hi
    while hi - lo > SHARE_TOLERANCE:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if slope(mid) > 0 else (lo, mid)
    return (lo + hi) / 2
