"""The ETRs kept: outages restored by the last restoration time their customers were told."""

from __future__ import annotations

from datetime import timedelta

from gis import Network
from outage.engine import OutageEngine
from outage.etrs_kept import etrs_kept
from outage.events import parse_event

from .conftest import T0, at, call, device


def test_an_outage_restored_after_its_etr_is_a_promise_broken(feeder: Network) -> None:
    """Two transformers out, each told an ETR an hour on: one back in forty minutes (kept),
    one in ninety (broken); a third back in two minutes is momentary and not counted, and
    one restored before the period is not either."""
    engine = OutageEngine(feeder)
    for name in ("a1", "b3", "a2"):  # found open: an outage each
        engine.apply(parse_event(device(f"transformer.{name}", 0, "open", "crew")))
        engine.apply(parse_event(call(f"{name}.1", 1)))
    ids = {o.device_id: o.id for o in engine.outages()}
    for name in ("transformer.a1", "transformer.b3"):
        engine.apply(parse_event({"type": "dispatcher", "action": "set_etr", "time": at(2),
                                  "outage_id": ids[name], "etr": at(60)}))
    for e in (device("transformer.a2", 3, "closed", "crew"),
              device("transformer.a1", 40, "closed", "crew"),
              device("transformer.b3", 90, "closed", "crew")):
        engine.apply(parse_event(e))
    assert etrs_kept(engine.outages(), T0).to_json() == {"restored": 2, "kept": 1,
                                                         "share_kept": 0.5}
    assert etrs_kept(engine.outages(), T0 + timedelta(minutes=60)).restored == 1
    assert etrs_kept([], T0).share_kept is None
