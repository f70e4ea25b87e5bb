"""Fixtures for the outage engine tests: a small lateral-rich feeder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gis import Network, NetworkBuilder
from outage.engine import OutageEngine
from outage.scoring import PredictionParams

T0 = datetime(2026, 7, 1, 14, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    """An ISO time `minutes` after T0."""
    return (T0 + timedelta(minutes=minutes)).isoformat()


def first_call_wait(callers: int) -> float:
    """Minutes before its first call that an outage only calls told of starts, once
    restored: the wait expected of the first of its `callers` at the default spread."""
    return round(60 * PredictionParams().call_spread_minutes / callers) / 60  # to the second


def lateral_feeder() -> Network:
    """Breaker → recloser → two fused laterals, each with three 6-customer transformers.

    Customers are ``a1.1`` … ``b3.6`` (lateral, transformer, meter); ``a1.1`` is critical.
    """
    b = NetworkBuilder("laterals", crs="EPSG:4326", units="deg")
    b.add_bus("sub", 0.0, 0.0)
    b.add_bus("head", 0.001, 0.0)
    b.add_bus("mid", 0.01, 0.0)
    b.add_branch("bay", "connector", "sub", "head")
    b.add_device("breaker.f1", "breaker", "bay")
    b.add_branch("line.main", "line", "head", "mid")
    b.add_device("recloser.r1", "recloser", "line.main")
    for lat, lateral in ((0.01, "a"), (-0.01, "b")):
        b.add_bus(f"{lateral}0", 0.01, lat / 2)
        b.add_branch(f"line.{lateral}", "line", "mid", f"{lateral}0")
        b.add_device(f"fuse.{lateral}", "fuse", f"line.{lateral}")
        for t in range(1, 4):
            bus = f"{lateral}{t}"
            b.add_bus(bus, 0.01 + 0.002 * t, lat)
            b.add_bus(f"{bus}s", 0.01 + 0.002 * t, lat + 0.0005)
            b.add_branch(f"line.{bus}", "line", f"{lateral}{t - 1}", bus)
            b.add_branch(f"transformer.{bus}", "service_transformer", bus, f"{bus}s")
            for m in range(1, 7):
                b.add_customer(f"{bus}.{m}", f"{bus}s", critical=(bus, m) == ("a1", 1),
                               x=0.01 + 0.002 * t + 0.0001 * m, y=lat + 0.0006)
    b.add_source("vsource.sub", "sub")
    return b.build()


@pytest.fixture
def feeder() -> Network:
    """The lateral feeder of `lateral_feeder`."""
    return lateral_feeder()


def call(customer: str, minutes: float, **extra: Any) -> dict[str, Any]:
    return {"type": "call", "time": at(minutes), "customer_id": customer, "channel": "ivr",
            **extra}


def meter(customer: str, minutes: float, state: str) -> dict[str, Any]:
    return {"type": "meter", "time": at(minutes), "customer_id": customer, "state": state}


def device(device_id: str, minutes: float, state: str, source: str = "scada") -> dict[str, Any]:
    return {"type": "device", "time": at(minutes), "device_id": device_id, "state": state,
            "source": source}


def engine_fails_on(monkeypatch: pytest.MonkeyPatch, customer_id: str) -> None:
    """Make the engine fail on events about `customer_id`: a simulated defect."""
    original = OutageEngine.apply

    def failing(self: OutageEngine, event: Any, notes: list[str] | None = None) -> Any:
        if getattr(event, "customer_id", None) == customer_id:
            raise RuntimeError("simulated defect")
        return original(self, event, notes)

    monkeypatch.setattr(OutageEngine, "apply", failing)
