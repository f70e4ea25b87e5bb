"""`oms replay` on public networks of every source format, as an evaluator would run it.

Each network is named as `oms replay --network` takes it (a pandapower or SimBench spec,
an OpenDSS master file); a seeded scenario's events go through the command, and the
outages it writes are held against the scenario's truth. Crews close every faulted
device in these scenarios and no call is false, so by the end every outage anyone
reported must be on record with exactly its customers, and nothing else may be.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gis.io import load_network
from oms.cli import main
from outage.simulate import ScenarioBuilder, ScenarioParams

from ..data import IEEE123

NETWORKS = [
    # MV with load-break switches, LV with a fuse per house, two voltage levels with
    # transformers and breakers, an LV grid from SimBench with a switch at each line end,
    # lines and loads only (losses of supply), and an OpenDSS feeder.
    ("pandapower:create_cigre_network_mv", "storm", 3),
    ("pandapower:create_cigre_network_lv", "storm", 3),
    ("pandapower:example_multivoltage", "nested", 1),
    ("simbench:1-LV-rural1--0-sw", "storm", 5),
    ("pandapower:case33bw", "single", 1),
    pytest.param(str(IEEE123), "storm", 5, marks=pytest.mark.skipif(
        not IEEE123.is_file(), reason="shared/networks not present")),
]


@pytest.mark.parametrize(("spec", "kind", "outages"), NETWORKS)
def test_replay_names_every_reported_outage_on_a_public_network(
        spec: str, kind: str, outages: int, tmp_path: Path) -> None:
    builder = ScenarioBuilder(load_network(spec))
    scenario = builder.build(ScenarioParams(kind=kind, outages=outages, call_rate=0.3,
                                            meter_delivery=0.5, false_call_share=0.0), seed=7)
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e) + "\n" for e in scenario.events), encoding="utf-8")
    out = tmp_path / "result.json"

    assert main(["replay", "--network", spec, "--events", str(events), "--out", str(out)]) == 0

    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["stats"]["rejected"] == 0
    recorded = [frozenset(o["customer_ids"]) for o in result["outages"]]
    assert all(o["status"] == "restored" for o in result["outages"])
    truth = {t.customers for t in scenario.truth}
    reported = {c for e in scenario.events if e["type"] == "call" or e.get("state") == "off"
                for c in [e.get("customer_id") or ""]}
    reported |= set(scenario.callers.values())  # location-only calls: their true callers
    told = {t.customers for t in scenario.truth if t.customers & reported}
    assert told, "the scenario should have someone report"
    assert told <= set(recorded), f"missing: {[sorted(t)[:3] for t in told - set(recorded)]}"
    assert set(recorded) <= truth, f"wrong: {[sorted(r)[:3] for r in set(recorded) - truth]}"
    assert len(recorded) == len(set(recorded))  # one record per outage
