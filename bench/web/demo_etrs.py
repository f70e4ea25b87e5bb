"""What customers are told of their restoration: the ETRs of the demo storm, against when
the power came back, with the plan's ETRs and with the model's alone.

    .venv/bin/python bench/web/demo_etrs.py [--network NET] [--seeds 2026 2027 2028]

In process, `oms serve --demo`'s storm (its crews drive, repair in 0.6-1.3 times the
planned time, and restore) stepped to its end at `--speed` (600x: the planner's search,
cut to 0.3 s, takes three simulated minutes, as a second's search takes at 180x). Every
step, each live outage's ETR is read as a status page would show it. For
each outage restored, over the time it was live: how far its ETR was from the restoration
(mean absolute, minutes, weighted by time shown), the share of that time the ETR shown
had already been missed or would be (the power came back after it), and how many times
it changed — and how often as customers are told it, to the quarter hour (each such
change is a text to its subscribers).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dispatch.from_outages import round_up  # noqa: E402
from web import create_app  # noqa: E402
from web.cli import demo_config  # noqa: E402
from web.demo import Demo  # noqa: E402

WALL_LIMIT = 900.0  # seconds of real time per run


def run(network: str | None, seed: int, plan_etrs: bool, speed: float) -> dict[str, float]:
    """One demo storm to its end; the ETR figures of its restored outages."""
    args = argparse.Namespace(network=network, seed=seed, speed=speed,
                              db=f"sqlite:///{tempfile.mkdtemp(prefix='oms-etr-')}/e.db")
    config = demo_config(args)
    app = create_app({**config, "PLAN_TIME_LIMIT": 0.3, "SECRET_KEY": "bench",
                      "PLAN_ETRS": plan_etrs})
    live = app.extensions["oms_live"]
    demo = Demo(live, config["CLOCK"], config["PINGER"], config["ROADS"],
                ivr=config["CALLBACK"], seed=seed)
    engine = live.service.engine
    shown: dict[str, list[tuple[datetime, datetime | None]]] = {}
    started = time.monotonic()
    while time.monotonic() - started < WALL_LIMIT:
        demo.step()
        now = live.now()
        with live.lock:
            for outage in engine.book.live():
                shown.setdefault(outage.id, []).append((now, outage.etr))
        if not demo.queue and not demo.later and len(demo.fixed) == len(demo.truth) \
                and not engine.book.live():
            break
        time.sleep(0.02)
    live.planner.stop()
    errors, missed, changes, told_changes, weights = [], [], [], [], []
    for outage_id, samples in shown.items():
        outage = engine.book.outages[outage_id]
        if outage.restored is None or len(samples) < 2:
            continue
        for (t, etr), (t_next, _) in itertools.pairwise(samples):
            if etr is None:
                continue
            weight = (t_next - t).total_seconds()
            errors.append(abs((etr - outage.restored).total_seconds()) / 60 * weight)
            missed.append(weight if etr < outage.restored else 0.0)
            weights.append(weight)
        shown = [etr for _, etr in samples]
        changes.append(sum(1 for a, b in itertools.pairwise(shown) if a != b))
        told = [round_up(etr) if etr else None for etr in shown]
        told_changes.append(sum(1 for a, b in itertools.pairwise(told) if a != b))
    live.store.close()
    total = sum(weights) or 1.0
    return {"outages": len(changes), "mae": sum(errors) / total, "missed": sum(missed) / total,
            "changes": statistics.mean(changes) if changes else 0.0,
            "told": statistics.mean(told_changes) if told_changes else 0.0,
            "wall": time.monotonic() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default=None, help="default: the sample territory")
    parser.add_argument("--seeds", type=int, nargs="+", default=[2026, 2027, 2028])
    parser.add_argument("--speed", type=float, default=600.0)
    args = parser.parse_args()
    print("| ETRs | seed | outages restored | mean error | time shown already missed "
          "| changes per outage | told to customers | wall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for plan_etrs in (False, True):
        for seed in args.seeds:
            r = run(args.network, seed, plan_etrs, args.speed)
            print(f"| {'plan' if plan_etrs else 'model'} | {seed} | {r['outages']} | "
                  f"{r['mae']:.0f} min | {r['missed']:.0%} | {r['changes']:.1f} | "
                  f"{r['told']:.1f} | "
                  f"{r['wall']:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
