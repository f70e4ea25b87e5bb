"""Calling back the customers who reported, after a restoration (no AMI needed)."""

from __future__ import annotations

from gis import Network
from outage.engine import OutageEngine
from outage.events import event_to_json, parse_event

from .conftest import at, call, device, first_call_wait
from .test_engine import live


class _Ivr:
    """Records whom the engine asks to call back."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def call_back(self, customer_ids: list[str]) -> None:
        self.asked += customer_ids


def test_callers_are_called_back_after_a_restoration_and_a_no_finds_the_nested_outage(
    feeder: Network,
) -> None:
    """Lateral a is out (calls from a1–a3); the fuse is closed; the IVR calls back the
    callers; the two under a3 say the power is still off: transformer a3, backdated."""
    ivr = _Ivr()
    engine = OutageEngine(feeder, callback=ivr)
    events = [call(c, i) for i, c in enumerate(["a1.1", "a2.2", "a3.3", "a1.4", "a3.6"])]
    for data in [*events, device("fuse.a", 60, "closed", "crew")]:
        engine.apply(parse_event(data))
    assert sorted(ivr.asked) == ["a1.1", "a1.4", "a2.2", "a3.3", "a3.6"]
    assert engine.stats.callbacks_requested == 5 and not live(engine)
    answers = [{"type": "callback", "time": at(75), "customer_id": c, "state": state}
               for c, state in (("a1.1", "on"), ("a3.3", "off"), ("a3.6", "off"))]
    for data in answers:
        engine.apply(parse_event(data))
    nested = live(engine)["transformer.a3"]  # out since the fuse went, before the calls
    assert nested.started.isoformat() == at(-first_call_wait(5))
    assert event_to_json(parse_event(answers[1])) == {**answers[1], "time": at(75)}


def _tick(minutes: float) -> dict[str, str]:
    return {"type": "tick", "time": at(minutes)}


def test_an_outage_resting_on_one_call_is_verified_and_a_yes_cancels_it(
    feeder: Network,
) -> None:
    """One call under transformer a2, nothing else: half an hour on, the caller is asked;
    "the power is on" from them cancels the outage — no interruption is recorded."""
    ivr = _Ivr()
    engine = OutageEngine(feeder, callback=ivr)
    engine.apply(parse_event(call("a2.3", 0)))
    assert "transformer.a2" in live(engine)
    engine.apply(parse_event(_tick(29)))
    assert ivr.asked == []
    engine.apply(parse_event(_tick(31)))
    assert ivr.asked == ["a2.3"] and engine.stats.callbacks_requested == 1
    engine.apply(parse_event({"type": "callback", "time": at(45), "customer_id": "a2.3",
                              "state": "on"}))
    assert not live(engine) and engine.outages() == []
    (cancelled,) = engine.outages(include_cancelled=True)
    assert cancelled.stage.value == "cancelled" and "called back" in cancelled.explanation
    engine.apply(parse_event(_tick(120)))
    assert ivr.asked == ["a2.3"]  # asked once


def test_a_no_from_the_lone_caller_keeps_the_outage(feeder: Network) -> None:
    """"Still off" keeps a lone caller's outage on the board."""
    ivr = _Ivr()
    engine = OutageEngine(feeder, callback=ivr)
    for data in (call("a2.3", 0), _tick(31),
                 {"type": "callback", "time": at(45), "customer_id": "a2.3", "state": "off"}):
        engine.apply(parse_event(data))
    assert ivr.asked == ["a2.3"] and "transformer.a2" in live(engine)


def test_an_outage_more_than_one_customer_reported_is_not_verified(feeder: Network) -> None:
    """Two callers (or a hazard, or no IVR at all) need no verification: nobody asked."""
    ivr = _Ivr()
    engine = OutageEngine(feeder, callback=ivr)
    for data in (call("a2.3", 0), call("a2.5", 4), call("b1.1", 6, hazard="wire_down"),
                 _tick(60)):
        engine.apply(parse_event(data))
    assert ivr.asked == [] and {"transformer.a2", "transformer.b1"} <= set(live(engine))
    without = OutageEngine(feeder)
    for data in (call("a2.3", 0), _tick(60)):
        without.apply(parse_event(data))
    assert "transformer.a2" in live(without) and without.stats.callbacks_requested == 0
