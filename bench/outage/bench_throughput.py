"""Replay throughput of the outage engine on a synthetic utility, under a large storm.

    .venv/bin/python bench/outage/bench_throughput.py --customers 1000000

Builds the utility, draws a seeded storm (hundreds of device operations across
kinds, calls at 30% with 5% false calls, last gasps and power restores at 80%
delivery), then applies every event through the same `OutageEngine.apply` the
live system uses, timing each one. Reports events/s, per-event p50/p99/max, the
storm's wall time and peak memory (ru_maxrss of this process).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

from gis.io import save_network
from gis.synthetic import synthesize_utility
from outage.engine import OutageEngine
from outage.events import parse_event
from outage.simulate import ScenarioBuilder, ScenarioParams

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--outages", type=int, default=0, help="default: customers / 1700")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "bench/outage/results/throughput.json")
    parser.add_argument("--write-files", type=Path, default=None, metavar="DIR",
                        help="also save DIR/network.gpkg and DIR/storm.jsonl, to time "
                             "`oms replay` end to end")
    args = parser.parse_args(argv)
    figures: dict[str, float] = {"customers": args.customers}

    t = time.perf_counter()
    network = synthesize_utility(args.customers, seed=args.seed)
    figures["build_network_s"] = time.perf_counter() - t
    t = time.perf_counter()
    engine = OutageEngine(network)
    figures["engine_init_s"] = time.perf_counter() - t

    t = time.perf_counter()
    outages = args.outages or max(args.customers // 1700, 5)
    params = ScenarioParams(kind="storm", outages=outages, call_rate=0.3, meter_delivery=0.8,
                            storm_minutes=240)
    scenario = ScenarioBuilder(network).build(params, seed=args.seed)
    events = [parse_event(e) for e in scenario.events]
    figures["generate_storm_s"] = time.perf_counter() - t
    if args.write_files is not None:
        args.write_files.mkdir(parents=True, exist_ok=True)
        save_network(network, args.write_files / "network.gpkg")
        with (args.write_files / "storm.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(e) + "\n" for e in scenario.events)
    figures["true_outages"] = len(scenario.truth)
    figures["customers_out"] = sum(len(o.customers) for o in scenario.truth)
    figures["calls"] = sum(1 for e in events if e.type == "call")
    figures["meter_messages"] = sum(1 for e in events if e.type == "meter")
    figures["events"] = len(events)

    durations = np.empty(len(events))
    clock = time.perf_counter_ns
    started = time.perf_counter()
    for k, event in enumerate(events):
        t0 = clock()
        with contextlib.suppress(ValueError):  # refused events are part of real streams
            engine.apply(event)
        durations[k] = clock() - t0
    figures["replay_s"] = time.perf_counter() - started
    figures["events_per_s"] = len(events) / figures["replay_s"]
    figures["p50_ms"] = float(np.percentile(durations, 50) / 1e6)
    figures["p99_ms"] = float(np.percentile(durations, 99) / 1e6)
    figures["max_ms"] = float(durations.max() / 1e6)
    figures["predicted_outages"] = len(engine.outages())
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rounded = {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rounded, indent=1))
    print(json.dumps(rounded, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
