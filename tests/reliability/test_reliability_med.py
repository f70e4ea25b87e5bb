"""Major Event Days by the 2.5β method against hand-worked examples."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from outage.reliability import (
    FormatError,
    HistoryError,
    Interruption,
    daily_saidi,
    major_event_days,
    med_threshold,
    read_daily_saidi,
)

DATA = Path(__file__).resolve().parent / "data"
D0 = date(2025, 1, 1)


def test_worked_example_with_explicit_numbers() -> None:
    """Seven days: ln SAIDI = 0,1,2,3,4 (two zero days dropped) → α = 2, β = √2.5."""
    values = [1.0, math.e, 0.0, math.e ** 2, math.e ** 3, 0.0, math.e ** 4]
    daily = {D0 + timedelta(days=k): v for k, v in enumerate(values)}
    got = med_threshold(daily)
    assert got.days_used == 5
    assert got.alpha == pytest.approx(2.0)
    # sample variance of 0..4 around 2: (4 + 1 + 0 + 1 + 4) / (5 − 1) = 2.5
    assert got.beta == pytest.approx(math.sqrt(2.5))
    # T_MED = exp(2 + 2.5 × 1.5811388) = exp(5.9528471) = 384.847
    assert got.threshold == pytest.approx(384.847, abs=1e-3)
    assert major_event_days(daily, got) == []
    assert major_event_days({**daily, D0: 400.0}, got) == [D0]


def test_realistic_worked_example() -> None:
    """Daily SAIDI 0.5, 1.2, 2.0, 3.5, 8.0, 45.0 min gives T_MED = 174.92 min (see docs)."""
    values = [0.5, 1.2, 2.0, 3.5, 8.0, 45.0]
    daily = {D0 + timedelta(days=k): v for k, v in enumerate(values)}
    got = med_threshold(daily)
    # ln: −0.693147, 0.182322, 0.693147, 1.252763, 2.079442, 3.806662
    # α = 7.321189 / 6 = 1.220198
    # deviations² 3.660889 1.077187 0.277783 0.001060 0.738300 6.689796, Σ = 12.445015
    # β = √(12.445015 / 5) = 1.577658;  T_MED = exp(1.220198 + 3.944144) = 174.92
    assert got.alpha == pytest.approx(1.220198, abs=1e-6)
    assert got.beta == pytest.approx(1.577658, abs=1e-6)
    assert got.threshold == pytest.approx(174.92, abs=0.01)
    assert major_event_days({**daily, D0: 175.0}, got) == [D0]


def test_day_equal_to_threshold_is_not_a_med() -> None:
    """A MED must exceed T_MED; equal is a normal day."""
    daily = {D0: 5.0, D0 + timedelta(days=1): 7.0}
    assert major_event_days(daily, 7.0) == []
    assert major_event_days(daily, 6.999) == [D0 + timedelta(days=1)]


def test_only_the_last_five_years_count() -> None:
    """Days more than five years before the last day are left out."""
    old = {date(2019, 6, 1): 1000.0}
    recent = {date(2025, 1, 1): 1.0, date(2025, 1, 2): math.e}
    assert med_threshold({**old, **recent}).days_used == 2
    assert med_threshold({**old, **recent}).first_day == date(2020, 1, 3)


def test_too_little_history_is_an_error() -> None:
    """Fewer than two non-zero days cannot give β."""
    with pytest.raises(HistoryError, match="at least 2"):
        med_threshold({D0: 3.0, D0 + timedelta(days=1): 0.0})


def test_daily_saidi_accrues_to_start_day_and_skips_planned() -> None:
    """A multi-day interruption counts whole on its start day; planned ones are left out."""
    start = datetime(2025, 1, 1, 23, 0, tzinfo=UTC)
    long = Interruption(start, start + timedelta(hours=3), 10)
    planned = Interruption(start, start + timedelta(hours=1), 10, planned=True)
    got = daily_saidi([long, planned], 100, UTC, D0, D0 + timedelta(days=1))
    assert got == {D0: pytest.approx(18.0), D0 + timedelta(days=1): 0.0}


def test_history_file_errors_name_line_and_field() -> None:
    """A negative SAIDI in HISTORY.csv names line 3 and the saidi field."""
    with pytest.raises(FormatError, match=r"bad_history.csv line 3, field 'saidi'"):
        read_daily_saidi(DATA / "bad_history.csv")
