"""The scenario simulator: what crews report of the devices that operate."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from gis import Network
from outage.simulate import ScenarioBuilder, ScenarioParams, TrueOutage


def _device_events(events: list[dict[str, Any]], device_id: str) -> list[tuple[str, str, str]]:
    return [(e["time"], e["state"], e["source"]) for e in events
            if e["type"] == "device" and e["device_id"] == device_id]


@pytest.mark.parametrize("kind", ["single", "nested", "inner_first"])
def test_crews_confirm_a_faulted_device_open_on_arrival_before_the_repair(
    feeder: Network, kind: str,
) -> None:
    """With every fault confirmed, each faulted device is reported open by a crew while
    its customers are out and before its close; a nested pair's inner device only after
    the outer one is closed (the crew finds it then)."""
    params = ScenarioParams(kind=kind, call_rate=0.3, meter_delivery=0.5, crew_confirm_share=1.0)
    for seed in range(5):
        scenario = ScenarioBuilder(feeder).build(params, seed)
        closes = {}
        for truth in scenario.truth:
            opened, closed = _device_events(scenario.events, truth.device_id)
            assert (opened[1:], closed[1:]) == (("open", "crew"), ("closed", "crew"))
            assert opened[0] < closed[0]
            closes[truth.device_id] = closed[0]
        if kind == "nested":
            outer, inner = scenario.truth
            assert _device_events(scenario.events, inner.device_id)[0][0] > closes[outer.device_id]


def test_crews_report_opens_only_when_asked_and_only_of_the_faulted_devices(
    feeder: Network,
) -> None:
    """No crew reports a device open unless asked; asked, crews report open exactly the
    devices that operate, the same devices as without (they are drawn first)."""
    for kind in ("single", "storm", "nested"):
        plain = ScenarioParams(kind=kind, outages=3, call_rate=0.3, meter_delivery=0.5)
        confirmed = ScenarioParams(kind=kind, outages=3, call_rate=0.3, meter_delivery=0.5,
                                   crew_confirm_share=1.0)
        builder = ScenarioBuilder(feeder)
        events = builder.build(plain, 3).events
        assert not [e for e in events if e["type"] == "device" and e["state"] == "open"]
        with_opens = builder.build(confirmed, 3)
        truth = {t.device_id for t in with_opens.truth}
        assert truth == {t.device_id for t in builder.build(plain, 3).truth}
        opens = [e for e in with_opens.events if e["type"] == "device" and e["state"] == "open"]
        assert {e["device_id"] for e in opens} == truth


def test_a_location_only_call_keeps_its_true_caller_outside_the_event(feeder: Network) -> None:
    """The evaluation knows who made each call that gives only a location (one of the
    customers truly out, or a false caller, standing within metres of it); the event, as
    an intake system would send it, carries the location alone."""
    params = ScenarioParams(kind="storm", outages=3, call_rate=0.5, location_only_share=0.5)
    scenario = ScenarioBuilder(feeder).build(params, seed=2)
    located = [k for k, e in enumerate(scenario.events)
               if e["type"] == "call" and "customer_id" not in e]
    assert located and sorted(scenario.callers) == located
    customers = feeder.customers
    (kx, ky), within = (("lon", "lat"), 5e-4) if feeder.crs else (("x", "y"), 5.0)
    for k in located:
        event = scenario.events[k]
        assert set(event) <= {"type", "time", "channel", "location", "hazard"}
        i = customers.index[scenario.callers[k]]
        where = event["location"]
        assert abs(where[kx] - customers.x[i]) < within
        assert abs(where[ky] - customers.y[i]) < within
    out = set().union(*(t.customers for t in scenario.truth))
    assert any(scenario.callers[k] in out for k in located)


def test_address_error_scales_how_far_a_location_only_call_lands(feeder: Network) -> None:
    """`location_error` scales the address error and nothing else: the same scenario at
    ten times the error has the same events, each location ten times as far off."""
    base = ScenarioParams(kind="storm", outages=3, call_rate=0.5, location_only_share=0.5)
    near = ScenarioBuilder(feeder).build(base, seed=4)
    far = ScenarioBuilder(feeder).build(replace(base, location_error=10.0), seed=4)
    assert len(near.events) == len(far.events) and near.callers == far.callers
    customers = feeder.customers
    kx, ky = ("lon", "lat") if feeder.crs else ("x", "y")
    for k, caller in near.callers.items():
        i = customers.index[caller]
        for key, xy in ((kx, customers.x[i]), (ky, customers.y[i])):
            offset = near.events[k]["location"][key] - xy
            assert far.events[k]["location"][key] - xy == pytest.approx(10 * offset, rel=1e-6)


@pytest.mark.parametrize(("kind", "kinds", "storms"), [
    ("storm", ("service_transformer",), 3), ("nested", ("fuse", "service_transformer"), 2)])
def test_storms_in_one_stream_begin_apart_on_devices_not_still_out(
    feeder: Network, kind: str, kinds: tuple[str, ...], storms: int,
) -> None:
    """A stream of several storms: the first is the storm drawn alone; each later one
    starts its hours apart, on devices neither above nor below one still out then; every
    meter's "off" comes while its customer is out and every "on" while they have power."""
    alone = ScenarioParams(kind=kind, outages=2, call_rate=0.4, meter_delivery=0.8,
                           device_kinds=kinds)
    builder = ScenarioBuilder(feeder)
    for seed in range(4):
        first = builder.build(alone, seed).truth
        scenario = builder.build(replace(alone, storms=storms, storms_apart_hours=3.0), seed)
        truth = scenario.truth
        assert truth[:len(first)] == first
        for k in range(storms):
            start = alone.start + timedelta(hours=3 * k)
            storm = [t for t in truth if start <= t.start < start + timedelta(hours=3)]
            assert len(storm) == len(first)
            going_on = [t for t in truth if t.start < start < t.end]
            assert not any(builder.tree.contains(a.candidate, b.candidate)
                           for t in storm for e in going_on for a, b in ((t, e), (e, t)))

        def out(customer: str, when: datetime, truth: list[TrueOutage] = truth) -> bool:
            return any(customer in t.customers and t.start <= when < t.end for t in truth)

        meters = [(e["customer_id"], datetime.fromisoformat(e["time"]), e["state"])
                  for e in scenario.events if e["type"] == "meter"]
        assert {state for _, _, state in meters} == {"off", "on"}
        assert all(out(c, when) == (state == "off") for c, when, state in meters)


@pytest.mark.parametrize("field", ["kind", "pick"])
def test_an_unknown_scenario_kind_or_draw_is_refused_by_name(field: str) -> None:
    """A misspelt setting would otherwise fall back to another kind of scenario."""
    with pytest.raises(ValueError, match=f"ScenarioParams.{field} must be one of"):
        ScenarioParams(**{field: "devices"})
