"""Build synthetic utilities of 10k–1M customers and time the topology queries.

    nice .venv/bin/python bench/gis/bench_scale.py                # 10k, 100k, 1M
    .venv/bin/python bench/gis/bench_scale.py --sizes 10000       # one size

Each size runs in a fresh child process so its peak RSS (``ru_maxrss``, which
includes the interpreter and imports) is its own. Results go to
``bench/gis/results/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from gis.model import DEVICE_KINDS, DeviceKind, Network
from gis.synthetic_skeleton import build_network
from gis.topology import Topology

RESULTS = Path(__file__).parent / "results"
SIZES = (10_000, 100_000, 1_000_000)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def latency(samples: list[Any], query: Callable[[Any], object]) -> dict[str, float]:
    """p50 / p99 / mean of one query over the samples, in microseconds."""
    clock = time.perf_counter_ns
    out = np.empty(len(samples))
    for i, sample in enumerate(samples):
        start = clock()
        query(sample)
        out[i] = clock() - start
    us = out / 1000
    return {"p50_us": round(float(np.percentile(us, 50)), 2),
            "p99_us": round(float(np.percentile(us, 99)), 2),
            "mean_us": round(float(us.mean()), 2), "n": len(samples)}


def build(size: int, seed: int) -> tuple[Network, Topology, dict[str, float]]:
    """Generate, build and trace, timing each stage separately."""
    from gis import synthetic

    rng = np.random.default_rng(seed)
    params = synthetic.SynthParams()
    t0 = time.perf_counter()
    skeleton = synthetic.radial_skeleton(size, rng, params)
    t1 = time.perf_counter()
    net = build_network(skeleton, f"synthetic-{size}", synthetic.DEFAULT_CENTER, rng,
                        params.devices)
    t2 = time.perf_counter()
    topo = Topology(net)
    t3 = time.perf_counter()
    return net, topo, {"generate_s": round(t1 - t0, 2), "build_s": round(t2 - t1, 2),
                       "topology_s": round(t3 - t2, 2), "total_s": round(t3 - t0, 2)}


def query_latencies(net: Network, topo: Topology, n: int, seed: int) -> dict[str, Any]:
    """The lookups an outage engine makes per call or meter message."""
    rng = np.random.default_rng(seed)
    cust_ids = [net.customers.ids[c] for c in rng.integers(0, len(net.customers.ids), n)]
    dev_ids = [net.devices.ids[d] for d in rng.integers(0, len(net.devices.ids), n)]
    bus_of = net.customers.bus
    pairs = list(zip([int(bus_of[net.customer_index(c)]) for c in cust_ids],
                     [net.element_branch(d) for d in dev_ids], strict=True))

    def up_protective(cid: str) -> str:
        return str(net.devices.ids[topo.up_protective[bus_of[net.customer_index(cid)]]])

    return {
        "up_protective_from_customer_id": latency(cust_ids, up_protective),
        "downstream_customer_count_from_device_id": latency(
            dev_ids, lambda d: topo.downstream_customer_count(net.element_branch(d))),
        "is_downstream": latency(pairs, lambda p: topo.is_downstream(p[0], p[1])),
        "upstream_branches_from_customer_id": latency(
            cust_ids, lambda c: topo.upstream_branches(int(bus_of[net.customer_index(c)]))),
        "upstream_protective_devices": latency(
            cust_ids[: n // 10],
            lambda c: topo.upstream_devices(int(bus_of[net.customer_index(c)]),
                                            protective_only=True)),
    }


def retrace_times(net: Network, topo: Topology, n: int, seed: int) -> dict[str, Any]:
    """Close then re-open tie switches, and open then close reclosers."""
    rng = np.random.default_rng(seed)
    ties = np.flatnonzero(net.devices.normally_open).tolist()
    recloser = DEVICE_KINDS.index(DeviceKind.RECLOSER)
    reclosers = np.flatnonzero(net.devices.kind == recloser).tolist()
    out: dict[str, Any] = {}
    for label, devices, first in (("tie", ties, False), ("recloser", reclosers, True)):
        chosen = [net.devices.ids[d] for d in rng.choice(devices, min(n, len(devices)), False)]
        there, back = ("open", "close") if first else ("close", "open")
        out[f"{label}_{there}"] = _ms(_switch(topo, chosen, first))
        out[f"{label}_{back}"] = _ms(_switch(topo, chosen, not first))
    return out


def _switch(topo: Topology, devices: list[str], is_open: bool) -> dict[str, float]:
    return latency(devices, lambda d: topo.set_device_open(d, is_open))


def _ms(stats: dict[str, float]) -> dict[str, float]:
    return {"p50_ms": round(stats["p50_us"] / 1000, 2), "p99_ms": round(stats["p99_us"] / 1000, 2),
            "mean_ms": round(stats["mean_us"] / 1000, 2), "n": stats["n"]}


def run_one(size: int, queries: int, seed: int) -> dict[str, Any]:
    """Everything for one size, in this process."""
    import_rss = peak_rss_mb()
    net, topo, seconds = build(size, seed)
    built_rss = peak_rss_mb()
    return {
        "customers": size,
        "seed": seed,
        "elements": {"buses": len(net.buses.ids), "branches": len(net.branches.ids),
                     "devices": len(net.devices.ids), "feeders": len(topo.feeder_ids),
                     "substations": len(net.sources.ids)},
        "seconds": seconds,
        "peak_rss_mb": {"after_imports": round(import_rss), "after_build": round(built_rss)},
        "queries": query_latencies(net, topo, queries, seed + 1),
        "retrace": retrace_times(net, topo, 20, seed + 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_one(args.sizes[0], args.queries, args.seed)))
        return 0
    runs = []
    for size in args.sizes:
        child = [sys.executable, __file__, "--child", "--sizes", str(size),
                 "--queries", str(args.queries), "--seed", str(args.seed)]
        result = json.loads(subprocess.run(child, check=True, capture_output=True,
                                           text=True).stdout)
        print(json.dumps(result, indent=1), flush=True)
        runs.append(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "machine": platform.machine(),
               "cpus": _cpus(), "memory": "ru_maxrss (peak RSS of the child process)"}
    args.out.write_text(json.dumps({"machine": machine, "runs": runs}, indent=1) + "\n")
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    raise SystemExit(main())
