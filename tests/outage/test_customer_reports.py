"""The dating read from customers' reports: when the outage going on over them began,
when they last had power, who a restoration left out."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from outage.customer_reports import (
    EVIDENCE_FOR,
    NESTED_WINDOW,
    CustomerReports,
    onset,
)

MINUTE = 60.0
HOUR = 3600.0
SPREAD = 20 * MINUTE  # one outage's calls spread this much
T0 = 1.8e9  # some time, in seconds since the epoch
ALL = np.arange(6)


def _reports(times: dict[int, float]) -> CustomerReports:
    reports = CustomerReports(len(ALL))
    for i, t in times.items():
        reports.called[i] = 1
        reports.report_time[i] = t
    return reports


def test_the_onset_is_the_first_report_when_the_rest_follow_it_closely() -> None:
    times = np.array([T0 + 3 * MINUTE, T0, T0 + 5 * MINUTE, math.inf])
    assert onset(times, SPREAD) == T0


def test_a_report_before_a_quiet_spell_is_of_something_else() -> None:
    """A call left standing since yesterday does not date today's outage."""
    today = T0 + NESTED_WINDOW.total_seconds() + HOUR
    assert onset(np.array([T0, today, today + MINUTE]), SPREAD) == today


def test_a_lone_report_long_before_many_others_is_of_something_else() -> None:
    """A false call two hours before a burst of ten: the burst's first call is the onset."""
    burst = T0 + 2 * HOUR
    times = np.array([T0] + [burst + k * MINUTE for k in range(10)])
    assert onset(times, SPREAD) == burst
    # With one report after it, two hours is not improbable for one outage's callers.
    assert onset(np.array([T0, burst]), SPREAD) == T0


def test_reports_before_the_last_on_do_not_date_the_outage_going_on() -> None:
    reports = _reports({0: T0, 1: T0 + HOUR + 5 * MINUTE, 2: T0 + HOUR + 7 * MINUTE})
    reports.meter_on_time[3] = T0 + HOUR  # a meter said it had power after the first call
    earliest, heard, since = reports.onset_below(ALL, SPREAD)
    assert (earliest, heard) == (T0 + HOUR + 5 * MINUTE, T0 + HOUR)
    assert since[:3].tolist() == [False, True, True]  # the reports it is read from
    # Up to `until` only.
    assert reports.onset_below(ALL, SPREAD, until=T0 + HOUR + 6 * MINUTE)[1] == T0 + HOUR


def test_a_meter_fed_through_a_tie_says_nothing_of_the_devices_above() -> None:
    reports = _reports({0: T0})
    reports.meter_on_time[3] = T0 + HOUR
    reports.on_through_tie.add(3)
    assert reports.last_heard(ALL) == -math.inf
    assert reports.onset_below(ALL, SPREAD)[0] == T0


def test_reports_set_aside_long_before_fresh_ones_do_not_date_them() -> None:
    """A storm's false call, set aside for hours, is not the next storm's onset."""
    fresh = T0 + EVIDENCE_FOR.total_seconds() + HOUR
    reports = _reports({0: T0, 1: fresh, 2: fresh + MINUTE})
    reports.retired[0] = 1
    assert reports.onset_below(ALL, 10 * HOUR)[0] == fresh  # however slow the callers


def test_customers_a_restoration_left_out_date_from_when_they_went_out() -> None:
    went_out, restored = T0, T0 + 2 * HOUR
    reports = _reports({i: restored + 5 * MINUTE + i * MINUTE for i in range(4)})
    reports.restored_at[:4] = restored
    reports.out_since[:4] = went_out
    now = restored + HOUR
    assert reports.left_out_since(ALL, -math.inf, now, SPREAD) == went_out
    # Not when their meters said they had power since going out.
    assert reports.left_out_since(ALL, went_out + MINUTE, now, SPREAD) == math.inf
    # Not once the restoration is NESTED_WINDOW ago.
    later = restored + NESTED_WINDOW.total_seconds() + MINUTE
    assert reports.left_out_since(ALL, -math.inf, later, SPREAD) == math.inf
    # Not when most of the customers were not of that restoration: a new fault above.
    reports.restored_at[2:4] = -math.inf
    assert reports.left_out_since(ALL, -math.inf, now, SPREAD) == math.inf


def test_customers_calling_long_after_their_restoration_are_a_new_outage() -> None:
    restored = T0 + 2 * HOUR
    reports = _reports({i: restored + 3 * HOUR for i in range(4)})
    reports.restored_at[:4] = restored
    reports.out_since[:4] = T0
    assert reports.left_out_since(ALL, -math.inf, restored + 4 * HOUR, SPREAD) == math.inf


def test_never_back_since_names_the_earliest_of_those_restored_lately() -> None:
    reports = CustomerReports(len(ALL))
    reports.restored_at[1:3] = T0 + HOUR
    reports.out_since[1:3] = [T0 + 10 * MINUTE, T0]
    assert reports.never_back_since(ALL, T0 + 2 * HOUR) == T0
    assert reports.never_back_since(ALL, T0 + HOUR + NESTED_WINDOW.total_seconds() + 1) \
        == math.inf


def test_silent_only_is_silence_without_a_call_or_gasp() -> None:
    reports = CustomerReports(len(ALL))
    reports.silent[0:3] = b"\x01\x01\x01"
    reports.called[1] = 1
    reports.gasped[2] = 1
    assert reports.silent_only(ALL).tolist() == [True, False, False, False, False, False]


@given(st.lists(st.floats(min_value=0, max_value=3 * 24 * HOUR), min_size=1, max_size=30),
       st.floats(min_value=MINUTE, max_value=3 * HOUR),
       st.floats(min_value=0, max_value=24 * HOUR))
def test_the_onset_is_a_report_with_no_quiet_spell_after_it_and_later_reports_never_move_it_back(
    offsets: list[float], spread: float, after: float
) -> None:
    times = np.array(offsets) + T0
    first = onset(times, spread)
    assert first in times
    following = np.sort(times[times >= first])
    assert not (np.diff(following) > NESTED_WINDOW.total_seconds()).any()
    assert onset(np.append(times, times.max() + after), spread) >= first
