"""Back-feeds through normally-open ties: what the board shows and what the records hold.

    .venv/bin/python bench/outage/bench_backfeed.py     # territory, IEEE 123, mv_oberrhein
    .venv/bin/python bench/outage/bench_backfeed.py --networks territory --per-tie 2

For every normally-open tie of each network, on each side of it, take the nearest
device on the way up from the tie (S, the switch a crew opens) and up to `--per-tie`
devices above it (B, the one that trips), each pair with customers between them. A
fault between B and S trips B at 12:00: meters gasp (80 % arrive), 20 % of the
customers call. A crew opens S at 12:40 to isolate the fault, the tie closes at 12:42
and S's section says it is back (80 % of restore messages); B closes at 15:00 and its
section says so. Scored per case, through the same `OutageEngine.apply` as the live
system:

- **board before B closes**: the live outages just before 15:00 are exactly B's
  section (B's customers but S's), by customer set;
- **back-fed shown back**: a minute after the tie closes, no customer of S's section is
  in a live outage (the status page says the power is on);
- **customer-minutes**: the records' sustained minutes per customer against the truth
  (S's section 12:00–12:42, the rest of B's 12:00–15:00), as the harness counts them;
- **one record for B**: at the end, a record holds exactly B's customers (S's section
  restored in a step of it, not a record of its own).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # the networks and the customer-minutes count of the harness

from gis import Network
from gis.io import load_network
from outage.engine import OutageEngine
from outage.events import Tick, parse_event
from outage.simulate import (
    STORM_START,
    Scenario,
    ScenarioBuilder,
    ScenarioParams,
    TrueOutage,
)

SWITCHING = {"switch", "recloser", "breaker", "sectionalizer", "fuse"}
T_OPEN, T_TIE, T_REPAIR = (timedelta(minutes=m) for m in (40, 42, 180))


def cases(builder: ScenarioBuilder, per_tie: int) -> list[tuple[str, int, int]]:
    """(tie, B, S) for each tie side with a switching device on its way up."""
    network, tree, sizes = builder.network, builder.tree, builder.tree.customers
    engine = OutageEngine(network)
    found = []
    for d, tie in enumerate(network.devices.ids):
        if not network.devices.normally_open[d]:
            continue
        branch = int(network.devices.branch[d])
        ends = (network.branches.from_bus[branch], network.branches.to_bus[branch])
        paths = [engine.candidates_above(int(bus)) for bus in ends]
        for side, full in enumerate(paths):
            path = [c for c in full if tree.kind[c] in SWITCHING]
            if len(path) < 2 or sizes[path[0]] == 0:
                continue
            s = path[0]
            # B must not feed the other end too: a tie between two points below B
            # restores nothing while B is open.
            above = [b for b in path[1:] if sizes[b] > sizes[s] and b not in paths[1 - side]]
            found += [(tie, b, s) for b in above[:per_tie]]
    return found


def events_of(builder: ScenarioBuilder, tie: str, b: int, s: int,
              rng: np.random.Generator) -> Scenario:
    network, tree = builder.network, builder.tree
    section = builder.customers_of(s)
    rest = np.setdiff1d(builder.customers_of(b), section)
    t0 = STORM_START
    scenario = Scenario(ScenarioParams(), 0)
    ids = network.customers.ids
    scenario.truth += [
        TrueOutage(b, tree.element_id[b], frozenset(ids[i] for i in rest), t0, t0 + T_REPAIR),
        TrueOutage(s, tree.element_id[s], frozenset(ids[i] for i in section), t0, t0 + T_TIE)]
    events: list[dict[str, Any]] = []

    def meter(i: int, when: Any, state: str) -> None:
        if rng.random() < 0.8:
            events.append({"type": "meter", "customer_id": ids[i], "state": state,
                           "time": when + timedelta(seconds=float(rng.uniform(1, 30)))})

    for i in builder.customers_of(b).tolist():
        meter(i, t0, "off")
        if rng.random() < 0.2:
            events.append({"type": "call", "customer_id": ids[i], "channel": "ivr",
                           "time": t0 + timedelta(minutes=float(rng.exponential(10)))})
    device = {"type": "device", "source": "crew"}
    events += [{**device, "device_id": tree.element_id[s], "state": "open", "time": t0 + T_OPEN},
               {**device, "device_id": tie, "state": "closed", "time": t0 + T_TIE},
               {**device, "device_id": tree.element_id[b], "state": "closed",
                "time": t0 + T_REPAIR}]
    for i in section.tolist():
        meter(i, t0 + T_TIE, "on")
    for i in rest.tolist():
        meter(i, t0 + T_REPAIR, "on")
    events.sort(key=lambda e: e["time"])
    for e in events:
        e["time"] = e["time"].isoformat()
    scenario.events = events
    return scenario


def score(network: Network,
          scenario: Scenario) -> tuple[bool, bool, tuple[float, ...], bool]:
    engine = OutageEngine(network)
    rest, section = (t.customers for t in scenario.truth)
    t0 = STORM_START
    board = shown_back = False
    checks = [(t0 + T_TIE + timedelta(minutes=1), "fed"), (t0 + T_REPAIR, "board")]
    for data in [*scenario.events, None]:
        event = parse_event(data) if data is not None else None
        while checks and (event is None or event.time >= checks[0][0]):
            when, what = checks.pop(0)
            engine.apply(Tick(when - timedelta(seconds=1)))
            live = [frozenset(engine.customer_ids_of(o)) for o in engine.book.live()]
            if what == "fed":
                shown_back = not any(s & section for s in live)
            else:
                board = live == [rest]
        if event is not None:
            engine.apply(event)
    engine.settle()
    whole = rest | section
    one_record = any(frozenset(engine.customer_ids_of(o)) == whole for o in engine.outages())
    return board, shown_back, harness.customer_minutes(network, engine, scenario), one_record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="*", default=["territory", "ieee123", "mv_oberrhein"])
    parser.add_argument("--per-tie", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rows = []
    for name in args.networks:
        source, extra = harness.NETWORKS.get(name, (name, []))
        network = load_network(source, [Path(p) for p in extra])
        builder = ScenarioBuilder(network)
        rng = np.random.default_rng(0)
        tally = [0, 0, 0, 0.0, 0.0, 0.0, 0]
        for tie, b, s in cases(builder, args.per_tie):
            board, back, (recorded, true, off), one = score(
                network, events_of(builder, tie, b, s, rng))
            for k, v in enumerate((1, board, back, recorded, true, off, one)):
                tally[k] += v
        n = tally[0]
        if n:
            rows.append(f"| {name} | {n} | {tally[1] / n:.2f} | {tally[2] / n:.2f} | "
                        f"{tally[3] / tally[4]:.3f} | {100 * tally[5] / tally[4]:.1f} % | "
                        f"{tally[6] / n:.2f} |")
    print("| network | cases | board before B closes | back-fed shown back | "
          "customer-minutes recorded / true | off by | one record for B |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
