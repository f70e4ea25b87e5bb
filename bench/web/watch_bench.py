"""What status pages left open cost each event: submit latency with W customers watched.

    .venv/bin/python bench/web/watch_bench.py [--watched 0 1000 6256] [--events 600]

In process (no HTTP): the sample territory's app, W status pages open on W customers
(Socket.IO connections as `LiveState.watch_page` records them), then a seeded storm's
first events submitted one by one through `LiveState.submit` (log, engine, relay to
every room). Each submit holds the engine's lock while the watched customers' statuses
are looked at again, so its latency is what every other request waits behind.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gis.io import load_network  # noqa: E402
from outage.simulate import ScenarioBuilder, ScenarioParams  # noqa: E402
from web import create_app  # noqa: E402


def run(watched: int, events: int) -> dict[str, float]:
    """Submit latencies (ms) with `watched` status pages open."""
    network = load_network(ROOT / "sample_data" / "territory.gpkg")
    config = {"TESTING": True, "NETWORK": network, "USERS": [], "CREWS": [],
              "EVENT_LOG": f"sqlite:///{tempfile.mkdtemp(prefix='oms-watch-')}/events.db",
              "PLANNER_BACKGROUND": False}
    live = create_app(config).extensions["oms_live"]
    ids = list(network.customers.ids)
    for k in range(watched):
        live.watch_page(f"page-{k}", ids[k * len(ids) // max(watched, 1)])
    storm = ScenarioBuilder(network).build(
        ScenarioParams(kind="storm", outages=12, start=datetime.now(UTC)), 7)
    stream = [e for e in storm.events if e["type"] != "device"][:events]
    latencies = []
    for event in stream:
        data = {k: v for k, v in event.items() if k != "time"}  # stamped by the server
        t0 = time.perf_counter()
        live.submit(data)
        latencies.append((time.perf_counter() - t0) * 1000)
    live.store.close()
    cuts = statistics.quantiles(latencies, n=100)
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "mean": statistics.mean(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watched", type=int, nargs="+", default=[0, 1000, 6256])
    parser.add_argument("--events", type=int, default=600)
    args = parser.parse_args()
    print("| status pages open | events | mean | p50 | p95 | p99 |")
    print("|---:|---:|---:|---:|---:|---:|")
    for watched in args.watched:
        r = run(watched, args.events)
        print(f"| {watched:,} | {args.events} | {r['mean']:.1f} ms | {r['p50']:.1f} ms | "
              f"{r['p95']:.1f} ms | {r['p99']:.1f} ms |", flush=True)


if __name__ == "__main__":
    main()
