"""Import the IEEE 8500-node feeder from OpenDSS and trace its topology.

    .venv/bin/python bench/gis/bench_ieee8500.py [--repeat 3]

Each repeat runs in a fresh child process so its peak RSS (``ru_maxrss``) is its
own; the import needs the ``opendss`` extra. Results go to
``bench/gis/results/ieee8500.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CASE = Path("/work/shared/networks/ieee8500/IEEETestCases/8500-Node")
RESULTS = Path(__file__).parent / "results"


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(case: Path) -> dict[str, Any]:
    """Import, then trace; seconds and peak RSS after each stage."""
    from gis.io import load_network
    from gis.topology import Topology

    import_rss = peak_rss_mb()
    t0 = time.perf_counter()
    net = load_network(case / "Master.dss", [case / "Fuses.DSS"])
    t1 = time.perf_counter()
    loaded_rss = peak_rss_mb()
    topo = Topology(net)
    t2 = time.perf_counter()
    return {
        "elements": {"buses": len(net.buses.ids), "branches": len(net.branches.ids),
                     "devices": len(net.devices.ids), "customers": len(net.customers.ids),
                     "feeders": len(topo.feeder_ids), "problems": len(topo.problems())},
        "seconds": {"import_s": round(t1 - t0, 2), "topology_s": round(t2 - t1, 3)},
        "peak_rss_mb": {"after_imports": round(import_rss), "after_load": round(loaded_rss),
                        "after_topology": round(peak_rss_mb())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=Path, default=CASE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULTS / "ieee8500.json")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_one(args.case)))
        return 0
    runs = []
    for _ in range(args.repeat):
        child = [sys.executable, __file__, "--child", "--case", str(args.case)]
        out = subprocess.run(child, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["seconds"]["import_s"])
    result = {"case": str(args.case), "memory": "ru_maxrss (peak RSS of the child process)",
              "best": best, "runs": runs}
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
