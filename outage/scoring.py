"""How much the evidence under a candidate favours "it operated" over "it did not".

The model, per candidate with `n` service points below it:

- if it operated, each of its customers calls with an unknown rate r ~ Beta(a, b)
  and each meter's last gasp arrives with an unknown rate m ~ Beta(a_m, b_m), so the
  chance of exactly these callers is the beta-binomial
  ``B(k + a, n - k + b) / B(a, b)``; a meter saying it has power is near-impossible;
- if it did not, a customer calls anyway with a small false-call rate and a meter
  gasps only by fault.

The score is the log-likelihood ratio of the two, less the log prior odds of an
operation at that kind of device. Integrating out the rates makes the score
depend on *how many customers did not report* without fixing a call rate, and
it is what lets a tree of such scores (see `outage.predict`) choose between one
large outage and several small ones.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PredictionParams:
    """Priors of the prediction model (defaults suit utilities with or without AMI)."""

    # Beta prior on the share of an outage's customers who call: a mean of 20 %, and
    # few outages (2 %; Beta(1, 4) had 8 %) where under 2 % call — else a storm's
    # scattered false calls read as a substation outage almost nobody called about.
    call_alpha: float = 2.0
    call_beta: float = 8.0
    gasp_alpha: float = 1.5  # Beta prior on the share of last gasps that arrive
    gasp_beta: float = 1.5
    false_call_rate: float = 0.0003  # chance an energised customer calls anyway (prior)
    # Share of a storm's calls that come from customers with power (neighbours, blinks,
    # trouble on the customer's side): the false calls a storm's outages bring along.
    false_call_share: float = 0.05
    # Chance an energised meter sends a last gasp. A meter gasps only after tens of
    # seconds without voltage (momentaries are filtered at the meter), so with power
    # it gasps only by fault: about 0.5 % of meters fail a year, 1e-6 over a few hours.
    false_gasp_rate: float = 1e-6
    powered_if_out: float = 1e-3  # chance a meter says "on" below an open device
    # Share of operations by kind of device (the kinds a network has, but for the
    # source, are scaled up to stand in for those it lacks). A device's prior is its
    # kind's share divided among the devices of that kind, times the number of
    # outages going on: a breaker, protecting a whole feeder's main line, operates
    # more often than any one transformer, and in a storm every device but the source
    # is more likely to be out than on a quiet day.
    kind_share: dict[str, float] = field(
        default_factory=lambda: {
            "service_transformer": 0.35,
            "fuse": 0.25,
            "recloser": 0.1,
            "sectionalizer": 0.05,
            "breaker": 0.1,
            "switch": 0.05,
            "source": 0.01,
        }
    )
    max_prior: float = 0.2  # no device is believed out on its prior alone
    # Timing: one outage's first calls (last gasps) spread about `call_spread_minutes`
    # (`gasp_spread_minutes`) around their mean; independent outages (and false calls)
    # begin anywhere in a window of `onset_window_minutes`. Zero spread switches it off.
    call_spread_minutes: float = 20.0
    gasp_spread_minutes: float = 2.0  # last gasps come within seconds of the onset
    onset_window_minutes: float = 120.0
    # Share of an outage's callers whose call time says nothing of its onset (home
    # hours later, calling again after a partial restoration): the normal spread's
    # tails are too light for them, and a long outage's calls must not read as false.
    # Last gasps have none: a meter gasps when its power goes.
    call_outlier_share: float = 0.05
    quiet_day_outages: float = 1.0  # outages expected at once before the evidence says more
    location_tolerance_m: float = 150.0  # a location-only call further away is rejected
    # The head-end passes on meters' power-restore messages (most AMI does). When none
    # of a closed device's meters that gasped says it is back, they are still out.
    # False for a head-end that sends last gasps only: then silence says nothing.
    restore_messages: bool = True

    def __post_init__(self) -> None:
        for name in ("call_alpha", "call_beta", "gasp_alpha", "gasp_beta"):
            if getattr(self, name) <= 0:
                raise ValueError(f"PredictionParams.{name} must be positive")
        for name in ("false_call_rate", "false_gasp_rate", "powered_if_out"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"PredictionParams.{name} must be between 0 and 1")
        if not 0 <= self.false_call_share < 1:
            raise ValueError("PredictionParams.false_call_share must be in [0, 1)")
        if not 0 <= self.call_outlier_share < 1:
            raise ValueError("PredictionParams.call_outlier_share must be in [0, 1)")


class Scorer:
    """Evaluates candidate scores fast (precomputed constants, math.lgamma)."""

    def __init__(self, params: PredictionParams) -> None:
        self.params = params
        p = params
        self._call_norm = _lbeta(p.call_alpha, p.call_beta)
        self._gasp_norm = _lbeta(p.gasp_alpha, p.gasp_beta)
        self._log_f = math.log(p.false_call_rate)
        self._log_1f = math.log1p(-p.false_call_rate)
        self._log_fg = math.log(p.false_gasp_rate)
        self._log_1fg = math.log1p(-p.false_gasp_rate)
        self._log_powered = math.log(p.powered_if_out)
        self._window = p.onset_window_minutes
        self.set_spread("call", p.call_spread_minutes)
        self.set_spread("gasp", p.gasp_spread_minutes)
        self.set_restore_delivery(0.5)
        self.set_unheard_delivery(0.5)
        self._call_prior = (p.call_alpha, p.call_beta, p.call_alpha + p.call_beta)
        self._gasp_prior = (p.gasp_alpha, p.gasp_beta, p.gasp_alpha + p.gasp_beta)
        self._learned_shares: dict[str, float] | None = None

    def penalties(self, kinds: Sequence[str], live_outages: float) -> list[float]:
        """Log prior odds against each candidate operating, given the outages going on."""
        counts = Counter(kinds)
        # The kinds a network models stand in for those it does not (an MV model has
        # no transformers or fuses), so their shares are scaled up to fill the whole —
        # except the source's: a loss of supply is as rare whatever is modelled below.
        source = self.params.kind_share.get("source", 0.05) if "source" in counts else 0.0
        mix = self._learned_shares or self.kind_shares(counts)
        others = sum(mix.get(k, 0.0) for k in counts if k != "source")
        if others > 0:
            shares = {k: source if k == "source" else mix.get(k, 0.0) * (1 - source) / others
                      for k in counts}
        else:  # nothing but sources modelled: they stand in for every device
            shares = dict.fromkeys(counts, 1.0)
        quiet = self.params.quiet_day_outages
        expected = max(live_outages, quiet)
        out = {}
        for kind, count in counts.items():
            # A storm's outages below say little of the supply, which the transmission
            # system feeds (and SCADA watches): the source's prior stays a quiet day's.
            # Else the calls of two feeders' outages that start together read as one
            # loss of supply.
            storm = quiet if kind == "source" and others > 0 else expected
            # A kind given no share (by the configuration) is never quite impossible.
            prior = min(max(storm * shares[kind] / count, 1e-12), self.params.max_prior)
            out[kind] = math.log((1 - prior) / prior)
        return [out[k] for k in kinds]

    @property
    def call_prior(self) -> tuple[float, float]:
        return self._call_prior[:2]

    @property
    def gasp_prior(self) -> tuple[float, float]:
        return self._gasp_prior[:2]

    def kind_shares(self, kinds: Iterable[str]) -> dict[str, float]:
        """Each kind's share of the operations of devices other than the source, of the
        kinds given (those a network models stand in for the rest)."""
        shares = {k: self.params.kind_share.get(k, 0.05) for k in kinds if k != "source"}
        total = sum(shares.values())
        return {k: v / total for k, v in shares.items()} if total > 0 else shares

    @property
    def learned_shares(self) -> dict[str, float] | None:
        return self._learned_shares

    def set_kind_shares(self, shares: dict[str, float]) -> None:
        """The kinds' shares of operations as the evidence has them (`kind_shares` the
        configured ones)."""
        self._learned_shares = shares

    def detection(self, n: int, ami: bool) -> float:
        """The chance that an outage of `n` service points has been reported by anyone:
        a call, or (with meters) a last gasp, under the current priors."""
        if n <= 0:
            return 0.0
        ca, cb, _ = self._call_prior
        quiet = _lbeta(ca, cb + n) - self._call_norm
        if ami:
            ga, gb, _ = self._gasp_prior
            quiet += _lbeta(ga, gb + n) - self._gasp_norm
        return -math.expm1(quiet)

    def set_false_call_rate(self, rate: float) -> None:
        """The rate at which customers with power call anyway (estimated by the engine)."""
        rate = min(max(rate, 1e-5), 0.2)
        self._log_f = math.log(rate)
        self._log_1f = math.log1p(-rate)

    def set_spread(self, channel: str, minutes: float) -> None:
        """How far one outage's first calls (``"call"``) or last gasps (``"gasp"``)
        spread around their mean (estimated by the engine from restored outages)."""
        if channel == "call":
            self._call_timing = _Onsets(minutes, self._window, self.params.call_outlier_share)
        else:
            self._gasp_timing = _Onsets(minutes, self._window)

    def set_window(self, minutes: float) -> None:
        """How far apart independent outages begin (estimated by the engine from the
        times of the reports on the board: a storm's faults may all begin together)."""
        self._window = minutes
        self.set_spread("call", self._call_timing.spread)
        self.set_spread("gasp", self._gasp_timing.spread)

    @property
    def window(self) -> float:
        return self._window

    def spread(self, channel: str) -> float:
        return (self._call_timing if channel == "call" else self._gasp_timing).spread

    def set_call_prior(self, alpha: float, beta: float) -> None:
        """The Beta prior on the share of a candidate's customers who call (learned by
        the engine from restored outages)."""
        self._call_prior = (alpha, beta, alpha + beta)
        self._call_norm = _lbeta(alpha, beta)

    def set_gasp_prior(self, alpha: float, beta: float) -> None:
        """The Beta prior on the share of a candidate's last gasps that arrive (learned
        by the engine from the storm's meters)."""
        self._gasp_prior = (alpha, beta, alpha + beta)
        self._gasp_norm = _lbeta(alpha, beta)

    def set_restore_delivery(self, rate: float) -> None:
        """How often a meter's power-restore message arrives (estimated by the engine).

        A meter that gasped, was in an outage that has been restored, and stayed
        silent is evidence it never got power back: weak when restore messages are
        often lost, strong when they usually arrive.
        """
        self._log_silent, self._log_back = _silent_and_back(rate)

    def set_unheard_delivery(self, rate: float) -> None:
        """How often the power-restore message arrives from a meter whose last gasp did
        not (estimated by the engine). Such a meter silent after its restoration is
        evidence it never got power back too, as strong as this rate says: where the
        meters that lose last gasps are the ones that never talk (no AMI there), weak.
        """
        self._log_unheard, self._log_unheard_back = _silent_and_back(rate)

    def timing(self, calls: int, t: float, t2: float) -> float:
        """Log-likelihood ratio of `calls` first-call times (sum `t`, sum of squares
        `t2`, minutes): one onset against independent onsets (see `_Onsets`)."""
        return self._call_timing.llr(calls, t, t2)

    def gasp_timing(self, gasps: int, t: float, t2: float) -> float:
        """The same for last-gasp times."""
        return self._gasp_timing.llr(gasps, t, t2)

    def evidence(
        self, n: int, calls: int, gasps: int, powered: int, ami: bool, silent: int = 0,
        back: int = 0, unknown: int = 0, unheard: int = 0, unheard_back: int = 0,
    ) -> float:
        """Log-likelihood ratio (operated vs not) of the evidence below a candidate.

        `silent` meters (in a restored outage, no power-restore since) are what an
        operated device implies, and lost restore messages if it did not operate;
        `back` meters (their power-restore arrived) are near-impossible if it operated;
        `unheard` / `unheard_back` are the same of meters whose last gasp was lost
        (their restore messages arrive at a rate of their own); `unknown` meters say
        nothing either way.
        """
        if n <= 0:
            return -math.inf
        lgamma = math.lgamma
        ca, cb, cab = self._call_prior
        llr = (
            lgamma(calls + ca) + lgamma(n - calls + cb) - lgamma(n + cab) - self._call_norm
            - calls * self._log_f - (n - calls) * self._log_1f
            + powered * self._log_powered
        )
        if ami:
            # Silent meters are certain if it operated, lost restores if not; the
            # last-gasp rate is judged on the other meters.
            m = n - silent - back - unknown - unheard - unheard_back
            ga, gb, gab = self._gasp_prior
            llr += (
                lgamma(gasps + ga) + lgamma(m - gasps + gb) - lgamma(m + gab) - self._gasp_norm
                - gasps * self._log_fg - (m - gasps) * self._log_1fg
                - silent * self._log_silent
                + back * (self._log_powered - self._log_back)
                - unheard * self._log_unheard
                + unheard_back * (self._log_powered - self._log_unheard_back)
            )
        return llr


class _Onsets:
    """Times of reports under one onset against independent onsets.

    With the onset uniform over a window W and each report normal around it with
    spread s, the log-likelihood ratio is
    ``(k - 1) log(W / (sqrt(2 pi) s)) - log(k) / 2 - S / (2 s^2)``, S the sum of
    squared deviations from the mean time. Reports close together favour one
    outage; reports hours apart several (or false calls).

    With a share `outliers` of reports at any time in the window instead, each report
    is at least that likely under one onset as under independent ones, so the ratio
    is floored at ``k log(outliers)`` (the mixture's bound; the sums kept per
    candidate cannot tell which reports are the outliers).
    """

    def __init__(self, spread: float, window: float, outliers: float = 0.0) -> None:
        self.spread = spread
        # Onsets spread no wider than one outage's reports say nothing either way.
        self.log_ratio = (max(math.log(window / (math.sqrt(2 * math.pi) * spread)), 0.0)
                          if spread > 0 else 0.0)
        self._half_precision = 0.5 / spread ** 2 if spread > 0 else 0.0
        self._log_outlier = math.log(outliers) if outliers > 0 else -math.inf

    def llr(self, k: int, t: float, t2: float) -> float:
        if k < 2 or self.spread <= 0:
            return 0.0
        scatter = t2 - t * t / k
        scatter = scatter if scatter > 0.0 else 0.0  # rounding when all are at one time
        one = (k - 1) * self.log_ratio - 0.5 * math.log(k) - scatter * self._half_precision
        floor = k * self._log_outlier
        return one if one > floor else floor


def _silent_and_back(rate: float) -> tuple[float, float]:
    """Log chances that a restored meter's restore message is lost / arrives, at
    delivery `rate` (kept off 0 and 1: no estimate is that sure)."""
    rate = min(max(rate, 0.01), 0.99)
    return math.log1p(-rate), math.log(rate)


def _lbeta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
