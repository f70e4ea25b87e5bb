"""The storm's outlook: by when nine in ten of the customers out should be back."""

from __future__ import annotations

from datetime import timedelta

from gis import Network
from outage.engine import OutageEngine
from outage.events import parse_event
from outage.outlook import restored_by

from .conftest import T0, at, device


def _engine(feeder: Network, etrs: dict[str, float | None]) -> OutageEngine:
    engine = OutageEngine(feeder)
    for name in etrs:
        engine.apply(parse_event(device(f"transformer.{name}", 0, "open", "crew")))
    for outage in engine.outages():
        minutes = etrs[outage.device_id.split(".")[1]]
        if minutes is None:
            outage.etr = None  # as an engine without an estimate would leave it
        else:
            engine.apply(parse_event({"type": "dispatcher", "action": "set_etr",
                                      "time": at(1), "outage_id": outage.id,
                                      "etr": at(minutes)}))
    return engine


def test_nine_in_ten_back_by_the_etr_that_covers_them(feeder: Network) -> None:
    """Six transformers of six customers each, back at 1 h … 6 h: nine in ten of the 36
    (32.4) are back by the sixth ETR; eight in ten (28.8) by the fifth."""
    engine = _engine(feeder, {"a1": 60, "a2": 120, "a3": 180, "b1": 240, "b2": 300,
                              "b3": 360})
    assert restored_by(engine.outages()) == T0 + timedelta(minutes=360)
    assert restored_by(engine.outages(), share=0.8) == T0 + timedelta(minutes=300)


def test_no_outlook_without_enough_etrs_or_anyone_out(feeder: Network) -> None:
    """A sixth of the customers with no ETR: nine in ten cannot be said, eight in ten can;
    nobody out, nothing to say."""
    engine = _engine(feeder, {"a1": 60, "a2": 120, "a3": 180, "b1": 240, "b2": 300,
                              "b3": None})
    assert restored_by(engine.outages()) is None
    assert restored_by(engine.outages(), share=0.8) == T0 + timedelta(minutes=300)
    assert restored_by([]) is None
