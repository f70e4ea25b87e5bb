"""The running estimates: priors that data corrects, reported only when worth re-pricing."""

from __future__ import annotations

import numpy as np
import pytest

from outage.calibration import SPREAD_BOUNDS, Calibration
from outage.scoring import PredictionParams


def test_false_call_rate_starts_at_the_prior_and_follows_a_storm() -> None:
    cal = Calibration(PredictionParams(false_call_rate=0.0003))
    assert cal.false_call_rate == 0.0003
    assert cal.refit_false_calls(0.6, 1000) is None  # 0.6 false calls: within noise
    rate = cal.refit_false_calls(30, 10_000)  # a storm: 30 of 10,000 call anyway
    assert rate == pytest.approx((30 + 0.6) / 12_000)
    assert cal.false_call_rate == rate


def test_restore_delivery_moves_only_by_a_step_worth_a_recompute() -> None:
    cal = Calibration(PredictionParams())
    assert cal.count_restores(2, 1) is None  # (1 + 1) / (2 + 2) = 0.5: no news
    rate = cal.count_restores(100, 90)
    assert rate == pytest.approx(92 / 104)
    assert cal.count_restores(1, 1) is None  # 93 / 105 barely differs


def test_call_spread_learns_slow_callers_within_bounds() -> None:
    cal = Calibration(PredictionParams(call_spread_minutes=20))
    slow = np.arange(0.0, 600.0, 10.0)  # first calls over ten hours
    estimate = cal.observe_spread("call", slow, current=20.0)
    assert estimate is not None and 20 < estimate <= SPREAD_BOUNDS["call"][1]
    assert cal.observe_spread("call", np.array([5.0]), current=estimate) is None  # one call


def test_switched_off_timing_learns_nothing() -> None:
    cal = Calibration(PredictionParams(gasp_spread_minutes=0))
    assert cal.observe_spread("gasp", np.array([0.0, 30.0, 60.0]), current=0.0) is None
