"""Scoring a replay: outages at the end are matched by customers and by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from outage.evaluate import Span, device_score, span_score

DAY1 = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)
HOUR = timedelta(hours=1)


def test_a_device_out_in_two_storms_is_two_outages_to_find() -> None:
    """The same transformer out on two days: one record over both days' customers finds
    only the outage it overlaps; a record of the right customers at a time they all had
    power finds nothing."""
    a, b = frozenset({"c1", "c2"}), frozenset({"c3"})
    truth = [Span(a, DAY1, DAY1 + HOUR), Span(b, DAY1, DAY1 + 2 * HOUR),
             Span(a, DAY2, DAY2 + HOUR)]
    once = [Span(a, DAY1 + 5 * timedelta(minutes=1), DAY1 + HOUR), Span(b, DAY1, DAY1 + HOUR)]
    score = span_score(once, truth)
    assert (score.precision, score.recall) == (1.0, 2 / 3)
    wrong_time = [Span(a, DAY1 + 3 * HOUR, DAY1 + 4 * HOUR)]
    assert span_score(wrong_time, truth).precision == 0.0
    # By customers alone, it would have been right.
    assert device_score([s.customers for s in wrong_time],
                        [t.customers for t in truth]).precision == 1.0
    both = [*once, Span(a, DAY2 - HOUR, DAY2 + 2 * HOUR)]
    assert span_score(both, truth).f1 == 1.0
    assert span_score([], []).f1 == 1.0


SPANS = st.lists(st.builds(
    lambda customers, start, hours: Span(frozenset(customers), DAY1 + start * HOUR,
                                         DAY1 + (start + hours) * HOUR),
    st.sets(st.sampled_from("abcd"), min_size=1), st.integers(0, 48), st.integers(0, 6)),
    max_size=6)


@given(SPANS, SPANS)
@settings(max_examples=300, deadline=None)
def test_matching_in_time_is_stricter_than_by_customers_alone(
    predicted: list[Span], truth: list[Span],
) -> None:
    """Every match in time is a match by customers, one to one: neither precision nor
    recall is above the customers-only score's; the truth scores itself perfect."""
    timed = span_score(predicted, truth)
    plain = device_score([p.customers for p in predicted], [t.customers for t in truth])
    assert timed.precision <= plain.precision and timed.recall <= plain.recall
    assert 0.0 <= timed.f1 <= 1.0
    assert span_score(truth, truth).f1 == 1.0
