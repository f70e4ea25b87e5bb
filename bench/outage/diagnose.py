"""Where the live view goes wrong, looked at closely: the harness's scenarios, with
each repair's errors taken apart. The analyses in FINDINGS.md ("Where the reports
point", the merges into a source, lone callers) were made this way.

    .venv/bin/python bench/outage/diagnose.py --networks mv_oberrhein --kinds storm
    .venv/bin/python bench/outage/diagnose.py --networks simbench_urban --kinds nested \\
        --seeds 2 --deliveries 0 --show 5

Just before each repair the harness scores (see `harness.LiveView`), every reported
true outage the crew is about to repair is classed by

- how the live view got it (right, missed, too high, too low, overlap);
- its role: alone, or the outer or inner device of a nested pair;
- how many of its customers had reported (1, 2, 3 or more), and whether what they
  reported points at its device (`harness.reports_point_at`) or below it.
  As the harness counts an outage told, an inner device's customers' reports from
  before the outer restoration count too: they point at it whatever came after;
- for "too high": whether the live outage over it holds other true outages too (a
  merge) or only customers with power.

Then the live outages that rest on one caller, by the age of the call: right, touching
a true outage, or over customers who all had power.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import warnings
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # the scenarios, the live view and its scores

from gis.io import load_network
from outage.engine import OutageEngine
from outage.predict import BELOW, Predictor
from outage.records import Outage
from outage.simulate import Scenario, ScenarioBuilder, ScenarioParams, TrueOutage


class CloseView(harness.LiveView):
    """The harness's live view, also classing each repair's errors (see the module)."""

    def __init__(self, engine: OutageEngine, scenario: Scenario,
                 head_end: harness.HeadEnd | None, ivr: harness.CallCenter | None) -> None:
        super().__init__(engine, scenario, head_end, ivr)
        self.classes: Counter[tuple[str, ...]] = Counter()
        self.lone: Counter[tuple[int, str]] = Counter()
        self.examples: list[str] = []

    def _score(self, when: datetime, device_id: str) -> None:
        super()._score(when, device_id)
        engine, scenario = self.engine, self.scenario
        outages = engine.book.live()
        live = {frozenset(engine.customer_ids_of(o)): o for o in outages}
        out_now = [t for t in scenario.truth if t.start <= when <= t.end
                   and harness.told(t, self.last_report, self.opened)]
        for t in harness.repaired_told(scenario, device_id, when, self.last_report,
                                       self.opened):
            kind = harness.error_kind(list(live), t.customers)
            reporters = [c for c in t.customers if self.last_report.get(c, t.start) > t.start]
            points = ("points at" if harness.reports_point_at(t, engine, self.last_report,
                                                              self.opened)
                      else "points below")
            detail = ""
            if kind == "too high":
                shown = max((s for s in live if s & t.customers), key=len)
                others = [u for u in out_now if u is not t and u.customers <= shown]
                detail = "merge" if others else "alone"
                outage = live[shown]
                powered = len(shown - frozenset().union(*(u.customers for u in out_now)))
                below = dict(engine.predictor.chances(outage.candidate)).get(BELOW, 0.0)
                self.examples.append(
                    f"too high ({detail}): true {t.device_id} ({len(t.customers)} customers, "
                    f"{len(reporters)} reported); shown {outage.device_id} ({len(shown)}, "
                    f"confidence {outage.confidence:.2f}, calls {outage.calls}, last gasps "
                    f"{outage.gasps}; the outages below it {below:.2f}) over {len(others)} "
                    f"other true outages and {powered} customers with power")
            elif kind == "too low":
                shown = max((s for s in live if s & t.customers), key=len)
                outage = live[shown]
                self.examples.append(
                    f"too low: true {t.device_id} ({len(t.customers)} customers, "
                    f"{len(reporters)} reported, {points}); shown {outage.device_id} "
                    f"({len(shown)}, confidence {outage.confidence:.2f}, calls {outage.calls}, "
                    f"last gasps {outage.gasps}); the true device "
                    f"{_chance_of(engine, outage, t.customers):.2f}")
            elif kind == "missed":
                self.examples.append(f"missed: true {t.device_id} ({len(t.customers)} "
                                     f"customers, {len(reporters)} reported, {points})")
            self.classes[(kind, _role(scenario.truth, t), _bucket(len(reporters)), points,
                          detail)] += 1
        truly = [t.customers for t in scenario.truth if t.start <= when <= t.end]
        for outage in outages:
            caller = engine._lone_caller(outage)
            if caller is None:
                continue
            hours = int((when.timestamp() - engine.reports.report_time[caller]) // 3600)
            customers = frozenset(engine.customer_ids_of(outage))
            verdict = ("right" if customers in truly else
                       "touching" if any(customers & t for t in truly) else "false")
            self.lone[(min(hours, 4), verdict)] += 1


def _chance_of(engine: OutageEngine, outage: Outage, customers: frozenset[str]) -> float:
    """The chance the engine gives the device above `outage` that has exactly these
    customers, as an alternative to it (0 when none is)."""
    ids = engine.network.customers.ids
    for what, chance in engine.predictor.chances(outage.candidate):
        if what >= 0 and frozenset(ids[i] for i in engine.customers_below(what)) == customers:
            return chance
    return 0.0


def _role(truth: list[TrueOutage], t: TrueOutage) -> str:
    if len(truth) != 2 or truth[0].start != truth[1].start:
        return "alone"  # a single outage, or one of a storm's
    return "outer" if t is truth[0] else "inner"


def _bucket(n: int) -> str:
    return "3+" if n >= 3 else str(n)


def replay(args: argparse.Namespace) -> list[CloseView]:
    """Every scenario the arguments ask for, replayed; the views that scored them."""
    views: list[CloseView] = []

    def keep(*made: Any) -> CloseView:
        views.append(CloseView(*made))
        return views[-1]

    kinds = {**harness.KINDS, **harness.OTHER_KINDS}
    for name in args.networks:
        source, extra = harness.NETWORKS.get(name, (name, []))
        network = load_network(source, [Path(p) for p in extra])
        builder = ScenarioBuilder(network)
        for kind, outages in (kinds[label] for label in args.kinds):
            for rate, delivery, seed in itertools.product(args.call_rates, args.deliveries,
                                                          range(args.seeds)):
                params = ScenarioParams(kind=kind, outages=outages, call_rate=rate,
                                        meter_delivery=delivery)
                try:
                    scenario = builder.build(params, seed)
                except ValueError:
                    continue  # no such scenario on this network
                harness.run_one(network, scenario, Predictor, make_view=keep)
    return views


def report(views: list[CloseView], show: int) -> str:
    """The tables, and up to `show` examples of each error."""
    classes: Counter[tuple[str, ...]] = Counter()
    lone: Counter[tuple[int, str]] = Counter()
    for view in views:
        classes.update(view.classes)
        lone.update(view.lone)
    lines = ["| how | role | reported | what they reported | too high: | outages |",
             "|---|---|---:|---|---|---:|"]
    lines += ["| " + " | ".join(key) + f" | {n} |" for key, n in sorted(classes.items())]
    lines += ["", "| live outage resting on one call, the call's age | right | touching | false |",
              "|---|---:|---:|---:|"]
    for hours in sorted({h for h, _ in lone}):
        age = f"{hours}+ h" if hours == 4 else f"{hours}–{hours + 1} h"
        lines.append(f"| {age} | " + " | ".join(str(lone[hours, v])
                                                for v in ("right", "touching", "false")) + " |")
    examples = [e for view in views for e in view.examples]
    for what in ("too high", "too low", "missed") if show else ():
        chosen = [e for e in examples if e.startswith(what)][:show]
        if chosen:
            lines.append(f"\n{what}:\n  " + "\n  ".join(chosen))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="*", default=["mv_oberrhein"])
    parser.add_argument("--kinds", nargs="*", default=["storm"],
                        choices=sorted({**harness.KINDS, **harness.OTHER_KINDS}))
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--call-rates", nargs="*", type=float, default=harness.CALL_RATES)
    parser.add_argument("--deliveries", nargs="*", type=float, default=harness.DELIVERIES)
    parser.add_argument("--show", type=int, default=0, help="examples of each error to print")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(report(replay(args), args.show))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
