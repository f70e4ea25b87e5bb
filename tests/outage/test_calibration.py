"""The running estimates: priors that data corrects, reported only when worth re-pricing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from outage.calibration import (
    SHARE_RANGE,
    SPREAD_BOUNDS,
    Calibration,
    restore_counts,
    share_given_a_caller,
)
from outage.engine import OutageEngine
from outage.events import parse_event
from outage.scoring import PredictionParams

from .conftest import call, device, lateral_feeder
from .test_engine import live


def test_false_call_rate_starts_at_the_prior_and_follows_a_storm() -> None:
    cal = Calibration(PredictionParams(false_call_rate=0.0003))
    assert cal.false_call_rate == 0.0003
    assert cal.refit_false_calls(0.6, 1000) is None  # 0.6 false calls: within noise
    rate = cal.refit_false_calls(30, 10_000)  # a storm: 30 of 10,000 call anyway
    assert rate == pytest.approx((30 + 0.6) / 12_000)
    assert cal.false_call_rate == rate


def test_false_call_rate_never_falls_below_the_configured_one() -> None:
    """Half an hour into a storm, no call yet that no outage explains among 6,000
    customers: too early to say a storm brings fewer false calls than a quiet day (the
    estimate would fall fourfold and, with few events after, stay there)."""
    cal = Calibration(PredictionParams(false_call_rate=0.0003))
    assert cal.refit_false_calls(0.0, 6_000) is None
    assert cal.false_call_rate == 0.0003
    cal.refit_false_calls(30, 10_000)
    assert cal.refit_false_calls(0.0, 10_000) == 0.0003  # the storm's calls cleared


def test_restore_delivery_moves_only_by_a_step_worth_a_recompute() -> None:
    cal = Calibration(PredictionParams())
    # No last gasp counted yet: a coin, worth ten meters.
    assert cal.count_restores(2, 1) is None  # (1 + 5) / (2 + 10) = 0.5: no news
    rate = cal.count_restores(100, 90)
    assert rate == pytest.approx(96 / 112)
    assert cal.count_restores(1, 1) is None  # 97 / 113 barely differs


def test_restore_delivery_starts_from_the_last_gasps_of_restored_outages() -> None:
    """Where no transformer has two meters, the last gasps (same meters, same radio) are
    what says how many restore messages to expect."""
    cal = Calibration(PredictionParams())
    cal.count_gasps(100, 80)
    rate = cal.count_restores(0, 0)
    assert rate == pytest.approx(81.5 / 103)  # with the configured Beta(1.5, 1.5)
    # Restore messages counted later outweigh it.
    later = cal.count_restores(200, 100)
    assert later is not None and 0.5 < later < 0.55


def test_meters_whose_last_gasp_was_lost_learn_their_own_restore_delivery() -> None:
    """Their restore messages go by the same radio: the gasped meters' rate is the
    prior, until their own count says otherwise (no AMI where the gasps were lost)."""
    cal = Calibration(PredictionParams())
    gasped = cal.count_restores(100, 90)
    assert gasped == pytest.approx(95 / 110)  # with the last gasps' prior, a coin
    assert cal.count_unheard_restores(0, 0) == pytest.approx(gasped)
    assert cal.count_unheard_restores(30, 0) == pytest.approx(10 * gasped / 40)
    assert cal.restore_rate == gasped  # the gasped meters' own rate stays


def test_restore_counts_of_some_meters_group_them_with_all() -> None:
    """Of the meters whose last gasp was lost (the last four), one beside a gasped meter
    that is back counts; those of a group nobody is back in do not."""
    groups = np.array([1, 1, 1, 2, 2])
    back = np.array([1, 0, 1, 0, 0], dtype=bool)
    among = np.array([0, 1, 1, 1, 1], dtype=bool)
    assert restore_counts(groups, back, among) == (2, 1)


def test_last_gasp_prior_learns_the_delivery_and_firms_up() -> None:
    """Configured Beta(1.5, 1.5); 40 callers of whom 36 meters gasped: nine in ten, held
    as a prior worth ten meters; a small move is not worth re-pricing."""
    cal = Calibration(PredictionParams(gasp_alpha=1.5, gasp_beta=1.5))
    assert cal.gasp_prior == (1.5, 1.5)
    cal.count_callers(1, 1)
    assert cal.refit_gasp_prior() == pytest.approx((2.5, 1.5))  # one caller: a nudge
    cal.count_callers(40, 36)
    alpha, beta = cal.refit_gasp_prior() or (0.0, 0.0)
    assert alpha + beta == pytest.approx(10.0)
    assert alpha / (alpha + beta) == pytest.approx(37.5 / 43)
    cal.count_callers(41, 37)
    assert cal.refit_gasp_prior() is None
    # Restored outages count too: 200 customers, 60 gasps arrived.
    cal.count_gasps(200, 60)
    alpha, beta = cal.refit_gasp_prior() or (0.0, 0.0)
    assert alpha / (alpha + beta) == pytest.approx((97 + 1.5) / (241 + 3))


def test_the_share_of_callers_is_learned_per_outage_and_firms_up() -> None:
    """Configured Beta(2, 8) (a fifth call). A one-customer outage says nothing (found
    because its customer called), nor one nobody called about; one outage where a third
    called moves the mean as one outage among three configured; a dozen outages where a
    tenth called bring it towards a tenth, held as a prior worth 30 to 40 customers."""
    cal = Calibration(PredictionParams(call_alpha=2, call_beta=8))
    assert cal.call_prior == (2, 8)
    assert cal.count_calls(1, 1) is None and cal.count_calls(10, 0) is None
    alpha, beta = cal.count_calls(33, 11) or (0.0, 0.0)
    assert alpha / (alpha + beta) == pytest.approx((1 / 3 + 3 * 0.2) / 4, rel=1e-4)
    assert alpha + beta == pytest.approx(15)
    for _ in range(12):
        cal.count_calls(50, 5)
    alpha, beta = cal.call_prior
    assert 30 <= alpha + beta <= 40
    assert 0.1 < alpha / (alpha + beta) < 0.15


def test_small_outages_teach_the_share_of_callers_as_found_by_a_call() -> None:
    """A storm of three-customer outages where each customer calls at 30 %: only those
    someone called about are known, so one caller in three is the usual case (two in
    three of them), and counted plainly they would say 46 % call. Taken as given that
    someone called, they say 30 %; outages of two customers, one calling in each, say
    that few call."""
    cal = Calibration(PredictionParams(call_alpha=2, call_beta=8))
    # 67, 29 and 4 in a hundred, in turn as they come (the share fades old outages).
    storm = sorted((j / n, callers) for callers, n in ((1, 67), (2, 29), (3, 4))
                   for j in range(n))
    for _, callers in storm:
        cal.count_calls(3, callers)
    alpha, beta = cal.call_prior
    assert 0.27 < alpha / (alpha + beta) < 0.33
    few = Calibration(PredictionParams(call_alpha=2, call_beta=8))
    for _ in range(50):
        few.count_calls(2, 1)
    alpha, beta = few.call_prior
    assert alpha / (alpha + beta) < 0.1


_OUTAGES = st.dictionaries(
    st.integers(2, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))),
    st.floats(0.01, 5.0), min_size=1, max_size=12)


@given(_OUTAGES, st.integers(2, 300).flatmap(lambda n: st.tuples(st.just(n),
                                                                 st.integers(1, n))))
def test_the_share_given_a_caller_is_a_share_and_follows_each_outage(
    outages: dict[tuple[int, int], float], more: tuple[int, int],
) -> None:
    """Whatever outages were restored, the learned share is a share; one more outage
    whose callers alone say more call does not make it say fewer, nor one saying fewer
    more."""
    share = share_given_a_caller(outages)
    assert SHARE_RANGE[0] <= share <= SHARE_RANGE[1]
    alone = share_given_a_caller({more: 1.0})
    after = share_given_a_caller({**outages, more: outages.get(more, 0.0) + 1.0})
    tolerance = 1e-3  # the search's own precision, and then some
    if alone >= share:
        assert after >= share - tolerance
    else:
        assert after <= share + tolerance


@given(st.lists(st.tuples(st.integers(200, 2000), st.floats(0.1, 0.9)), min_size=1,
                max_size=6))
def test_large_outages_say_their_pooled_share(outages: list[tuple[int, float]]) -> None:
    """Outages of hundreds of customers of whom a tenth or more call are almost never
    missed for want of a caller: given a caller, their share is the plain one."""
    counts: dict[tuple[int, int], float] = {}
    for n, share in outages:
        key = (n, max(1, round(n * share)))
        counts[key] = counts.get(key, 0.0) + 1.0
    plain = (sum(k * w for (_, k), w in counts.items())
             / sum(n * w for (n, _), w in counts.items()))
    assert share_given_a_caller(counts) == pytest.approx(plain, abs=1e-3)


def test_the_share_of_callers_follows_a_change_of_storm() -> None:
    """Outages are remembered fading: after a long storm where a tenth called, one
    where half call takes the prior to near a half."""
    cal = Calibration(PredictionParams(call_alpha=2, call_beta=8))
    for _ in range(200):
        cal.count_calls(20, 2)
    for _ in range(100):
        cal.count_calls(20, 10)
    alpha, beta = cal.call_prior
    assert 0.4 < alpha / (alpha + beta) < 0.5


def test_meters_still_out_behind_a_nested_device_do_not_count_as_lost_messages() -> None:
    """Transformers 1 and 2 are back (4 of 6 meters said so, 1 of 2); transformer 3's
    meters are all silent: still out, so they say nothing about delivery."""
    groups = np.array([1] * 6 + [2] * 2 + [3] * 5)
    back = np.array([1, 1, 1, 1, 0, 0] + [1, 0] + [0] * 5, dtype=bool)
    assert restore_counts(groups, back) == (6 + 1, 4)


@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), max_size=40),
       st.integers(1, 8))
def test_a_silent_group_never_changes_the_restore_counts(
    meters: list[tuple[int, bool]], silent: int,
) -> None:
    """A device still open takes whole groups: adding one, all silent, changes nothing;
    and a meter counts only beside another that is back."""
    groups = np.array([g for g, _ in meters] + [99] * silent, dtype=np.int64)
    back = np.array([b for _, b in meters] + [False] * silent, dtype=bool)
    counted, seen = restore_counts(groups, back)
    assert (counted, seen) == restore_counts(groups[: len(meters)], back[: len(meters)])
    assert seen <= counted <= len(meters)
    assert seen == sum(b for g, b in meters if sum(b2 for g2, b2 in meters if g2 == g) >= 2)


def test_call_spread_learns_slow_callers_within_bounds() -> None:
    cal = Calibration(PredictionParams(call_spread_minutes=20))
    slow = np.arange(0.0, 600.0, 10.0)  # first calls over ten hours
    estimate = cal.observe_spread("call", slow, current=20.0)
    assert estimate is not None and 20 < estimate <= SPREAD_BOUNDS["call"][1]
    assert cal.observe_spread("call", np.array([5.0]), current=estimate) is None  # one call


def test_switched_off_timing_learns_nothing() -> None:
    cal = Calibration(PredictionParams(gasp_spread_minutes=0))
    assert cal.observe_spread("gasp", np.array([0.0, 30.0, 60.0]), current=0.0) is None


def test_onset_window_narrows_to_what_the_reports_say_and_no_wider_than_configured() -> None:
    """Onsets uniform over W have a variance of W²/12: a storm whose reports all came
    in the same minute has outages beginning together (the floor, one minute); one
    spread over three hours keeps the configured two hours; a small move is no news."""
    cal = Calibration(PredictionParams(onset_window_minutes=120.0))
    assert cal.refit_window(0.0, 120.0) == 1.0
    assert cal.refit_window(-4.0, 120.0) == 1.0  # the channel's own spread exceeds it
    assert cal.refit_window(30.0 ** 2, 1.0) == pytest.approx(math.sqrt(12) * 30)
    assert cal.refit_window(180.0 ** 2 / 12, 1.0) == 120.0
    assert cal.refit_window(110.0 ** 2 / 12, 120.0) is None
    assert cal.refit_window(math.inf, 1.0) == 120.0  # too few reports left to say
    assert Calibration(PredictionParams(onset_window_minutes=0)).refit_window(0.0, 0) is None


@pytest.mark.parametrize(("callers", "surer"), [(1, False), (10, True)])
def test_what_restored_outages_say_of_callers_moves_the_next_prediction(
        callers: int, surer: bool) -> None:
    """Lateral b's fuse restored three times: where one customer of its 18 called each
    time, two calls under transformer a1 (6 customers) could as well be all of lateral
    a, and the transformer is less sure than as configured; where ten called, a fuse
    would have brought more calls, and the transformer is surer."""
    def transformer_confidence(learn: bool) -> float:
        engine = OutageEngine(lateral_feeder())
        b = [f"b{t}.{m}" for t in (1, 2, 3) for m in range(1, 7)]
        for k in range(3 if learn else 0):
            for j, customer in enumerate(b[:callers]):
                engine.apply(parse_event(call(customer, 300 * k + j)))
            engine.apply(parse_event(device("fuse.b", 300 * k + 60, "closed", "crew")))
        for data in (call("a1.2", 1000), call("a1.4", 1003)):
            engine.apply(parse_event(data))
        return live(engine)["transformer.a1"].confidence

    assert (transformer_confidence(True) > transformer_confidence(False)) is surer
