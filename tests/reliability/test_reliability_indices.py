"""IEEE 1366 indices against a hand-computed example, and their identities as properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outage.reliability import (
    IndexParams,
    Interruption,
    Period,
    Territory,
    compute_indices,
    compute_indices_by,
    select,
)

T0 = datetime(2025, 3, 1, tzinfo=UTC)
DAY = Period(T0, T0 + timedelta(days=1))


def rec(start_min: float, minutes: float, ids: str, *, feeder: str = "f1",
        planned: bool = False, outage: str = "x") -> Interruption:
    """A record starting ``start_min`` minutes after T0 for the space-separated ``ids``."""
    names = tuple(ids.split())
    start = T0 + timedelta(minutes=start_min)
    return Interruption(start, start + timedelta(minutes=minutes), len(names), feeder,
                        planned=planned, outage_id=outage, customer_ids=names)


# N_T = 10, one day (1440 min). Sustained: A c1-c3 60 min; B (partial restoration) c1
# 150 min and c4,c5 30 min; D c6 10 min. Momentary: C c1 exactly 5 min; E c7,c8 30 s.
# Σ N_i = 3 + 1 + 2 + 1 = 7;  Σ r_i N_i = 180 + 150 + 60 + 10 = 400 customer-minutes.
HAND = [rec(0, 60, "c1 c2 c3", outage="A"), rec(120, 150, "c1", outage="B"),
        rec(120, 30, "c4 c5", outage="B"), rec(300, 5, "c1", outage="C"),
        rec(360, 10, "c6", feeder="f2", outage="D"), rec(420, 0.5, "c7 c8", feeder="f2")]


def test_hand_example_every_index() -> None:
    """Every index of the hand example equals the value computed by hand."""
    got = compute_indices(HAND, 10, DAY, IndexParams(cemi_n=1, celid_s_minutes=60,
                                                     celid_t_minutes=210))
    assert got.customer_interruptions == 7 and got.sustained_interruptions == 4
    assert got.customer_minutes == pytest.approx(400)
    assert got.saifi == pytest.approx(0.7)
    assert got.saidi == pytest.approx(40.0)
    assert got.caidi == pytest.approx(400 / 7)
    assert got.customers_interrupted == 6
    assert got.caifi == pytest.approx(7 / 6)
    assert got.asai == pytest.approx(1 - 40 / 1440)
    assert got.maifi_e == pytest.approx(0.3)  # C (1 customer) + E (2 customers) over 10
    assert got.cemi_n == pytest.approx(0.1)  # only c1 has more than 1 sustained
    assert got.celid_s == pytest.approx(0.3)  # c1 150, c2 60, c3 60 min >= 60 min
    assert got.celid_t == pytest.approx(0.1)  # c1 totals exactly 210 min >= 210


def test_customer_interrupted_twice_counts_once_in_caifi() -> None:
    """CAIFI divides by distinct customers: c1 interrupted twice is one customer."""
    got = compute_indices([rec(0, 60, "c1"), rec(120, 60, "c1")], 10, DAY)
    assert got.customers_interrupted == 1
    assert got.caifi == pytest.approx(2.0)
    assert got.saifi == pytest.approx(0.2)


def test_exactly_five_minutes_is_momentary_and_one_second_more_sustained() -> None:
    """5 min 0 s is momentary (MAIFI_E); 5 min 1 s is sustained (SAIFI)."""
    five = rec(0, 5, "c1")
    more = rec(10, 5 + 1 / 60, "c2")
    assert five.momentary and not five.sustained
    assert more.sustained and not more.momentary
    got = compute_indices([five, more], 10, DAY)
    assert got.maifi_e == pytest.approx(0.1)
    assert got.saifi == pytest.approx(0.1)
    assert got.saidi == pytest.approx((5 + 1 / 60) / 10)


def test_per_customer_indices_need_customer_ids() -> None:
    """Without customer ids CAIFI, CEMI_n and CELID are None, the others still exact."""
    plain = Interruption(T0, T0 + timedelta(minutes=30), 4)
    got = compute_indices([plain], 10, DAY)
    assert got.caifi is None and got.cemi_n is None and got.celid_s is None
    assert got.saidi == pytest.approx(12.0)


def test_no_interruptions_leave_ratio_indices_undefined() -> None:
    """With nothing interrupted CAIDI and CAIFI are None and ASAI is 1."""
    got = compute_indices([], 10, DAY)
    assert got.caidi is None and got.caifi is None
    assert got.asai == 1.0 and got.saifi == 0.0 and got.cemi_n == 0.0


def test_grouping_by_feeder_uses_each_feeders_customers() -> None:
    """Per-feeder indices use that feeder's customers served as N_T."""
    from outage.reliability import Feeder

    territory = Territory.of_feeders((Feeder("f1", 6, "s1", "r"), Feeder("f2", 4, "s1", "r")))
    by = compute_indices_by(HAND, territory, "feeder", DAY)
    assert by["f1"].saidi == pytest.approx(390 / 6)
    assert by["f2"].saidi == pytest.approx(10 / 4)
    assert by["f2"].maifi_e == pytest.approx(2 / 4)
    whole = compute_indices_by(HAND, territory, "substation", DAY)["s1"]
    assert whole.saidi == pytest.approx(40.0)


def test_select_separates_planned_and_days() -> None:
    """select() keeps unplanned by default and filters by the local start day."""
    planned = rec(600, 120, "c9", planned=True)
    records = [*HAND, planned]
    assert planned not in select(records)
    assert select(records, planned=True) == [planned]
    assert select(records, exclude_days=[T0.date()]) == []


records_strategy = st.lists(
    st.tuples(st.integers(0, 1400), st.integers(0, 600), st.integers(1, 50)),
    min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(records_strategy, st.integers(50, 10_000))
def test_identities_caidi_and_asai(rows: list[tuple[int, int, int]], served: int) -> None:
    """CAIDI = SAIDI / SAIFI and ASAI = 1 − SAIDI / minutes in the period."""
    records = [Interruption(T0 + timedelta(minutes=s), T0 + timedelta(minutes=s + d), n)
               for s, d, n in rows]
    period = Period(T0, T0 + timedelta(days=2))
    got = compute_indices(records, served, period)
    assert got.asai == pytest.approx(1 - got.saidi / period.minutes)
    if got.saifi > 0:
        assert got.caidi == pytest.approx(got.saidi / got.saifi)
    else:
        assert got.caidi is None
