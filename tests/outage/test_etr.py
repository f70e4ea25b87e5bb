"""Model ETRs: the typical durations first, then the storm's own restoration curve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gis import Network
from outage.engine import OutageEngine
from outage.etr import MIN_AHEAD, RestorationTimes, StillOut
from outage.events import parse_event

from .conftest import at, device

T0 = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def minutes(m: float) -> datetime:
    return T0 + timedelta(minutes=m)


def curve(durations: list[float], still_out: list[float], now: float) -> RestorationTimes:
    """Fuses (typical 120 min) restored after `durations` minutes, others out since
    `still_out` minutes, the curve drawn at `now`."""
    times = RestorationTimes()
    for d in durations:
        times.observe("fuse", minutes(0), minutes(d))
    times.refit([StillOut("fuse", minutes(s)) for s in still_out], minutes(now))
    return times


def test_before_the_storm_restores_enough_the_typical_duration_stretched() -> None:
    times = curve([60, 90], [], now=100)
    assert not times.learned
    assert times.estimate("fuse", minutes(0), minutes(10), live_outages=1) == minutes(120)
    # 26 outages at once double it; never less than MIN_AHEAD from now
    assert times.estimate("fuse", minutes(0), minutes(10), live_outages=26) == minutes(240)
    assert times.estimate("fuse", minutes(0), minutes(200), 1) == minutes(200) + MIN_AHEAD


def test_the_median_of_what_remains_given_how_long_it_has_lasted() -> None:
    """Eight restorations 24–192 min (0.2–1.6 of the typical 120): a new outage is
    promised the median, 96 min; one that has lasted 108 min, past half of them, the
    median of those that lasted as long, 144 min."""
    times = curve([24, 48, 72, 96, 120, 144, 168, 192], [], now=200)
    assert times.learned
    assert times.estimate("fuse", minutes(200), minutes(200), 1) == minutes(200 + 96)
    assert times.estimate("fuse", minutes(0), minutes(108), 1) == minutes(144)
    # Longer than all but one (restored at 192 min): never less than MIN_AHEAD from now.
    assert times.estimate("fuse", minutes(0), minutes(180), 1) == minutes(180) + MIN_AHEAD
    # Out 100 min of its own, past four of them: the median of the other four, 144 min
    assert times.estimate("fuse", minutes(100), minutes(200), 1) == minutes(100 + 144)


def test_outages_still_out_hold_the_estimate_up() -> None:
    """Early in a storm only the quick outages are restored. Counting the open ones
    (censored: out at least this long) keeps the curve from promising their times."""
    quick = [30, 36, 42, 48, 54]
    alone = curve(quick, [], now=60)
    with_open = curve(quick, still_out=[0] * 10, now=60)  # ten out for an hour already
    new = minutes(60)
    assert alone.estimate("fuse", new, new, 11) == new + timedelta(minutes=42)
    # 15 at risk: the curve never falls to half at the quick restorations
    assert with_open.estimate("fuse", new, new, 11) > new + timedelta(minutes=120)


def test_the_engine_learns_the_storm_from_its_restorations(feeder: Network) -> None:
    """Five transformers restored after 60–100 min (their typical time: 150): the next
    transformer outage is promised 80 min, not 150."""
    engine = OutageEngine(feeder)
    transformers = ["transformer.a1", "transformer.a2", "transformer.a3", "transformer.b1",
                    "transformer.b2"]
    for t in transformers:
        engine.apply(parse_event(device(t, 0, "open")))
    engine.apply(parse_event({"type": "tick", "time": at(1)}))
    # Nothing restored yet: 150 min, stretched by five outages at once (× 1.16)
    assert {o.etr.isoformat() for o in engine.outages() if o.etr} == {at(174)}
    for k, t in enumerate(transformers):
        engine.apply(parse_event(device(t, 60 + 10 * k, "closed")))
    engine.apply(parse_event(device("transformer.b3", 110, "open")))
    (outage,) = [o for o in engine.outages() if o.active]
    assert outage.etr_source == "model" and outage.etr is not None
    assert outage.etr.isoformat() == at(110 + 80)
