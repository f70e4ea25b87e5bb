"""Report timing: reports close together are one outage, reports far apart several."""

from __future__ import annotations

import math
from datetime import timedelta

from outage.engine import OutageEngine
from outage.events import Tick, parse_event
from outage.records import Stage
from outage.scoring import PredictionParams, Scorer
from tests.outage.conftest import T0, at, call, device, lateral_feeder, meter


def test_clustered_calls_favour_one_onset_and_scattered_calls_several() -> None:
    """Three calls within minutes score above zero; the same calls hours apart below."""
    scorer = Scorer(PredictionParams())

    def timing(minutes: list[float]) -> float:
        return scorer.timing(len(minutes), sum(minutes), sum(m * m for m in minutes))

    assert timing([0.0]) == 0.0  # a single call says nothing about onsets
    assert timing([0.0, 3.0, 6.0]) > 0 > timing([0.0, 90.0, 180.0])
    assert math.isclose(timing([100.0, 103.0, 106.0]), timing([0.0, 3.0, 6.0]))


def test_timing_switched_off_with_zero_spread() -> None:
    """A zero call spread leaves the scores to the counts alone."""
    scorer = Scorer(PredictionParams(call_spread_minutes=0.0))
    assert scorer.timing(3, 270.0, 40500.0) == 0.0


def _devices(minutes: list[float]) -> list[str]:
    engine = OutageEngine(lateral_feeder())
    for customer, t in zip(("a1.1", "a2.1", "a3.1"), minutes, strict=True):
        engine.apply(parse_event(call(customer, t)))
    return sorted(o.device_id for o in engine.book.live())


def test_calls_hours_apart_are_not_rolled_up_to_the_fuse() -> None:
    """One call under each transformer of a lateral: within minutes the fuse operated;
    two and three hours apart, three transformers did."""
    assert _devices([0.0, 2.0, 4.0]) == ["fuse.a"]
    assert _devices([0.0, 120.0, 240.0]) == [
        "transformer.a1",
        "transformer.a2",
        "transformer.a3",
    ]


def _gasps(minutes_apart: float, params: PredictionParams | None = None) -> list[str]:
    engine = OutageEngine(lateral_feeder(), params)
    events = [meter(f"a1.{m}", 0, "off") for m in range(1, 5)]
    events += [meter(f"a2.{m}", minutes_apart, "off") for m in range(1, 5)]
    for data in events:
        engine.apply(parse_event(data))
    return sorted(o.device_id for o in engine.book.live())


def test_simultaneous_last_gasps_are_one_device_above() -> None:
    """Two transformers' meters gasping in the same second: the fuse above them blew;
    forty minutes apart: two transformers failed."""
    assert _gasps(0) == ["fuse.a"]
    assert _gasps(40) == ["transformer.a1", "transformer.a2"]
    assert _gasps(0, PredictionParams(gasp_spread_minutes=0.0)) == [
        "transformer.a1",
        "transformer.a2",
    ]


def test_a_restore_message_ends_the_outage_above_a_meter_whose_gasp_was_lost() -> None:
    """A meter sends a restore message when its power comes back, so one from a meter
    that never said it was out (its last gasp lost) ends the outage above it; a ping's
    answer "on" says only that the meter has power now: evidence against the
    prediction, not a restoration."""
    engine = OutageEngine(lateral_feeder())
    for data in [call("a1.1", 0), call("a1.2", 1), call("a1.3", 2),
                 {**meter("a1.5", 5, "on"), "ping": True}]:
        engine.apply(parse_event(data))
    (outage,) = engine.outages()
    assert outage.device_id == "transformer.a1" and outage.stage is Stage.PREDICTED
    engine.apply(parse_event(meter("a1.4", 6, "on")))
    assert outage.stage is Stage.RESTORED
    assert outage.restored is not None and outage.restored.isoformat() == at(6)


def test_the_call_spread_is_learned_from_restored_outages() -> None:
    """Where customers call up to three hours after their power goes (one fuse outage's
    calls, restored by a crew), two pairs of calls an hour apart on one lateral are one
    fuse outage; with the configured 20-minute spread they are two transformers."""
    slow_storm = [call(c, t) for c, t in [("a1.1", 0), ("a2.2", 30), ("a3.3", 60),
                                          ("a1.4", 95), ("a2.5", 130), ("a3.6", 170)]]
    slow_storm.append(device("fuse.a", 200, "closed", "crew"))
    pairs = [call("b1.1", 300), call("b1.2", 301), call("b2.2", 360), call("b2.3", 361)]

    def live_after(events: list[dict[str, object]]) -> tuple[list[str], float]:
        engine = OutageEngine(lateral_feeder())
        for data in events:
            engine.apply(parse_event(data))
        live = sorted(o.device_id for o in engine.outages() if o.active)
        return live, engine.predictor.scorer.spread("call")

    assert live_after(pairs) == (["transformer.b1", "transformer.b2"], 20.0)
    live, spread = live_after([*slow_storm, *pairs])
    assert live == ["fuse.b"] and 30 < spread < 60


def test_a_channel_spread_reprices_only_that_channel() -> None:
    """A learned last-gasp spread changes gasp timing, not call timing."""
    scorer = Scorer(PredictionParams())
    calls_before = scorer.timing(3, 30.0, 500.0)
    gasps_before = scorer.gasp_timing(3, 30.0, 500.0)
    scorer.set_spread("gasp", 30.0)
    assert scorer.spread("gasp") == 30.0 and scorer.spread("call") == 20.0
    assert scorer.timing(3, 30.0, 500.0) == calls_before
    assert scorer.gasp_timing(3, 30.0, 500.0) > gasps_before  # scatter matters less


def test_a_long_outage_whose_customers_call_for_hours_is_still_an_outage() -> None:
    """Twelve of lateral a's eighteen customers call, three at the onset and the rest
    over the next four hours (home from work, calling again): far too scattered for one
    onset's normal spread, yet twelve false calls are far less likely still."""
    engine = OutageEngine(lateral_feeder())
    callers = [f"a{t}.{m}" for m in (1, 2, 3, 4) for t in (1, 2, 3)]
    minutes = [0, 2, 4, 150, 165, 180, 190, 200, 210, 220, 230, 240]
    for customer, t in zip(callers, minutes, strict=True):
        engine.apply(parse_event(call(customer, t)))
    assert [o.device_id for o in engine.book.live()] == ["fuse.a"]


def test_the_call_timing_penalty_is_bounded_by_the_outlier_share() -> None:
    """However far apart, k calls cost at most k log(outlier share) against one onset;
    with no outliers allowed the normal spread's penalty is unbounded."""
    minutes = [0.0, 240.0, 480.0]
    args = (3, sum(minutes), sum(m * m for m in minutes))
    assert math.isclose(Scorer(PredictionParams()).timing(*args), 3 * math.log(0.05))
    assert Scorer(PredictionParams(call_outlier_share=0.0)).timing(*args) < -100


def test_a_storm_whose_faults_begin_together_is_not_one_outage_for_it() -> None:
    """Lateral b's eighteen meters and four of each of transformers a1 and a2 gasp in
    the same second; transformer a3's six meters say nothing. Read against onsets spread
    over two hours, the common second makes it one recloser outage. After 32 reports,
    all within minutes, the engine has learnt that this storm's faults begin together:
    fuse b and transformers a1 and a2."""
    engine = OutageEngine(lateral_feeder())
    events = [meter(f"a{t}.{m}", 0.01 * m, "off") for t in (1, 2) for m in range(1, 5)]
    events += [meter(f"b{t}.{m}", 0.01 * m, "off") for t in (1, 2, 3) for m in range(1, 7)]
    events += [call(c, 3 + i) for i, c in enumerate(["a1.5", "a2.6", "b1.1", "b2.2", "b3.3"])]
    for data in events:
        engine.apply(parse_event(data))
    assert engine.predictor.scorer.window == 120.0  # 31 reports: not yet
    assert sorted(o.device_id for o in engine.book.live()) == ["recloser.r1"]
    engine.apply(parse_event(call("b1.5", 8)))
    assert engine.predictor.scorer.window == 1.0
    assert sorted(o.device_id for o in engine.book.live()) == [
        "fuse.b", "transformer.a1", "transformer.a2"]


def test_the_onset_window_is_forgotten_when_the_storm_is_over() -> None:
    """Once the storm of faults that began together is repaired and its reports are off
    the board, the next quiet minute restores the configured window: the next day's
    outages must not be read against one minute."""
    engine = OutageEngine(lateral_feeder())
    events = [meter(f"a{t}.{m}", 0.01 * m, "off") for t in (1, 2) for m in range(1, 5)]
    events += [meter(f"b{t}.{m}", 0.01 * m, "off") for t in (1, 2, 3) for m in range(1, 7)]
    events += [call(c, 3 + i) for i, c in enumerate(["a1.5", "a2.6", "b1.1", "b2.2", "b3.3"])]
    events += [call("b1.5", 8)]
    for data in events:
        engine.apply(parse_event(data))
    assert engine.predictor.scorer.window == 1.0
    for d in ("fuse.b", "transformer.a1", "transformer.a2"):
        engine.apply(parse_event(device(d, 60, "closed", source="crew")))
    assert engine.book.live() == []
    assert engine.predictor.scorer.window == 1.0  # no refit due yet: 36 events
    engine.apply(Tick(T0 + timedelta(minutes=61)))
    assert engine.predictor.scorer.window == 120.0
