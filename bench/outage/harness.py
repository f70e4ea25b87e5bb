"""Evaluation harness for the prediction engine: seeded scenarios on real networks.

For every network × scenario kind × call rate × meter delivery, it draws seeded
scenarios (`outage.simulate`), replays their events through the probabilistic
engine and through the classic-rule baseline (`outage.rules`), and reports
device-level precision/recall/F1, customer-level F1, and the reports needed until
the right prediction. Run from the repository root:

    .venv/bin/python bench/outage/harness.py            # full grid, ~10 min
    .venv/bin/python bench/outage/harness.py --quick    # fewer seeds and networks
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from gis import Network
from gis.io import load_network
from outage.engine import OutageEngine
from outage.evaluate import customer_score, device_score
from outage.events import parse_event
from outage.predict import Predictor
from outage.records import Outage
from outage.rules import RulePredictor
from outage.scoring import PredictionParams
from outage.simulate import Scenario, ScenarioBuilder, ScenarioParams

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "networks"
NETWORKS: dict[str, tuple[str, list[str]]] = {
    "ieee8500": (str(SHARED / "ieee8500/IEEETestCases/8500-Node/Master.dss"),
                 [str(SHARED / "ieee8500/IEEETestCases/8500-Node/Fuses.DSS")]),
    "ieee123": (str(SHARED / "ieee123/IEEETestCases/123Bus/IEEE123Switches.dss"), []),
    "mv_oberrhein": ("pandapower:mv_oberrhein", []),
    "simbench_urban": ("simbench:1-MVLV-urban-all-0-sw", []),
    "territory": (str(ROOT / "sample_data/territory.gpkg"), []),
}
KINDS = {"single": ("single", 1), "storm": ("storm", 20), "nested": ("nested", 1)}


@dataclass
class Tally:
    device_p: list[float] = field(default_factory=list)
    device_r: list[float] = field(default_factory=list)
    device_f1: list[float] = field(default_factory=list)
    customer_f1: list[float] = field(default_factory=list)
    reports_needed: list[int] = field(default_factory=list)
    reported_recall: list[float] = field(default_factory=list)

    def row(self) -> dict[str, float]:
        mean = statistics.fmean
        return {
            "device_precision": round(mean(self.device_p), 3),
            "device_recall": round(mean(self.device_r), 3),
            "device_f1": round(mean(self.device_f1), 3),
            "customer_f1": round(mean(self.customer_f1), 3),
            "recall_of_reported": (round(mean(self.reported_recall), 3)
                                   if self.reported_recall else None),
            "reports_needed_median": (statistics.median(self.reports_needed)
                                      if self.reports_needed else None),
        }


def run_one(network: Network, scenario: Scenario, predictor: type[Predictor],
            params: PredictionParams | None = None) -> dict[str, Any]:
    """Replay one scenario; score the outages it ends with."""
    engine = OutageEngine(network, params, predictor=predictor)
    truth = {t.customers: t for t in scenario.truth}
    found: dict[frozenset[str], int] = {}
    reports = {key: 0 for key in truth}
    owner = {c: key for key in truth for c in key}

    def seen(outage: Outage) -> None:
        if outage.active:
            key = frozenset(engine.customer_ids_of(outage))
            if key in truth and key not in found:
                found[key] = reports[key]

    engine.subscribe(seen)
    for data in scenario.events:
        event = parse_event(data)
        key = owner.get(data.get("customer_id", ""))
        if key is not None and (data["type"] == "call" or data.get("state") == "off"):
            reports[key] += 1
        with contextlib.suppress(ValueError):  # e.g. an address far from any meter
            engine.apply(event)
    predicted = [frozenset(engine.customer_ids_of(o)) for o in engine.outages()]
    reported = [key for key in truth if reports[key] > 0]  # outages anyone could see
    return {
        "device": device_score(predicted, truth),
        "reported_recall": device_score(predicted, reported).recall if reported else None,
        "customer": customer_score(predicted, truth),
        "reports_needed": list(found.values()),
    }


def evaluate(
    names: list[str], seeds: int, call_rates: list[float], deliveries: list[float],
    progress: Callable[[int], None], params: PredictionParams | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for name in names:
        source, extra = NETWORKS[name]
        network = load_network(source, [Path(p) for p in extra])
        builder = ScenarioBuilder(network)
        for label, (kind, outages) in KINDS.items():
            for rate in call_rates:
                for delivery in deliveries:
                    tallies = {"probabilistic": Tally(), "classic": Tally()}
                    scenario_params = ScenarioParams(kind=kind, outages=outages, call_rate=rate,
                                                     meter_delivery=delivery)
                    for seed in range(seeds):
                        try:
                            scenario = builder.build(scenario_params, seed)
                        except ValueError:
                            continue  # e.g. no nested pair in this network
                        for engine_name, predictor in (("probabilistic", Predictor),
                                                       ("classic", RulePredictor)):
                            result = run_one(network, scenario, predictor, params)
                            tally = tallies[engine_name]
                            tally.device_p.append(result["device"].precision)
                            tally.device_r.append(result["device"].recall)
                            tally.device_f1.append(result["device"].f1)
                            tally.customer_f1.append(result["customer"].f1)
                            tally.reports_needed += result["reports_needed"]
                            if result["reported_recall"] is not None:
                                tally.reported_recall.append(result["reported_recall"])
                        progress(1)
                    if tallies["probabilistic"].device_f1:
                        rows.append({"network": name, "scenario": label, "call_rate": rate,
                                     "meter_delivery": delivery,
                                     **{k: t.row() for k, t in tallies.items()}})
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| network | scenario | calls | AMI | device F1 (prob / classic) | "
            "precision | recall | recall of reported | customer F1 (prob / classic) | "
            "reports to right |")
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        p, c = r["probabilistic"], r["classic"]
        lines.append(
            f"| {r['network']} | {r['scenario']} | {r['call_rate']:.0%} | "
            f"{r['meter_delivery']:.0%} | {p['device_f1']:.2f} / {c['device_f1']:.2f} | "
            f"{p['device_precision']:.2f} | {p['device_recall']:.2f} | "
            f"{p['recall_of_reported'] if p['recall_of_reported'] is not None else '–'} | "
            f"{p['customer_f1']:.2f} / {c['customer_f1']:.2f} | "
            f"{p['reports_needed_median'] if p['reports_needed_median'] is not None else '–'} |"
        )
    return "\n".join(lines)


def summary(rows: list[dict[str, Any]]) -> str:
    def mean(engine: str, key: str, subset: list[dict[str, Any]]) -> float:
        return statistics.fmean(r[engine][key] for r in subset)

    out = []
    for label, subset in (("all", rows),
                          ("with AMI", [r for r in rows if r["meter_delivery"] > 0]),
                          ("calls only", [r for r in rows if r["meter_delivery"] == 0])):
        if subset:
            out.append(
                f"{label:>10}: device F1 {mean('probabilistic', 'device_f1', subset):.3f} "
                f"(classic {mean('classic', 'device_f1', subset):.3f}), customer F1 "
                f"{mean('probabilistic', 'customer_f1', subset):.3f} "
                f"(classic {mean('classic', 'customer_f1', subset):.3f})"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="*", default=list(NETWORKS))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="override a PredictionParams number, e.g. gasp_alpha=4")
    parser.add_argument("--kinds", nargs="*", default=list(KINDS))
    parser.add_argument("--out", type=Path, default=ROOT / "bench/outage/results/harness.json")
    args = parser.parse_args(argv)
    names = [n for n in args.networks if n in NETWORKS]
    call_rates, deliveries = [0.1, 0.2, 0.3], [0.0, 0.3, 0.8]
    if args.quick:
        names, args.seeds, call_rates = names[:2], min(args.seeds, 4), [0.1, 0.3]
    overrides = {k: float(v) for k, v in (p.split("=", 1) for p in args.param)}
    params = PredictionParams(**overrides) if overrides else None  # type: ignore[arg-type]
    for kind in list(KINDS):
        if kind not in args.kinds:
            del KINDS[kind]
    total = len(names) * len(KINDS) * len(call_rates) * len(deliveries) * args.seeds
    started = time.perf_counter()
    with warnings.catch_warnings(), tqdm(total=total, unit="scenario", file=sys.stderr) as bar:
        warnings.simplefilter("ignore")
        rows = evaluate(names, args.seeds, call_rates, deliveries, bar.update, params)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows, "seeds": args.seeds,
                                    "seconds": round(time.perf_counter() - started, 1)},
                                   indent=1))
    print(table(rows))
    print()
    print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
