"""The outage engine on hand-checkable storms: prediction, lifecycle, restoration."""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from gis import Network, NetworkBuilder
from gis.io import load_network
from outage.engine import OutageEngine
from outage.errors import EventError
from outage.events import Tick, parse_event, parse_time
from outage.explain import explain, percent
from outage.interruptions import interruptions
from outage.open_reports import open_reports
from outage.records import Outage, Stage
from outage.scoring import PredictionParams
from outage.simulate import ScenarioBuilder, ScenarioParams

from .conftest import T0, at, call, device, first_call_wait, meter

ROOT = Path(__file__).resolve().parents[2]


def run(network: Network, events: list[dict[str, Any]], **kwargs: Any) -> OutageEngine:
    engine = OutageEngine(network, **kwargs)
    for data in events:
        engine.apply(parse_event(data))
    return engine


def live(engine: OutageEngine) -> dict[str, Outage]:
    return {o.device_id: o for o in engine.outages() if o.active}


def set_aside(when: str) -> str:
    """How an explanation names a report below the outage set aside as of something else."""
    return f"a report below it from {when} came too long before the rest to be of this outage"


def test_calls_under_one_transformer_predict_the_transformer(feeder: Network) -> None:
    """Two neighbours calling from one transformer: that transformer, not the fuse above."""
    engine = run(feeder, [call("a2.1", 1), call("a2.4", 3)])
    assert set(live(engine)) == {"transformer.a2"}
    outage = live(engine)["transformer.a2"]
    assert outage.customers_out == 6 and outage.stage is Stage.PREDICTED
    assert outage.started.isoformat() == at(1)
    assert "transformer.a2" in engine.describe(outage)["explanation"]


def test_a_device_reported_open_is_explained_by_the_report_not_a_score(feeder: Network) -> None:
    """SCADA says the fuse is open: the explanation says so, and shows no score."""
    events = [call(c, i) for i, c in enumerate(["a1.1", "a2.2", "a3.3"])]
    engine = run(feeder, [*events, device("fuse.a", 4, "open", "scada")])
    text = engine.describe(live(engine)["fuse.a"])["explanation"]
    assert "Reported open (SCADA, crew or dispatcher)" in text
    assert "score" not in text and "better than" not in text


def test_calls_under_three_transformers_roll_up_to_the_fuse(feeder: Network) -> None:
    """Reports under every transformer of a lateral are one fuse operation."""
    events = [call(c, i) for i, c in enumerate(["a1.1", "a2.2", "a3.3", "a1.5", "a3.6"])]
    engine = run(feeder, events)
    assert set(live(engine)) == {"fuse.a"}
    assert live(engine)["fuse.a"].critical_out == 1


def test_two_laterals_with_reports_are_two_outages_not_one(feeder: Network) -> None:
    """A storm: separate clusters stay separate when the rest of the feeder is quiet."""
    lateral_a = [call(c, i) for i, c in enumerate(["a1.1", "a2.2", "a3.3", "a1.4"])]
    transformer_b = [call("b2.1", 5), call("b2.3", 6)]
    meters = [meter(f"{t}.{m}", 0.5, "off") for t in ("a1", "a2", "a3") for m in (2, 5)]
    engine = run(feeder, meters + lateral_a + transformer_b)
    assert set(live(engine)) == {"fuse.a", "transformer.b2"}


def test_meters_with_power_keep_the_prediction_below_them(feeder: Network) -> None:
    """Last gasps across lateral a, but its transformer a3's meters, pinged, answer that
    they have power: not the fuse."""
    events = [meter(f"{t}.{m}", 1, "off") for t in ("a1", "a2") for m in range(1, 5)]
    events += [{**meter(f"a3.{m}", 2, "on"), "ping": True} for m in range(1, 5)]
    engine = run(feeder, events)
    assert "fuse.a" not in live(engine)
    assert set(live(engine)) == {"transformer.a1", "transformer.a2"}


def test_scada_open_confirms_and_close_restores(feeder: Network) -> None:
    """SCADA reports the recloser open: confirmed at once; closed: restored, customers kept."""
    engine = run(feeder, [device("recloser.r1", 0, "open"), call("a1.1", 2)])
    outage = live(engine)["recloser.r1"]
    assert outage.stage is Stage.CONFIRMED and outage.confidence == 1.0
    assert outage.customers_out == 36
    engine.apply(parse_event(device("recloser.r1", 90, "closed")))
    assert outage.stage is Stage.RESTORED and outage.restored.isoformat() == at(90)
    assert len(engine.customer_ids_of(outage)) == 36
    assert live(engine) == {}


def test_a_scada_open_outage_survives_the_scores_being_recomputed(feeder: Network) -> None:
    """SCADA reports the recloser open before anyone calls; the first last gasp (which
    switches the meter channel on and recomputes every score) leaves it confirmed."""
    engine = run(feeder, [device("recloser.r1", 0, "open"), meter("a1.1", 0.5, "off")])
    outage = live(engine)["recloser.r1"]
    assert outage.stage is Stage.CONFIRMED and outage.customers_out == 36
    engine.apply(parse_event(device("recloser.r1", 90, "closed")))
    assert outage.stage is Stage.RESTORED


def test_calls_after_a_crew_closes_a_breaker_are_a_device_below_it() -> None:
    """A crew closes the breaker; customers behind switch x call again. The breaker
    (one customer more, and a breaker's high prior) is closed: switch x it is."""
    b = NetworkBuilder("breaker-over-switch", crs="EPSG:4326", units="deg")
    for bus, x in (("sub", 0.0), ("head", 0.001), ("x", 0.002), ("head2", -0.001)):
        b.add_bus(bus, x, 0.0)
    b.add_branch("bay", "connector", "sub", "head")
    b.add_device("breaker.f1", "breaker", "bay")
    b.add_branch("line.x", "line", "head", "x")
    b.add_device("switch.x", "switch", "line.x")
    b.add_customer("h.1", "head", x=0.001, y=0.0001)
    for m in range(1, 11):
        b.add_customer(f"x.{m}", "x", x=0.002, y=0.0001 * m)
    for k in range(20):  # one-customer switches below x, and a feeder of them elsewhere
        for side, above, x in (("y", "x", 0.003), ("o", "head2" if k == 0 else f"o{k - 1}",
                                                    -0.001)):
            b.add_bus(f"{side}{k}", x, 0.001 * (k + 1))
            b.add_branch(f"line.{side}{k}", "line", above, f"{side}{k}")
            b.add_device(f"switch.{side}{k}", "switch", f"line.{side}{k}")
            b.add_customer(f"{side}.{k}", f"{side}{k}", x=x, y=0.001 * (k + 1))
    b.add_branch("bay2", "connector", "sub", "head2")
    b.add_device("breaker.f2", "breaker", "bay2")
    b.add_source("vsource.sub", "sub")
    events = [call("x.1", 1), call("x.2", 2), call("h.1", 3),
              device("breaker.f1", 60, "closed", "crew")]
    engine = run(b.build(), [*events, *(call(f"x.{m}", 70 + m) for m in range(3, 6))])
    assert set(live(engine)) == {"switch.x"}


def test_a_lone_last_gasp_behind_one_of_thousands_of_switches_is_its_outage() -> None:
    """Every service behind a switch of its own, as SimBench models LV feeders: one
    meter's last gasp is that switch's outage. A meter with power gasps only by fault,
    far more rarely than one of 3,000 switches operates (the engine weighed it the
    other way round before, and listed the gasp as an open report)."""
    b = NetworkBuilder("service-switches", crs="EPSG:4326", units="deg")
    b.add_bus("sub", 0.0, 0.0)
    b.add_bus("head", 0.001, 0.0)
    b.add_branch("bay", "connector", "sub", "head")
    b.add_device("breaker.f1", "breaker", "bay")
    for k in range(3000):
        x, y = 0.002 + 0.0001 * (k % 60), 0.0001 * (k // 60)
        b.add_bus(f"s{k}", x, y)
        b.add_branch(f"line.s{k}", "line", "head", f"s{k}")
        b.add_device(f"switch.s{k}", "switch", f"line.s{k}")
        b.add_customer(f"c{k}", f"s{k}", x=x, y=y)
    b.add_source("vsource.sub", "sub")
    engine = run(b.build(), [meter("c1234", 1, "off")])
    assert set(live(engine)) == {"switch.s1234"}
    assert open_reports(engine) == []


def test_nested_outage_after_restoration_is_backdated(feeder: Network) -> None:
    """Customers still out when the fuse is closed become their own outage, from the start."""
    events = [*_fuse_a_out_then_closed(), call("a3.1", 70), call("a3.2", 72)]
    engine = run(feeder, events)
    restored = [o for o in engine.outages() if o.stage is Stage.RESTORED]
    assert [o.device_id for o in restored] == ["fuse.a"]
    # The fuse's five callers called from 14:00; the first of five waits 4 minutes.
    fuse = restored[0]
    assert fuse.started.isoformat() == at(-first_call_wait(5)) == at(-4)
    assert ("started 2026-07-01 13:56 (4 minutes before its first call, at 14:00: the wait "
            "expected of the first of its callers)") in fuse.explanation
    nested = live(engine)["transformer.a3"]
    assert nested.started == fuse.started  # out since the fuse operated
    # The dispatcher reads why it starts before anyone behind it called again.
    text = engine.describe(nested)["explanation"]
    assert "started 2026-07-01 13:56 (before its earliest report, at 15:10" in text


def test_calls_hours_after_a_restoration_are_a_new_outage_not_a_nested_one(
    feeder: Network,
) -> None:
    """The same calls as above, but transformer a3's customers call two and a half hours
    after the fuse was closed, not ten minutes: customers left out call as soon as
    anyone calls about an outage (within six call spreads, two hours here), so this is
    a new outage beginning with its calls, not one out since the fuse operated."""
    events = [*_fuse_a_out_then_closed(), call("a3.1", 210), call("a3.2", 212)]
    engine = run(feeder, events)
    assert live(engine)["transformer.a3"].started == parse_time(at(210))


def test_a_burst_of_calls_long_after_a_restoration_is_a_new_outage(feeder: Network) -> None:
    """Fuse a is closed at 60; at 160, within the two hours customers left out may still
    say so, ten of its customers call within five minutes. Left out, they would have
    called from the restoration on, the first of them minutes after it: a burst an hour
    and forty minutes later is a new fault, starting with its own first call (it was
    dated from the fuse's first outage)."""
    events = _fuse_a_out_then_closed()
    calls = [call(c, 160 + k / 2) for k, c in enumerate(LATERAL_A_BURST)]
    engine = run(feeder, [*events, *calls])
    assert live(engine)["fuse.a"].started.isoformat() == at(160)


def test_a_burst_taken_for_customers_left_out_is_dated_again_at_its_restoration(
    feeder: Network,
) -> None:
    """Fuse a is closed at 60; three of its customers call at 120, and the outage they
    make is taken for customers the close left out (three first reports an hour later
    are not yet improbable). Seven more call within three minutes: with all ten, the
    crew's close at 200 dates it as the new fault it was."""
    events = _fuse_a_out_then_closed()
    calls = [call(c, 120 + k / 2) for k, c in enumerate(LATERAL_A_BURST)]
    early = run(feeder, [*events, *calls[:3]])
    assert live(early)["fuse.a"].started.isoformat() == at(-first_call_wait(5))
    engine = run(feeder, [*events, *calls, device("fuse.a", 200, "closed", "crew")])
    first, second = engine.outages()
    assert first.started.isoformat() == at(-first_call_wait(5))
    # The first of ten callers' wait (the spread learned from the first outage's calls).
    assert parse_time(at(118)) < second.started < parse_time(at(120))


def test_a_live_outage_is_dated_again_as_its_reports_double(feeder: Network) -> None:
    """The burst taken for customers left out, above, without the crew's close: by the
    time its reports have doubled, the live record starts with its first call, as a new
    fault (while live, never before it: a report or close stamped earlier and received
    late must still read as older than the outage). The replay's end dates what is still
    out as a restoration would: the first of ten callers' wait before that call."""
    events = _fuse_a_out_then_closed()
    calls = [call(c, 120 + k / 2) for k, c in enumerate(LATERAL_A_BURST)]
    engine = run(feeder, [*events, *calls])
    outage = live(engine)["fuse.a"]
    assert outage.started.isoformat() == at(120)
    assert "started 2026-07-01 16:00 (earliest report)" in engine.describe(outage)["explanation"]
    engine.settle()
    assert parse_time(at(118)) < outage.started < parse_time(at(120))
    assert "before its first call, at 16:00" in engine.describe(outage)["explanation"]


def test_a_new_outage_above_a_restored_one_starts_with_its_own_reports(
    feeder: Network,
) -> None:
    """Transformer b1 is out from 0 and closed at 60. Half an hour later the recloser
    above it trips: calls from both laterals, b1's customers among them. They were
    restored, and lately, but the recloser's outage is not a nested one of b1's (most
    of its customers had power): it starts with its own first call, not at 0."""
    events = [call("b1.1", 0), call("b1.2", 2), device("transformer.b1", 60, "closed", "crew")]
    events += [call(c, 90 + i) for i, c in enumerate(
        ["a1.1", "b3.2", "a2.3", "b1.3", "a3.4", "b2.5", "b1.6", "a1.2", "b2.1"])]
    engine = run(feeder, events)
    (b1,) = [o for o in engine.outages() if o.stage is Stage.RESTORED]
    assert b1.device_id == "transformer.b1"
    assert b1.started.isoformat() == at(-first_call_wait(2))
    recloser = live(engine)["recloser.r1"]
    assert recloser.started.isoformat() == at(90)


def test_a_crew_close_above_predictions_dates_the_outage_by_its_own_reports(
    feeder: Network,
) -> None:
    """A lone call at 0 is transformer a1's outage; calls at 150 under a2 and a3 are
    theirs. A crew closes fuse a above all three at 200: one outage, the oldest
    record's, but out from the burst at 150 (less the wait expected of the first of its
    four callers) — the lone call hours before was of something else, as the reports
    below the fuse say."""
    events = [call("a1.1", 0)]
    events += [call(c, 150 + i) for i, c in enumerate(["a2.1", "a2.3", "a2.5", "a3.2"])]
    engine = run(feeder, [*events, device("fuse.a", 200, "closed", "crew")])
    (fuse,) = engine.outages()
    assert fuse.device_id == "fuse.a" and fuse.id == "O000001"
    assert fuse.started.isoformat() == at(150 - first_call_wait(4))
    assert fuse.restored.isoformat() == at(200)


def test_a_close_heard_after_later_reports_does_not_end_before_its_outage_began(
    feeder: Network,
) -> None:
    """Out of time order: calls at 0 and 403, then SCADA's close of the breaker at 400.
    The outage it ends is dated by its reports only up to the close: it never ends
    before it began."""
    engine = run(feeder, [call("a1.1", 0), call("a1.2", 403),
                          device("breaker.f1", 400, "closed")])
    for outage in engine.outages():
        assert outage.restored is None or outage.restored >= outage.started, outage.id


def test_a_lone_call_long_before_the_burst_does_not_date_the_restored_outage(
    feeder: Network,
) -> None:
    """One call at 0, then eight across lateral a from 90. Created from the first two of
    the burst, the fuse's outage could not yet tell the call at 0 from its own first;
    with all its reports it starts with the burst, and once the crew closes the fuse,
    the wait expected of the first of its eight callers before that."""
    burst = ["a1.3", "a2.2", "a3.3", "a2.5", "a3.6", "a1.5", "a2.6", "a3.1"]
    events = [call("a1.1", 0), *(call(c, 90 + k) for k, c in enumerate(burst))]
    early = run(feeder, events[:3])
    assert live(early)["fuse.a"].started.isoformat() == at(0)
    # Live, as its reports double; the call at 0 set aside once seven follow it, and
    # the explanation says why that call, on the map below the fuse, does not date it.
    going_on = run(feeder, events)
    assert live(going_on)["fuse.a"].started.isoformat() == at(90)
    assert live(going_on)["fuse.a"].first_report.isoformat() == at(90)  # of this outage
    aside = set_aside("14:00")
    assert (f"started 2026-07-01 15:30 (earliest report; {aside})"
            in going_on.describe(live(going_on)["fuse.a"])["explanation"])
    engine = run(feeder, [*events, device("fuse.a", 200, "closed", "crew")])
    [outage] = engine.outages()
    assert (outage.device_id, outage.started.isoformat()) == (
        "fuse.a", at(90 - first_call_wait(8)))
    assert outage.first_report.isoformat() == at(90)
    assert f"the wait expected of the first of its callers; {aside})" in outage.explanation


def test_a_repair_inside_an_outage_does_not_bound_its_start(feeder: Network) -> None:
    """Calls across lateral a from 0; a crew closes transformer a3 inside it at 30 (the
    inner device first), then fuse a at 60. Each starts its first caller's wait before
    its own first call: a3 with its two callers, the fuse with the three left. The
    fuse's customers restored at 30 had no power before it: their restoration is no
    bound on its start (it had moved the fuse's start to 30)."""
    events = [call(c, i) for i, c in enumerate(["a1.1", "a2.2", "a3.3", "a1.4", "a3.6"])]
    engine = run(feeder, [*events, device("transformer.a3", 30, "closed", "crew"),
                          device("fuse.a", 60, "closed", "crew")])
    starts = {o.device_id: o.started.isoformat() for o in engine.outages()}
    assert starts == {"transformer.a3": at(2 - first_call_wait(2)),
                      "fuse.a": at(-first_call_wait(3))}


LATERAL_A = [f"a{t}.{m}" for t in (1, 2, 3) for m in range(1, 7)]


def test_meters_silent_since_a_restoration_are_a_nested_outage_found_at_once(
    feeder: Network,
) -> None:
    """No device events. Lateral a goes out; half of a1's and a2's restore messages come
    back at 60, which restores the fuse's outage; a3 (one last gasp among six meters)
    says nothing. Its five meters whose last gasps were lost are silent too: transformer
    a3 is still out, shown once the meters have had their say (out since the fuse
    opened), and its six restore messages at 150 end it."""
    gasped = [c for c in LATERAL_A if not c.startswith("a3")] + ["a3.1"]
    back = [c for c in LATERAL_A if c.startswith(("a1", "a2")) and int(c[-1]) % 2 == 0]
    events = [call("a1.1", 2), call("a2.3", 3), *(meter(c, 0.5, "off") for c in gasped)]
    events += [meter(c, 60, "on") for c in back] + [{"type": "tick", "time": at(75)}]
    engine = run(feeder, events)
    assert set(live(engine)) == {"transformer.a3"}
    shown = live(engine)["transformer.a3"]
    assert shown.started.isoformat() == at(0.5)
    assert "6 meters have not said the power is back" in engine.describe(shown)["explanation"]
    events = [meter(c, 150, "on") for c in LATERAL_A if c.startswith("a3")]
    for data in [*events, {"type": "tick", "time": at(153)}]:
        engine.apply(parse_event(data))
    records = {o.device_id: o for o in engine.outages()}
    assert set(records) == {"fuse.a", "transformer.a3"}
    nested = records["transformer.a3"]
    assert (nested.stage, nested.started.isoformat(), nested.restored
            and nested.restored.isoformat()) == (Stage.RESTORED, at(0.5), at(150))


def test_meters_back_after_a_restoration_that_go_out_again_are_out(feeder: Network) -> None:
    """Lateral a's fuse is repaired and every meter says it is back; an hour later
    transformer a1's six meters gasp: a1 is out. Their "back" of an hour before no
    longer tells against it (a1 read as fuse a's outage again, 18 customers)."""
    events = [meter(c, 0.5, "off") for c in LATERAL_A] + [device("fuse.a", 30, "closed", "crew")]
    events += [meter(c, 31, "on") for c in LATERAL_A] + [{"type": "tick", "time": at(45)}]
    events += [meter(c, 90, "off") for c in LATERAL_A if c.startswith("a1")]
    engine = run(feeder, [*events, {"type": "tick", "time": at(95)}])
    assert set(live(engine)) == {"transformer.a1"}
    assert live(engine)["transformer.a1"].started.isoformat() == at(90)


def test_meters_out_again_before_their_restoration_is_weighed_are_not_back(
    feeder: Network,
) -> None:
    """As above, but a1's meters gasp four minutes after they said they were back,
    before the restoration's meters are weighed: a1 is out, not fuse a (their restore
    messages had counted them back all the same)."""
    events = [meter(c, 0.5, "off") for c in LATERAL_A] + [device("fuse.a", 30, "closed", "crew")]
    events += [meter(c, 31, "on") for c in LATERAL_A]
    events += [meter(c, 35, "off") for c in LATERAL_A if c.startswith("a1")]
    engine = run(feeder, [*events, {"type": "tick", "time": at(45)}])
    assert set(live(engine)) == {"transformer.a1"}


def test_a_meter_that_gasps_again_had_power_since_its_restoration(feeder: Network) -> None:
    """Fuse a is repaired at 30; a1's restore messages are lost (it reads as still out).
    At 100 the recloser opens and every meter gasps, a1's too: they had power again. The
    recloser is repaired at 160 with a1 still open: a1's outage began at 100, not with
    fuse a's at 0.5 (a meter that never said it was back kept that start)."""
    everyone = [f"{lateral}{t}.{m}" for lateral in "ab" for t in (1, 2, 3) for m in range(1, 7)]
    events = [meter(c, 0.5, "off") for c in LATERAL_A] + [device("fuse.a", 30, "closed", "crew")]
    events += [meter(c, 31, "on") for c in LATERAL_A if not c.startswith("a1")]
    events += [meter(c, 100, "off") for c in everyone]
    events += [device("recloser.r1", 160, "closed", "crew")]
    events += [meter(c, 161, "on") for c in everyone if not c.startswith("a1")]
    engine = run(feeder, [*events, {"type": "tick", "time": at(175)}])
    assert {o: outage.started.isoformat() for o, outage in live(engine).items()} == {
        "transformer.a1": at(100)}


def test_late_restore_messages_are_a_nested_outage_found_when_it_closed(
    feeder: Network,
) -> None:
    """As above, but earlier in the day lateral b's two restorations, where one meter
    of each transformer gasped and came back and the other five never said a thing,
    taught the engine that meters whose last gasp is lost hardly ever send a restore
    message either (no AMI there): a3's silence says little, and a3 is found only when
    its six restore messages come at 150, long after its area's restoration:
    transformer a3 was still open until then, out since the fuse opened (the record
    used to be missing, and a3's customers' interruptions ended at 60)."""
    lateral_b = [f"b{t}.{m}" for t in (1, 2, 3) for m in range(1, 7)]
    events = [meter(c, start + minute, state) for start in (-300, -150)
              for minute, state in ((0, "off"), (30, "on"))
              for c in lateral_b if c.endswith(".1")]
    gasped = [c for c in LATERAL_A if not c.startswith("a3")] + ["a3.1"]
    back = [c for c in LATERAL_A if c.startswith(("a1", "a2")) and int(c[-1]) % 2 == 0]
    events += [call("a1.1", 2), call("a2.3", 3), *(meter(c, 0.5, "off") for c in gasped)]
    events += [meter(c, 60, "on") for c in back] + [{"type": "tick", "time": at(75)}]
    engine = run(feeder, events)
    assert set(live(engine)) == set()
    events = [meter(c, 150, "on") for c in LATERAL_A if c.startswith("a3")]
    for data in [*events, {"type": "tick", "time": at(153)}]:
        engine.apply(parse_event(data))
    found = {o.device_id: o for o in engine.outages()}
    assert [o.device_id for o in engine.outages()] == [
        "fuse.b", "fuse.b", "fuse.a", "transformer.a3"]
    nested = found["transformer.a3"]
    assert nested.stage is Stage.RESTORED
    assert (nested.started.isoformat(), nested.restored and nested.restored.isoformat()) == (
        at(0.5), at(150))
    assert "power-restore messages" in nested.explanation
    # The crew's report of the close comes later: the same outage, not a second one.
    engine.apply(parse_event(device("transformer.a3", 158, "closed", "crew")))
    assert [o.device_id for o in engine.outages()] == [
        "fuse.b", "fuse.b", "fuse.a", "transformer.a3"]


def test_a_few_delayed_restore_messages_are_no_outage(feeder: Network) -> None:
    """Two restore messages of a restored lateral arrive 90 minutes late, while their
    neighbours' came on time: a head-end's backlog, not a device still open."""
    late = ("a1.1", "a2.1")
    events = [meter(c, 0.5, "off") for c in LATERAL_A]
    events += [meter(c, 60, "on") for c in LATERAL_A if c not in late]
    events += [meter(c, 150, "on") for c in late]
    engine = run(feeder, [*events, {"type": "tick", "time": at(153)}])
    assert [o.device_id for o in engine.outages()] == ["fuse.a"]


def test_silent_meters_show_a_nested_outage_when_time_passes_without_reports(
    feeder: Network,
) -> None:
    """The fuse is closed, every meter but transformer a1's says it is back, and nobody
    calls: a tick after the restore grace shows a1 still out (backdated), where the
    engine used to wait for the next report to look."""
    lateral = [f"a{t}.{m}" for t in (1, 2, 3) for m in range(1, 7)]
    events = [meter(c, 0.1 * i, "off") for i, c in enumerate(lateral)]
    events += [device("fuse.a", 60, "closed", "crew")]
    events += [meter(c, 61, "on") for c in lateral if not c.startswith("a1.")]
    engine = run(feeder, events)
    assert "transformer.a1" not in live(engine)  # nothing has happened since
    engine.apply(parse_event({"type": "tick", "time": at(75)}))
    nested = live(engine)["transformer.a1"]
    assert nested.started.isoformat() == at(0)
    assert engine.stats.events == len(events)  # a tick is not an event in the counts


def test_etrs_set_as_a_plan_replans_change_no_prediction() -> None:
    """The live planner sets each planned outage's ETR as it replans (a `set_etr` in
    the log after most reports, in a storm): those say nothing of what is out, and the
    refits that run every so many events keep their cadence — the outages are those of
    the same reports without them."""
    network = load_network(ROOT / "sample_data" / "territory.gpkg")
    storm = ScenarioBuilder(network).build(ScenarioParams(kind="storm", outages=8), 3)
    reports = [e for e in storm.events if e["type"] != "device"][:150]
    plain = OutageEngine(network)
    planned = OutageEngine(network)
    for event in reports:
        plain.apply(parse_event(event))
        planned.apply(parse_event(event))
        for outage in list(live(planned).values()):
            planned.apply(parse_event({"type": "dispatcher", "action": "set_etr", "by": "plan",
                                       "time": event["time"], "outage_id": outage.id,
                                       "etr": (parse_time(event["time"]) + timedelta(hours=2))
                                       .isoformat()}))
    assert planned.stats.events == plain.stats.events == len(reports)
    assert {o.id: (o.candidate, round(o.confidence, 9)) for o in planned.outages()} == \
        {o.id: (o.candidate, round(o.confidence, 9)) for o in plain.outages()}


def test_a_dispatchers_etr_stands_against_the_plans_until_withdrawn(feeder: Network) -> None:
    """A dispatcher's ETR is not moved by the plan's; withdrawn, the model's estimate is
    the ETR again (and the plan's may follow); withdrawing a plan's ETR changes nothing."""
    engine = run(feeder, [call("a1.1", 0), call("a1.2", 1)])
    (outage,) = live(engine).values()
    model = outage.etr

    def act(action: str, minutes: float, **extra: Any) -> None:
        engine.apply(parse_event({"type": "dispatcher", "action": action, "time": at(minutes),
                                  "outage_id": outage.id, **extra}))

    act("set_etr", 2, etr=at(300))
    act("set_etr", 3, etr=at(90), by="plan")
    assert (outage.etr, outage.etr_source) == (parse_time(at(300)), "dispatcher")
    act("release_etr", 4)
    assert outage.etr_source == "model" and outage.etr is not None
    assert abs((outage.etr - model).total_seconds()) < 600  # the estimate, as before
    act("set_etr", 5, etr=at(90), by="plan")
    act("release_etr", 6)
    assert (outage.etr, outage.etr_source) == (parse_time(at(90)), "plan")


def test_a_restored_transformers_silent_meters_do_not_date_its_next_outage(
    feeder: Network,
) -> None:
    """Transformer a1's meters gasp; a crew closes it; three say they are back, three
    stay silent (their messages lost). The next day a1's customers call again: that
    outage starts with their calls, not with the day before (the silence was forgotten
    six hours after the restoration)."""
    events = [meter(f"a1.{m}", 1, "off") for m in range(1, 7)]
    events += [device("transformer.a1", 60, "closed", "crew"),
               *(meter(f"a1.{m}", 61, "on") for m in (1, 2, 5)),
               {"type": "tick", "time": at(75)}, {"type": "tick", "time": at(460)}]
    events += [call("a1.1", 1000), call("a1.2", 1001), call("a1.5", 1002)]
    engine = run(feeder, events)
    (outage,) = live(engine).values()
    assert outage.device_id == "transformer.a1"
    assert outage.started == parse_time(at(1000))


def test_a_report_no_outage_explains_is_set_aside_after_hours_but_still_listed(
    feeder: Network,
) -> None:
    """Where customers with power often call (a false-call rate of 5 %), a1.1's lone call
    is an open report. Three hours on it stops counting as evidence (the next storm's
    callers below it must not read as scattered over hours), and the trouble desk still
    sees it; a1.1 calling again counts again."""
    engine = run(feeder, [call("a1.1", 0), {"type": "tick", "time": at(100)}],
                 params=PredictionParams(false_call_rate=0.05))
    a1 = engine.tree.index["transformer.a1"]
    assert live(engine) == {} and engine.predictor.calls[a1] == 1
    engine.apply(Tick(parse_time(at(200))))
    assert engine.predictor.calls[a1] == 0
    assert [r.customer_id for r in open_reports(engine)] == ["a1.1"]
    engine.apply(parse_event(call("a1.1", 300)))
    assert engine.predictor.calls[a1] == 1
    assert [r.since for r in open_reports(engine)] == [parse_time(at(300))]


def test_a_report_set_aside_hours_before_does_not_date_an_outage(feeder: Network) -> None:
    """a2.1's lone call at 0 is set aside three hours on. At 240 lateral a goes out and
    every other meter gasps: the call, four hours before, was of something else, and
    the fuse's outage starts with the gasps; its explanation dates it from its earliest
    report, the one of this outage, and says why the call does not date it."""
    events = [call("a2.1", 0), {"type": "tick", "time": at(200)}]
    events += [meter(c, 240 + 0.01 * k, "off") for k, c in enumerate(LATERAL_A)
               if c != "a2.1"]
    engine = run(feeder, [*events, {"type": "tick", "time": at(260)}],
                 params=PredictionParams(false_call_rate=0.05))
    assert engine.reports.retired[feeder.customers.index["a2.1"]]
    assert set(live(engine)) == {"fuse.a"}
    assert live(engine)["fuse.a"].started == parse_time(at(240))
    assert (f"(earliest report; {set_aside('14:00')})"
            in engine.describe(live(engine)["fuse.a"])["explanation"])


@pytest.mark.parametrize(("first", "started"), [(0, 120), (115, 115)])
def test_a_first_report_long_before_the_rest_does_not_date_their_outage(
    feeder: Network, first: float, started: float,
) -> None:
    """a2.1 calls; at 120 lateral a's 17 other meters gasp (transformers a1 and a3
    first). Two hours before them, the call is not this outage's (seventeen reports of
    one outage come within a spread of each other, not two hours after the first): the
    fuse's outage starts at 120. Five minutes before them, a customer may have noticed
    first, and it dates the outage."""
    events = [call("a2.1", first)]
    gasping = sorted((c for c in LATERAL_A if c != "a2.1"), key=lambda c: c.startswith("a2"))
    events += [meter(c, 120 + 0.01 * k, "off") for k, c in enumerate(gasping)]
    engine = run(feeder, [*events, {"type": "tick", "time": at(130)}],
                 params=PredictionParams(false_call_rate=0.05))
    assert set(live(engine)) == {"fuse.a"}
    assert live(engine)["fuse.a"].started == parse_time(at(started))


@pytest.mark.parametrize("quiet_hours", [1, 24])
def test_a_storm_after_a_quiet_spell_is_learned_from_early(quiet_hours: int) -> None:
    """70 meter messages on the sample territory, then, after a quiet spell, 32 calls a
    minute apart. After a day's quiet they are a new storm, learned from at its 32nd
    event as in a fresh engine (the onset window: its calls began within the half
    hour); an hour on, the count goes on from the first 70 (next at 128). Counted from
    the engine's start, a day's second storm waited for its 1000th event."""
    network = load_network(ROOT / "sample_data" / "territory.gpkg")
    ids = network.customers.ids
    engine = OutageEngine(network)
    for k in range(70):
        engine.apply(parse_event(meter(ids[k * 50], 0.1 * k, "on")))
    window = engine.predictor.scorer.window
    later = 7 + 60 * quiet_hours
    for k in range(32):
        engine.apply(parse_event(call(ids[k * 97 + 13], later + k)))
    assert (engine.predictor.scorer.window < window) == (quiet_hours == 24)


def test_a_call_set_aside_yesterday_is_not_learned_as_todays_spread(feeder: Network) -> None:
    """a2.1's lone call yesterday was set aside. Today lateral a's customers call within
    ten minutes and a crew closes the fuse: the calls' spread learned from it is of
    today's calls. With yesterday's call in it, a day's scatter made the spread hours
    and flattened the call timing for the storms after."""
    today = [call(c, DAY + 2 * k) for k, c in enumerate(["a1.1", "a1.2", "a2.2", "a2.3",
                                                         "a3.1", "a3.4"])]
    engine = run(feeder, [call("a2.1", 0), {"type": "tick", "time": at(200)}, *today,
                          device("fuse.a", DAY + 60, "closed", "crew")],
                 params=PredictionParams(false_call_rate=0.05))
    assert [o.device_id for o in engine.outages() if o.stage is Stage.RESTORED] == ["fuse.a"]
    assert engine.predictor.scorer.spread("call") < 20


def test_a_storm_whose_false_calls_are_set_aside_ends_with_no_loss_of_supply() -> None:
    """A storm of 20 outages on the sample territory, 30 % of customers calling, 5 % of
    calls false. Every faulted device is closed by the end; the false calls, set aside
    hours ago, are still listed. No loss of supply is predicted at the end: the
    false-call rate learned with them on the board is learned again without them (else a
    quiet territory reads as one whose customers are out and do not call)."""
    network = load_network(ROOT / "sample_data" / "territory.gpkg")
    scenario = ScenarioBuilder(network).build(
        ScenarioParams(kind="storm", outages=20, call_rate=0.3, meter_delivery=0.0), 101)
    engine = OutageEngine(network)
    for data in scenario.events:
        with contextlib.suppress(EventError):  # an address far from any meter
            engine.apply(parse_event(data))
    engine.settle()
    assert "source.s1" not in {o.device_id for o in engine.outages()}
    assert all(o.customers_out < 20 for o in live(engine).values())  # lone calls at most
    assert len(open_reports(engine)) >= 20
    assert sum(engine.reports.retired) >= 20


def test_a_call_left_standing_for_days_does_not_date_a_new_outage(feeder: Network) -> None:
    """b3.6 and a1.1 called two days ago (a weak guess at recloser r1 came of it). Now
    three of b3.6's neighbours call within minutes: transformer b3's outage starts with
    them, and its explanation says so, and why not with the two-day-old call (dated)."""
    engine = run(feeder, [call("b3.6", 0), call("a1.1", 1), call("b3.1", 2880),
                          call("b3.2", 2881), call("b3.3", 2882)])
    outage = live(engine)["transformer.b3"]
    assert outage.started == parse_time(at(2880))
    assert (f"(earliest report; {set_aside('2026-07-01 14:00')})"
            in engine.describe(outage)["explanation"])


YESTERDAY = [call(f"a1.{m}", m) for m in (1, 2, 3)]  # an outage nobody closed
DAY = 24 * 60


def test_an_outage_left_on_the_board_since_yesterday_does_not_date_one_above_it(
    feeder: Network,
) -> None:
    """Three of transformer a1's customers called yesterday and nothing was closed since.
    Today every meter of lateral a sends its last gasp: fuse a's outage, which takes in
    yesterday's, starts today. It started yesterday, and put a day on SAIDI for each of
    its 18 customers."""
    today = [meter(f"a{t}.{m}", DAY + t + 0.01 * m, "off") for t in (1, 2, 3)
             for m in range(1, 7)]
    engine = run(feeder, [*YESTERDAY, *today, {"type": "tick", "time": at(DAY + 30)}])
    assert set(live(engine)) == {"fuse.a"}
    assert parse_time(at(DAY + 1)) < live(engine)["fuse.a"].started < parse_time(at(DAY + 2))


def test_a_close_above_yesterdays_outage_and_todays_restores_from_today(
    feeder: Network,
) -> None:
    """Yesterday's outage at transformer a1 is still on the board; today six customers of
    lateral b call, and a crew closes recloser r1, above both: the record it restores
    starts with today's calls, less the wait expected of the first of those six callers
    (the oldest outage below it gave its start before)."""
    today = [call(c, DAY + k) for k, c in enumerate(["b1.1", "b1.2", "b1.3", "b2.1",
                                                     "b2.2", "b2.3"])]
    engine = run(feeder, [*YESTERDAY, *today, device("recloser.r1", DAY + 180, "closed",
                                                     "crew")])
    (restored,) = [o for o in engine.outages() if o.stage is Stage.RESTORED]
    assert restored.device_id == "recloser.r1"
    assert restored.started.isoformat() == at(DAY - first_call_wait(6))


@pytest.mark.parametrize("fresh_gasps", [True, False])
def test_an_outage_after_a_restoration_whose_restore_messages_were_partly_lost_starts_anew(
    feeder: Network, fresh_gasps: bool,
) -> None:
    """The recloser's 36 meters gasp at 0 and it is closed at 60; b3.1's and b3.2's
    restore messages are lost. At 180 transformer b3 goes out: its outage starts then,
    not at 0. Its other meters said they were back at 61, so the two were silent by
    lost messages, not out all along; gasping again, they say so themselves."""
    customers = [f"{lat}{t}.{m}" for lat in "ab" for t in (1, 2, 3) for m in range(1, 7)]
    events = [meter(c, 0.01 * k, "off") for k, c in enumerate(customers)]
    events += [device("recloser.r1", 60, "closed", "crew")]
    events += [meter(c, 61, "on") for c in customers if c not in ("b3.1", "b3.2")]
    events += [{"type": "tick", "time": at(75)}]
    b3 = [f"b3.{m}" for m in range(1 if fresh_gasps else 3, 7)]
    events += [meter(c, 180 + 0.01 * k, "off") for k, c in enumerate(b3)]
    engine = run(feeder, [*events, {"type": "tick", "time": at(200)}])
    assert set(live(engine)) == {"transformer.b3"}
    assert live(engine)["transformer.b3"].started == parse_time(at(180))


def test_silent_meters_find_a_nested_outage_that_holds_most_of_the_restored_one(
    feeder: Network,
) -> None:
    """The recloser is closed with lateral a and transformers b1, b2 still open: 30 of its
    36 meters stay silent, and transformer b3 says it is back through 2 of its 6. The
    silent ones are customers still out, not lost messages (every last gasp arrived):
    the engine used to count them as lost, believe restore messages mostly fail, and
    find nothing."""
    customers = [f"{lat}{t}.{m}" for lat in "ab" for t in (1, 2, 3) for m in range(1, 7)]
    events = [meter(c, 0.05 * i, "off") for i, c in enumerate(customers)]
    events += [device("recloser.r1", 60, "closed", "crew")]
    events += [meter(f"b3.{m}", 61, "on") for m in (1, 2)]
    engine = run(feeder, [*events, {"type": "tick", "time": at(75)}])
    assert set(live(engine)) == {"fuse.a", "transformer.b1", "transformer.b2"}
    assert all(o.started.isoformat() == at(0) for o in live(engine).values())


def test_a_nested_outage_its_silent_meters_dated_keeps_that_start_when_restored(
    feeder: Network,
) -> None:
    """The nested outages the silent meters found started with the recloser's (their
    last gasps said when). A customer calls from one of them later; restored by a crew
    or by its meters, each keeps that start: the wait expected before a first call is for
    outages only calls told of, and a silent meter's time is its last gasp's."""
    customers = [f"{lat}{t}.{m}" for lat in "ab" for t in (1, 2, 3) for m in range(1, 7)]
    events = [meter(c, 0.05 * i, "off") for i, c in enumerate(customers)]
    events += [device("recloser.r1", 60, "closed", "crew")]
    events += [meter(f"b3.{m}", 61, "on") for m in (1, 2)]
    events += [call("b1.1", 80), call("a2.1", 81)]
    events += [meter("b1.3", 120, "on"), device("fuse.a", 130, "closed", "crew")]
    engine = run(feeder, events)
    restored = {o.device_id: o for o in engine.outages() if o.stage is Stage.RESTORED}
    assert {"transformer.b1", "fuse.a"} <= set(restored)
    assert restored["transformer.b1"].started.isoformat() == at(0)
    assert restored["fuse.a"].started.isoformat() == at(0)


def test_where_last_gasps_arrive_a_call_under_silent_meters_is_not_an_outage(
    feeder: Network,
) -> None:
    """Lateral a is out: 17 of its 18 last gasps arrived and 14 customers called. Then
    one call from transformer b2, whose six meters sent nothing. Where nine gasps in ten
    arrive, six silent meters say b2 has power: an open report for the desk, not an
    outage (with a flat prior on delivery it was one, at 72 %)."""
    lateral = [f"a{t}.{m}" for t in (1, 2, 3) for m in range(1, 7)]
    events = [meter(c, 0.01 * i, "off") for i, c in enumerate(lateral) if c != "a3.6"]
    events += [call(c, 5 + i) for i, c in enumerate(lateral[:14])]
    events += [call("b2.1", 40)]
    engine = run(feeder, events)
    alpha, beta = engine.calibration.gasp_prior
    assert alpha / (alpha + beta) > 0.8
    assert set(live(engine)) == {"fuse.a"}
    assert [r.customer_id for r in open_reports(engine)] == ["b2.1"]


def test_device_closed_below_a_prediction_moves_the_outage_there(feeder: Network) -> None:
    """The crew closes fuse b while the engine believed in the recloser: fuse b it was."""
    events = [call(c, i) for i, c in enumerate(["a1.1", "a2.1", "b1.1", "b2.1", "b3.1"])]
    engine = run(feeder, events)
    assert set(live(engine)) == {"recloser.r1"}
    engine.apply(parse_event(device("fuse.b", 50, "closed", "crew")))
    restored = next(o for o in engine.outages() if o.stage is Stage.RESTORED)
    assert restored.device_id == "fuse.b"
    assert set(live(engine)) <= {"fuse.a", "transformer.a1", "transformer.a2"}
    assert live(engine)


def test_an_outage_moved_down_starts_at_the_first_report_behind_its_device(
    feeder: Network,
) -> None:
    """Calls under lateral a from 0 min and under lateral b from 3 min predict the
    recloser, started at 0. The crew closes fuse b: that outage began with its own first
    report at 3 min (less the wait expected of the first of its four callers). Counted
    from lateral a's first call, its 18 customers would each carry minutes they never
    lost (the minutes SAIDI is made of)."""
    events = [call("a1.1", 0), call("a2.1", 1), call("b1.1", 3), call("b2.1", 4),
              call("b3.1", 30), call("b1.2", 31)]
    engine = run(feeder, events)
    (predicted,) = engine.outages()
    assert predicted.device_id == "recloser.r1" and predicted.started.isoformat() == at(0)
    engine.apply(parse_event(device("fuse.b", 50, "closed", "crew")))
    assert predicted.device_id == "fuse.b" and predicted.stage is Stage.RESTORED
    assert predicted.started.isoformat() == at(3 - first_call_wait(4))


def test_a_prediction_that_narrows_keeps_only_its_own_start(feeder: Network) -> None:
    """A lone call under transformer a1 at 0 min, then calls under lateral b from 30 min:
    read for a moment as one recloser outage (started at 0), then as fuse b's and
    transformer a1's. Fuse b's record is the recloser's, moved down: it starts with its
    own first call, at 30 min."""
    engine = run(feeder, [call("a1.1", 0), call("b1.1", 30), call("b2.1", 31)])
    (recloser,) = engine.outages()
    assert recloser.device_id == "recloser.r1" and recloser.started.isoformat() == at(0)
    engine.apply(parse_event(call("b3.1", 32)))
    assert set(live(engine)) == {"fuse.b", "transformer.a1"}
    assert live(engine)["fuse.b"].id == recloser.id
    assert live(engine)["fuse.b"].started.isoformat() == at(30)
    assert live(engine)["transformer.a1"].started.isoformat() == at(0)


def _lateral_a_repaired_while_the_recloser_is_open(feeder: Network,
                                                   **kwargs: Any) -> OutageEngine:
    """The recloser opens at 0 (every meter gasps, seven customers call); a crew closes
    fuse a at 60 while the recloser is still open, so no meter comes back; 20 minutes
    pass."""
    meters = [f"{lateral}{t}.{m}" for lateral in "ab" for t in (1, 2, 3) for m in range(1, 7)]
    events = [*(meter(c, 0.2, "off") for c in meters),
              *(call(c, 1 + i) for i, c in enumerate(["a1.1", "a2.3", "a3.2", "b1.1", "b2.2",
                                                      "b3.4", "b1.5"])),
              device("fuse.a", 60, "closed", "crew"), {"type": "tick", "time": at(80)}]
    return run(feeder, events, **kwargs)


def test_a_close_that_restores_nobody_leaves_the_outage_above_it(feeder: Network) -> None:
    """Storm crews work in parallel: a crew repairs fuse a while the recloser above it is
    still open. None of fuse a's 18 meters says it is back, so the close restored
    nobody: their last gasps stand again and, with lateral b's, read as the recloser's
    outage (with its start), not as fuse b's alone while lateral a sits dark."""
    engine = _lateral_a_repaired_while_the_recloser_is_open(feeder)
    (fuse_a,) = [o for o in engine.outages() if o.device_id == "fuse.a"]
    assert fuse_a.stage is Stage.RESTORED  # it was repaired: that record stands
    assert set(live(engine)) == {"recloser.r1"}
    assert live(engine)["recloser.r1"].started.isoformat() == at(0.2)
    assert engine.close_below(engine.tree.index["recloser.r1"]) is None
    explanation = explain(engine, live(engine)["recloser.r1"])
    assert ("fuse.a, below it, was closed at 15:00, but none of its 18 meters that had sent "
            "a last gasp said it was back") in explanation
    assert "7 of its 36 service points reported by call" in explanation  # calls stand too


def test_meters_whose_gasps_were_lost_also_say_a_close_restored_nobody(
    feeder: Network,
) -> None:
    """As above, but few last gasps arrive (one of each transformer's six on lateral b,
    a1.1's alone on lateral a): one silent meter is not enough to say nobody came back,
    but none of lateral a's other 17 says it is back either. Nobody was restored: the
    recloser's outage stands (lateral a was taken as restored, fuse b shown alone)."""
    meters = ["b1.1", "b2.1", "b3.1", "a1.1"]
    events = [*(meter(c, 0.2, "off") for c in meters),
              *(call(c, 1 + i) for i, c in enumerate(["a1.1", "a2.3", "a3.2", "b1.1", "b2.2",
                                                      "b3.4", "b1.5"])),
              device("fuse.a", 60, "closed", "crew"), {"type": "tick", "time": at(80)}]
    engine = run(feeder, events)
    assert set(live(engine)) == {"recloser.r1"}
    assert live(engine)["recloser.r1"].started.isoformat() == at(0.2)


def test_a_close_reported_after_its_meters_came_back_restored_them() -> None:
    """On the sample territory, switch s2f1k1 (438 customers) is repaired at 18:14 with
    fuse s2f1l2 (55) inside it still open; the meters say so at once, and the engine,
    which had predicted the breaker above, restores that. The crew reports the close
    20 minutes later, on the way to the next job. The silent meters behind the fuse are
    then no close that restored nobody (meters of the switch came back at 18:14): just
    before the fuse is repaired, it is the outage on the board, not the recloser."""
    network = load_network(ROOT / "sample_data" / "territory.gpkg")
    scenario = ScenarioBuilder(network).build(ScenarioParams(
        kind="nested", call_rate=0.2, meter_delivery=0.8, crew_report_delay_minutes=20), 1)
    (inner,) = [t for t in scenario.truth if t.device_id == "fuse.s2f1l2"]
    engine = OutageEngine(network)
    for data in scenario.events:
        event = parse_event(data)
        if event.time >= inner.end:
            break
        engine.apply(event)
    engine.apply(Tick(inner.end - timedelta(minutes=1)))
    assert set(live(engine)) == {"fuse.s2f1l2"}


@pytest.mark.parametrize("isolated", [True, False])
def test_a_late_close_beside_a_nested_outage_is_no_outage_found_open(
    feeder: Network, isolated: bool,
) -> None:
    """Every meter under the recloser gasps and four customers call: the recloser's
    outage. Transformer a1 is open too (a crew opens it at 40 to isolate the fault, or it
    is simply still open); fuse a's other meters and lateral b's say the power is back
    at 60, a1's customers call again at 70, and at 80 the crew reports fuse a closed (on
    the way to the next job). a1's customers were out all along, which that close cannot
    end: it reports the restoration the meters did, not a second outage of fuse a found
    open."""
    meters = [f"{lateral}{t}.{m}" for lateral in "ab" for t in (1, 2, 3) for m in range(1, 7)]
    events = [*(meter(c, 0.2, "off") for c in meters),
              *(call(c, 1 + i) for i, c in enumerate(["a1.1", "a2.3", "b1.1", "b2.2"])),
              *([device("transformer.a1", 40, "open", "crew")] if isolated else []),
              *(meter(c, 60, "on") for c in meters if not c.startswith("a1")),
              call("a1.2", 70), call("a1.4", 71), device("fuse.a", 80, "closed", "crew")]
    engine = run(feeder, events)
    assert [o.device_id for o in engine.outages() if not o.active] == ["recloser.r1"]
    assert set(live(engine)) == {"transformer.a1"}


def test_silence_a_nested_device_explains_is_not_a_close_that_restored_nobody() -> None:
    """On mv_oberrhein, switch 99 (31 customers) is repaired at 16:34 with switch 55 (30
    of them) still open inside it. No restore message comes (the one customer restored
    lost its own), but one nested device holding all the silent meters but one explains
    that as well as nobody restored: half an hour later, no outage on the board holds
    the customer switch 99 did restore (the whole switch read as still open)."""
    network = load_network("pandapower:mv_oberrhein")
    scenario = ScenarioBuilder(network).build(
        ScenarioParams(kind="nested", call_rate=0.3, meter_delivery=0.8), 0)
    outer, inner = scenario.truth
    assert (outer.device_id, inner.device_id) == ("Switch 99", "Switch 55")
    engine = OutageEngine(network)
    half_an_hour_after = outer.end + timedelta(minutes=30)
    for data in scenario.events:
        event = parse_event(data)
        if event.time >= half_an_hour_after:
            break
        engine.apply(event)
    engine.apply(Tick(half_an_hour_after))
    restored = outer.customers - inner.customers
    assert len(restored) == 1
    for outage in engine.book.live():
        assert not restored & set(engine.customer_ids_of(outage)), outage.device_id


def test_silence_says_nothing_from_a_head_end_without_restore_messages(
    feeder: Network,
) -> None:
    """Where the head-end passes on last gasps only (`restore_messages=False`), the same
    silence is no news: lateral a is taken as restored, and fuse b alone is out."""
    engine = _lateral_a_repaired_while_the_recloser_is_open(
        feeder, params=PredictionParams(restore_messages=False))
    assert set(live(engine)) == {"fuse.b"}


def test_a_switch_opened_inside_an_outage_isolates_the_fault(feeder: Network) -> None:
    """Calls under both laterals: the recloser is out. A crew opens fuse b to isolate the
    fault and closes the recloser two minutes later. While fuse b is open the recloser's
    outage stays on the board (lateral a's callers are still out); once the recloser
    closes, lateral a is back and lateral b's section is an outage of its own, confirmed,
    out since the recloser's outage began (a partial restoration)."""
    engine = run(feeder, [call(c, i) for i, c in enumerate(
        ["a1.1", "a2.3", "a3.2", "b1.1", "b2.2", "b3.4", "b1.5"])])
    (recloser,) = engine.outages()
    engine.apply(parse_event(device("fuse.b", 30, "open", "crew")))
    assert set(live(engine)) == {"recloser.r1"}
    assert ("Reported open inside it while it was out: fuse.b (isolating the fault); "
            "behind it customers stay out when recloser.r1 closes.") in explain(engine, recloser)
    engine.apply(parse_event(device("recloser.r1", 32, "closed", "crew")))
    assert recloser.stage is Stage.RESTORED and recloser.restored.isoformat() == at(32)
    section = live(engine)["fuse.b"]
    assert set(live(engine)) == {"fuse.b"} and section.stage is Stage.CONFIRMED
    assert section.started == recloser.started
    assert recloser.started.isoformat() == at(-first_call_wait(7))


def test_device_closed_below_a_prediction_but_away_from_its_reports_is_found_open(
    feeder: Network,
) -> None:
    """Calls under both laterals predict the recloser; a crew then closes transformer a3,
    which no caller is behind: that is a separate find, not where the recloser's
    outage really was."""
    events = [call(c, i) for i, c in enumerate(["a1.1", "a2.1", "b1.1", "b2.1", "b3.1"])]
    engine = run(feeder, events)
    (predicted,) = engine.outages()
    assert predicted.device_id == "recloser.r1"
    engine.apply(parse_event(device("transformer.a3", 50, "closed", "crew")))
    assert predicted.device_id == "recloser.r1" and predicted.active
    found = next(o for o in engine.outages() if o.device_id == "transformer.a3")
    assert found.stage is Stage.RESTORED and found.explanation.startswith("Found open")
    # Nobody behind it reported: it lasted what a transformer outage lasts (150 minutes).
    assert found.started.isoformat() == at(50 - 150)


def test_a_device_serving_the_same_customers_is_no_alternative_to_its_outage(
    feeder: Network,
) -> None:
    """Two calls from every transformer: the recloser is out. The breaker right above it
    serves exactly its customers: the same outage, told apart only by the prior, so it
    does not halve the confidence (it read 50 %, for an outage certain of its customers).
    A real alternative still does: one lateral's calls alone are not surely its fuse."""
    calls = [call(f"{lat}{t}.{m}", k / 2) for k, (lat, t, m) in
             enumerate((lat, t, m) for lat in "ab" for t in (1, 2, 3) for m in (1, 4))]
    engine = run(feeder, calls)
    outage = live(engine)["recloser.r1"]
    assert outage.confidence > 0.95
    # Near certain, yet a prediction: the dispatcher never reads 100 % for it.
    said = engine.describe(outage)["explanation"]
    assert "Confidence 100%" not in said and f"Confidence {percent(outage.confidence)}" in said
    fuse = live(run(feeder, [call("a1.1", 0), call("a2.4", 1)]))
    assert set(fuse) == {"fuse.a"} and fuse["fuse.a"].confidence < 0.95


def test_a_chance_reads_certain_only_when_it_is() -> None:
    """Whole percent, but a chance short of 1 (or above 0) never reads 100 % (or 0 %)."""
    assert [percent(c) for c in (1.0, 0.9996, 0.994, 0.5, 0.0049, 0.0)] == [
        "100%", "over 99%", "99%", "50%", "under 1%", "0%"]


def test_the_explanation_names_the_likeliest_alternatives_with_their_chances(
    feeder: Network,
) -> None:
    """One call under transformer a1: probably the transformer, but maybe fuse a above it,
    the recloser above that, or a false call. The confidence is the transformer's share
    of all of them, and the explanation gives the others theirs, likeliest first. Two
    calls under lateral a: the fuse, against the recloser — the breaker right above it,
    serving the same customers, is the same alternative, not another."""
    engine = run(feeder, [call("a1.1", 0)])
    (outage,) = engine.book.live()
    assert outage.device_id == "transformer.a1" and 0.5 < outage.confidence < 0.8
    chances = dict(engine.predictor.chances(outage.candidate))
    assert outage.confidence + sum(chances.values()) == pytest.approx(1.0)
    otherwise = engine.describe(outage)["explanation"].split("Otherwise: ")[1]
    named = [part.split(" (")[0] for part in otherwise.rstrip(".").split("; ")]
    assert named[:2] == ["fuse.a operated", "recloser.r1 operated"]
    assert "no outage, false reports" in named
    shares = [int(part.split("(")[-1].rstrip("%)")) for part in otherwise.rstrip(".").split("; ")]
    assert shares == sorted(shares, reverse=True) and shares[0] > 10
    engine = run(feeder, [call("a1.1", 0), call("a2.2", 3)])
    (fuse,) = engine.book.live()
    explanation = engine.describe(fuse)["explanation"]
    assert "recloser.r1 operated" in explanation and "breaker.f1" not in explanation.split(
        "Otherwise")[1]


def test_a_record_its_own_devices_close_ended_is_certain(feeder: Network) -> None:
    """Two calls under lateral a predict fuse a, short of certain; the crew closes fuse
    a: a close names what was open, so the record is certain (confidence 1, and its
    explanation says so), as is one a crew found open by closing a device nobody
    reported."""
    engine = run(feeder, [call("a1.1", 0), call("a2.2", 3)])
    (predicted,) = engine.book.live()
    assert predicted.device_id == "fuse.a" and predicted.confidence < 0.99
    engine.apply(parse_event(device("fuse.a", 90, "closed", "crew")))
    engine.apply(parse_event(device("transformer.b1", 95, "closed", "crew")))
    closed = {o.device_id: o for o in engine.outages()}
    assert closed["fuse.a"].stage is Stage.RESTORED and closed["fuse.a"].confidence == 1.0
    assert "Confidence 100%" in closed["fuse.a"].explanation
    assert closed["transformer.b1"].confidence == 1.0  # found open


def test_crew_closing_an_unreported_device_records_the_outage_it_found(
    feeder: Network,
) -> None:
    """Nobody reported transformer b1; a patrolling crew closes it: an outage it was."""
    engine = run(feeder, [call("a2.1", 0), call("a2.4", 2),
                          device("transformer.b1", 80, "closed", "crew")])
    found = next(o for o in engine.outages() if o.device_id == "transformer.b1")
    assert found.stage is Stage.RESTORED and found.restored.isoformat() == at(80)
    assert len(engine.customer_ids_of(found)) == 6
    # No report says when it opened; a repair ends a sustained interruption, so it is
    # taken to have lasted what a transformer outage lasts (150 minutes), not no time.
    assert found.started.isoformat() == at(80 - 150) and not found.momentary
    assert "150 minutes before the power came back" in found.explanation
    assert found.explanation.startswith("Found open")
    assert set(live(engine)) == {"transformer.a2"}  # the other outage is untouched
    # Hearing the same close again is not a second outage.
    engine.apply(parse_event(device("transformer.b1", 81, "closed", "crew")))
    assert sum(o.device_id == "transformer.b1" for o in engine.outages()) == 1


def test_an_unreported_device_found_in_a_storm_opened_with_the_storm(feeder: Network) -> None:
    """In a storm (outages begun at 0, 20 and 40 min), a device nobody reported, closed
    at 100 min, is dated to the middle of the storm's starts: its customers' minutes
    count toward the reliability indices, where a start at the close would count none."""
    storm = [device("transformer.a1", 0, "open"), device("transformer.a2", 20, "open"),
             device("transformer.b1", 40, "open"), device("transformer.a1", 90, "closed")]
    engine = run(feeder, [*storm, device("transformer.b3", 100, "closed", "crew")])
    found = next(o for o in engine.outages() if o.device_id == "transformer.b3")
    assert found.started.isoformat() == at(20) and found.restored.isoformat() == at(100)
    assert "middle of the storm's 3 other outages' starts (14:20)" in found.explanation


def test_a_crew_close_below_a_prediction_says_the_devices_above_are_closed(
    feeder: Network,
) -> None:
    """Calls under transformers b1 and b2 predict fuse b. A crew then closes transformer
    b3, below the fuse: crews restore from the source outward, so the fuse is likely
    closed, and the calls are two transformer outages. Six hours on, the close no
    longer speaks. A confirmed outage above is not second-guessed."""
    engine = run(feeder, [call("b1.1", 0), call("b2.1", 10)])
    assert set(live(engine)) == {"fuse.b"}
    engine.apply(parse_event(device("transformer.b3", 60, "closed", "crew")))
    assert set(live(engine)) == {"transformer.b1", "transformer.b2"}
    why = engine.describe(live(engine)["transformer.b1"])["explanation"]
    assert "fuse.b is likely closed too: transformer.b3, below it, was closed at 15:00" in str(why)
    engine.apply(parse_event({"type": "tick", "time": at(60 + 6 * 60 + 1)}))
    assert set(live(engine)) == {"fuse.b"}

    confirmed = run(feeder, [call("b1.1", 0), call("b2.1", 10)])
    fuse = live(confirmed)["fuse.b"]
    confirmed.apply(parse_event({"type": "dispatcher", "time": at(20), "action": "confirm",
                                 "outage_id": fuse.id}))
    confirmed.apply(parse_event(device("transformer.b3", 60, "closed", "crew")))
    assert set(live(confirmed)) == {"fuse.b"}


def test_scada_state_reports_of_closed_devices_are_not_outages(feeder: Network) -> None:
    """SCADA reporting devices closed (after a restart, say), nobody out: no outage; with
    a report below, the close says the device was open after all."""
    engine = run(feeder, [device("recloser.r1", 0, "closed"), device("fuse.a", 0, "closed")])
    assert engine.outages() == []
    engine.apply(parse_event(call("b2.3", 10)))
    engine.apply(parse_event(device("fuse.b", 20, "closed")))
    found = next(o for o in engine.outages() if o.device_id == "fuse.b")
    assert found.started.isoformat() == at(10 - first_call_wait(1))
    assert found.restored.isoformat() == at(20)


def test_found_open_device_starts_at_the_earliest_report_below_it(feeder: Network) -> None:
    """One call under transformer b2 (too little to predict an outage), then a crew closes
    it: out since that call, less the wait expected of a lone caller."""
    engine = run(feeder, [call("b2.3", 10), device("transformer.b2", 95, "closed", "crew")])
    found = next(o for o in engine.outages() if o.device_id == "transformer.b2")
    assert found.started.isoformat() == at(10 - first_call_wait(1))
    assert found.restored.isoformat() == at(95)


# Ten of lateral a's customers, across its three transformers, none of the first five.
LATERAL_A_BURST = ["a1.2", "a2.3", "a3.1", "a1.5", "a2.1", "a3.4", "a1.6", "a2.5", "a3.2", "a1.3"]


def _fuse_a_out_then_closed() -> list[dict[str, Any]]:
    """Five calls under fuse a from minute 0; a crew closes the fuse at 60."""
    events = [call(c, i) for i, c in enumerate(["a1.1", "a2.2", "a3.3", "a1.4", "a2.6"])]
    return [*events, device("fuse.a", 60, "closed", "crew")]


def test_inner_device_found_open_after_the_outer_closes_is_a_backdated_nested_outage(
    feeder: Network,
) -> None:
    """The fuse closes, then a crew finds transformer a3 still open: out since the fuse opened."""
    engine = run(feeder, [*_fuse_a_out_then_closed(),
                          device("transformer.a3", 150, "closed", "crew")])
    fuse, inner = engine.outages()
    assert inner.device_id == "transformer.a3" and inner.started == fuse.started
    assert fuse.started.isoformat() == at(-first_call_wait(5))
    assert inner.restored and inner.restored.isoformat() == at(150)
    assert live(engine) == {}
    # The dispatcher reads why it starts hours before anyone said anything of it.
    assert ("Its customers were out since 13:56 with an outage restored since, and none of "
            "them said the power was back") in inner.explanation


def test_a_crew_finding_a_device_open_after_the_outer_one_closed_backdates_it(
    feeder: Network,
) -> None:
    """The fuse closes; at 100 a crew reports transformer a3 open, and repairs it at 150.
    a3 was open all along (its customers never came back): the record starts with the
    fuse's outage, as the same find reported only at the close does."""
    events = [*_fuse_a_out_then_closed(), device("transformer.a3", 100, "open", "crew")]
    engine = run(feeder, events)
    fuse = engine.outages()[0]
    assert fuse.started.isoformat() == at(-first_call_wait(5))
    assert live(engine)["transformer.a3"].started == fuse.started
    engine.apply(parse_event(device("transformer.a3", 150, "closed", "crew")))
    inner = next(o for o in engine.outages() if o.device_id == "transformer.a3")
    assert inner.started == fuse.started
    assert inner.restored and inner.restored.isoformat() == at(150)


@pytest.mark.parametrize("source", ["crew", "scada"])
def test_a_close_reported_after_the_meters_came_back_restores_at_their_time(
    feeder: Network, source: str,
) -> None:
    """A crew confirms fuse a open; its meters say the power is back at 60, the crew
    reports the close at 80 on the way to the next job: the customers were out until
    60. SCADA reports a close as it happens: its time stands."""
    events = [call(c, i) for i, c in enumerate(["a1.1", "a2.2", "a3.3", "a1.4"])]
    events += [device("fuse.a", 30, "open", source),
               *(meter(c, 60 + i / 10, "on") for i, c in enumerate(["a1.1", "a2.5", "a3.2"])),
               device("fuse.a", 80, "closed", source)]
    (fuse,) = run(feeder, events).outages()
    assert fuse.restored is not None
    assert fuse.restored.isoformat() == (at(60.1) if source == "crew" else at(80))
    said = ("Restored at 2026-07-01 15:00: its meters said the power was back; crew reported "
            "fuse.a closed at 15:20." if source == "crew"
            else "Restored at 2026-07-01 15:20: scada reported fuse.a closed.")
    assert fuse.explanation.endswith(said)



def test_a_late_close_above_a_prediction_is_dated_by_the_restore_messages_before_it(
    feeder: Network,
) -> None:
    """b1.1's last gasp at 0 predicts transformer b1. At 100 b2.3, a meter of fuse b
    outside that prediction, says its power is back; at 120 a crew reports closing fuse b.
    The fuse was what operated: the record moves up to it, out from the gasp at 0 until
    the power came back at 100. It had been a record of no minutes at 120: that restore
    message read as the fuse's meters having power before the gasp."""
    engine = run(feeder, [meter("b1.1", 0, "off"), meter("b2.3", 100, "on"),
                          device("fuse.b", 120, "closed", "crew")])
    (fuse,) = engine.outages()
    assert fuse.device_id == "fuse.b" and fuse.stage is Stage.RESTORED
    assert (fuse.started.isoformat(), fuse.restored.isoformat()) == (at(0), at(100))
    assert "started 2026-07-01 14:00 (earliest report)" in fuse.explanation
    assert fuse.explanation.endswith(
        "Restored at 2026-07-01 15:40: its meters said the power was back; crew reported "
        "fuse.b closed at 16:00 (predicted at transformer.b1 until then).")
    # The close named the device: no "too few reports above it" argument is left to make.
    assert "Upstream" not in fuse.explanation


def test_a_late_close_below_a_record_dated_at_a_restore_message_moves_it_down(
    feeder: Network,
) -> None:
    """The recloser is restored at 60; a3.1's restore message comes at 66. Calls from a1.1
    and a2.1 at 70 and 71 predict fuse a. At 100 a1's meters say they are back: the fuse's
    record is restored and dated from 66 (the wait before its first call, but not before a
    meter under the fuse last had power). At 105 a crew reports closing transformer a1:
    the record moves down to the transformer. a3.1's message at the record's very start
    said it had power then; it used to read as the area above the transformer coming back
    too, so the close was taken to leave the fuse's outage as it was."""
    calls = [call(f"{t}.{m}", 1 + k / 10) for k, (t, m) in
             enumerate((t, m) for t in ("a1", "a2", "a3", "b1", "b2", "b3") for m in (1, 2))]
    events = [*calls, device("recloser.r1", 60, "closed", "crew"), meter("a3.1", 66, "on"),
              call("a1.1", 70), call("a2.1", 71)]
    engine = run(feeder, [*events, meter("a1.3", 100, "on"), meter("a1.4", 100.2, "on")])
    fuse = next(o for o in engine.outages() if o.device_id == "fuse.a")
    assert fuse.started.isoformat() == at(66) and fuse.restored.isoformat() == at(100)
    engine.apply(parse_event(device("transformer.a1", 105, "closed", "crew")))
    moved = [o for o in engine.outages() if o.device_id == "transformer.a1"]
    assert len(moved) == 1 and moved[0].restored.isoformat() == at(100)
    assert "it was open, not fuse.a as predicted" in moved[0].explanation

@pytest.mark.parametrize("case", ["scada", "power back", "its own outage"])
def test_a_device_reported_open_after_a_restoration_is_not_always_backdated(
    feeder: Network, case: str,
) -> None:
    """A SCADA open is reported as it happens; meters that said they had power since
    were not out; a device whose own outage was restored has opened again."""
    events = _fuse_a_out_then_closed()
    if case == "scada":
        events.append(device("transformer.a3", 100, "open", "scada"))
    elif case == "power back":
        events += [meter(f"a3.{m}", 61, "on") for m in range(1, 7)]
        events.append(device("transformer.a3", 100, "open", "crew"))
    else:
        events += [device("fuse.a", 80, "open", "crew"), device("fuse.a", 90, "closed", "crew"),
                   device("fuse.a", 100, "open", "crew")]
    engine = run(feeder, events)
    opened = events[-1]["device_id"]
    assert live(engine)[opened].started.isoformat() == at(100)


def test_reports_left_under_a_prediction_the_crew_disproved_still_show_as_an_outage() -> None:
    """Breaker predicted; the crew finds fuse x instead. Calls from the breaker's own
    customers stay explained by the breaker, which must then have a live record."""
    b = NetworkBuilder("mixed", crs="EPSG:4326", units="deg")
    for bus, x in (("sub", 0.0), ("head", 0.001), ("x", 0.002), ("xs", 0.003)):
        b.add_bus(bus, x, 0.0)
    b.add_branch("bay", "connector", "sub", "head")
    b.add_device("breaker.f1", "breaker", "bay")
    b.add_branch("line.x", "line", "head", "x")
    b.add_device("fuse.x", "fuse", "line.x")
    b.add_branch("transformer.x", "service_transformer", "x", "xs")
    for m in range(1, 5):  # primary-metered customers straight under the breaker
        b.add_customer(f"h.{m}", "head", x=0.001, y=0.0001 * m)
    for m in range(1, 7):
        b.add_customer(f"x.{m}", "xs", x=0.003, y=0.0001 * m)
    b.add_source("vsource.sub", "sub")
    calls = [call(c, i) for i, c in enumerate(["h.1", "h.2", "x.1", "x.2", "x.3"])]
    engine = run(b.build(), [*calls, device("fuse.x", 50, "closed", "crew"), call("h.3", 55)])
    assert [o.device_id for o in engine.outages() if o.stage is Stage.RESTORED] == ["fuse.x"]
    status = engine.customer_status("h.3")
    assert status is not None and status.device_id == "breaker.f1"


def test_found_open_device_whose_meters_said_they_had_power_is_not_backdated(
    feeder: Network,
) -> None:
    """After the fuse closes, a3's meters report power; a later close of a3 starts then."""
    events = [*_fuse_a_out_then_closed(), *(meter(f"a3.{m}", 61, "on") for m in range(1, 7))]
    events += [device("transformer.a3", 150, "closed", "crew")]
    engine = run(feeder, events)
    found = next(o for o in engine.outages() if o.device_id == "transformer.a3")
    assert found.started.isoformat() == at(150)


def test_meter_power_restore_ends_the_outage(feeder: Network) -> None:
    """A power-restore message from inside an outage restores it."""
    engine = run(feeder, [meter(f"b1.{m}", 1, "off") for m in range(1, 4)])
    outage = live(engine)["transformer.b1"]
    engine.apply(parse_event(meter("b1.2", 45, "on")))
    assert outage.stage is Stage.RESTORED and outage.restored.isoformat() == at(45)
    assert outage.explanation.endswith("Restored at 2026-07-01 14:45: its meters said the "
                                       "power was back.")
    assert "started 2026-07-01 14:01 (earliest report)" in outage.explanation


def test_an_outage_its_meters_restored_is_dated_from_its_reports_as_at_a_close(
    feeder: Network,
) -> None:
    """The restore message that ends an outage is not a meter that had power before its
    reports: restored by its meters, an outage only calls told of (its callers' gasps
    lost) starts the first caller's wait before the first call, as when a crew's close
    restores it, and a lone call an hour before the rest does not date it."""
    calls = [call("b1.1", 0), call("b1.3", 110), call("b1.4", 112), call("b1.5", 113)]
    engine = run(feeder, [meter("a1.1", -30, "on"), *calls, meter("b1.2", 160, "on")])
    [outage] = engine.outages()
    assert outage.device_id == "transformer.b1" and outage.stage is Stage.RESTORED
    assert outage.started.isoformat() == at(110 - first_call_wait(3))
    assert outage.first_report.isoformat() == at(110)
    assert ("before its first call, at 15:50: the wait expected of the first of its "
            "callers; " + set_aside("14:00")) in outage.explanation


def test_location_only_call_finds_the_nearest_meter(feeder: Network) -> None:
    """A call with an address geocoded to lon/lat is placed at the nearest service point."""
    c = feeder.customer("b3.2")
    engine = run(feeder, [
        {"type": "call", "time": at(1), "channel": "web", "location": {"lon": c.x, "lat": c.y}},
        call("b3.5", 2),
    ])
    assert set(live(engine)) == {"transformer.b3"}
    with pytest.raises(EventError, match="from any service point"):
        engine.apply(parse_event({"type": "call", "time": at(3), "channel": "web",
                                  "location": {"lon": 5.0, "lat": 5.0}}))


def test_a_call_with_an_unknown_account_stands_by_its_address(feeder: Network) -> None:
    """An account number that names nobody, with an address: the report is placed by
    the address (and says so); without a usable address it is refused, naming both."""
    c = feeder.customer("b3.2")
    mistyped = {"type": "call", "time": at(1), "channel": "agent", "customer_id": "b3.9x",
                "location": {"lon": c.x, "lat": c.y}}
    engine = OutageEngine(feeder)
    notes: list[str] = []
    engine.apply(parse_event(mistyped), notes)
    engine.apply(parse_event(call("b3.5", 2)))
    assert set(live(engine)) == {"transformer.b3"}
    assert notes == ["customer_id 'b3.9x' is not a customer of this network: placed by its "
                     "location, at 'b3.2'"]
    with pytest.raises(EventError, match=r"'b3\.9x' is not a customer.*from any service point"):
        engine.apply(parse_event({**mistyped, "location": {"lon": 5.0, "lat": 5.0}}))
    without_address = {k: v for k, v in mistyped.items() if k != "location"}
    with pytest.raises(EventError, match=r"'b3\.9x' is not a customer of this network$"):
        engine.apply(parse_event(without_address))


def test_unknown_ids_are_refused(feeder: Network) -> None:
    """Unknown customers, devices and outages are refused with the id named."""
    engine = OutageEngine(feeder)
    for data, reason in [
        (call("zz.9", 1), "customer_id 'zz.9'"),
        (device("fuse.zz", 1, "open"), "device_id 'fuse.zz'"),
        (device("line.a1", 1, "open"), "'line.a1' is a line, not a device"),
        ({"type": "crew", "time": at(1), "outage_id": "O404", "status": "en_route"}, "O404"),
    ]:
        with pytest.raises(EventError, match=reason):
            engine.apply(parse_event(data))
    assert engine.now is None  # refused before anything changed, the clock included


def _two_feeders_with_a_tie(switches: tuple[str, ...] = ("switch.s",),
                            others: tuple[str, ...] = ("c",)) -> Network:
    """Feeder 1: breaker f1, then sections of one transformer each (a.1-a.3, b.1-b.3,
    then d, e, …), one of `switches` between each two; a feeder of one transformer for
    each of `others` (breakers f2, f3, …), each with a normally-open tie from feeder 1's
    last section: switch.tie when there is one, else switch.tie2, switch.tie3, …"""
    sections = "abdefg"[:len(switches) + 1]
    b = NetworkBuilder("backfeed", crs="EPSG:4326", units="deg")
    for n, bus in enumerate(("sub", *sections, *others)):
        b.add_bus(bus, 0.01 * n, 0.0)
        b.add_bus(f"{bus}s", 0.01 * n, 0.001)
    b.add_branch("line.f1", "line", "sub", "a")
    b.add_device("breaker.f1", "breaker", "line.f1")
    for switch, (near, far) in zip(switches, itertools.pairwise(sections), strict=True):
        b.add_branch(f"line.{near}{far}", "line", near, far)
        b.add_device(switch, "switch", f"line.{near}{far}")
    for n, bus in enumerate(others, start=2):
        b.add_branch(f"line.f{n}", "line", "sub", bus)
        b.add_device(f"breaker.f{n}", "breaker", f"line.f{n}")
        tie = "tie" if len(others) == 1 else f"tie{n}"
        b.add_branch(f"line.{tie}", "line", sections[-1], bus)
        b.add_device(f"switch.{tie}", "switch", f"line.{tie}", normally_open=True)
    for bus in (*sections, *others):
        b.add_branch(f"transformer.{bus}", "service_transformer", bus, f"{bus}s")
        for m in range(1, 4):
            b.add_customer(f"{bus}.{m}", f"{bus}s")
    b.add_source("vsource.sub", "sub")
    return b.build()


def test_switching_a_tie_is_recorded_with_a_note() -> None:
    """SCADA closes the normally-open tie between the two feeders and opens it again,
    with nothing reported open on the way up from it (a load transfer, no back-feed).
    Each event is accepted, with a note; neither changes an outage."""
    engine = run(_two_feeders_with_a_tie(), [call("a.1", 0)])
    before = {o.id: (o.device_id, o.stage) for o in engine.outages()}
    for minutes, state in ((10, "closed"), (50, "open")):
        notes: list[str] = []
        engine.apply(parse_event(device("switch.tie", minutes, state)), notes)
        assert notes == ["switch.tie is a normally-open tie: outages follow the network "
                         "as normally switched, but a section it feeds behind a device "
                         "reported open has power"]
    assert {o.id: (o.device_id, o.stage) for o in engine.outages()} == before


def test_a_section_back_fed_through_a_tie_is_restored_and_the_rest_stays_out() -> None:
    """Breaker f1 trips at 0 (SCADA); a crew opens switch s at 30 to isolate the fault
    between them, and the tie to feeder 2 closes at 32: section b is back, fed from
    feeder 2, and says so. The breaker's outage goes on for section a alone: a
    restoration step for b (b's customers were out from 0 to 32, a's until the breaker
    closes), and the record keeps all six; b's restore messages end nothing. When the
    tie opens again with switch s still open, section b is dark again."""
    meters = [f"{section}.{m}" for section in "ab" for m in range(1, 4)]
    engine = run(_two_feeders_with_a_tie(), [
        device("breaker.f1", 0, "open"), *(meter(c, 0.2, "off") for c in meters),
        call("a.1", 5), call("b.2", 6), device("switch.s", 30, "open", "crew"),
        device("switch.tie", 32, "closed"),
        *(meter(f"b.{m}", 32.5, "on") for m in range(1, 4))])
    (breaker,) = engine.outages()  # one outage, restored in steps
    assert set(live(engine)) == {"breaker.f1"} and breaker.customers_out == 3
    assert engine.customer_ids_of(breaker) == ("a.1", "a.2", "a.3")
    assert breaker.steps == [(parse_event(device("switch.tie", 32, "closed")).time,
                              ("b.1", "b.2", "b.3"))]
    assert engine.customer_status("b.1") is None
    assert engine.customer_status("a.1") is breaker

    engine.apply(parse_event(device("breaker.f1", 90, "closed", "crew")))
    assert breaker.stage is Stage.RESTORED and breaker.customers_out == 6
    assert sorted(engine.customer_ids_of(breaker)) == [
        "a.1", "a.2", "a.3", "b.1", "b.2", "b.3"]  # everyone it interrupted
    outages = engine.outages()
    minutes = {r.customer_ids: (r.end - r.start).total_seconds() / 60 for r in interruptions(
        engine.network, outages, {o.id: engine.customer_ids_of(o) for o in outages})}
    assert minutes == {("a.1", "a.2", "a.3"): 90, ("b.1", "b.2", "b.3"): 32}
    assert breaker.to_json()["steps"][0]["customers"] == 3

    engine.apply(parse_event(device("switch.tie", 95, "open")))
    assert set(live(engine)) == {"switch.s"}


def test_a_back_fed_sections_restore_messages_do_not_date_the_outage_above() -> None:
    """As above, but nobody reports the breaker open: its meters' last gasps and calls
    tell of it. Section b's restore messages at 32.5 came through the tie, not the
    breaker, so they do not say the breaker was closed then: closed at 90, its outage
    began at 0 (a late call at 60 is of it), a's customers out 90 minutes, b's 32."""
    meters = [f"{section}.{m}" for section in "ab" for m in range(1, 4)]
    engine = run(_two_feeders_with_a_tie(), [
        *(meter(c, 0.2, "off") for c in meters), call("a.1", 5), call("b.2", 6),
        device("switch.s", 30, "open", "crew"), device("switch.tie", 32, "closed"),
        *(meter(f"b.{m}", 32.5, "on") for m in range(1, 4)), call("a.2", 60),
        device("breaker.f1", 90, "closed", "crew")])
    (breaker,) = engine.outages()
    assert breaker.stage is Stage.RESTORED and breaker.device_id == "breaker.f1"
    outages = engine.outages()
    minutes = {r.customer_ids: round((r.end - r.start).total_seconds() / 60)
               for r in interruptions(engine.network, outages,
                                      {o.id: engine.customer_ids_of(o) for o in outages})}
    assert minutes == {("a.1", "a.2", "a.3"): 90, ("b.1", "b.2", "b.3"): 32}


def test_a_section_dark_again_before_the_repair_is_in_its_record_once() -> None:
    """The tie that back-fed section b opens again at 40, the breaker's outage still
    live: b is its again. When the breaker closes, its record names each customer
    once, and counts six (it named b's three twice, and counted nine). b, still dark
    behind s, is an outage of its own from 40, when the tie opened (it was backdated
    to the breaker's start, as if b had never had power in between)."""
    engine = run(_two_feeders_with_a_tie(), [
        device("breaker.f1", 0, "open"), call("b.1", 5), device("switch.s", 30, "open"),
        device("switch.tie", 32, "closed"), device("switch.tie", 40, "open"),
        device("breaker.f1", 90, "closed", "crew")])
    breaker = next(o for o in engine.outages() if o.device_id == "breaker.f1")
    assert sorted(breaker.customer_ids) == ["a.1", "a.2", "a.3", "b.1", "b.2", "b.3"]
    assert breaker.customers_out == 6
    assert set(live(engine)) == {"switch.s"}  # b is still dark behind s
    engine.apply(parse_event(device("switch.s", 120, "closed", "crew")))
    outages = engine.outages()
    spans = sorted((r.customer_ids, (r.start - T0).total_seconds() / 60,
                    (r.end - T0).total_seconds() / 60) for r in interruptions(
        engine.network, outages, {o.id: engine.customer_ids_of(o) for o in outages}))
    assert spans == [(("a.1", "a.2", "a.3"), 0, 90), (("b.1", "b.2", "b.3"), 0, 32),
                     (("b.1", "b.2", "b.3"), 40, 120)]


def _empty_end() -> Network:
    """Breaker f1 (h.1-h.3), and switch e at a line end that feeds no customer (as IEEE
    123's sw6)."""
    b = NetworkBuilder("empty end", crs="EPSG:4326", units="deg")
    for bus, x in (("sub", 0.0), ("head", 0.001), ("end", 0.002)):
        b.add_bus(bus, x, 0.0)
    b.add_branch("bay", "connector", "sub", "head")
    b.add_device("breaker.f1", "breaker", "bay")
    b.add_branch("line.e", "line", "head", "end")
    b.add_device("switch.e", "switch", "line.e")
    for m in range(1, 4):
        b.add_customer(f"h.{m}", "head", x=0.001, y=0.0001 * m)
    b.add_source("vsource.sub", "sub")
    return b.build()


def test_a_device_feeding_nobody_left_open_as_its_outer_device_closes() -> None:
    """Switch e feeds no customer. Opened inside the breaker's outage and left open
    when the breaker closes, it is a partial restoration of nobody (working out when
    its section went dark crashed)."""
    engine = run(_empty_end(), [device("breaker.f1", 0, "open"), call("h.1", 2),
                             device("switch.e", 10, "open"), device("breaker.f1", 60, "closed")])
    (outage,) = engine.outages()  # none of nobody at switch e
    assert outage.device_id == "breaker.f1" and outage.stage is Stage.RESTORED
    assert outage.customers_out == 3


def test_a_device_reported_open_with_nobody_behind_it_hides_no_outage_above() -> None:
    """SCADA reports switch e open, then the breaker's three customers call: the board
    showed switch e, an outage of no one, and the callers' outage nowhere (a device
    reported open outranked every device above it)."""
    engine = run(_empty_end(), [device("switch.e", 0, "open"),
                                *(call(f"h.{m}", m) for m in range(1, 4))])
    assert {k: o.customers_out for k, o in live(engine).items()} == {"breaker.f1": 3}


def test_a_crew_reported_open_device_is_weighed_against_the_reports_above_it(
        feeder: Network) -> None:
    """A crew reports transformer a1 open; then 30 customers call from all over recloser
    r1's other transformers. The recloser it is, holding a1 (the board showed a1, a2,
    a3 and fuse b: a device reported open outranked every device above it). SCADA's
    report keeps that rank: SCADA watches the devices above too, and would have
    reported the recloser open."""
    calls = [call(f"{lateral}{t}.{m}", 1 + m) for lateral in "ab" for t in (1, 2, 3)
             for m in (1, 3) if f"{lateral}{t}" != "a1"]
    engine = run(feeder, [device("transformer.a1", 0, "open", "crew"), *calls])
    assert {k: o.customers_out for k, o in live(engine).items()} == {"recloser.r1": 36}
    engine = run(feeder, [device("transformer.a1", 0, "open", "scada"), *calls])
    assert "transformer.a1" in live(engine)


def test_fault_isolated_and_both_sides_restored_by_switching() -> None:
    """The textbook isolation and restoration: a fault in section b trips breaker f1 at
    0; a crew opens s1 and s2 on either side of it (40, 41), the breaker closes at 45
    (section a is back) and the tie at 47 (section d, fed from feeder 2); the fault is
    repaired and s1 closed at 180, s2 closed and the tie opened again. The board shows
    what is still dark at each step, and each section's minutes are its own."""
    sections = {s: [f"{s}.{m}" for m in range(1, 4)] for s in "abd"}
    back = {"a": 45, "d": 47, "b": 180}
    events = [device("breaker.f1", 0, "open"),
              *(meter(c, 0.2, "off") for cs in sections.values() for c in cs),
              call("a.1", 5), call("b.2", 6), call("d.3", 8),
              device("switch.s1", 40, "open", "crew"), device("switch.s2", 41, "open", "crew"),
              device("breaker.f1", 45, "closed"), device("switch.tie", 47, "closed"),
              device("switch.s1", 180, "closed", "crew"),
              device("switch.s2", 182, "closed", "crew"), device("switch.tie", 183, "open")]
    events += [meter(c, back[s] + 0.5, "on") for s, cs in sections.items() for c in cs]
    events.sort(key=lambda e: e["time"])
    engine = OutageEngine(_two_feeders_with_a_tie(("switch.s1", "switch.s2")))
    dark = {46: {"a.1", "a.2", "a.3"}, 48: {"a.1", "a.2", "a.3", "d.1", "d.2", "d.3"},
            179: {"a.1", "a.2", "a.3", "d.1", "d.2", "d.3"}}
    seen = {}
    for data in events:
        event = parse_event(data)
        for minute in [m for m in dark if m not in seen and event.time.isoformat() > at(m)]:
            engine.apply(Tick(parse_time(at(minute))))
            seen[minute] = {c for o in engine.book.live() for c in engine.customer_ids_of(o)}
        engine.apply(event)
    everyone = set(sections["a"] + sections["b"] + sections["d"])
    assert seen == {m: everyone - on for m, on in dark.items()}
    assert not engine.book.live()
    outages = engine.outages()
    minutes = {r.customer_ids: (r.end - r.start).total_seconds() / 60 for r in interruptions(
        engine.network, outages, {o.id: engine.customer_ids_of(o) for o in outages})}
    assert minutes == {tuple(cs): back[s] for s, cs in sections.items()}


def test_a_section_out_on_its_own_is_restored_by_a_back_feed() -> None:
    """Switch s is reported open at 0 (section b's own outage); the tie to feeder 2
    closes at 40: that outage is restored then, by the back-feed, not cancelled."""
    engine = run(_two_feeders_with_a_tie(), [
        device("switch.s", 0, "open"), call("b.1", 3), device("switch.tie", 40, "closed")])
    (section,) = engine.outages()
    assert section.device_id == "switch.s" and section.stage is Stage.RESTORED
    assert section.restored is not None and section.restored.isoformat() == at(40)
    assert section.explanation.endswith(
        "Restored at 2026-07-01 14:40: back-fed through switch.tie.")
    assert not live(engine)


def test_a_load_transfer_made_before_it_is_broken_interrupts_nobody() -> None:
    """SCADA closes the tie at 10, then opens switch s at 11: section b moves to feeder
    2 without losing power (make before break), so no outage. Its customers' calls
    about something else still count. When the tie opens at 60 with s still open, b
    is dark from then; s closing at 70 restores it."""
    engine = run(_two_feeders_with_a_tie(), [
        device("switch.tie", 10, "closed"), device("switch.s", 11, "open")])
    assert engine.outages() == []
    assert engine.customer_status("b.1") is None
    engine.apply(parse_event(device("switch.tie", 60, "open")))
    (section,) = engine.outages()
    assert section.device_id == "switch.s" and section.started.isoformat() == at(60)
    assert engine.customer_ids_of(section) == ("b.1", "b.2", "b.3")
    engine.apply(parse_event(device("switch.s", 70, "closed")))
    assert section.stage is Stage.RESTORED and section.restored is not None
    assert section.restored.isoformat() == at(70)


def test_a_switch_opened_with_the_tie_closed_but_its_far_side_dark_is_an_outage() -> None:
    """The tie is closed, but feeder 2's breaker is reported open: switch s opening
    leaves section b with no supply at all."""
    engine = run(_two_feeders_with_a_tie(), [
        device("breaker.f2", 5, "open"), device("switch.tie", 10, "closed"),
        device("switch.s", 11, "open")])
    assert set(live(engine)) >= {"switch.s"}


def _two_ties() -> Network:
    """Breaker f1, section a, switch s, section b; feeders 2 (c) and 3 (d), each with a
    normally-open tie to b (switch.tie2, switch.tie3)."""
    return _two_feeders_with_a_tie(others=("c", "d"))


def test_a_section_fed_through_two_ties_stays_on_while_either_is_closed() -> None:
    """Breaker f1 feeds section a, then switch s section b; ties join b to feeders 2
    and 3. f1 trips at 0; a crew opens s at 30 and closes tie 2 at 32 (b is back),
    then tie 3 at 33 (into a section with power: nothing changes), and opens tie 2 at
    40 (b moves to feeder 3 without a break). f1 closes at 45. b stays on until tie 3
    opens too, at 50: dark from then."""
    engine = run(_two_ties(), [
        device("breaker.f1", 0, "open"), call("b.1", 5), device("switch.s", 30, "open"),
        device("switch.tie2", 32, "closed"), device("switch.tie3", 33, "closed"),
        device("switch.tie2", 40, "open")])
    assert engine.customer_status("b.1") is None
    assert [engine.customer_ids_of(o) for o in engine.book.live()] == [("a.1", "a.2", "a.3")]
    for data in (device("breaker.f1", 45, "closed"), device("switch.tie3", 50, "open")):
        engine.apply(parse_event(data))
    assert set(live(engine)) == {"switch.s"}
    assert live(engine)["switch.s"].started.isoformat() == at(50)


def test_crew_lifecycle_and_dispatcher_actions(feeder: Network) -> None:
    """Assigned → en route → on site (confirmed) → restored; ETR override and cause kept."""
    engine = run(feeder, [call("b1.1", 1), call("b1.2", 2)])
    outage = live(engine)["transformer.b1"]
    assert outage.etr is not None and outage.etr_source == "model"
    steps: list[dict[str, Any]] = [
        {"type": "crew", "time": at(5), "outage_id": outage.id, "status": "assigned",
         "crew_id": "T-7"},
        {"type": "dispatcher", "time": at(6), "action": "set_etr", "outage_id": outage.id,
         "etr": at(200)},
        {"type": "crew", "time": at(20), "outage_id": outage.id, "status": "en_route"},
        {"type": "crew", "time": at(40), "outage_id": outage.id, "status": "on_site"},
    ]
    for data in steps:
        engine.apply(parse_event(data))
    assert outage.stage is Stage.ON_SITE and outage.crew_id == "T-7"
    assert outage.etr is not None and outage.etr.isoformat() == at(200)
    engine.apply(parse_event({"type": "crew", "time": at(80), "outage_id": outage.id,
                              "status": "restored", "cause": "squirrel"}))
    assert outage.stage is Stage.RESTORED and outage.cause == "squirrel"
    assert outage.explanation.endswith("Restored at 2026-07-01 15:20: crew T-7 reported it "
                                       "restored.")


def test_dispatcher_cancel_and_merge(feeder: Network) -> None:
    """Cancel forgets a false report; merge puts two outages under their common device."""
    engine = run(feeder, [call("a1.1", 1), call("a1.2", 1), call("b3.3", 2), call("b3.4", 2)])
    a1, b3 = live(engine)["transformer.a1"], live(engine)["transformer.b3"]
    engine.apply(parse_event({"type": "dispatcher", "time": at(3), "action": "merge",
                              "outage_id": a1.id, "target": b3.id}))
    assert set(live(engine)) == {"recloser.r1"}
    merged = live(engine)["recloser.r1"]
    engine.apply(parse_event({"type": "dispatcher", "time": at(4), "action": "cancel",
                              "outage_id": merged.id}))
    assert live(engine) == {}


def test_partial_restoration_keeps_the_isolated_section_out(feeder: Network) -> None:
    """Recloser trips; the crew opens fuse b to isolate the fault and closes the recloser:
    lateral a is back, lateral b stays out from the original start."""
    events = [device("recloser.r1", 0, "open"), call("a1.1", 2), call("b2.2", 3),
              device("fuse.b", 40, "open", "crew"), device("recloser.r1", 45, "closed")]
    engine = run(feeder, events)
    restored = next(o for o in engine.outages() if o.stage is Stage.RESTORED)
    assert restored.device_id == "recloser.r1" and restored.customers_out == 36
    section = live(engine)["fuse.b"]
    assert section.stage is Stage.CONFIRMED and section.customers_out == 18
    assert section.started.isoformat() == at(0)
    engine.apply(parse_event(device("fuse.b", 120, "closed", "crew")))
    assert live(engine) == {}


def test_device_closed_above_predictions_takes_them_over(feeder: Network) -> None:
    """The crew closes the recloser while two transformer outages were predicted below
    it: one outage at the recloser, restored with all its customers; the other merged."""
    engine = run(feeder, [call("a1.1", 1), call("a1.2", 2), call("b3.1", 3), call("b3.4", 4)])
    assert set(live(engine)) == {"transformer.a1", "transformer.b3"}
    engine.apply(parse_event(device("recloser.r1", 60, "closed", "crew")))
    restored = [o for o in engine.outages() if o.stage is Stage.RESTORED]
    assert [(o.device_id, o.customers_out) for o in restored] == [("recloser.r1", 36)]
    assert restored[0].started.isoformat() == at(1 - first_call_wait(4))
    assert len(restored[0].merged_from) == 1
    assert live(engine) == {}


class _HeadEnd:
    """A meter head-end that records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def ping(self, customer_ids: list[str]) -> None:
        self.asked += customer_ids


def test_unsure_prediction_pings_meters_and_uses_the_answers(feeder: Network) -> None:
    """One call is a weak transformer outage: the engine pings silent meters inside and
    around it; 'off' answers from the rest of the lateral roll the outage up to the fuse."""
    head_end = _HeadEnd()
    engine = run(feeder, [meter("b1.6", 0, "on"), call("a2.1", 1), call("a2.3", 2)],
                 pinger=head_end)
    assert head_end.asked and set(head_end.asked) <= {c for c in feeder.customers.ids}
    assert any(c.startswith("a2.") for c in head_end.asked)  # inside: is it really out?
    assert any(c.startswith(("a1.", "a3.")) for c in head_end.asked)  # around: larger?
    for m in ("a1.2", "a1.5", "a3.2", "a3.5"):
        engine.apply(parse_event({**meter(m, 5, "off"), "ping": True}))
    assert set(live(engine)) == {"fuse.a"}


def test_restoration_is_verified_by_pings_and_a_silent_transformer_is_a_nested_outage(
    feeder: Network,
) -> None:
    """Ten minutes after fuse a closes, one meter behind each of its transformers is
    asked; transformer a3's answers 'off': a nested outage, out since the fuse opened."""
    head_end = _HeadEnd()
    engine = run(feeder, _fuse_a_out_then_closed(), pinger=head_end)
    head_end.asked.clear()
    engine.apply(parse_event(call("b1.1", 71)))  # the next event after the 10-minute check
    verified = sorted(c for c in head_end.asked if c.startswith("a"))  # b1: a new question
    assert [c.split(".")[0] for c in verified] == ["a1", "a2", "a3"]  # one per transformer
    for customer in verified:
        state = "off" if customer.startswith("a3") else "on"
        engine.apply(parse_event({**meter(customer, 72, state), "ping": True}))
    nested = live(engine)["transformer.a3"]
    assert nested.started.isoformat() == at(-first_call_wait(5))  # the fuse's start


def test_an_unanswered_verification_is_asked_again_of_another_meter(feeder: Network) -> None:
    """Fuse a closes; a1 and a2 answer the verification, a3's answer is lost. a3 is asked
    again 15 and 30 minutes later (another of its meters each time), then no more; a1
    and a2 are not asked again."""
    head_end = _HeadEnd()
    engine = run(feeder, _fuse_a_out_then_closed(), pinger=head_end)
    asked_at = {}
    for minute in range(61, 130):
        head_end.asked.clear()
        engine.apply(parse_event({"type": "tick", "time": at(minute)}))
        for customer in head_end.asked:
            asked_at.setdefault(customer, minute)
            if not customer.startswith("a3"):
                engine.apply(parse_event({**meter(customer, minute, "on"), "ping": True}))
    a3 = sorted((minute, c) for c, minute in asked_at.items() if c.startswith("a3"))
    assert [minute for minute, _ in a3] == [70, 85, 100]
    assert len({c for _, c in a3}) == 3
    assert sorted(c.split(".")[0] for c in asked_at if not c.startswith("a3")) == ["a1", "a2"]


def test_verification_answers_minutes_apart_are_one_nested_outage(feeder: Network) -> None:
    """The recloser closes; lateral b says it is back, lateral a says nothing. Asked,
    a1 and a2 answer "off" at once; a3's answer is lost, and its second meter answers
    "off" a quarter of an hour later. The answers' times say when the meters were
    asked, not when the power went: fuse a, out since the recloser opened (read as
    last-gasp times, the late answer split it into three transformer outages)."""
    head_end = _HeadEnd()
    lateral_b = [f"b{t}.{m}" for t in (1, 2, 3) for m in range(1, 7)]
    events = [call("a1.1", 1), call("b1.1", 2), call("b2.2", 3)]
    events += [meter(c, 0.5, "off") for c in lateral_b]
    events += [device("recloser.r1", 60, "closed", "crew")]
    events += [meter(c, 61, "on") for c in lateral_b]
    engine = run(feeder, events, pinger=head_end)
    for minute in range(62, 100):
        head_end.asked.clear()
        engine.apply(parse_event({"type": "tick", "time": at(minute)}))
        for customer in head_end.asked:
            if customer.startswith("a") and not (customer.startswith("a3") and minute < 80):
                engine.apply(parse_event({**meter(customer, minute, "off"), "ping": True}))
    assert set(live(engine)) == {"fuse.a"}
    assert live(engine)["fuse.a"].started.isoformat() == at(0.5)


def test_meters_found_off_an_hour_into_an_outage_went_out_with_their_neighbours(
    feeder: Network,
) -> None:
    """The recloser opens: 32 of its 36 meters gasp within the minute. An hour later
    two of the four whose gasps were lost answer a ping "off". The answers' times say
    when they were asked, not when the power went: still the recloser's outage (read
    as last-gasp times an hour after the others, they split it up)."""
    lost = {"a1.2", "a1.5", "a3.4", "b2.3"}
    gasped = [f"{lateral}{t}.{m}" for lateral in "ab" for t in (1, 2, 3) for m in range(1, 7)
              if f"{lateral}{t}.{m}" not in lost]
    events = [meter(c, 0.5 + i / 100, "off") for i, c in enumerate(gasped)]
    events += [call("a2.1", 3), call("b1.1", 5), call("b3.2", 9)]
    engine = run(feeder, events)
    assert set(live(engine)) == {"recloser.r1"}
    for customer in ("a1.2", "a1.5"):
        engine.apply(parse_event({**meter(customer, 65, "off"), "ping": True}))
    assert set(live(engine)) == {"recloser.r1"}
    assert live(engine)["recloser.r1"].started.isoformat() == at(0.5)


def _chain() -> Network:
    """Breaker (h.1–h.10) → switch s1 (c.1) → switch s2 (c.2–c.4)."""
    b = NetworkBuilder("chain", crs="EPSG:4326", units="deg")
    for bus, x in (("sub", 0.0), ("head", 0.001), ("x", 0.002), ("y", 0.003)):
        b.add_bus(bus, x, 0.0)
    b.add_branch("bay", "connector", "sub", "head")
    b.add_device("breaker.f1", "breaker", "bay")
    for name, a, z in (("s1", "head", "x"), ("s2", "x", "y")):
        b.add_branch(f"line.{name}", "line", a, z)
        b.add_device(f"switch.{name}", "switch", f"line.{name}")
    for m in range(1, 11):
        b.add_customer(f"h.{m}", "head", x=0.001, y=0.0001 * m)
    b.add_customer("c.1", "x", x=0.002, y=0.0001)
    for m in range(2, 5):
        b.add_customer(f"c.{m}", "y", x=0.003, y=0.0001 * m)
    b.add_source("vsource.sub", "sub")
    return b.build()


def test_a_silent_meter_answering_on_moves_the_nested_outage_it_does_not_restore() -> None:
    """Breaker → switch s1 (c.1) → switch s2 (c.2–c.4). The breaker closes; its own
    customers say they are back, c.1's restore message is lost, c.2–c.4 are still out:
    s1 is predicted over the four silent meters. Asked, c.1 answers "on": it has power,
    which says s2, not that s1's outage is over (it used to be recorded as restored)."""
    head_end = _HeadEnd()
    meters = [f"h.{m}" for m in range(1, 11)] + [f"c.{m}" for m in range(1, 5)]
    events = [meter(c, 0.5, "off") for c in meters]
    events += [call("h.1", 2), device("breaker.f1", 60, "closed", "crew")]
    events += [meter(c, 61, "on") for c in meters if c.startswith("h")]
    engine = run(_chain(), [*events, {"type": "tick", "time": at(70)}], pinger=head_end)
    assert set(live(engine)) == {"switch.s1"} and sorted(head_end.asked) == ["c.1", "c.2"]
    engine.apply(parse_event({**meter("c.1", 71, "on"), "ping": True}))
    engine.apply(parse_event({**meter("c.2", 71, "off"), "ping": True}))
    assert [(o.device_id, o.stage) for o in engine.outages()] == [
        ("breaker.f1", Stage.RESTORED), ("switch.s2", Stage.PREDICTED)]
    assert live(engine)["switch.s2"].started.isoformat() == at(0.5)


def test_a_late_restore_message_with_a_nested_records_restoration_grows_it() -> None:
    """No crew or SCADA reports. The breaker's outage ends when its meters say they are
    back; c.2 and c.3 call on: s2 is predicted (c.1, whose last gasp was lost, says
    nothing: the night's two breaker outages, where only h.1's meter ever spoke, taught
    that such meters seldom do). When s1 closes, c.2–c.4's restore messages end that
    record, and c.1's comes with them, long after its own area's restoration: s1 was
    still open. One record, s1's, from the breaker's start (there were two, s2's and
    s1's, over the same customers)."""
    meters = [f"h.{m}" for m in range(1, 11)] + [f"c.{m}" for m in range(1, 5)]
    night = [meter("h.1", start + minute, state) for start in (-700, -550)
             for minute, state in ((0, "off"), (30, "on"))]
    events = night + [meter(c, 0.5, "off") for c in meters if c != "c.1"]
    events += [meter(c, 60, "on") for c in meters if c.startswith("h")]
    events += [call("c.2", 70), call("c.3", 72)]
    engine = run(_chain(), events)
    assert set(live(engine)) == {"switch.s2"}
    for data in [meter(c, 200, "on") for c in ("c.2", "c.3", "c.4", "c.1")]:
        engine.apply(parse_event(data))
    engine.settle()
    records = sorted((o.device_id, o.customers_out, o.started.isoformat(),
                      o.restored.isoformat() if o.restored else None)
                     for o in engine.outages())
    assert records[-2:] == [("breaker.f1", 14, at(0.5), at(60)),
                            ("switch.s1", 4, at(0.5), at(200))]


def test_a_meter_is_not_asked_again_within_the_retry_window(feeder: Network) -> None:
    """The same doubtful prediction twice in a few minutes: its meters are asked once."""
    head_end = _HeadEnd()
    engine = run(feeder, [call("a2.1", 1)], pinger=head_end)
    first = list(head_end.asked)
    assert first
    outage = live(engine)["transformer.a2"]
    engine.apply(parse_event({"type": "dispatcher", "time": at(2), "action": "cancel",
                              "outage_id": outage.id}))
    engine.apply(parse_event(call("a2.2", 3)))
    assert "transformer.a2" in live(engine)
    assert len(head_end.asked) == len(set(head_end.asked))  # nobody asked twice


def test_an_outage_that_appears_when_power_evidence_expires_is_published(
    feeder: Network,
) -> None:
    """A meter said it had power, so one call is not an outage; 30 minutes later that
    answer no longer counts, the call alone makes the transformer outage, and the
    dashboard hears of it at the next event."""
    engine = run(feeder, [{**meter("a2.6", 0, "on"), "ping": True}, call("a2.1", 1)])
    assert live(engine) == {}
    heard: list[str] = []
    engine.subscribe(lambda o: heard.append(o.device_id))
    engine.apply(parse_event(meter("b3.3", 45, "on")))
    assert set(live(engine)) == {"transformer.a2"}
    assert heard == ["transformer.a2"]


def _restored_by_meters(callers: list[str]) -> list[dict[str, Any]]:
    """Calls, then each caller's meter saying the power is back at minute 60."""
    return ([call(c, i) for i, c in enumerate(callers)]
            + [meter(c, 60, "on") for c in callers])


def test_a_crew_reporting_a_close_after_the_meters_is_not_a_second_outage(
    feeder: Network,
) -> None:
    """Fuse a predicted and restored by its callers' meters at 60; the crew reports the
    fuse closed at 80 (on the way to the next job): one record, restored at 60."""
    engine = run(feeder, [*_restored_by_meters(["a1.1", "a2.2", "a3.3", "a1.4", "a2.6"]),
                          device("fuse.a", 80, "closed", "crew")])
    (outage,) = engine.outages()
    assert outage.device_id == "fuse.a" and outage.restored.isoformat() == at(60)
    assert "after meters below it said the power was back" in outage.explanation


def test_a_late_close_above_a_prediction_moves_it_to_the_device_found_open(
    feeder: Network,
) -> None:
    """Transformer a1 predicted (its callers alone) and restored by their meters; the
    crew reports fuse a closed: the fuse was open, so the record is the fuse's, with
    all eighteen customers, not a second outage."""
    engine = run(feeder, [*_restored_by_meters(["a1.1", "a1.2", "a1.3"]),
                          device("fuse.a", 75, "closed", "crew")])
    (outage,) = engine.outages()
    assert outage.device_id == "fuse.a" and len(outage.customer_ids) == 18
    assert outage.restored.isoformat() == at(60)
    assert "not transformer.a1 as predicted" in outage.explanation


def test_a_late_close_leaves_the_nested_outage_found_since_alone(feeder: Network) -> None:
    """Fuse a restored by meters at 60, but a3's customers call again: a3 is still open.
    The crew's report of the fuse closed, at 80, does not end a3's outage."""
    events = _restored_by_meters(["a1.1", "a2.2", "a3.3", "a1.4", "a2.6"])
    events += [call(c, 65 + i) for i, c in enumerate(["a3.1", "a3.2", "a3.4", "a3.5"])]
    engine = run(feeder, [*events, device("fuse.a", 80, "closed", "crew")])
    assert set(live(engine)) == {"transformer.a3"}
    assert [o.device_id for o in engine.outages() if o.stage is Stage.RESTORED] == ["fuse.a"]


def test_a_close_long_after_the_meters_is_a_find_of_its_own(feeder: Network) -> None:
    """Two hours after the meters said fuse a was back, a crew closing it found it open
    again: a found-open outage, not a late report."""
    engine = run(feeder, [*_restored_by_meters(["a1.1", "a2.2", "a3.3", "a1.4", "a2.6"]),
                          device("fuse.a", 180, "closed", "crew")])
    assert [o.device_id for o in engine.outages()] == ["fuse.a", "fuse.a"]
    assert engine.outages()[1].explanation.startswith("Found open")


def test_a_late_close_below_a_restored_outage_whose_area_all_came_back_confirms_it(
    feeder: Network,
) -> None:
    """The recloser's outage (callers on both laterals) restored by their meters; the crew
    then reports fuse b closed. Lateral a's meters came back too, so the recloser's
    outage was real: no new record, and it stays the recloser's."""
    callers = ["a1.1", "a2.1", "b1.1", "b2.1", "b3.1"]
    engine = run(feeder, [*_restored_by_meters(callers), device("fuse.b", 70, "closed", "crew")])
    assert [o.device_id for o in engine.outages()] == ["recloser.r1"]


def test_a_find_reported_late_ends_when_its_meters_said_the_power_was_back(
    feeder: Network,
) -> None:
    """Nobody reported transformer b1 (its meters' last gasps lost); at 80 they say the
    power is back, and the crew reports closing it at 100, on the way to the next job.
    Those restore messages are this find's: it ended at 80 and began as long before as a
    transformer outage lasts, not at the close with no minutes (as a momentary)."""
    events = [meter(f"b1.{m}", 80, "on") for m in range(1, 7)]
    engine = run(feeder, [*events, device("transformer.b1", 100, "closed", "crew")])
    (found,) = engine.outages()
    assert found.device_id == "transformer.b1" and found.stage is Stage.RESTORED
    assert found.restored.isoformat() == at(80)
    assert found.started.isoformat() == at(80 - 150) and not found.momentary
    assert "power was back at" in found.explanation


def test_a_find_reported_late_is_dated_from_the_call_before_its_restore_messages(
    feeder: Network,
) -> None:
    """A customer of transformer a2 calls at 1 while the others' meters answer pings
    "on": an open report, not an outage. At 60 a2's meters say the power is back; the
    crew reports closing the transformer at 75. The find is dated from that call (the
    wait before a first call, but not before the meters last had power), not as long
    before the restore messages as a transformer outage lasts as if nobody had called:
    those messages end the outage, they do not say its customers had power before the
    call."""
    pings = [{**meter(f"a2.{m}", 0.5, "on"), "ping": True} for m in range(2, 7)]
    restores = [meter(f"a2.{m}", 60, "on") for m in range(2, 7)]
    engine = run(feeder, [*pings, call("a2.1", 1), *restores,
                          device("transformer.a2", 75, "closed", "crew")])
    (found,) = engine.outages()
    assert found.device_id == "transformer.a2" and found.restored.isoformat() == at(60)
    assert found.started.isoformat() == at(0.5)
    assert "Nobody reported it" not in found.explanation

def test_a_close_below_an_outage_a_crew_closed_is_a_find_not_a_late_report(
    feeder: Network,
) -> None:
    """The crew closes fuse a at 60 and a3's meters say they are back; forty minutes
    later a crew closes transformer a3: a3 was found open then (the fuse's outage, ended
    by its own close, was real and stays the fuse's)."""
    events = [*_fuse_a_out_then_closed(), *(meter(f"a3.{m}", 61, "on") for m in range(1, 7))]
    engine = run(feeder, [*events, device("transformer.a3", 100, "closed", "crew")])
    fuse, found = engine.outages()
    assert fuse.device_id == "fuse.a" and len(fuse.customer_ids) == 18
    assert found.device_id == "transformer.a3" and found.started.isoformat() == at(100)


def test_a_find_above_an_outage_a_crew_closed_is_a_record_of_its_own(
    feeder: Network,
) -> None:
    """A crew closes transformer a1 at 60 and its meters say they are back; half an hour
    later a crew closes fuse a, which nobody reported: a find of its own, and a1's
    outage stays a1's."""
    events = [call("a1.1", 0), call("a1.2", 1), call("a1.3", 2),
              device("transformer.a1", 60, "closed", "crew")]
    events += [meter(f"a1.{m}", 61, "on") for m in range(1, 7)]
    engine = run(feeder, [*events, device("fuse.a", 90, "closed", "crew")])
    transformer, fuse = engine.outages()
    assert transformer.device_id == "transformer.a1" and len(transformer.customer_ids) == 6
    assert fuse.device_id == "fuse.a" and fuse.explanation.startswith("Found open")


# -- events out of time order (a phone's queued report, a late message) ----------------
def test_a_power_on_older_than_the_outage_does_not_restore_it(feeder: Network) -> None:
    """Neighbours call at 10 and 11; a restore message stamped 5 arrives after them:
    the meter had power before the outage began, which says nothing of now."""
    engine = run(feeder, [call("a2.1", 10), call("a2.4", 11), meter("a2.2", 5, "on"),
                          meter("a2.1", 6, "on")])
    assert set(live(engine)) == {"transformer.a2"}
    assert engine.stats.stale == 2


def test_a_report_sent_before_the_outage_began_and_received_after_backdates_it(
    feeder: Network,
) -> None:
    """Calls at 10 and 12 make transformer a1's outage, from 10. A call from a1.3 sent at
    2 arrives after them (an app's queued report): the customers were out from 2, and
    the outage says so (its start, its explanation, and the customer-minutes it counts).
    A last gasp stamped 1 that arrives later still moves it again."""
    engine = run(feeder, [call("a1.1", 10), call("a1.2", 12)])
    (outage,) = live(engine).values()
    assert outage.started == parse_time(at(10))
    engine.apply(parse_event(call("a1.3", 2)))
    assert live(engine) == {"transformer.a1": outage}
    assert outage.started == parse_time(at(2))
    assert "started 2026-07-01 14:02 (earliest report)" in engine.describe(outage)["explanation"]
    engine.apply(parse_event(meter("a1.4", 1, "off")))
    assert outage.started == parse_time(at(1))
    # Seven hours before: another outage's report, or a clock gone wrong; it moves nothing.
    engine.apply(parse_event(call("a1.5", -420)))
    assert outage.started == parse_time(at(1))


def test_a_close_older_than_the_outage_does_not_restore_it(feeder: Network) -> None:
    """A crew's close of fuse a stamped 5, sent from a queue after calls at 10 and 11
    below it: the outage began after the close, so it goes on. The crew's own queued
    "restored" for that outage, stamped 8, restores it at its start, not before."""
    engine = run(feeder, [call("a2.1", 10), call("a2.4", 11),
                          device("fuse.a", 5, "closed", "crew")])
    (outage,) = live(engine).values()
    assert outage.device_id == "transformer.a2"
    engine.apply(parse_event({"type": "crew", "time": at(8), "outage_id": outage.id,
                              "status": "restored"}))
    assert outage.stage is Stage.RESTORED
    assert outage.restored == outage.started == parse_time(at(10))


def test_a_refused_action_leaves_no_trace(feeder: Network) -> None:
    """Confirming a cancelled outage is refused before anything changes, the engine's
    clock included: the log (which keeps only accepted events) rebuilds the same state."""
    engine = run(feeder, [call("a2.1", 0), call("a2.4", 1)])
    (outage,) = live(engine).values()
    with pytest.raises(EventError, match="not below a device inside"):
        engine.apply(parse_event({"type": "dispatcher", "time": at(300), "action": "split",
                                  "outage_id": outage.id, "customer_ids": ["b1.1"]}))
    assert engine.now == parse_time(at(1))
    cancel = {"type": "dispatcher", "time": at(2), "action": "cancel", "outage_id": outage.id}
    engine.apply(parse_event(cancel))
    for action in ("confirm", "split", "merge"):
        with pytest.raises(EventError, match="cancelled: nothing to"):
            engine.apply(parse_event({"type": "dispatcher", "time": at(300), "action": action,
                                      "outage_id": outage.id, "target": outage.id,
                                      "customer_ids": ["a2.1"]}))
    assert engine.now == parse_time(at(2))


def test_a_back_fed_sections_reports_are_its_own() -> None:
    """Section b-d is back-fed through the tie (s1 isolating it); then d.2 and d.3 call
    (something inside the section) and breaker f1 trips and closes again. Their calls
    are not the breaker's: they still stand after its restoration, and the outage they
    make ends when their meters say the power is back."""
    engine = run(_two_feeders_with_a_tie(("switch.s1", "switch.s2")), [
        device("switch.s1", 0, "open", "crew"), device("switch.tie", 5, "closed"),
        call("d.2", 10), call("d.3", 11), device("breaker.f1", 20, "open"),
        call("a.1", 21)])
    assert set(live(engine)) == {"breaker.f1", "transformer.d"}
    assert live(engine)["breaker.f1"].customers_out == 3  # section a only
    engine.apply(parse_event(device("breaker.f1", 60, "closed")))
    assert set(live(engine)) == {"transformer.d"}
    for customer in ("d.2", "d.3"):
        engine.apply(parse_event(meter(customer, 70, "on")))
    assert not live(engine)


def _two_substations() -> Network:
    """Substations north and south, each feeding one transformer of two customers
    (north.1, north.2; south.1, south.2)."""
    b = NetworkBuilder("two sources", crs="EPSG:4326", units="deg")
    for n, sub in enumerate(("north", "south")):
        b.add_bus(sub, 0.0, float(n))
        b.add_bus(f"{sub}.lv", 0.01, float(n))
        b.add_branch(f"transformer.{sub}", "service_transformer", sub, f"{sub}.lv")
        for m in range(1, 3):
            b.add_customer(f"{sub}.{m}", f"{sub}.lv")
        b.add_source(f"vsource.{sub}", sub)
    return b.build()


def test_outages_fed_from_different_sources_cannot_be_merged() -> None:
    """Two substations, an outage under each: no one device could be open for both, so
    merging them is refused with the reason (it raised StopIteration)."""
    engine = run(_two_substations(), [call("north.1", 0), call("north.2", 1),
                                      call("south.1", 2), call("south.2", 3)])
    north, south = (live(engine)[f"transformer.{s}"] for s in ("north", "south"))
    with pytest.raises(EventError, match="fed from different sources"):
        engine.apply(parse_event({"type": "dispatcher", "time": at(5), "action": "merge",
                                  "outage_id": north.id, "target": south.id}))
    assert set(live(engine)) == {"transformer.north", "transformer.south"}


def test_a_report_standing_again_after_a_close_that_restored_nobody_is_forgotten_with_the_next(
        feeder: Network) -> None:
    # A breaker nobody reported open is closed twice: the first close restored nobody
    # (the meter that gasped says nothing), so its last gasp stands again; the second
    # close is over it too. The engine's flags and the predictor's counts must agree.
    from .test_engine_properties import _reports_counted  # it imports this module

    engine = OutageEngine(feeder)
    for event in (meter("a1.1", 0, "off"), call("b1.1", 0),
                  {"type": "crew", "time": at(0.1), "outage_id": "O000001", "crew_id": "T-1",
                   "status": "on_site"},
                  device("breaker.f1", 0.1, "closed"), device("breaker.f1", 45.1, "closed")):
        engine.apply(parse_event(event))
        _reports_counted(engine)
