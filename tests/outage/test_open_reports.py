"""Reports no outage explains stay visible, and their hazards follow them into outages."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gis import Network
from gis.io import save_network
from oms.cli import main
from outage.errors import EventError
from outage.events import event_to_json, parse_event
from outage.hazards import HazardIndex
from outage.open_reports import open_report_of, open_reports
from outage.simulate import ScenarioBuilder, ScenarioParams

from .conftest import at, call, device, meter
from .test_engine import live, run

# a2.1 calls about a wire down; the other meters of its transformer answered pings: on.
NEIGHBOURS_ON = [{**meter(f"a2.{m}", 0.5, "on"), "ping": True} for m in range(2, 7)]
LONE_HAZARD_CALL = call("a2.1", 1, hazard="wire_down")


def test_a_lone_call_with_power_around_it_is_an_open_report_with_its_hazard(
    feeder: Network,
) -> None:
    engine = run(feeder, [*NEIGHBOURS_ON, LONE_HAZARD_CALL])
    assert not live(engine)
    [report] = open_reports(engine)
    assert (report.customer_id, report.called, report.last_gasp) == ("a2.1", True, False)
    assert report.hazards == ("wire_down",)
    assert report.since.isoformat() == LONE_HAZARD_CALL["time"]
    assert open_report_of(engine, "a2.1") == report
    assert open_report_of(engine, "a2.2") is None


def test_a_meter_silent_after_its_restoration_is_not_a_report_of_its_own(
    feeder: Network,
) -> None:
    """Lateral a is restored; four of its meters' restore messages are lost, one on each
    of three transformers and a second on a1: nearly always meters with power, so no
    open report (the desk would get one per lost message). Once the customer calls,
    the report is listed, silent meter and all."""
    lateral = [f"a{t}.{m}" for t in (1, 2, 3) for m in range(1, 7)]
    lost = {"a1.1", "a1.2", "a2.3", "a3.4"}
    events = [meter(c, 0.1 * i, "off") for i, c in enumerate(lateral)]
    events += [device("fuse.a", 60, "closed", "crew")]
    events += [meter(c, 61, "on") for c in lateral if c not in lost]
    events += [{"type": "tick", "time": at(75)}]
    engine = run(feeder, events)
    assert not live(engine)
    assert all(engine.reports.silent[engine.network.customers.index[c]] for c in lost)
    assert open_reports(engine) == [] and open_report_of(engine, "a2.3") is None
    engine.apply(parse_event(call("a2.3", 80)))
    [report] = open_reports(engine)
    assert (report.customer_id, report.called, report.silent) == ("a2.3", True, True)


def test_the_first_callers_hazard_belongs_to_the_outage_later_calls_predict(
    feeder: Network,
) -> None:
    """The wire down came with the first call, before anything was predicted."""
    engine = run(feeder, [call("a3.1", 1, hazard="wire_down"), call("a3.2", 2),
                          call("a3.4", 3), call("a3.5", 4)])
    [outage] = live(engine).values()
    assert outage.hazards == {"wire_down"}
    assert open_reports(engine) == []


def test_power_back_or_a_restoration_closes_the_open_reports(feeder: Network) -> None:
    engine = run(feeder, [*NEIGHBOURS_ON, LONE_HAZARD_CALL, meter("a2.1", 30, "on")])
    assert open_reports(engine) == []
    engine = run(feeder, [call("b1.1", 1), call("b1.2", 2), call("b1.3", 3),
                          device("transformer.b1", 60, "closed")])
    assert not live(engine) and open_reports(engine) == []


def test_a_lone_last_gasp_is_an_open_report(feeder: Network) -> None:
    engine = run(feeder, [*NEIGHBOURS_ON, meter("a2.1", 1, "off")])
    assert not live(engine)
    [report] = open_reports(engine)
    assert (report.called, report.last_gasp, report.hazards) == (False, True, ())


def test_replay_lists_the_open_reports(feeder: Network, tmp_path: Path) -> None:
    net, events, out = tmp_path / "net.gpkg", tmp_path / "e.jsonl", tmp_path / "r.json"
    save_network(feeder, net)
    events.write_text("".join(json.dumps(e) + "\n" for e in [*NEIGHBOURS_ON, LONE_HAZARD_CALL]))
    assert main(["replay", "--network", str(net), "--events", str(events),
                 "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["stats"]["open_reports"] == 1
    assert result["open_reports"] == [{
        "customer_id": "a2.1", "since": "2026-07-01T14:01:00+00:00", "called": True,
        "last_gasp": False, "silent": False, "hazards": ["wire_down"]}]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 30), st.integers(-1, 12),
                          st.sampled_from(["wire_down", "fire", "tree"]), st.integers(0, 9)),
                max_size=60),
       st.integers(0, 12), st.integers(0, 13), st.integers(0, 10),
       st.dictionaries(st.integers(0, 30), st.integers(0, 10)))
def test_hazard_index_finds_what_a_scan_finds(
    steps: list[tuple[bool, int, int, str, int]], first: int, end: int, since: int,
    report_start: dict[int, int],
) -> None:
    """Adds and clears in any order: the hazards below a candidate range are those of the
    customers hanging there (each keeps the candidate of its first hazard), reported
    since `since` or within the customer's open report."""
    index, of, where, latest = HazardIndex(), {}, {}, {}  # type: ignore[var-annotated]
    for add, customer, candidate, hazard, when in steps:
        if add:
            index.add(customer, candidate, hazard, float(when))
            of.setdefault(customer, set()).add(hazard)
            where.setdefault(customer, candidate)
            latest[customer] = max(when, latest.get(customer, when))
        else:
            index.clear(customer)
            of.pop(customer, None)
            where.pop(customer, None)
            latest.pop(customer, None)
    start = {c: float(t) for c, t in report_start.items()}
    expected = {h for c, hs in of.items() if first <= where[c] < end
                and (latest[c] >= since or start.get(c, math.inf) <= latest[c]) for h in hs}
    found = index.below(first, end, float(since), lambda c: start.get(c, math.inf))
    assert found == expected
    assert index.below(first, end) == {h for c, hs in of.items() if first <= where[c] < end
                                       for h in hs}
    assert all(index.of(c) == tuple(sorted(of.get(c, ()))) for c in range(31))
    assert sorted(index.older_than(float(since))) == sorted(c for c, t in latest.items()
                                                            if t < since)


def test_clearing_checked_reports_is_logged_and_replays(feeder: Network) -> None:
    """The desk's clear_reports forgets the reports (and hazard); it survives the log's
    JSON round trip; a customer inside a live outage is refused."""
    clear = {"type": "dispatcher", "time": at(5), "action": "clear_reports",
             "customer_ids": ["A2.1"]}
    engine = run(feeder, [*NEIGHBOURS_ON, LONE_HAZARD_CALL, clear])
    assert open_reports(engine) == []
    assert engine.hazards.of(feeder.customers.index["a2.1"]) == ()
    logged = event_to_json(engine.check(parse_event(clear)))
    assert "outage_id" not in logged and parse_event(logged).customer_ids == ("a2.1",)
    engine = run(feeder, [call("b1.1", 1), call("b1.2", 2), call("b1.3", 3)])
    with pytest.raises(EventError, match="live outage"):
        engine.apply(parse_event({**clear, "customer_ids": ["b1.1"]}))
    with pytest.raises(EventError, match="needs customer_ids"):
        parse_event({**clear, "customer_ids": []})


def test_scenarios_report_hazards_only_when_asked(feeder: Network) -> None:
    """`hazard_share` puts wire downs on that share of calls; by default there are none,
    and the other draws are the same as without it."""
    builder = ScenarioBuilder(feeder)
    plain = builder.build(ScenarioParams(kind="storm", outages=3, call_rate=0.5), seed=4)
    assert not any("hazard" in e for e in plain.events)
    hazards = builder.build(ScenarioParams(kind="storm", outages=3, call_rate=0.5,
                                           hazard_share=0.5), seed=4)
    calls = [e for e in hazards.events if e["type"] == "call"]
    assert 0.2 < sum("hazard" in e for e in calls) / len(calls) < 0.8
    assert [t.device_id for t in hazards.truth] == [t.device_id for t in plain.truth]


def test_a_wire_down_reported_during_the_outer_outage_stays_with_the_nested_one(
    feeder: Network,
) -> None:
    """a3.3 reported the wire down while the whole lateral was out; the fuse is closed,
    a3 is still out: the nested outage carries the hazard (the restored one keeps it)."""
    events = [call(c, i, **({"hazard": "wire_down"} if c == "a3.3" else {}))
              for i, c in enumerate(["a1.1", "a2.2", "a3.3", "a1.4", "a2.6"])]
    events += [device("fuse.a", 60, "closed", "crew"), call("a3.1", 70), call("a3.2", 72)]
    engine = run(feeder, events)
    [restored] = [o for o in engine.outages() if not o.active]
    assert restored.device_id == "fuse.a" and restored.hazards == {"wire_down"}
    assert live(engine)["transformer.a3"].hazards == {"wire_down"}
    # A day later the hazard is no one's: it does not attach to a new outage there.
    later = [*events, device("transformer.a3", 120, "closed", "crew"),
             call("a3.3", 60 * 30), call("a3.4", 60 * 30 + 1), call("a3.5", 60 * 30 + 2),
             device("transformer.a2", 60 * 30 + 5, "closed", "crew")]
    engine = run(feeder, later)
    assert live(engine)["transformer.a3"].hazards == set()
