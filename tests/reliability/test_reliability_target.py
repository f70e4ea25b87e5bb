"""The ASAI budget and the incremental ReliabilityTracker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from outage.reliability import (
    Feeder,
    Interruption,
    ReliabilityError,
    ReliabilityTracker,
    TargetParams,
    Territory,
    budget_minutes,
)

Y0 = datetime(2025, 1, 1, tzinfo=UTC)
TERRITORY = Territory.of_feeders((Feeder("f1", 600), Feeder("f2", 400)))


def test_budget_is_525_6_minutes_for_a_365_day_year() -> None:
    """ASAI ≥ 0.999 allows 525.6 customer-minutes per customer in 365 days (527.04 leap)."""
    assert budget_minutes(365 * 1440) == pytest.approx(525.6)
    assert budget_minutes(366 * 1440) == pytest.approx(527.04)


def test_year_to_date_burn_and_projection() -> None:
    """100 customers out 1000 min by day 73 of 365: SAIDI 100, burn ratio 19.02/0.2 ..."""
    tracker = ReliabilityTracker(TERRITORY)
    start = Y0 + timedelta(days=10)
    tracker.add(Interruption(start, start + timedelta(minutes=1000), 100, "f1"))
    now = Y0 + timedelta(days=73)  # exactly 20 % of the year
    s = tracker.status(now)
    ytd = s.year_to_date
    assert ytd.saidi == pytest.approx(100.0)
    assert ytd.budget_used_fraction == pytest.approx(100 / 525.6)
    assert ytd.burn_ratio == pytest.approx(100 / 525.6 / 0.2)
    assert ytd.asai == pytest.approx(1 - 100 / (73 * 1440))
    assert ytd.burn_rate_minutes_per_day == pytest.approx(100 / 73)
    # rolling rate 100 min / 365 d applied to the 292 days left
    assert s.projected_saidi == pytest.approx(100 + 100 * 292 / 365)
    assert s.projected_asai == pytest.approx(1 - s.projected_saidi / 525600)
    assert s.worst_feeders[0].feeder == "f1"
    assert s.worst_feeders[0].feeder_saidi == pytest.approx(100_000 / 600)


def test_ongoing_interruptions_count_after_five_minutes_and_partial_restoration() -> None:
    """An open outage counts its elapsed time once sustained; partial ends split it."""
    tracker = ReliabilityTracker(1000)
    tracker.start("o1", Y0, 50, feeder="f2")
    assert tracker.status(Y0 + timedelta(minutes=5)).year_to_date.saidi == 0.0
    s = tracker.status(Y0 + timedelta(minutes=10))
    assert s.year_to_date.saidi == pytest.approx(0.5) and s.customers_out == 50
    first = tracker.end("o1", Y0 + timedelta(minutes=20), customers=30)
    assert first.customers == 30 and first.outage_id == "o1"
    tracker.end("o1", Y0 + timedelta(minutes=60))
    s = tracker.status(Y0 + timedelta(minutes=60))
    assert s.year_to_date.saidi == pytest.approx((30 * 20 + 20 * 60) / 1000)
    assert s.customers_out == 0 and s.ongoing_interruptions == 0


def test_rolling_window_drops_interruptions_older_than_365_days() -> None:
    """The rolling 12 months forget an interruption 365 days after it started."""
    tracker = ReliabilityTracker(100)
    tracker.add(Interruption(Y0, Y0 + timedelta(minutes=100), 10))
    assert tracker.status(Y0 + timedelta(days=364)).rolling_12_months.saidi == pytest.approx(10)
    later = tracker.status(Y0 + timedelta(days=366))
    assert later.rolling_12_months.saidi == 0.0
    assert later.year_to_date.saidi == 0.0  # a new calendar year began


def test_momentary_and_optionally_planned_do_not_count() -> None:
    """Momentary interruptions never count; planned ones only when include_planned."""
    tracker = ReliabilityTracker(100, params=TargetParams(include_planned=False))
    tracker.add(Interruption(Y0, Y0 + timedelta(minutes=5), 10))
    tracker.add(Interruption(Y0, Y0 + timedelta(minutes=50), 10, planned=True))
    assert tracker.status(Y0 + timedelta(days=1)).year_to_date.saidi == 0.0


def test_snapshot_is_json_and_time_only_moves_forward() -> None:
    """snapshot() is JSON-serialisable; a snapshot earlier than the last one is refused."""
    tracker = ReliabilityTracker(TERRITORY)
    tracker.start("o1", Y0, 5, feeder="f1")
    data = tracker.snapshot(Y0 + timedelta(hours=1))
    assert json.loads(json.dumps(data))["ongoing_interruptions"] == 1
    assert data["year_to_date"]["budget_minutes"] == pytest.approx(525.6)  # type: ignore[index]
    with pytest.raises(ReliabilityError, match="back in time"):
        tracker.snapshot(Y0)
    with pytest.raises(ReliabilityError, match="no ongoing"):
        tracker.end("nope", Y0)


def test_live_replay_of_sample_history_matches_batch_indices() -> None:
    """Replaying sample starts and ends live: mid-year and year-end SAIDI match batch sums."""
    from pathlib import Path

    from outage.reliability import Period, compute_indices, read_feeders, read_outages

    history = Path(__file__).resolve().parents[2] / "sample_data" / "history"
    records = read_outages(history / "outages.csv").records
    territory = Territory.of_feeders(read_feeders(history / "feeders.csv"))
    served = territory.customers_served
    tracker = ReliabilityTracker(territory)
    events = sorted([(r.start, 1, k) for k, r in enumerate(records)]
                    + [(r.end, 0, k) for k, r in enumerate(records)])
    mid = datetime(2025, 7, 1, tzinfo=UTC)
    mid_status = None
    for moment, is_start, k in events:
        if mid_status is None and moment > mid:
            mid_status = tracker.status(mid)
        r = records[k]
        if is_start:
            tracker.start(str(k), r.start, r.customers, feeder=r.feeder, planned=r.planned)
        else:
            tracker.end(str(k), r.end)
    expected_mid = 0.0
    for r in records:
        if Y0 <= r.start < mid:
            elapsed = (min(r.end, mid) - r.start) / timedelta(minutes=1)
            expected_mid += r.customers * elapsed if elapsed > 5 else 0.0
    assert mid_status is not None
    assert mid_status.year_to_date.saidi == pytest.approx(expected_mid / served)
    end = datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)
    batch = compute_indices([r for r in records if r.start.year == 2025], served,
                            Period(Y0, end))
    assert tracker.status(end).year_to_date.saidi == pytest.approx(batch.saidi)
