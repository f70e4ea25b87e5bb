"""An evaluator's check of the prediction, independent of the harness's scenario generator.

    .venv/bin/python bench/outage/evaluator_check.py --networks ieee8500 mv_oberrhein \
        simbench_urban --outages 1 20 --seeds 2

Written as a third party might score `oms replay`: devices drawn among all devices alike
(or a kind first, `--pick kind`), none above or below another; each customer out calls
at the call rate at a time drawn evenly over the hour after the onset; 5 % of the calls
from customers with power at any time in the first two hours; last gasps at the meter
delivery; no device events and no restoration. The replayed live outages are scored
against the devices someone reported (right when the customer sets are equal), for the
probabilistic engine and the classic rules (`outage.evaluate`'s scores). Nothing here is
shared with `outage/simulate.py` but the network's candidate tree (which customers a device
feeds) and the kinds of device that operate.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from harness import NETWORKS  # the named networks (this folder is on the path)
from tqdm import tqdm

from gis.io import load_network
from outage.engine import OutageEngine
from outage.evaluate import customer_score, device_score
from outage.events import parse_event
from outage.predict import Predictor
from outage.rules import RulePredictor
from outage.simulate import ScenarioBuilder, ScenarioParams

KINDS = set(ScenarioParams().device_kinds)  # the kinds of device that operate
ONSET = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
FALSE_SHARE = 0.05


def draw(sets: dict[int, frozenset[str]], kinds: dict[int, str], customers: list[str],
         rng: np.random.Generator, outages: int, call_rate: float, delivery: float,
         pick: str) -> tuple[list[int], list[dict[str, Any]]]:
    """The devices that operate and the events they cause (in time order)."""
    chosen: list[int] = []
    devices = sorted(sets)
    by_kind = {k: [c for c in devices if kinds[c] == k] for k in sorted(set(kinds.values()))}
    for _ in range(100 * outages):
        if len(chosen) == outages:
            break
        pool = by_kind[list(by_kind)[rng.integers(len(by_kind))]] if pick == "kind" else devices
        c = int(pool[rng.integers(len(pool))])
        if all(not sets[c] & sets[o] for o in chosen):
            chosen.append(c)
    events: list[dict[str, Any]] = []
    out: set[str] = set()
    for c in chosen:
        onset = ONSET + timedelta(minutes=float(rng.uniform(0, 60)))
        for customer in sorted(sets[c]):
            out.add(customer)
            if rng.random() < call_rate:
                events.append({"type": "call", "customer_id": customer, "channel": "ivr",
                               "time": onset + timedelta(minutes=float(rng.uniform(0, 60)))})
            if rng.random() < delivery:
                events.append({"type": "meter", "customer_id": customer, "state": "off",
                               "time": onset + timedelta(seconds=float(rng.uniform(0, 30)))})
    powered = [c for c in customers if c not in out]
    calls = sum(1 for e in events if e["type"] == "call")
    for _ in range(int(rng.poisson(calls * FALSE_SHARE / (1 - FALSE_SHARE))) if powered else 0):
        events.append({"type": "call", "customer_id": powered[rng.integers(len(powered))],
                       "channel": "web",
                       "time": ONSET + timedelta(minutes=float(rng.uniform(0, 120)))})
    events.sort(key=lambda e: e["time"])
    for e in events:
        e["time"] = e["time"].isoformat()
    return chosen, events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="+", default=["ieee8500", "mv_oberrhein",
                                                          "simbench_urban"])
    parser.add_argument("--outages", nargs="+", type=int, default=[1, 20])
    parser.add_argument("--call-rates", nargs="+", type=float, default=[0.1, 0.2, 0.3])
    parser.add_argument("--deliveries", nargs="+", type=float, default=[0.0, 0.3, 0.8])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--pick", choices=["device", "kind"], default="device")
    args = parser.parse_args(argv)
    engines = {"probabilistic": Predictor, "classic": RulePredictor}
    print(f"| network | outages | AMI | {' | '.join(engines)} (device / customer F1) |")
    print("|---|---:|---:|" + "---:|" * len(engines))
    for name in args.networks:
        spec, extra = NETWORKS.get(name, (name, []))
        network = load_network(spec, extra) if extra else load_network(spec)
        builder = ScenarioBuilder(network)
        tree, ids = builder.tree, network.customers.ids
        sets = {c: frozenset(ids[i] for i in builder.customers_of(c).tolist())
                for c in range(len(tree)) if tree.kind[c] in KINDS and tree.service_points[c]}
        kinds = {c: tree.kind[c] for c in sets}
        cells = list(itertools.product(args.outages, args.deliveries, args.call_rates,
                                       range(args.seeds)))
        scores: dict[tuple[int, float, str], list[tuple[float, float]]] = {}
        for outages, delivery, rate, seed in tqdm(cells, desc=name, file=sys.stderr):
            rng = np.random.default_rng([seed, outages, round(rate * 100), round(delivery * 100)])
            chosen, events = draw(sets, kinds, list(ids), rng, outages, rate, delivery, args.pick)
            reported = {e["customer_id"] for e in events}
            truth = [sets[c] for c in chosen if sets[c] & reported]
            for label, predictor in engines.items():
                engine = OutageEngine(network, predictor=predictor)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    for event in events:
                        engine.apply(parse_event(event))
                    engine.settle()
                shown = [frozenset(engine.customer_ids_of(o)) for o in engine.outages()
                         if o.active]
                scores.setdefault((outages, delivery, label), []).append(
                    (device_score(shown, truth).f1, customer_score(shown, truth).f1))
        for outages, delivery in itertools.product(args.outages, args.deliveries):
            row = [" / ".join(f"{statistics.mean(s[k] for s in scores[(outages, delivery, e)]):.3f}"
                              for k in (0, 1)) for e in engines]
            print(f"| {name} | {outages} | {delivery:.0%} | {' | '.join(row)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
