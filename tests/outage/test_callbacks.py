"""Calling back the customers who reported, after a restoration (no AMI needed)."""

from __future__ import annotations

from gis import Network
from outage.engine import OutageEngine
from outage.events import event_to_json, parse_event

from .conftest import at, call, device
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
    nested = live(engine)["transformer.a3"]
    assert nested.started.isoformat() == at(0)
    assert event_to_json(parse_event(answers[1])) == {**answers[1], "time": at(75)}
